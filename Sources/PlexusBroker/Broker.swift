import CoreMetrics
import Foundation
import NIOConcurrencyHelpers
public import NIOCore
public import PlexusModel
public import PlexusStorage

/// The protocol-neutral core every front end talks to.
///
/// Produce validates a client's batch as Kafka does before it reaches storage, creates topics on first
/// use when asked to, and returns once the batch is acknowledged under the flush policy. Fetch-side
/// long polls wait on the partitions' high watermarks. Consumer groups and committed offsets live here;
/// subscriptions, queues and request/reply run on top of it in ``EventRouter``. It knows no wire protocol.
public final class Broker: Sendable {
    /// The storage under this broker.
    public let logs: LogManager
    /// Whether produce/fetch to an unknown topic creates it.
    public let autoCreateTopics: Bool
    /// Partition count of auto-created topics.
    public let defaultPartitions: Int32

    /// The consumer groups' membership (classic protocol).
    public let groups: GroupCoordinator
    /// The consumer groups' committed offsets; nil when this broker keeps none (offset commits then fail
    /// with COORDINATOR_NOT_AVAILABLE).
    public let offsets: OffsetStore?

    /// Round-robin position for records without a key, per topic (``publish(_:to:)``).
    let roundRobin = NIOLockedValueBox<[TopicName: Int]>([:])

    /// `plexus_records_in_total` and `plexus_bytes_in_total` per topic, made once (not per batch).
    private let inCounterCache = NIOLockedValueBox<[TopicName: (records: Counter, bytes: Counter)]>([:])

    private func inCounters(_ topic: TopicName) -> (records: Counter, bytes: Counter) {
        inCounterCache.withLockedValue { cache in
            if let counters = cache[topic] { return counters }
            let dimensions = [("topic", topic.rawValue)]
            let counters = (
                Counter(label: "plexus_records_in_total", dimensions: dimensions),
                Counter(label: "plexus_bytes_in_total", dimensions: dimensions)
            )
            cache[topic] = counters
            return counters
        }
    }

    public init(
        logs: LogManager,
        autoCreateTopics: Bool = true,
        defaultPartitions: Int32 = 1,
        groups: GroupCoordinator = GroupCoordinator(),
        offsets: OffsetStore? = nil
    ) {
        self.logs = logs
        self.autoCreateTopics = autoCreateTopics
        self.defaultPartitions = defaultPartitions
        self.groups = groups
        self.offsets = offsets
    }

    /// A consumer group's position on one partition: what it committed, where the partition ends, the lag.
    public struct GroupLag: Hashable, Sendable {
        public var topic: TopicName
        public var partition: PartitionID
        public var committedOffset: Int64
        /// The high watermark, or -1 when the partition no longer exists.
        public var endOffset: Int64
        /// `endOffset - committedOffset` (never negative), or -1 when the partition no longer exists.
        public var lag: Int64
    }

    /// The committed offset, end and lag of every partition `group` has committed, by topic and partition.
    public func lag(ofGroup group: String) -> [GroupLag] {
        guard let offsets else { return [] }
        return offsets.fetch(group: group).sorted { $0.key < $1.key }.compactMap { key, committed in
            guard committed.offset >= 0 else { return nil }
            let end = logs.partition(key.topic, key.partition)?.offsets.highWatermark.rawValue ?? -1
            return GroupLag(
                topic: key.topic,
                partition: key.partition,
                committedOffset: committed.offset,
                endOffset: end,
                lag: end >= 0 ? max(0, end - committed.offset) : -1
            )
        }
    }

    /// Where the committed-offset store of a data directory lives (outside `logs/`, so it is no topic).
    public static func offsetStoreDirectory(dataDirectory: String) -> String {
        dataDirectory + "/internal/consumer-offsets"
    }

    /// The log of a partition, or an `unknownTopicOrPartition` error.
    public func partition(_ topic: TopicName, _ partition: PartitionID) throws(PlexusError) -> PartitionLog {
        guard let log = logs.partition(topic, partition) else {
            throw PlexusError(.unknownTopicOrPartition, "\(topic)/\(partition) does not exist")
        }
        return log
    }

    /// The topic's metadata, creating the topic first when it does not exist and `create` allows it.
    /// Creation does file IO on a separate thread, never on the caller's.
    public func topic(_ name: TopicName, create: Bool) async throws(PlexusError) -> TopicMetadata? {
        if let existing = logs.topic(name) { return existing }
        guard create && autoCreateTopics else { return nil }
        do {
            return try await createTopic(name, partitions: defaultPartitions)
        } catch  where error.code == .topicAlreadyExists {
            // Another request created it first.
            guard let existing = logs.topic(name) else { throw error }
            return existing
        }
    }

    // MARK: Admin (file IO on a thread of its own, never the caller's)

    /// Creates a topic; see `LogManager.createTopic`.
    public func createTopic(
        _ name: TopicName,
        partitions: Int32,
        config: [String: String] = [:]
    ) async throws(PlexusError) -> TopicMetadata {
        let logs = self.logs
        return try await Self.offloaded { try logs.createTopic(name, partitions: partitions, config: config) }
    }

    /// Deletes a topic and its data, and every consumer group's committed offsets of it (as Kafka does), so a
    /// topic created again under the name starts with no stale positions.
    public func deleteTopic(_ name: TopicName) async throws(PlexusError) {
        let logs = self.logs
        try await Self.offloaded { try logs.deleteTopic(name) }
        guard let offsets else { return }
        for group in offsets.groups() {
            let partitions = offsets.fetch(group: group).keys.filter { $0.topic == name }
            if !partitions.isEmpty { _ = try await offsets.delete(group: group, partitions: Array(partitions)) }
        }
    }

    /// Raises a topic's partition count.
    public func addPartitions(_ name: TopicName, totalCount: Int32) async throws(PlexusError) {
        let logs = self.logs
        try await Self.offloaded { try logs.addPartitions(name, totalCount: totalCount) }
    }

    /// Sets (value) or removes (nil) topic config overrides.
    public func alterConfig(_ name: TopicName, _ changes: [String: String?]) async throws(PlexusError) {
        let logs = self.logs
        try await Self.offloaded { try logs.alterConfig(name, changes) }
    }

    /// A producer id never handed out before by this data directory.
    public func allocateProducerID() async throws(PlexusError) -> Int64 {
        let logs = self.logs
        return try await Self.offloaded { try logs.allocateProducerID() }
    }

    /// Runs retention on every partition; returns the number of segments deleted. `floor` names, per
    /// partition, the first offset a queue or subscription still needs (see ``EventRouter/retentionFloor(_:_:)``).
    public func enforceRetention(
        floor: @escaping @Sendable (TopicName, PartitionID) -> Offset? = { _, _ in nil }
    ) async -> Int {
        let logs = self.logs
        return (try? await Self.offloaded { logs.enforceRetention(floor: floor) }) ?? 0
    }

    /// Validates a producer's batch as Kafka does for client appends (PROTOCOLS.md §2.3).
    ///
    /// - Throws: `corruptMessage` (framing, CRC), `messageTooLarge`, `invalidRecord` (not exactly one
    ///   batch, baseOffset not 0, record count that disagrees with lastOffsetDelta, control batch,
    ///   LogAppendTime set by the client).
    public static func validateClientBatch(_ bytes: ByteBuffer, maxBatchSize: Int) throws(PlexusError) -> RecordBatch {
        let batch = try RecordBatch(validating: bytes, maxBatchSize: maxBatchSize)
        let header = batch.header
        guard header.baseOffset == 0 else {
            throw PlexusError(.invalidRecord, "a produced batch must have baseOffset 0, not \(header.baseOffset)")
        }
        guard header.recordsCount > 0, Int64(header.lastOffsetDelta) + 1 == Int64(header.recordsCount) else {
            throw PlexusError(
                .invalidRecord,
                "recordsCount \(header.recordsCount) does not match lastOffsetDelta \(header.lastOffsetDelta) + 1"
            )
        }
        guard !header.isControl else {
            throw PlexusError(.invalidRecord, "clients may not produce control batches")
        }
        guard !header.isLogAppendTime else {
            throw PlexusError(.invalidRecord, "clients may not set the LogAppendTime timestamp type")
        }
        try batch.validateRecordStructure()
        return batch
    }

    /// Appends a producer's batch to a partition and returns once it is acknowledged (under
    /// `flush=always`: fsynced). Creates the topic first when allowed.
    public func produce(
        topic: TopicName,
        partition: PartitionID,
        batch bytes: ByteBuffer
    ) async throws(PlexusError) -> AppendResult {
        guard try await self.topic(topic, create: true) != nil else {
            throw PlexusError(.unknownTopicOrPartition, "topic '\(topic)' does not exist")
        }
        let result = await withCheckedContinuation {
            (continuation: CheckedContinuation<Result<AppendResult, PlexusError>, Never>) in
            do {
                try produce(topic: topic, partition: partition, batch: bytes) { continuation.resume(returning: $0) }
            } catch {
                continuation.resume(returning: .failure(PlexusError.wrapping(error)))
            }
        }
        return try result.get()
    }

    /// Validates and enqueues a producer's batch to an existing partition without suspending — offsets
    /// are assigned before this returns — and calls `completion` (on a storage thread) once the batch is
    /// acknowledged or has failed. The hot path of a produce request: no task, no thread hop before the
    /// write. Does not create topics (see ``produce(topic:partition:batch:)``).
    /// - Throws: `unknownTopicOrPartition`, or the validation errors of ``validateClientBatch(_:maxBatchSize:)``;
    ///   `completion` is not called then.
    public func produce(
        topic: TopicName,
        partition: PartitionID,
        batch bytes: ByteBuffer,
        completion: @escaping @Sendable (Result<AppendResult, PlexusError>) -> Void
    ) throws(PlexusError) {
        let log = try self.partition(topic, partition)
        // One validation pass (framing, CRC, Kafka's client rules); the log only checks the size limit.
        let batch = try Self.validateClientBatch(bytes, maxBatchSize: Int(Int32.max))
        let records = Int64(batch.header.recordsCount)
        let size = Int64(batch.bytes.readableBytes)
        let counters = inCounters(topic)
        log.append(batch) { result in
            if case .success = result {
                counters.records.increment(by: records)
                counters.bytes.increment(by: size)
            }
            completion(result)
        }
    }

    /// Waits until any of `targets` has data at or after its offset, or `timeout` passes — the long poll
    /// of a fetch. Returns true when data arrived (or a log closed), false on timeout.
    public func waitForData(_ targets: [(log: PartitionLog, offset: Offset)], timeout: Duration) async -> Bool {
        let done = NIOLockedValueBox<CheckedContinuation<Bool, Never>?>(nil)
        let ids = NIOLockedValueBox<[(PartitionLog, UInt64)]>([])
        let resume: @Sendable (Bool) -> Void = { value in
            done.withLockedValue { continuation in
                continuation?.resume(returning: value)
                continuation = nil
            }
        }
        return await withTaskGroup(of: Void.self) { group in
            let woke = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                done.withLockedValue { $0 = continuation }
                for (log, offset) in targets {
                    do {
                        if let id = try log.whenData(beyond: offset, { resume(true) }) {
                            ids.withLockedValue { $0.append((log, id)) }
                        }
                    } catch {
                        resume(false)  // too many waiters: answer now with what there is
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    resume(false)
                }
            }
            group.cancelAll()
            for (log, id) in ids.withLockedValue({ $0 }) { log.cancelWaiter(id) }
            return woke
        }
    }

    /// Runs blocking admin work on a thread of its own, so neither an event loop nor the cooperative pool
    /// blocks on file IO.
    static func offloaded<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws(PlexusError) -> T {
        let result: Result<T, PlexusError> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(returning: Result { try body() }.mapError { PlexusError.wrapping($0) })
            }
        }
        return try result.get()
    }
}
