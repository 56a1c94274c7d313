import Foundation
public import Logging
import NIOConcurrencyHelpers
import NIOCore
public import PlexusModel
public import PlexusStorage

/// The durable store of consumer groups' committed offsets.
///
/// Storage: an internal log of RecordBatch v2 batches (a ``PartitionLog``), one record per committed offset,
/// keyed by (group, topic, partition) like Kafka's compacted `__consumer_offsets` topic (record format in
/// `OffsetRecordCodec`). It lives in `DATA/internal/consumer-offsets/log-N/`, outside `DATA/logs/`, so it
/// never appears in topic listings and the log manager's orphan cleanup leaves it alone. On open the log is
/// replayed into memory (the latest value per key wins, tombstones delete).
///
/// Durability: a commit, delete or expiry is acknowledged only once its batch is durable under the flush
/// policy — under `always`, fdatasynced — and its effect is visible to fetches from then on. Writes that
/// arrive while an fsync runs share the next one (the log's group commit). The in-memory table is updated
/// in log order, so it always equals a replay of the acknowledged prefix of the log.
///
/// Compaction rewrites the live set into `log-(N+1).compacting/`, syncs it and renames it to `log-(N+1)`;
/// open keeps the highest complete generation and removes the rest, so a crash at any point leaves either
/// the old or the new log, both holding every acknowledged write. Writes arriving during a compaction wait
/// in memory and are appended to the new log after the swap.
///
/// Thread safety: every method may be called from any thread. Completions run on a storage thread (keep
/// them short). Methods marked "blocks" do file IO on the caller's thread: never call them on an event loop
/// or a storage thread.
public final class OffsetStore: Sendable {
    /// The directory holding the offsets log's generations.
    public let directory: String
    public let flushPolicy: FlushPolicy
    public let configuration: Configuration
    let logger: Logger
    let clock: @Sendable () -> Int64
    let executor: StorageExecutor
    /// Held while deciding what to write and handing it to the log, so the log's order is the order of the
    /// decisions (expiry never tombstones a key with a write in flight). Never taken under `state`'s lock.
    let appendLock = NIOLock()
    /// Held for a whole compaction and by close.
    let maintenanceLock = NIOLock()
    let state: NIOLockedValueBox<State>
    private let stopFlusher = ConditionLock(value: 0)

    /// One record to write: a value, or a tombstone when `value` is nil.
    struct Entry: Sendable {
        var key: OffsetKey
        var value: Committed?
    }

    /// A write held back while a compaction runs.
    struct ParkedWrite: Sendable {
        var entries: [Entry]
        var batch: RecordBatch
        var completion: @Sendable (Result<[Entry], PlexusError>) -> Void
    }

    struct State: Sendable {
        var log: PartitionLog
        var generation: Int64
        var table = OffsetTable()
        /// Writes per key handed to the log (or parked) and not yet acknowledged.
        var pending: [OffsetKey: Int] = [:]
        /// Records in the current log, live and dead, and its size.
        var recordsInLog = 0
        var bytesInLog: Int64 = 0
        var closed = false
        /// Non-nil while a compaction runs: writes wait here.
        var parked: [ParkedWrite]?
        var compactionScheduled = false
        /// After a failed automatic compaction, the log size at which the next may start (a back-off, so a
        /// compaction that keeps failing is not retried on every commit).
        var compactionRetryAtBytes: Int64 = 0
    }

    /// The offsets directory inside a data directory.
    public static func directory(inDataDirectory dataDirectory: String) -> String {
        dataDirectory + "/internal/consumer-offsets"
    }

    /// Opens the store of a data directory with its flush policy. Blocks (replays the log).
    public convenience init(logs: LogManager, configuration: Configuration = Configuration(), logger: Logger)
        throws(PlexusError)
    {
        try self.init(
            directory: Self.directory(inDataDirectory: logs.dataDirectory),
            flushPolicy: logs.flushPolicy,
            configuration: configuration,
            logger: logger
        )
    }

    /// Opens (or creates) the store in `directory`: removes an interrupted compaction and superseded
    /// generations, recovers the log and replays it. The caller makes sure no other process uses the
    /// directory (the log manager's lock on the data directory does). Blocks.
    public init(
        directory: String,
        flushPolicy: FlushPolicy,
        configuration: Configuration = Configuration(),
        logger: Logger,
        clock: @escaping @Sendable () -> Int64 = PartitionLog.wallClockMilliseconds
    ) throws(PlexusError) {
        self.directory = directory
        self.flushPolicy = flushPolicy
        var configuration = configuration
        configuration.metadataMaxBytes = min(max(0, configuration.metadataMaxBytes), OffsetRecordCodec.maxStringBytes)
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        let executor = StorageExecutor(threadCount: 1)
        self.executor = executor
        do {
            let generation = try OffsetFiles.prepareGenerations(in: directory, logger: logger)
            let log = try PartitionLog(
                directory: OffsetFiles.generationPath(directory, generation),
                config: Self.logConfig(configuration),
                flushPolicy: flushPolicy,
                executor: executor,
                logger: logger,
                clock: clock
            )
            var state = State(log: log, generation: generation)
            let (table, records) = try Self.replay(log, logger: logger)
            state.table = table
            state.recordsInLog = records
            state.bytesInLog = log.sizeInBytes
            self.state = NIOLockedValueBox(state)
            logger.debug(
                "opened the offset store",
                metadata: ["directory": "\(directory)", "offsets": "\(table.count)", "records": "\(records)"]
            )
        } catch {
            executor.shutdown()
            throw PlexusError.wrapping(error)
        }
        if case .interval(let ms) = flushPolicy { startFlusher(everyMilliseconds: ms) }
    }

    static func logConfig(_ configuration: Configuration) -> LogConfig {
        var config = LogConfig()
        config.segmentBytes = max(configuration.segmentBytes, 1 << 16)
        config.retentionMs = -1
        config.retentionBytes = -1
        config.cleanupPolicy = "compact"
        config.maxMessageBytes = Int(Int32.max)
        return config
    }

    /// Reads the whole log into a table; returns it and the number of records read. Blocks.
    static func replay(_ log: PartitionLog, logger: Logger) throws -> (OffsetTable, Int) {
        var table = OffsetTable()
        var records = 0
        var skipped = 0
        var from = log.offsets.logStart
        let end = log.offsets.highWatermark
        while from < end {
            let batches = try log.readBatches(from: from, maxBytes: 1 << 20)
            guard let last = batches.last else { break }
            for batch in batches where batch.header.lastOffset >= from.rawValue {
                for record in try batch.records() {
                    records += 1
                    guard let keyBytes = record.key, let key = OffsetRecordCodec.decodeKey(keyBytes) else {
                        skipped += 1
                        continue
                    }
                    if let valueBytes = record.value {
                        guard let value = OffsetRecordCodec.decodeValue(valueBytes) else {
                            skipped += 1
                            continue
                        }
                        table.apply(key, value)
                    } else {
                        table.apply(key, nil)
                    }
                }
            }
            from = Offset(last.header.lastOffset + 1)
        }
        if skipped > 0 {
            logger.warning(
                "skipped offsets-log records of an unknown layout",
                metadata: ["log": "\(log.directory)", "records": "\(skipped)"]
            )
        }
        return (table, records)
    }

    // MARK: Commit

    /// Commits `offsets` for `group` and calls `completion` once they are durable (under `always`:
    /// fdatasynced) with one result per entry, in order: nil when committed, else why not. Entries with
    /// too-large metadata are rejected and the rest committed; a storage failure fails them all. Commits
    /// of one request are written as one batch; later entries for the same partition win.
    /// - Parameter now: the commit timestamp (ms since the epoch) that expiry measures from.
    public func commit(
        group: String,
        offsets: [Commit],
        now: Int64,
        completion: @escaping @Sendable ([CommitError?]) -> Void
    ) {
        guard group.utf8.count <= OffsetRecordCodec.maxStringBytes else {
            completion(Array(repeating: .invalidGroupID, count: offsets.count))
            return
        }
        var results = [CommitError?](repeating: nil, count: offsets.count)
        var entries: [Entry] = []
        entries.reserveCapacity(offsets.count)
        for (index, commit) in offsets.enumerated() {
            if let metadata = commit.metadata, metadata.utf8.count > configuration.metadataMaxBytes {
                results[index] = .metadataTooLarge
                continue
            }
            let value = Committed(
                offset: commit.offset,
                leaderEpoch: commit.leaderEpoch,
                metadata: commit.metadata,
                commitTimestamp: now
            )
            entries.append(Entry(key: OffsetKey(group: group, partition: commit.topicPartition), value: value))
        }
        let rejected = results
        write(timestamp: now, select: { _ in entries }) { result in
            switch result {
            case .success: completion(rejected)
            case .failure(let error):
                completion(rejected.map { $0 ?? .storage(error) })
            }
        }
    }

    /// Commits `offsets` for `group` and returns once they are durable; see
    /// ``commit(group:offsets:now:completion:)``.
    public func commit(group: String, offsets: [Commit], now: Int64) async -> [CommitError?] {
        await withCheckedContinuation { continuation in
            commit(group: group, offsets: offsets, now: now) { continuation.resume(returning: $0) }
        }
    }

    // MARK: Fetch

    /// The committed offsets of `group`: for each of `partitions` (``Committed/noOffset`` when nothing is
    /// committed), or every committed partition when `partitions` is nil. Only acknowledged commits are
    /// seen. Does no IO.
    public func fetch(group: String, partitions: [TopicPartition]? = nil) -> [TopicPartition: Committed] {
        state.withLockedValue { state in
            let committed = state.table.groups[group] ?? [:]
            guard let partitions else { return committed }
            var out: [TopicPartition: Committed] = [:]
            for partition in partitions { out[partition] = committed[partition] ?? .noOffset }
            return out
        }
    }

    /// The groups that have at least one committed offset, sorted.
    public func groups() -> [String] {
        state.withLockedValue { $0.table.groups.keys.sorted() }
    }

    /// The number of stored offsets over all groups.
    public var count: Int { state.withLockedValue { $0.table.count } }

    // MARK: Delete and expire

    /// Removes the offsets of `partitions` of `group` (Kafka OffsetDelete) with tombstones, and calls
    /// `completion` with the partitions removed once the tombstones are durable. Partitions without an
    /// offset are ignored. The caller checks that the group may delete them (not subscribed).
    public func delete(
        group: String,
        partitions: [TopicPartition],
        completion: @escaping @Sendable (Result<[TopicPartition], PlexusError>) -> Void
    ) {
        let keys = partitions.map { OffsetKey(group: group, partition: $0) }
        write(timestamp: clock(), select: { state in Self.existing(keys, in: state) }) { result in
            completion(result.map { $0.map(\.key.partition) })
        }
    }

    /// Removes offsets of `partitions` of `group`; see ``delete(group:partitions:completion:)``.
    @discardableResult
    public func delete(group: String, partitions: [TopicPartition]) async throws(PlexusError) -> [TopicPartition] {
        try await withCheckedContinuation { continuation in
            delete(group: group, partitions: partitions) { continuation.resume(returning: $0) }
        }.get()
    }

    /// Removes every offset of `group` (Kafka DeleteGroups) and calls `completion` with the number removed
    /// once the tombstones are durable. Offsets whose commits are still in flight are removed too: their
    /// tombstones follow the commits in the log.
    public func deleteGroup(_ group: String, completion: @escaping @Sendable (Result<Int, PlexusError>) -> Void) {
        write(
            timestamp: clock(),
            select: { state in
                var keys = Set((state.table.groups[group] ?? [:]).keys.map { OffsetKey(group: group, partition: $0) })
                for key in state.pending.keys where key.group == group { keys.insert(key) }
                return keys.sorted().map { Entry(key: $0, value: nil) }
            }
        ) { result in
            completion(result.map(\.count))
        }
    }

    /// Removes every offset of `group`; see ``deleteGroup(_:completion:)``.
    @discardableResult
    public func deleteGroup(_ group: String) async throws(PlexusError) -> Int {
        try await withCheckedContinuation { continuation in
            deleteGroup(group) { continuation.resume(returning: $0) }
        }.get()
    }

    /// Removes expired offsets with tombstones and returns them per group once the tombstones are durable.
    ///
    /// `activity` tells, per group with offsets, what the coordinator knows (called outside the store's
    /// locks): offsets of ``GroupActivity/active`` groups stay; all offsets of a group
    /// ``GroupActivity/emptySince(_:)`` a time at least `retentionMinutes` before `now` expire; for
    /// ``GroupActivity/unknown`` each offset committed at least that long ago expires. An offset with a
    /// commit in flight never expires in that run. Run it periodically (Kafka: every 10 minutes).
    public func expire(
        now: Int64,
        activity: (String) -> GroupActivity
    ) async throws(PlexusError) -> [String: [TopicPartition]] {
        let retention = configuration.retentionMs
        var activities: [String: GroupActivity] = [:]
        for group in groups() { activities[group] = activity(group) }
        let decided = activities
        let removed = try await withCheckedContinuation { continuation in
            write(
                timestamp: now,
                select: { state in Self.expired(in: state, activities: decided, now: now, retention: retention) }
            ) { continuation.resume(returning: $0) }
        }.get()
        var out: [String: [TopicPartition]] = [:]
        for entry in removed { out[entry.key.group, default: []].append(entry.key.partition) }
        return out
    }

    static func existing(_ keys: [OffsetKey], in state: State) -> [Entry] {
        var seen = Set<OffsetKey>()
        return keys.compactMap { key in
            guard state.table[key] != nil || state.pending[key] != nil, seen.insert(key).inserted else { return nil }
            return Entry(key: key, value: nil)
        }
    }

    static func expired(in state: State, activities: [String: GroupActivity], now: Int64, retention: Int64)
        -> [Entry]
    {
        func old(_ since: Int64) -> Bool {
            let (age, overflow) = now.subtractingReportingOverflow(since)
            return !overflow && age >= retention
        }
        var out: [Entry] = []
        for (group, activity) in activities.sorted(by: { $0.key < $1.key }) {
            guard let offsets = state.table.groups[group] else { continue }
            for (partition, value) in offsets.sorted(by: { $0.key < $1.key }) {
                let key = OffsetKey(group: group, partition: partition)
                guard state.pending[key] == nil else { continue }
                let expired =
                    switch activity {
                    case .active: false
                    case .emptySince(let since): old(since)
                    case .unknown: old(value.commitTimestamp)
                    }
                if expired { out.append(Entry(key: key, value: nil)) }
            }
        }
        return out
    }

    // MARK: Writing

    /// Chooses entries from the current state with `select` and appends them as one batch, in the order of
    /// the decisions; calls `completion` with the entries once they are durable and applied to the table.
    /// `completion` is never called under the store's locks.
    func write(
        timestamp: Int64,
        select: (State) -> [Entry],
        completion: @escaping @Sendable (Result<[Entry], PlexusError>) -> Void
    ) {
        enum Route {
            case closed
            case nothing
            case log(PartitionLog, [Entry])
            case park([Entry])
        }
        let immediate: Result<[Entry], PlexusError>? = appendLock.withLock {
            let route = state.withLockedValue { state -> Route in
                guard !state.closed else { return .closed }
                let entries = select(state)
                guard !entries.isEmpty else { return .nothing }
                for entry in entries { state.pending[entry.key, default: 0] += 1 }
                return state.parked == nil ? .log(state.log, entries) : .park(entries)
            }
            switch route {
            case .closed:
                return .failure(PlexusError(.shuttingDown, "the offset store is closed"))
            case .nothing:
                return .success([])
            case .park(let entries):
                let batch = OffsetRecordCodec.batch(entries, timestamp: timestamp)
                state.withLockedValue {
                    $0.parked?.append(ParkedWrite(entries: entries, batch: batch, completion: completion))
                }
                return nil
            case .log(let log, let entries):
                let batch = OffsetRecordCodec.batch(entries, timestamp: timestamp)
                append(batch, entries: entries, to: log, completion: completion)
                return nil
            }
        }
        if let immediate { completion(immediate) }
    }

    /// Hands a batch to the log; caller holds `appendLock`.
    func append(
        _ batch: RecordBatch,
        entries: [Entry],
        to log: PartitionLog,
        completion: @escaping @Sendable (Result<[Entry], PlexusError>) -> Void
    ) {
        let size = Int64(batch.bytes.readableBytes)
        log.append(batch) { result in
            switch result {
            case .success:
                self.acknowledged(entries, bytes: size)
                completion(.success(entries))
            case .failure(let error):
                self.released(entries)
                // A failure may be reported inside `append`, under `appendLock`: answer from elsewhere.
                self.executor.execute { completion(.failure(error)) }
            }
        }
    }

    /// Applies durable entries (called in log order on the log's storage thread).
    private func acknowledged(_ entries: [Entry], bytes: Int64) {
        let compact = state.withLockedValue { state -> Bool in
            for entry in entries {
                state.table.apply(entry.key, entry.value)
                Self.release(entry.key, in: &state)
            }
            state.recordsInLog += entries.count
            state.bytesInLog += bytes
            guard configuration.autoCompact, !state.closed, state.parked == nil, !state.compactionScheduled,
                state.bytesInLog > configuration.compactionMinBytes, state.bytesInLog >= state.compactionRetryAtBytes,
                state.recordsInLog - state.table.count > state.table.count
            else { return false }
            state.compactionScheduled = true
            return true
        }
        if compact {
            Thread.detachNewThread {
                do { try self.compact() } catch {
                    let retryAt = self.state.withLockedValue { state -> Int64 in
                        state.compactionRetryAtBytes = state.bytesInLog + self.configuration.compactionMinBytes
                        return state.compactionRetryAtBytes
                    }
                    self.logger.error(
                        "offset log compaction failed; retrying once the log has grown",
                        metadata: ["error": "\(error)", "retryAtBytes": "\(retryAt)"]
                    )
                }
            }
        }
    }

    private func released(_ entries: [Entry]) {
        state.withLockedValue { state in for entry in entries { Self.release(entry.key, in: &state) } }
    }

    private static func release(_ key: OffsetKey, in state: inout State) {
        if let count = state.pending[key], count > 1 {
            state.pending[key] = count - 1
        } else {
            state.pending[key] = nil
        }
    }

    // MARK: Lifecycle

    /// Records in the log (live and dead) and its bytes: what compaction decides on.
    public var logStatistics: (records: Int, bytes: Int64, generation: Int64) {
        state.withLockedValue { ($0.recordsInLog, $0.bytesInLog, $0.generation) }
    }

    /// Stops accepting writes, waits for a running compaction and for queued writes (which complete),
    /// syncs and closes the log and stops the store's storage thread. Blocks.
    public func close() {
        maintenanceLock.withLock {
            let log = appendLock.withLock {
                state.withLockedValue { state -> PartitionLog? in
                    if state.closed { return nil }
                    state.closed = true
                    return state.log
                }
            }
            guard let log else { return }
            stopFlusher.lock()
            stopFlusher.unlock(withValue: 1)
            do { try log.close() } catch {
                logger.error("closing the offsets log failed", metadata: ["error": "\(error)"])
            }
            executor.shutdown()
        }
    }

    private func startFlusher(everyMilliseconds ms: Int) {
        let thread = Thread { [self] in
            while true {
                if stopFlusher.lock(whenValue: 1, timeoutSeconds: Double(ms) / 1000) {
                    stopFlusher.unlock()
                    return
                }
                state.withLockedValue { $0.log }.flushAsync()
            }
        }
        thread.name = "plexus-offsets-flusher"
        thread.start()
    }
}
