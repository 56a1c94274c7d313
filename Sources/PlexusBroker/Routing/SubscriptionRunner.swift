import CoreMetrics
import DequeModule
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
public import PlexusModel
import PlexusStorage

/// Counters of one subscription since this node started.
public final class SubscriptionCounters: Sendable {
    public struct Snapshot: Hashable, Sendable, Codable {
        public var delivered = 0
        public var retried = 0
        public var deadLettered = 0
        public var dropped = 0
        public var filtered = 0
        public var replies = 0
        public var inFlight = 0
        public init() {}
    }
    private let box = NIOLockedValueBox(Snapshot())
    private let metrics: [String: Counter]

    init(subscription: String) {
        var metrics: [String: Counter] = [:]
        for outcome in ["delivered", "retried", "dead_lettered", "dropped", "filtered", "replies"] {
            metrics[outcome] = Counter(
                label: "plexus_subscription_events_total",
                dimensions: [("subscription", subscription), ("outcome", outcome)]
            )
        }
        self.metrics = metrics
    }

    public var snapshot: Snapshot { box.withLockedValue { $0 } }

    /// Unregisters the subscription's metric series (it was deleted).
    func destroy() {
        for counter in metrics.values { counter.destroy() }
    }

    func add(_ keyPath: WritableKeyPath<Snapshot, Int>, _ metric: String?, _ amount: Int = 1) {
        box.withLockedValue { $0[keyPath: keyPath] += amount }
        if let metric { metrics[metric]?.increment(by: amount) }
    }
}

/// Not-before times of delayed delivery: the `notbefore` extension attribute (RFC 3339).
public enum DelayedDelivery {
    /// The extension attribute that holds the not-before time.
    public static let attribute = "notbefore"

    /// The not-before time of `event` in ms since the epoch, or nil when it has none (or an unreadable one).
    public static func notBefore(_ event: CloudEvent) -> Int64? {
        switch event.extensions[attribute] {
        case .timestamp(let time)?: return time.secondsSinceEpoch * 1000 + Int64(time.nanoseconds / 1_000_000)
        case .string(let text)?:
            guard let time = CloudEventTime(rfc3339: text) else { return nil }
            return time.secondsSinceEpoch * 1000 + Int64(time.nanoseconds / 1_000_000)
        default: return nil
        }
    }
}

/// Delivers one subscription: a follower per partition of every stream it covers.
final class SubscriptionRunner: Sendable {
    let definition: SubscriptionDefinition
    let counters: SubscriptionCounters
    private let router: EventRouter
    private let filter: EventFilter
    private let active = NIOLockedValueBox<Set<OffsetStore.TopicPartition>>([])

    init(definition: SubscriptionDefinition, router: EventRouter) {
        self.definition = definition
        self.router = router
        self.filter = definition.filter
        self.counters = SubscriptionCounters(subscription: definition.name)
    }

    private var broker: Broker { router.broker }
    private var logger: Logger { router.logger }
    private var group: String { EventRouter.subscriptionGroup(definition.name) }

    /// Follows every covered partition (new streams are found within a second) until cancelled.
    func run() async {
        await withDiscardingTaskGroup { tasks in
            while !Task.isCancelled {
                for topic in broker.logs.topics() where definition.covers(topic.name) {
                    for index in 0..<topic.partitionCount {
                        let key = OffsetStore.TopicPartition(topic.name, PartitionID(index))
                        let isNew = active.withLockedValue { $0.insert(key).inserted }
                        if isNew {
                            tasks.addTask {
                                await self.follow(key)
                                _ = self.active.withLockedValue { $0.remove(key) }
                            }
                        }
                    }
                }
                try? await Task.sleep(for: .seconds(1))
            }
            tasks.cancelAll()
        }
    }

    // MARK: Following a partition

    private func follow(_ key: OffsetStore.TopicPartition) async {
        let committed = router.progress.fetch(group: group, partitions: [key])[key]?.offset ?? -1
        let committer = ProgressCommitter(store: router.progress, group: group, key: key, logger: logger)
        if committed < 0 { committer.update(0) }
        switch definition.delivery.ordering {
        case .ordered: await followOrdered(key, from: max(committed, 0), committer)
        case .unordered: await followUnordered(key, from: max(committed, 0), committer)
        }
        committer.stop()
    }

    /// One read step: records at or after `position` (up to `maxBytes` of batches) and where to read next;
    /// nil when the partition is gone (deleted). A position retention passed continues at the log start (or
    /// at it after a volatile stream restarted empty).
    private func read(_ key: OffsetStore.TopicPartition, at position: inout Int64, maxBytes: Int) async
        -> (log: PartitionLog, records: [StoredRecord], next: Int64)?
    {
        while !Task.isCancelled {
            guard let log = broker.logs.partition(key.topic, key.partition) else { return nil }
            do {
                let read = try log.readRecordsSkipping(from: Offset(position), maxBytes: maxBytes)
                for batch in read.skipped {
                    counters.add(\.dropped, "dropped", Int(batch.lastOffset.rawValue - batch.baseOffset.rawValue + 1))
                    logger.error(
                        "skipping a batch whose records cannot be decoded",
                        metadata: [
                            "subscription": "\(definition.name)", "topic": "\(key.topic)",
                            "partition": "\(key.partition)",
                            "offsets": "\(batch.baseOffset)...\(batch.lastOffset)", "error": "\(batch.error)",
                        ]
                    )
                }
                let records = read.records.filter { $0.offset.rawValue >= position }
                return (log, records, max(read.next.rawValue, position))
            } catch let error as PlexusError where error.code == .offsetOutOfRange {
                let offsets = log.offsets
                position =
                    position > offsets.highWatermark.rawValue
                    ? offsets.logStart.rawValue : max(position, offsets.logStart.rawValue)
            } catch {
                logger.error(
                    "subscription read failed",
                    metadata: ["subscription": "\(definition.name)", "error": "\(error)"]
                )
                try? await Task.sleep(for: .seconds(1))
            }
        }
        return nil
    }

    /// One event in flight at a time, in offset order.
    private func followOrdered(_ key: OffsetStore.TopicPartition, from start: Int64, _ committer: ProgressCommitter)
        async
    {
        var next = start
        while !Task.isCancelled {
            guard let step = await read(key, at: &next, maxBytes: 256 << 10) else { return }
            if step.records.isEmpty {
                if step.next > next {
                    next = step.next
                    committer.update(next)
                } else {
                    _ = await broker.waitForData([(step.log, Offset(next))], timeout: .seconds(5))
                }
                continue
            }
            for stored in step.records {
                guard await process(stored, key) else { return }
                next = stored.offset.rawValue + 1
                committer.update(next)
            }
            next = max(next, step.next)
            committer.update(next)
        }
    }

    /// The most offsets between the first unsettled event and the reading position when unordered, so a stuck
    /// event bounds the bookkeeping.
    static let unorderedWindow = 10_000

    /// Up to `concurrency` events in flight, a sliding window: a free slot takes the next event at once, and
    /// progress is the first event not settled.
    private func followUnordered(_ key: OffsetStore.TopicPartition, from start: Int64, _ committer: ProgressCommitter)
        async
    {
        let concurrency = definition.delivery.concurrency
        await withTaskGroup(of: (offset: Int64, settled: Bool).self) { tasks in
            var position = start  // the next offset to read
            var dispatched = Deque<Int64>()
            var done = Set<Int64>()
            var inFlight = 0
            var waking = false  // a task is waiting for new records
            var buffered = Deque<StoredRecord>()
            var bufferedNext = start
            var stopped = false
            func complete(_ result: (offset: Int64, settled: Bool)) {
                if result.offset < 0 {
                    waking = false
                    return
                }
                inFlight -= 1
                guard result.settled else {
                    stopped = true  // cancelled: progress stays at the first event not settled
                    return
                }
                done.insert(result.offset)
                var moved = false
                while let first = dispatched.first, done.remove(first) != nil {
                    dispatched.removeFirst()
                    moved = true
                }
                if moved { committer.update(dispatched.first ?? position) }
            }
            while !Task.isCancelled && !stopped {
                if inFlight >= concurrency || dispatched.count >= Self.unorderedWindow {
                    if let result = await tasks.next() { complete(result) }
                    continue
                }
                if buffered.isEmpty {
                    guard let step = await read(key, at: &position, maxBytes: 256 << 10) else { break }
                    if step.records.isEmpty {
                        if step.next > position {
                            position = step.next
                            if dispatched.isEmpty { committer.update(position) }
                            continue
                        }
                        if !waking {
                            waking = true
                            let (log, at) = (step.log, Offset(position))
                            tasks.addTask {
                                _ = await self.broker.waitForData([(log, at)], timeout: .seconds(5))
                                return (-1, true)
                            }
                        }
                        if let result = await tasks.next() { complete(result) }
                        continue
                    }
                    // Records read but not yet dispatched wait here, so a freed slot costs no read.
                    buffered = Deque(step.records)
                    bufferedNext = step.next
                }
                while let stored = buffered.first {
                    if inFlight >= concurrency || dispatched.count >= Self.unorderedWindow || stopped
                        || Task.isCancelled
                    {
                        break
                    }
                    buffered.removeFirst()
                    let offset = stored.offset.rawValue
                    dispatched.append(offset)
                    inFlight += 1
                    position = offset + 1
                    tasks.addTask { (offset, await self.process(stored, key)) }
                }
                if buffered.isEmpty { position = max(position, bufferedNext) }
            }
            tasks.cancelAll()
            while let result = await tasks.next() { complete(result) }
        }
    }

    // MARK: One event

    /// Filters, waits for the not-before time, delivers with retries, dead-letters on failure and publishes
    /// replies. Returns false only when cancelled before the event was settled.
    private func process(_ stored: StoredRecord, _ key: OffsetStore.TopicPartition) async -> Bool {
        let event = CloudEvent(
            presenting: stored.record,
            topic: key.topic,
            partition: key.partition,
            offset: stored.offset,
            timestamp: stored.timestamp
        )
        guard filter.matches(event) else {
            counters.add(\.filtered, "filtered")
            return true
        }
        if let notBefore = DelayedDelivery.notBefore(event) {
            let wait = notBefore - PartitionLog.wallClockMilliseconds()
            if wait > 0 {
                do { try await Task.sleep(for: .milliseconds(wait)) } catch { return false }
            }
        }
        counters.add(\.inFlight, nil)
        defer { counters.add(\.inFlight, nil, -1) }
        let origin = "\(key.topic.rawValue)/\(key.partition.rawValue)/\(stored.offset.rawValue)"
        let outcome: DeliveryOutcome
        switch definition.sink {
        case .url(let url): outcome = await push(event, to: url, origin: origin)
        case .topic(let topic):
            let message = CloudEventKafkaBinding.Message(
                key: stored.record.key,
                value: stored.record.value,
                headers: stored.record.headers
            )
            outcome = await forward(message, to: topic)
        }
        switch outcome {
        case .cancelled:
            return false
        case .delivered(var replies):
            counters.add(\.delivered, "delivered")
            guard !replies.isEmpty else { return true }
            // A request (it names a `replyto` stream) gets its replies there, tied by its `correlationid`;
            // other events' replies go to the subscription's reply stream, if it has one.
            var destination = definition.replyTopic
            if case .string(let replyTo)? = event.extensions[RequestReply.replyToAttribute],
                let topic = try? TopicName(replyTo)
            {
                destination = topic
                if let correlation = event.extensions[RequestReply.correlationAttribute] {
                    for index in replies.indices
                    where replies[index].extensions[RequestReply.correlationAttribute] == nil {
                        replies[index].extensions[RequestReply.correlationAttribute] = correlation
                    }
                }
            }
            if let target = destination, definition.covers(target) {
                // Into its own sources, the replies would come back to the sink: a loop.
                logger.warning(
                    "replies not published: their stream is one of the subscription's sources",
                    metadata: ["subscription": "\(definition.name)", "topic": "\(target)"]
                )
                destination = nil
            }
            if let destination,
                await publish(replies.map { CloudEventKafkaBinding.encodeBinary($0) }, to: destination, what: "replies")
            {
                counters.add(\.replies, "replies", replies.count)
            }
            return true
        case .failed(let failure):
            return await deadLetter(event, failure, origin: origin)
        }
    }

    struct Failure {
        var code: String
        var data: String
        var attempts: Int
    }

    enum DeliveryOutcome {
        case delivered(replies: [CloudEvent])
        case failed(Failure)
        case cancelled
    }

    /// POSTs `event` in binary mode with retries per the delivery spec.
    private func push(_ event: CloudEvent, to url: String, origin: String, deadLetter: Bool = false) async
        -> DeliveryOutcome
    {
        guard let transport = router.transport else {
            return .failed(Failure(code: "no-transport", data: "this node cannot push over HTTP", attempts: 0))
        }
        let delivery = definition.delivery
        let (eventHeaders, body) = CloudEventHTTPBinding.encodeBinary(event)
        var attempt = 0
        while true {
            attempt += 1
            if Task.isCancelled { return .cancelled }
            var headers = eventHeaders
            headers.append(("Plexus-Subscription", definition.name))
            headers.append(("Plexus-Attempt", String(attempt)))
            headers.append(("Plexus-Origin", origin))
            let response = await transport.post(
                url: url,
                headers: headers,
                body: body,
                timeoutMs: delivery.timeout.milliseconds
            )
            // Cancelled (shutdown, the subscription changed): not a failed attempt; delivered again later.
            if Task.isCancelled { return .cancelled }
            let verdict = PushVerdict.classify(response, now: PartitionLog.wallClockMilliseconds())
            switch verdict {
            case .delivered:
                return .delivered(replies: deadLetter ? [] : Self.replies(in: response))
            case .permanent:
                return .failed(Self.failure(response, attempts: attempt))
            case .retriable(let retryAfterMs):
                guard attempt <= delivery.retry else { return .failed(Self.failure(response, attempts: attempt)) }
                counters.add(\.retried, "retried")
                let wait = retryWait(delivery: delivery, retry: attempt, retryAfterMs: retryAfterMs)
                do { try await Task.sleep(for: .milliseconds(wait)) } catch { return .cancelled }
            }
        }
    }

    /// Appends a record to a stream, retrying storage failures per the delivery spec.
    /// Appends a record to a stream. This node's own retriable failures (busy, storage unavailable) are
    /// waited out — retried with the backoff, capped at 5 s, however long it takes — rather than counted
    /// against the sink: the event is not given up because the broker was briefly overloaded. Other
    /// failures (too large, invalid) fail at once.
    private func forward(_ message: CloudEventKafkaBinding.Message, to topic: TopicName) async -> DeliveryOutcome {
        let delivery = definition.delivery
        var attempt = 0
        while true {
            attempt += 1
            if Task.isCancelled { return .cancelled }
            do {
                _ = try await broker.publish([message], to: topic)
                return .delivered(replies: [])
            } catch {
                let failure = Failure(code: error.code.name, data: error.message, attempts: attempt)
                guard error.code.isRetriable else { return .failed(failure) }
                counters.add(\.retried, "retried")
                if attempt == delivery.retry + 1 {
                    logger.warning(
                        "a stream sink keeps failing; still retrying",
                        metadata: ["subscription": "\(definition.name)", "topic": "\(topic)", "error": "\(error)"]
                    )
                }
                do {
                    try await Task.sleep(for: .milliseconds(min(delivery.backoff(beforeRetry: attempt), 5000)))
                } catch { return .cancelled }
            }
        }
    }

    /// Sends a failed event to the dead-letter sink with the error extensions; drops it (counted, logged)
    /// when there is none or that fails too. Returns false only when cancelled.
    private func deadLetter(_ event: CloudEvent, _ failure: Failure, origin: String) async -> Bool {
        guard let sink = definition.delivery.deadLetterSink else {
            counters.add(\.dropped, "dropped")
            logger.warning(
                "event dropped: delivery failed and the subscription has no dead-letter sink",
                metadata: ["subscription": "\(definition.name)", "origin": "\(origin)", "code": "\(failure.code)"]
            )
            return true
        }
        var letter = event
        letter.extensions["plexuserrordest"] = .string(definition.sink.description)
        letter.extensions["plexuserrorcode"] = .string(failure.code)
        letter.extensions["plexuserrordata"] = .string(failure.data)
        letter.extensions["plexuserrorattempts"] = .integer(Int32(clamping: failure.attempts))
        letter.extensions["plexussubscription"] = .string(definition.name)
        letter.extensions["plexusorigin"] = .string(origin)
        let outcome: DeliveryOutcome
        switch sink {
        case .url(let url): outcome = await push(letter, to: url, origin: origin, deadLetter: true)
        case .topic(let topic): outcome = await forward(CloudEventKafkaBinding.encodeBinary(letter), to: topic)
        }
        switch outcome {
        case .cancelled: return false
        case .delivered: counters.add(\.deadLettered, "dead_lettered")
        case .failed(let second):
            counters.add(\.dropped, "dropped")
            logger.error(
                "event dropped: the dead-letter sink failed too",
                metadata: ["subscription": "\(definition.name)", "origin": "\(origin)", "code": "\(second.code)"]
            )
        }
        return true
    }

    private func publish(_ messages: [CloudEventKafkaBinding.Message], to topic: TopicName, what: String) async
        -> Bool
    {
        do {
            _ = try await broker.publish(messages, to: topic)
            return true
        } catch {
            logger.error(
                "cannot publish \(what)",
                metadata: ["subscription": "\(definition.name)", "topic": "\(topic)", "error": "\(error)"]
            )
            return false
        }
    }

    /// Events in a sink's 2xx response (binary, structured or batch mode); none when the body is no event.
    static func replies(in response: PushResponse) -> [CloudEvent] {
        guard case .status(_, let headers, let body) = response else { return [] }
        let list = headers.map { (name: $0.key, value: $0.value) }
        let isEvent =
            headers["ce-specversion"] != nil
            || (headers["content-type"].map { $0.lowercased().hasPrefix("application/cloudevents") } ?? false)
        guard isEvent, let events = try? CloudEventHTTPBinding.decode(headers: list, body: body) else { return [] }
        return events.compactMap { try? $0.validated() }
    }

    /// The error extensions' values for a failed attempt: the HTTP status (or `timeout`, `connection`) and
    /// up to 1 KiB of the response body as text.
    static func failure(_ response: PushResponse, attempts: Int) -> Failure {
        switch response {
        case .timeout: return Failure(code: "timeout", data: "", attempts: attempts)
        case .connectionFailed(let why):
            return Failure(code: "connection", data: attributeText(Array(why.utf8.prefix(1024))), attempts: attempts)
        case .status(let code, _, let body):
            let bytes = body.getBytes(at: body.readerIndex, length: min(body.readableBytes, 1024)) ?? []
            return Failure(code: String(code), data: attributeText(bytes), attempts: attempts)
        }
    }

    /// Bytes as a valid CloudEvents String: invalid UTF-8 becomes U+FFFD, control characters (U+0000–001F,
    /// U+007F–009F, line breaks included) and noncharacters become spaces.
    static func attributeText(_ bytes: [UInt8]) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
            let value = scalar.value
            let disallowed =
                value < 0x20 || (0x7F...0x9F).contains(value) || (0xFDD0...0xFDEF).contains(value)
                || value & 0xFFFE == 0xFFFE
            scalars.append(disallowed ? " " : scalar)
        }
        return String(scalars)
    }
}

/// Commits one partition's progress without blocking delivery: at most one commit in flight; the newest
/// position wins. Losing the last commits in a crash only means delivering those events again.
final class ProgressCommitter: Sendable {
    private let store: OffsetStore
    private let group: String
    private let key: OffsetStore.TopicPartition
    private let logger: Logger
    private let state = NIOLockedValueBox<(committed: Int64, wanted: Int64, busy: Bool, stopped: Bool)>(
        (-1, -1, false, false)
    )

    /// No more commits (the follower ended): a commit still in flight completes, none follows it, so a
    /// subscription deleted and created again is not rewound by its predecessor.
    func stop() { state.withLockedValue { $0.stopped = true } }

    init(store: OffsetStore, group: String, key: OffsetStore.TopicPartition, logger: Logger) {
        self.store = store
        self.group = group
        self.key = key
        self.logger = logger
    }

    func update(_ next: Int64) {
        let start = state.withLockedValue { state -> Int64? in
            state.wanted = max(state.wanted, next)
            guard !state.busy, !state.stopped, state.wanted != state.committed else { return nil }
            state.busy = true
            return state.wanted
        }
        if let start { commit(start) }
    }

    private func commit(_ offset: Int64) {
        let entry = OffsetStore.Commit(topic: key.topic, partition: key.partition, offset: offset)
        store.commit(group: group, offsets: [entry], now: PartitionLog.wallClockMilliseconds()) { [self] results in
            if let error = results.first ?? nil {
                logger.warning(
                    "cannot store subscription progress",
                    metadata: ["group": "\(group)", "error": "\(error)"]
                )
            }
            let failed = (results.first ?? nil) != nil
            let again = state.withLockedValue { state -> Int64? in
                if !failed { state.committed = max(state.committed, offset) }
                guard state.wanted != state.committed, !failed, !state.stopped else {
                    state.busy = false
                    return nil
                }
                return state.wanted
            }
            if let again { commit(again) }
        }
    }
}
