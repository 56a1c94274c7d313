import Foundation
public import Logging
import NIOConcurrencyHelpers
import NIOCore
public import PlexusModel
import PlexusStorage

/// Routing on top of the broker: push subscriptions (filters, retries, dead letters, replies), consumable
/// queues (share groups with leases) and request/reply. It knows no wire protocol: HTTP push goes through
/// a ``PushTransport`` the HTTP front end provides.
///
/// Definitions live in `DATA/internal/routing/definitions.json` (written atomically); subscription progress
/// and queue state live in an ``OffsetStore`` in `DATA/internal/routing/progress` under the groups
/// `sub:NAME` and `queue:NAME`, so a restart resumes where delivery stood (at-least-once).
public final class EventRouter: Sendable {
    public let broker: Broker
    let progress: OffsetStore
    let definitionsPath: String
    let transport: (any PushTransport)?
    let logger: Logger
    let replies: ReplyWaiters

    struct State {
        var subscriptions: [String: SubscriptionDefinition] = [:]
        var runners: [String: (runner: SubscriptionRunner, task: Task<Void, Never>?)] = [:]
        var queues: [String: QueueRuntime] = [:]
        var running = false
    }
    let state = NIOLockedValueBox(State())
    /// Serializes definition changes (create, delete) and their file writes.
    let changes = AsyncSerialGate()

    /// Where the routing state of a data directory lives.
    public static func directory(dataDirectory: String) -> String { dataDirectory + "/internal/routing" }

    /// Opens the routing state of `dataDirectory` (definitions and progress). Blocks (replays the progress log).
    public init(
        broker: Broker,
        dataDirectory: String,
        transport: (any PushTransport)?,
        logger: Logger
    ) throws(PlexusError) {
        self.broker = broker
        self.transport = transport
        self.logger = logger
        let directory = Self.directory(dataDirectory: dataDirectory)
        definitionsPath = directory + "/definitions.json"
        var configuration = OffsetStore.Configuration()
        configuration.retentionMinutes = Int64.max / 120_000  // progress never expires
        configuration.metadataMaxBytes = 16_000
        progress = try OffsetStore(
            directory: directory + "/progress",
            flushPolicy: broker.logs.flushPolicy,
            configuration: configuration,
            logger: logger
        )
        replies = ReplyWaiters(broker: broker, logger: logger)
        do {
            if let bytes = try DurableFile.read(definitionsPath) {
                let stored = try RoutingJSON.decode(StoredDefinitions.self, from: bytes)
                var queues: [String: QueueRuntime] = [:]
                for definition in stored.queues {
                    queues[definition.name] = try QueueRuntime(definition: definition, router: self)
                }
                let loaded = queues
                state.withLockedValue { state in
                    for definition in stored.subscriptions { state.subscriptions[definition.name] = definition }
                    state.queues = loaded
                }
            }
        } catch {
            progress.close()
            throw PlexusError(.configuration, "cannot read \(definitionsPath)", underlying: "\(error)")
        }
    }

    struct StoredDefinitions: Codable {
        var subscriptions: [SubscriptionDefinition]
        var queues: [QueueDefinition]
    }

    // MARK: Running

    /// Delivers until the task is cancelled: runs every subscription, expires queue leases and
    /// dead-letters exhausted records. Cancelling stops deliveries in flight; what was not settled is
    /// delivered again after a restart.
    public func run() async {
        let definitions = state.withLockedValue { state in
            state.running = true
            return Array(state.subscriptions.values)
        }
        for definition in definitions { start(definition) }
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            for queue in state.withLockedValue({ Array($0.queues.values) }) { await queue.tick() }
            replies.sweep()
        }
        let runners = state.withLockedValue { state in
            state.running = false
            return state.runners.values.compactMap(\.task)
        }
        for task in runners { task.cancel() }
        for task in runners { await task.value }
        replies.stop()
    }

    /// Closes the progress store (after ``run()`` has returned). Blocks.
    public func close() {
        progress.close()
    }

    private func start(_ definition: SubscriptionDefinition) {
        let runner = SubscriptionRunner(definition: definition, router: self)
        state.withLockedValue { state in
            guard state.running, state.runners[definition.name] == nil else { return }
            state.runners[definition.name] = (runner, Task { await runner.run() })
        }
    }

    // MARK: Subscriptions

    /// Every subscription, by name.
    public func subscriptions() -> [SubscriptionDefinition] {
        state.withLockedValue { $0.subscriptions.values.sorted { $0.name < $1.name } }
    }

    /// A subscription by name.
    public func subscription(_ name: String) throws(PlexusError) -> SubscriptionDefinition {
        guard let definition = state.withLockedValue({ $0.subscriptions[name] }) else {
            throw PlexusError(.subscriptionNotFound, "no subscription is named '\(name)'")
        }
        return definition
    }

    /// Creates a subscription (durably) and starts delivering: its progress on every partition that exists
    /// now is set to the end (`latest`) or the start (`earliest`); partitions created later start at their
    /// beginning. With `replace`, an existing subscription of the name is replaced and keeps its progress.
    @discardableResult
    public func createSubscription(_ definition: SubscriptionDefinition, replace: Bool = false)
        async throws(PlexusError)
        -> Bool
    {
        try await changes.run { () throws(PlexusError) -> Bool in
            let existing = state.withLockedValue { $0.subscriptions[definition.name] }
            if existing != nil && !replace {
                throw PlexusError(.alreadyExists, "a subscription named '\(definition.name)' exists")
            }
            if existing == definition { return false }
            let group = Self.subscriptionGroup(definition.name)
            if existing == nil { _ = try await progress.deleteGroup(group) }
            // Partitions it covers without progress yet (all when new; the newly covered ones when replaced)
            // start where `startFrom` says; partitions created later start at their beginning.
            let known = progress.fetch(group: group)
            var commits: [OffsetStore.Commit] = []
            for topic in broker.logs.topics() where definition.covers(topic.name) {
                for index in 0..<topic.partitionCount
                where known[OffsetStore.TopicPartition(topic.name, PartitionID(index))] == nil {
                    guard let log = broker.logs.partition(topic.name, PartitionID(index)) else { continue }
                    let offsets = log.offsets
                    let start = definition.startFrom == .latest ? offsets.highWatermark : offsets.logStart
                    commits.append(
                        OffsetStore.Commit(topic: topic.name, partition: PartitionID(index), offset: start.rawValue)
                    )
                }
            }
            if !commits.isEmpty {
                let results = await progress.commit(
                    group: group,
                    offsets: commits,
                    now: PartitionLog.wallClockMilliseconds()
                )
                if let failure = results.compactMap({ $0 }).first {
                    throw PlexusError(.storage, "cannot store the subscription's start: \(failure)")
                }
            }
            try await stop(subscription: definition.name)
            state.withLockedValue { $0.subscriptions[definition.name] = definition }
            do throws(PlexusError) { try await saveDefinitions() } catch {
                // Not stored: memory goes back to what the file says, and the old subscription runs on.
                state.withLockedValue { $0.subscriptions[definition.name] = existing }
                if let existing { start(existing) }
                throw error
            }
            start(definition)
            logger.info(
                "subscription created",
                metadata: ["subscription": "\(definition.name)", "sink": "\(definition.sink)"]
            )
            return existing == nil
        }
    }

    /// Deletes a subscription and its progress.
    public func deleteSubscription(_ name: String) async throws(PlexusError) {
        try await changes.run { () throws(PlexusError) in
            guard state.withLockedValue({ $0.subscriptions[name] }) != nil else {
                throw PlexusError(.subscriptionNotFound, "no subscription is named '\(name)'")
            }
            let stopped = try await stop(subscription: name)
            let removed = state.withLockedValue { $0.subscriptions.removeValue(forKey: name) }
            do throws(PlexusError) { try await saveDefinitions() } catch {
                state.withLockedValue { $0.subscriptions[name] = removed }
                if let removed { start(removed) }
                throw error
            }
            _ = try await progress.deleteGroup(Self.subscriptionGroup(name))
            stopped?.counters.destroy()  // its series leave /metrics
        }
    }

    @discardableResult
    private func stop(subscription name: String) async throws(PlexusError) -> SubscriptionRunner? {
        let runner = state.withLockedValue { $0.runners.removeValue(forKey: name) }
        runner?.task?.cancel()
        await runner?.task?.value
        return runner?.runner
    }

    /// Where a subscription stands: per partition its progress and the end, and its counters.
    public func status(ofSubscription name: String) throws(PlexusError) -> SubscriptionStatus {
        let definition = try subscription(name)
        let runner = state.withLockedValue { $0.runners[name]?.runner }
        var partitions: [SubscriptionStatus.Partition] = []
        for (key, committed) in progress.fetch(group: Self.subscriptionGroup(name)).sorted(by: { $0.key < $1.key }) {
            let end = broker.logs.partition(key.topic, key.partition)?.offsets.highWatermark.rawValue ?? -1
            partitions.append(.init(topic: key.topic, partition: key.partition, next: committed.offset, end: end))
        }
        return SubscriptionStatus(
            definition: definition,
            partitions: partitions,
            counters: runner?.counters.snapshot ?? SubscriptionCounters.Snapshot()
        )
    }

    static func subscriptionGroup(_ name: String) -> String { "sub:" + name }
    static func queueGroup(_ name: String) -> String { "queue:" + name }

    // MARK: Queues

    /// Every queue, by name.
    public func queues() -> [QueueDefinition] {
        state.withLockedValue { $0.queues.values.map(\.definition).sorted { $0.name < $1.name } }
    }

    func queueRuntime(_ name: String) throws(PlexusError) -> QueueRuntime {
        guard let queue = state.withLockedValue({ $0.queues[name] }) else {
            throw PlexusError(.queueNotFound, "no queue is named '\(name)'")
        }
        return queue
    }

    /// A queue by name.
    public func queue(_ name: String) throws(PlexusError) -> QueueDefinition { try queueRuntime(name).definition }

    /// Creates a queue (durably); it starts at the end of its stream (`latest`) or its start (`earliest`).
    /// With `replace`, an existing queue of the name gets the new settings and keeps its state.
    @discardableResult
    public func createQueue(_ definition: QueueDefinition, replace: Bool = false) async throws(PlexusError) -> Bool {
        try await changes.run { () throws(PlexusError) -> Bool in
            let existing = state.withLockedValue { $0.queues[definition.name] }
            if existing != nil, !replace {
                throw PlexusError(.alreadyExists, "a queue named '\(definition.name)' exists")
            }
            if let existing {
                if existing.definition == definition { return false }
                guard existing.definition.topic == definition.topic else {
                    throw PlexusError(.invalidDefinition, "a queue's stream cannot change; delete the queue first")
                }
            } else {
                _ = try await progress.deleteGroup(Self.queueGroup(definition.name))
            }
            if broker.logs.partition(definition.topic, PartitionID(0))?.isVolatile == true {
                throw PlexusError(
                    .invalidDefinition,
                    "'\(definition.topic)' is volatile; a queue needs a durable stream"
                )
            }
            await existing?.retire()
            let runtime = try QueueRuntime(definition: definition, router: self)
            if existing == nil { try await runtime.initialize() }
            state.withLockedValue { $0.queues[definition.name] = runtime }
            do throws(PlexusError) { try await saveDefinitions() } catch {
                await runtime.retire()
                state.withLockedValue { $0.queues[definition.name] = nil }
                if let existing {
                    // The old queue, reloaded from its stored state, serves on.
                    if let restored = try? QueueRuntime(definition: existing.definition, router: self) {
                        state.withLockedValue { $0.queues[definition.name] = restored }
                    }
                }
                throw error
            }
            logger.info("queue created", metadata: ["queue": "\(definition.name)", "topic": "\(definition.topic)"])
            return existing == nil
        }
    }

    /// Deletes a queue and its state (records it held stay in the stream).
    public func deleteQueue(_ name: String) async throws(PlexusError) {
        try await changes.run { () throws(PlexusError) in
            guard let removed = state.withLockedValue({ $0.queues.removeValue(forKey: name) }) else {
                throw PlexusError(.queueNotFound, "no queue is named '\(name)'")
            }
            await removed.retire()
            do throws(PlexusError) { try await saveDefinitions() } catch {
                if let restored = try? QueueRuntime(definition: removed.definition, router: self) {
                    state.withLockedValue { $0.queues[name] = restored }
                }
                throw error
            }
            _ = try await progress.deleteGroup(Self.queueGroup(name))
        }
    }

    /// Receives up to `max` records from a queue, each leased for `leaseMs` (the queue's lease when nil);
    /// waits up to `waitMs` for one when none is available.
    public func receive(queue name: String, max: Int, waitMs: Int64, leaseMs: Int64?) async throws(PlexusError)
        -> [QueueMessage]
    {
        let deadline = ContinuousClock.now + .milliseconds(waitMs)
        while true {
            // Looked up each round: a queue replaced or deleted meanwhile is not served by its old runtime.
            let queue = try queueRuntime(name)
            let messages = try await queue.receive(max: max, leaseMs: leaseMs ?? queue.definition.lease.milliseconds)
            if !messages.isEmpty || ContinuousClock.now >= deadline || Task.isCancelled { return messages }
            // New records wake the wait; releases, lease expiries and delays are seen within 100 ms.
            let left = deadline - ContinuousClock.now
            let targets = await queue.waitTargets()
            if targets.isEmpty {
                try? await Task.sleep(for: min(left, .milliseconds(100)))
            } else {
                _ = await broker.waitForData(targets, timeout: min(left, .milliseconds(100)))
            }
        }
    }

    /// Acknowledges, releases or rejects received records by their receipts.
    public func settle(queue name: String, receipts: [String], action: QueueAction) async throws(PlexusError)
        -> [QueuePartitionState.ReceiptStatus]
    {
        try await queueRuntime(name).settle(receipts: receipts, action: action)
    }

    /// Where a queue stands, per partition.
    public func status(ofQueue name: String) async throws(PlexusError) -> QueueStatus {
        let queue = try queueRuntime(name)
        return QueueStatus(definition: queue.definition, partitions: await queue.partitionStatus())
    }

    // MARK: Retention

    /// The first offset of `topic`/`partition` that a subscription or queue has not settled, if any: retention
    /// keeps it (records stay until every registered queue and subscription has settled them).
    public func retentionFloor(_ topic: TopicName, _ partition: PartitionID) -> Offset? {
        let (subscriptions, queues) = state.withLockedValue { state in
            (
                state.subscriptions.values.filter { $0.covers(topic) }.map(\.name),
                state.queues.values.filter { $0.definition.topic == topic }.map(\.definition.name)
            )
        }
        let key = OffsetStore.TopicPartition(topic, partition)
        var floor: Int64?
        let end = broker.logs.partition(topic, partition)?.offsets.highWatermark.rawValue ?? 0
        for group in subscriptions.map(Self.subscriptionGroup) + queues.map(Self.queueGroup) {
            // Progress past the end (the topic was deleted and created again) is stale: keep everything.
            guard let committed = progress.fetch(group: group, partitions: [key])[key], committed.offset >= 0,
                committed.offset <= end
            else {
                // Not started on this partition yet: it starts at the beginning, so keep everything.
                floor = min(floor ?? 0, 0)
                continue
            }
            floor = min(floor ?? committed.offset, committed.offset)
        }
        return floor.map { Offset($0) }
    }

    // MARK: Request/reply

    /// Publishes `event` to `topic` as a request and waits up to `timeoutMs` for the event on the reply stream
    /// whose `correlationid` matches. The request carries `correlationid` (its own when set, else the event
    /// id) and `replyto` (its own when set, else `TOPIC.replies`).
    /// - Throws: `replyTimeout` when no reply came in time.
    public func request(_ event: CloudEvent, topic: TopicName, timeoutMs: Int64) async throws(PlexusError) -> CloudEvent
    {
        var event = event
        let correlation: String
        if case .string(let given)? = event.extensions[RequestReply.correlationAttribute], !given.isEmpty {
            correlation = given
        } else {
            correlation = event.id
            event.extensions[RequestReply.correlationAttribute] = .string(correlation)
        }
        let replyTopic: TopicName
        if case .string(let given)? = event.extensions[RequestReply.replyToAttribute] {
            replyTopic = try TopicName(given)
        } else {
            replyTopic = try TopicName(topic.rawValue + ".replies")
            event.extensions[RequestReply.replyToAttribute] = .string(replyTopic.rawValue)
        }
        guard replyTopic != topic else {
            throw PlexusError(.invalidRequest, "the reply stream must not be the request's stream")
        }
        let wait = try await replies.register(correlation: correlation, replyTopic: replyTopic)
        do {
            _ = try await broker.publish([CloudEventKafkaBinding.encodeBinary(event)], to: topic)
        } catch {
            replies.cancel(wait)
            throw error
        }
        return try await replies.wait(wait, timeoutMs: timeoutMs)
    }

    // MARK: Definitions file

    private func saveDefinitions() async throws(PlexusError) {
        let stored = state.withLockedValue { state in
            StoredDefinitions(
                subscriptions: state.subscriptions.values.sorted { $0.name < $1.name },
                queues: state.queues.values.map(\.definition).sorted { $0.name < $1.name }
            )
        }
        let bytes = RoutingJSON.encode(stored)
        let path = definitionsPath
        try await Broker.offloaded { try DurableFile.write(bytes, to: path) }
    }
}

/// The request/reply extension attributes (documented in docs/ROUTING.md).
public enum RequestReply {
    /// Ties a reply to its request (MQTT 5 Correlation Data, AMQP `correlation-id`).
    public static let correlationAttribute = "correlationid"
    /// The stream a reply goes to (MQTT 5 Response Topic, AMQP `reply-to`).
    public static let replyToAttribute = "replyto"
}

/// What a queue receiver does with a received record.
public enum QueueAction: Hashable, Sendable {
    case acknowledge
    /// Available again after `delayMs`.
    case release(delayMs: Int64)
    /// To the dead-letter stream.
    case reject
}

/// One record handed out by a queue.
public struct QueueMessage: Sendable {
    /// The token to acknowledge, release or reject it with: `PARTITION.OFFSET.DELIVERY`.
    public var receipt: String
    public var partition: Int32
    public var offset: Int64
    public var deliveryCount: Int
    /// When the lease ends (ms since the epoch).
    public var leaseExpiresAt: Int64
    public var event: CloudEvent
}

/// A subscription's definition, its progress per partition and its counters.
public struct SubscriptionStatus: Sendable {
    public struct Partition: Sendable {
        public var topic: TopicName
        public var partition: PartitionID
        /// The next offset to deliver (everything before it is settled).
        public var next: Int64
        /// The partition's high watermark, or -1 when it no longer exists.
        public var end: Int64
    }
    public var definition: SubscriptionDefinition
    public var partitions: [Partition]
    public var counters: SubscriptionCounters.Snapshot
}

/// A queue's definition and its state per partition.
public struct QueueStatus: Sendable {
    public struct Partition: Sendable {
        public var partition: Int32
        /// Everything before it is settled.
        public var settled: Int64
        public var end: Int64
        public var leased: Int
        public var waiting: Int
    }
    public var definition: QueueDefinition
    public var partitions: [Partition]
}

/// Runs async operations one at a time, in arrival order (definition changes and their file writes).
final class AsyncSerialGate: Sendable {
    private let state = NIOLockedValueBox<(busy: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func run<T: Sendable>(_ body: () async throws(PlexusError) -> T) async throws(PlexusError) -> T {
        await withCheckedContinuation { continuation in
            let proceed = state.withLockedValue { state -> Bool in
                if state.busy {
                    state.waiters.append(continuation)
                    return false
                }
                state.busy = true
                return true
            }
            if proceed { continuation.resume() }
        }
        defer {
            let next = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
                if state.waiters.isEmpty {
                    state.busy = false
                    return nil
                }
                return state.waiters.removeFirst()
            }
            next?.resume()
        }
        return try await body()
    }
}
