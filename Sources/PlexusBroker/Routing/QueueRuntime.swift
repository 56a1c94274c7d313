import Foundation
import Logging
import NIOCore
import PlexusModel
import PlexusStorage

/// One queue at run time: the share-group state of each partition of its stream, persisted in the routing
/// progress store (group `queue:NAME`, offset = the settled watermark, metadata = the window) before a
/// receive or a settle is answered. One actor per queue: calls of one queue run one at a time.
actor QueueRuntime {
    nonisolated let definition: QueueDefinition
    private let router: EventRouter
    private let filter: EventFilter
    private var partitions: [Int32: QueuePartitionState] = [:]
    /// Where the next receive starts looking, so partitions share the work.
    private var rotation = 0
    /// Set when the queue was deleted or replaced: this runtime no longer hands out or stores anything.
    private var retired = false
    /// Records being published to the dead-letter stream now (a tick and a settle may overlap).
    private var deadLettering = Set<Position>()

    private struct Position: Hashable {
        var partition: Int32
        var offset: Int64
        init(_ partition: Int32, _ offset: Int64) {
            self.partition = partition
            self.offset = offset
        }
    }

    /// Stops this runtime for good (the queue was deleted or replaced); later calls fail with queue-not-found.
    func retire() { retired = true }

    private func checkLive() throws(PlexusError) {
        if retired { throw PlexusError(.queueNotFound, "queue '\(definition.name)' was deleted or replaced") }
    }

    init(definition: QueueDefinition, router: EventRouter) throws(PlexusError) {
        self.definition = definition
        self.router = router
        self.filter = definition.filter
        let now = PartitionLog.wallClockMilliseconds()
        for (key, committed) in router.progress.fetch(group: EventRouter.queueGroup(definition.name))
        where key.topic == definition.topic {
            let restored =
                QueuePartitionState(watermark: committed.offset, persisted: committed.metadata ?? "", now: now)
                ?? QueuePartitionState(start: committed.offset)
            partitions[key.partition.rawValue] = restored
        }
    }

    private var group: String { EventRouter.queueGroup(definition.name) }
    private var broker: Broker { router.broker }

    /// Stores the start of every partition that exists now (`latest`: the end; `earliest`: the start).
    func initialize() async throws(PlexusError) {
        guard let topic = try await broker.topic(definition.topic, create: true) else {
            throw PlexusError(.unknownTopicOrPartition, "stream '\(definition.topic)' does not exist")
        }
        for index in 0..<topic.partitionCount {
            guard let log = broker.logs.partition(definition.topic, PartitionID(index)) else { continue }
            let offsets = log.offsets
            let start = definition.startFrom == .latest ? offsets.highWatermark : offsets.logStart
            partitions[index] = QueuePartitionState(start: start.rawValue)
        }
        try await persist(Set(partitions.keys))
    }

    /// Partitions created since (a new partition starts at its beginning).
    private func discoverPartitions() {
        let count = broker.logs.topic(definition.topic)?.partitionCount ?? 0
        for index in 0..<count where partitions[index] == nil {
            partitions[index] = QueuePartitionState(start: 0)
        }
    }

    // MARK: Receive

    func receive(max: Int, leaseMs: Int64) async throws(PlexusError) -> [QueueMessage] {
        try checkLive()
        discoverPartitions()
        let now = PartitionLog.wallClockMilliseconds()
        var changed = Set<Int32>()
        var cache: [Int32: [Int64: StoredRecord]] = [:]
        var available = 0
        for index in partitions.keys {
            if partitions[index]!.expireLeases(now: now) > 0 { changed.insert(index) }
            available += partitions[index]!.availableCount(now: now, maxDeliveries: definition.maxDeliveries)
        }
        var leased: [(partition: Int32, offset: Int64, deliveries: Int)] = []
        let order = partitions.keys.sorted()
        if !order.isEmpty {
            rotation = (rotation + 1) % order.count
            // Only as many new records are read into the windows as this receive can hand out, so the windows
            // (and the state persisted on every call) stay as small as the work in flight.
            for step in 0..<order.count where available < max {
                let index = order[(rotation + step) % order.count]
                let (moved, added) = try fill(index, now: now, want: max - available, cache: &cache)
                if moved { changed.insert(index) }
                available += added
            }
            for step in 0..<order.count where leased.count < max {
                let index = order[(rotation + step) % order.count]
                for (offset, deliveries) in partitions[index]!.lease(
                    max: max - leased.count,
                    now: now,
                    leaseMs: leaseMs,
                    maxDeliveries: definition.maxDeliveries
                ) {
                    leased.append((index, offset, deliveries))
                    changed.insert(index)
                }
            }
        }
        var messages: [QueueMessage] = []
        for entry in leased {
            guard let stored = try record(entry.partition, entry.offset, cache: &cache) else {
                partitions[entry.partition]!.settle(entry.offset)  // gone (retention cannot pass it; deletion can)
                continue
            }
            let event = presenting(stored, entry.partition)
            if let notBefore = DelayedDelivery.notBefore(event), notBefore > now {
                partitions[entry.partition]!.postpone(offset: entry.offset, until: notBefore)
                continue
            }
            messages.append(
                QueueMessage(
                    receipt: "\(entry.partition).\(entry.offset).\(entry.deliveries)",
                    partition: entry.partition,
                    offset: entry.offset,
                    deliveryCount: entry.deliveries,
                    leaseExpiresAt: now + leaseMs,
                    event: event
                )
            )
        }
        if !changed.isEmpty { try await persist(changed) }
        return messages
    }

    /// Reads new records into a partition's window until `want` of them are available now (or the window or
    /// the partition ends); returns whether the state changed and how many available records it added.
    private func fill(_ index: Int32, now: Int64, want: Int, cache: inout [Int32: [Int64: StoredRecord]])
        throws(PlexusError) -> (changed: Bool, added: Int)
    {
        guard let log = broker.logs.partition(definition.topic, PartitionID(index)) else { return (false, 0) }
        var state = partitions[index]!
        let before = state
        let offsets = log.offsets
        if state.cursor > offsets.highWatermark.rawValue {
            // Past the end: the topic was deleted and created again; its records all are new to this queue.
            state = QueuePartitionState(start: offsets.logStart.rawValue)
        }
        if state.cursor < offsets.logStart.rawValue { state.skip(to: offsets.logStart.rawValue) }
        var added = 0
        while added < want, state.room > 0, state.cursor < offsets.highWatermark.rawValue {
            let read: (records: [StoredRecord], next: Offset, skipped: [PartitionLog.UndecodableBatch])
            do {
                read = try log.readRecordsSkipping(from: Offset(state.cursor), maxBytes: 64 << 10)
            } catch {
                throw PlexusError.wrapping(error)
            }
            for batch in read.skipped {
                router.logger.error(
                    "queue skips a batch whose records cannot be decoded",
                    metadata: [
                        "queue": "\(definition.name)", "partition": "\(index)",
                        "offsets": "\(batch.baseOffset)...\(batch.lastOffset)", "error": "\(batch.error)",
                    ]
                )
            }
            let limit = state.cursor + state.room
            var stopped = false
            for stored in read.records where stored.offset.rawValue >= state.cursor {
                if stored.offset.rawValue >= limit || added >= want {
                    stopped = true
                    // Offsets before it hold no record: pass them (clamped to the window).
                    if stored.offset.rawValue >= limit { state.pass(to: stored.offset.rawValue) }
                    break
                }
                let event = presenting(stored, index)
                let matches = filter.matches(event)
                let availableAt = matches ? max(now, DelayedDelivery.notBefore(event) ?? now) : now
                state.admit(offset: stored.offset.rawValue, matches: matches, availableAt: availableAt)
                if matches {
                    cache[index, default: [:]][stored.offset.rawValue] = stored
                    if availableAt <= now { added += 1 }
                }
            }
            // Offsets without records (gaps, batches that yield none) are passed over.
            if !stopped { state.pass(to: min(read.next.rawValue, limit)) }
            if read.records.isEmpty && read.next.rawValue <= state.cursor { break }
        }
        partitions[index] = state
        return (state != before, added)
    }

    private func record(_ index: Int32, _ offset: Int64, cache: inout [Int32: [Int64: StoredRecord]])
        throws(PlexusError)
        -> StoredRecord?
    {
        if let stored = cache[index]?[offset] { return stored }
        guard let log = broker.logs.partition(definition.topic, PartitionID(index)) else { return nil }
        do {
            for stored in try log.readRecordsSkipping(from: Offset(offset), maxBytes: 64 << 10).records {
                cache[index, default: [:]][stored.offset.rawValue] = stored
            }
        } catch let error as PlexusError where error.code == .offsetOutOfRange {
            return nil
        } catch {
            throw PlexusError.wrapping(error)
        }
        return cache[index]?[offset]
    }

    private func presenting(_ stored: StoredRecord, _ index: Int32) -> CloudEvent {
        CloudEvent(
            presenting: stored.record,
            topic: definition.topic,
            partition: PartitionID(index),
            offset: stored.offset,
            timestamp: stored.timestamp
        )
    }

    // MARK: Settle

    func settle(receipts: [String], action: QueueAction) async throws(PlexusError) -> [QueuePartitionState
        .ReceiptStatus]
    {
        try checkLive()
        let now = PartitionLog.wallClockMilliseconds()
        var results: [QueuePartitionState.ReceiptStatus] = []
        var changed = Set<Int32>()
        for receipt in receipts {
            let parts = receipt.split(separator: ".")
            guard parts.count == 3, let index = Int32(parts[0]), let offset = Int64(parts[1]),
                let deliveries = Int(parts[2]), partitions[index] != nil
            else {
                results.append(.unknown)
                continue
            }
            let status: QueuePartitionState.ReceiptStatus
            switch action {
            case .acknowledge: status = partitions[index]!.acknowledge(offset: offset, deliveries: deliveries)
            case .release(let delayMs):
                status = partitions[index]!.release(offset: offset, deliveries: deliveries, availableAt: now + delayMs)
            case .reject: status = partitions[index]!.reject(offset: offset, deliveries: deliveries)
            }
            if status == .ok { changed.insert(index) }
            results.append(status)
        }
        if !changed.isEmpty {
            try await persist(changed)
            if action != .acknowledge { await deadLetterExhausted() }
        }
        return results
    }

    /// Expires leases and dead-letters exhausted records (the router calls it every 250 ms).
    func tick() async {
        if retired { return }
        let now = PartitionLog.wallClockMilliseconds()
        var exhausted = false
        for index in partitions.keys {
            partitions[index]!.expireLeases(now: now)
            if !partitions[index]!.exhausted(maxDeliveries: definition.maxDeliveries).isEmpty { exhausted = true }
        }
        if exhausted { await deadLetterExhausted() }
    }

    /// Publishes rejected and exhausted records to the dead-letter stream with the error extensions, then
    /// settles them. On failure they stay and the next tick tries again.
    private func deadLetterExhausted() async {
        var cache: [Int32: [Int64: StoredRecord]] = [:]
        var letters: [(Int32, Int64, CloudEventKafkaBinding.Message)] = []
        var gone = Set<Int32>()
        for (index, state) in partitions {
            for offset in state.exhausted(maxDeliveries: definition.maxDeliveries).prefix(500)
            where !deadLettering.contains(.init(index, offset)) {
                let entry = state.entries[offset]!
                let stored: StoredRecord?
                do { stored = try record(index, offset, cache: &cache) } catch {
                    continue  // unreadable now: the next tick tries again
                }
                guard let stored else {
                    partitions[index]!.settle(offset)  // no longer in the log (the topic was deleted)
                    gone.insert(index)
                    continue
                }
                var event = presenting(stored, index)
                event.extensions["plexuserrordest"] = .string("queue:\(definition.name)")
                event.extensions["plexuserrorcode"] = .string(entry.rejected ? "rejected" : "max-deliveries")
                event.extensions["plexuserrorattempts"] = .integer(Int32(clamping: entry.deliveries))
                event.extensions["plexusqueue"] = .string(definition.name)
                event.extensions["plexusorigin"] = .string("\(definition.topic.rawValue)/\(index)/\(offset)")
                letters.append((index, offset, CloudEventKafkaBinding.encodeBinary(event)))
            }
        }
        guard !letters.isEmpty else {
            if !gone.isEmpty { try? await persist(gone) }
            return
        }
        for (index, offset, _) in letters { deadLettering.insert(.init(index, offset)) }
        defer { for (index, offset, _) in letters { deadLettering.remove(.init(index, offset)) } }
        var changed = gone
        // One letter per publish: a letter never shares a batch (and its size limit) with others.
        for (index, offset, letter) in letters {
            do {
                _ = try await broker.publish([letter], to: definition.deadLetterTopic)
            } catch  where error.code == .messageTooLarge {
                // Bigger than the dead-letter stream takes: the letter goes without its data, saying so.
                var slim = letter
                slim.value = nil
                slim.headers.append(
                    RecordHeader(
                        key: "ce_plexusdatadropped",
                        value: ByteBuffer(string: "the data exceeds the dead-letter stream's max.message.bytes")
                    )
                )
                do { _ = try await broker.publish([slim], to: definition.deadLetterTopic) } catch {
                    logDeadLetterFailure(error)
                    continue
                }
            } catch {
                logDeadLetterFailure(error)
                continue
            }
            if !retired {
                partitions[index]?.settle(offset)
                changed.insert(index)
            }
        }
        if !changed.isEmpty { try? await persist(changed) }
    }

    private func logDeadLetterFailure(_ error: PlexusError) {
        router.logger.error(
            "cannot publish a dead letter (tried again at the next tick)",
            metadata: ["queue": "\(definition.name)", "topic": "\(definition.deadLetterTopic)", "error": "\(error)"]
        )
    }

    // MARK: State

    private func persist(_ indexes: Set<Int32>) async throws(PlexusError) {
        try checkLive()
        let commits = indexes.sorted().compactMap { index -> OffsetStore.Commit? in
            guard let state = partitions[index] else { return nil }
            return OffsetStore.Commit(
                topic: definition.topic,
                partition: PartitionID(index),
                offset: state.watermark,
                metadata: state.persisted
            )
        }
        // Enqueued on the store from the actor before suspending, so state is stored in the order it changed
        // (an older snapshot never lands after a newer one).
        let store = router.progress
        let group = self.group
        let results = await withCheckedContinuation { continuation in
            store.commit(group: group, offsets: commits, now: PartitionLog.wallClockMilliseconds()) {
                continuation.resume(returning: $0)
            }
        }
        if let failure = results.compactMap({ $0 }).first {
            throw PlexusError(.storage, "cannot store the queue's state: \(failure)")
        }
    }

    /// The logs and cursors a waiting receive watches for new records.
    func waitTargets() -> [(log: PartitionLog, offset: Offset)] {
        partitions.compactMap { index, state in
            guard state.room > 0, let log = broker.logs.partition(definition.topic, PartitionID(index)) else {
                return nil
            }
            return (log, Offset(state.cursor))
        }
    }

    func partitionStatus() -> [QueueStatus.Partition] {
        partitions.keys.sorted().map { index in
            let state = partitions[index]!
            let end = broker.logs.partition(definition.topic, PartitionID(index))?.offsets.highWatermark.rawValue ?? -1
            return QueueStatus.Partition(
                partition: index,
                settled: state.watermark,
                end: end,
                leased: state.entries.values.filter { $0.leasedUntil != nil }.count,
                waiting: state.entries.values.filter { $0.leasedUntil == nil }.count + Int(max(0, end - state.cursor))
            )
        }
    }
}
