import CPlexusSystem
import Foundation
public import Logging
import NIOConcurrencyHelpers
public import NIOCore
public import PlexusModel

#if canImport(Glibc)
    import Glibc
#endif

/// The result of an acknowledged append.
public struct AppendResult: Hashable, Sendable {
    /// The offset assigned to the batch's first record.
    public var baseOffset: Offset
    /// The offset of the batch's last record.
    public var lastOffset: Offset
    /// The broker time stamped on the batch under LogAppendTime, else ``Timestamp/none``.
    public var logAppendTime: Timestamp
    /// The log start offset after the append.
    public var logStartOffset: Offset
}

/// A batch-aligned byte range of one segment file: what a Kafka fetch sends as it is.
public struct LogSlice: Sendable {
    /// The segment file; holding it keeps the bytes readable even if retention deletes the segment.
    public var file: SegmentFile
    /// Position of the first byte in the file.
    public var position: Int64
    /// Number of bytes (whole batches only).
    public var length: Int
    /// Base offset of the first batch (at or before the offset asked for).
    public var firstOffset: Offset
    /// Last offset of the last batch.
    public var lastOffset: Offset

    /// Reads the bytes of this slice (one pread).
    public func readBytes(allocator: ByteBufferAllocator = ByteBufferAllocator()) throws -> ByteBuffer {
        var buffer = allocator.buffer(capacity: length)
        let got = try file.read(into: &buffer, at: position, count: length)
        guard got == length else {
            throw PlexusError(.storage, "short read of \(file.path): \(got) of \(length) bytes at \(position)")
        }
        return buffer
    }
}

/// A decoded record with its absolute offset and timestamp.
public struct StoredRecord: Hashable, Sendable {
    public var offset: Offset
    public var timestamp: Timestamp
    /// The record; key, value and header values are slices of the batch read from disk.
    public var record: Record
}

/// What a read found.
public struct LogReadResult: Sendable {
    /// The bytes to send, or nil when the offset asked for is the end of the log.
    public var slice: LogSlice?
    /// The next offset a consumer can see (everything below it is durable under the flush policy).
    public var highWatermark: Offset
    /// The first offset still in the log.
    public var logStartOffset: Offset
}

/// One partition's log: a directory of segments of RecordBatch v2 bytes, appended with group commit.
///
/// Thread safety: every method may be called from any thread. Appends assign offsets under a lock and
/// are written, fsynced and acknowledged on the partition's serial queue on a ``StorageExecutor`` thread;
/// appends that arrive while an fsync runs are written and synced together by the next one.
/// Reads look up positions under the lock and read without it. Methods that say "blocks" do file IO on
/// the calling thread: never call them on an event loop.
public final class PartitionLog: Sendable {
    /// Where the segments live.
    public let directory: String
    public let flushPolicy: FlushPolicy
    /// A volatile log keeps its segments in memory (memfd) only: nothing is written to disk, it starts
    /// empty, acknowledges after the write, and drops its oldest segments as soon as it outgrows
    /// `retention.bytes` (a ring).
    public let isVolatile: Bool
    let queue: SerialQueue
    let state: NIOLockedValueBox<State>
    let logger: Logger
    let clock: @Sendable () -> Int64

    struct Segment: Sendable {
        var base: Int64
        var file: SegmentFile
        var index: SegmentIndex
        var createdMs: Int64
        var size: Int64 { index.coveredBytes }
    }

    struct Pending: Sendable {
        var batch: RecordBatch
        var baseOffset: Int64
        var completion: @Sendable (Result<AppendResult, PlexusError>) -> Void
    }

    struct DataWaiter: Sendable {
        var offset: Int64
        var callback: @Sendable () -> Void
    }

    /// The most long-poll waiters one partition keeps; more is an error the caller can turn into a
    /// short (empty) response.
    public static let maxWaiters = 10_000

    /// The most bytes of accepted-but-unwritten batches one partition holds; beyond it appends fail with
    /// the retriable ``PlexusError/Code/busy`` (back-pressure when the disk cannot keep up).
    public static let maxPendingBytes = 256 << 20

    enum Status: Sendable {
        case open
        case closed
        case failed(PlexusError)
    }

    struct State: Sendable {
        var config: LogConfig
        var segments: [Segment]
        /// Next offset to assign.
        var nextOffset: Int64
        /// Assigned, not yet written.
        var pending: [Pending] = []
        var pendingBytes = 0
        var drainScheduled = false
        /// Offsets below this are written (and synced under `always`) and visible to readers.
        var highWatermark: Int64
        var status: Status = .open
        /// Written bytes not yet fsynced (for interval/none policies).
        var dirty = false
        /// Long-poll readers waiting for the high watermark to pass an offset.
        var waiters: [UInt64: DataWaiter] = [:]
        /// Idempotent producers as of assigned offsets (checks) and as of durable batches (snapshots).
        var producers = ProducerStateTable()
        var durableProducers = ProducerStateTable()
        var nextWaiterID: UInt64 = 0
        /// `preallocate`: the next segment's file is being written (``prepareNextSegment(size:)``)…
        var preparing = false
        /// …or is ready (`next.prealloc` in the directory) for the next roll.
        var prepared = false
        /// A preparation failed (or was skipped for lack of space): none is tried again before the next roll.
        var preparationFailed = false
        var logStartOffset: Int64 { segments.first?.base ?? highWatermark }
    }

    // MARK: Opening and recovery

    /// Opens (or creates) the log in `directory`, recovering it: removes temporary and orphaned files,
    /// validates the tail of segments whose indexes do not cover them, cuts a torn or corrupt tail and
    /// rebuilds missing or stale indexes. Blocks.
    public init(
        directory: String,
        config: LogConfig,
        flushPolicy: FlushPolicy,
        executor: StorageExecutor,
        logger: Logger,
        clock: @escaping @Sendable () -> Int64 = PartitionLog.wallClockMilliseconds,
        volatile: Bool = false
    ) throws {
        self.directory = directory
        self.flushPolicy = volatile ? .none : flushPolicy
        self.isVolatile = volatile
        self.queue = SerialQueue(executor: executor)
        self.logger = logger
        self.clock = clock
        if volatile {
            let file = try SegmentFile(memoryNamed: directory + "/" + Self.segmentName(0))
            let segment = Segment(base: 0, file: file, index: SegmentIndex(baseOffset: 0), createdMs: clock())
            self.state = NIOLockedValueBox(State(config: config, segments: [segment], nextOffset: 0, highWatermark: 0))
            return
        }
        try FileIO.makeDirectories(directory)
        let segments = try Self.recover(directory: directory, config: config, logger: logger, now: clock())
        let end = segments.last!.index.lastOffset + 1
        self.state = NIOLockedValueBox(State(config: config, segments: segments, nextOffset: end, highWatermark: end))
        try rebuildProducerState()
    }

    /// Milliseconds since the epoch from the system clock.
    public static let wallClockMilliseconds: @Sendable () -> Int64 = {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    static func segmentName(_ base: Int64) -> String {
        let digits = String(base)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits
    }

    static func recover(directory: String, config: LogConfig, logger: Logger, now: Int64) throws
        -> [Segment]
    {
        var bases = Set<Int64>()
        var logs = Set<Int64>()
        for name in try FileIO.listDirectory(directory) {
            let path = directory + "/" + name
            if name.hasSuffix(".tmp") || name == preparedName {
                try FileIO.remove(path)  // a next segment prepared (perhaps half-way) before a restart
                continue
            }
            let parts = name.split(separator: ".", maxSplits: 1)
            guard parts.count == 2, let base = Int64(parts[0]), base >= 0 else { continue }
            switch parts[1] {
            case "log":
                logs.insert(base)
                bases.insert(base)
            case "index", "timeindex": bases.insert(base)
            default: continue
            }
        }
        for orphan in bases.subtracting(logs) {  // index files whose segment was deleted
            try FileIO.remove(directory + "/" + segmentName(orphan) + ".index")
            try FileIO.remove(directory + "/" + segmentName(orphan) + ".timeindex")
        }
        var segments: [Segment] = []
        let ordered = logs.sorted()
        for (position, base) in ordered.enumerated() {
            let isLast = position == ordered.count - 1
            // Offsets of a segment must stay below the next segment's base; a batch reaching it is damage.
            let offsetLimit = isLast ? Int64.max : ordered[position + 1]
            let prefix = directory + "/" + segmentName(base)
            if let previous = segments.last, base <= previous.index.lastOffset {
                // Unreachable: the predecessor was cut at this base. Kept as a guard against data loss.
                throw PlexusError(.storage, "segment \(prefix).log overlaps its predecessor")
            }
            let file = try SegmentFile(path: prefix + ".log", create: false)
            let size = try FileIO.size(file.descriptor, path: file.path)
            var index = SegmentIndex(baseOffset: base)
            if let offsetBytes = FileIO.readIndexFile(prefix + ".index"),
                let timeBytes = FileIO.readIndexFile(prefix + ".timeindex"),
                let loaded = SegmentIndex.load(offsetFile: offsetBytes, timeFile: timeBytes, base: base),
                loaded.coveredBytes <= size, loaded.lastOffset < offsetLimit
            {
                index = loaded
            }
            var rewriteIndex = false
            if index.coveredBytes < size {
                let scan = try SegmentScanner.scan(
                    file: file,
                    fileSize: size,
                    base: base,
                    index: index,
                    indexInterval: config.indexIntervalBytes,
                    offsetLimit: offsetLimit
                )
                index = scan.index
                if let problem = scan.problem {
                    // A `preallocate` segment ends in zeros written ahead of it: its end, not damage — but cut
                    // too, since past a torn write (a power loss) whole stale batches could follow the zeros.
                    let prewritten = try isPrewrittenTail(file, at: scan.validBytes, fileSize: size)
                    logger.log(
                        level: prewritten ? .debug : .warning,
                        "\(prewritten ? "cutting the unused pre-written tail" : "cutting the invalid tail") of a segment",
                        metadata: [
                            "segment": "\(file.path)", "validBytes": "\(scan.validBytes)", "fileBytes": "\(size)",
                            "reason": "\(problem)",
                        ]
                    )
                    try FileIO.truncate(file.descriptor, to: scan.validBytes, path: file.path)
                    try FileIO.dataSync(file.descriptor, path: file.path)
                }
                rewriteIndex = !isLast
            }
            if !isLast && index.coveredBytes == 0 {
                try removeSegmentFiles(prefix)  // an empty closed segment holds nothing
                continue
            }
            if rewriteIndex { try writeIndexFiles(prefix: prefix, index: index, base: base) }
            segments.append(Segment(base: base, file: file, index: index, createdMs: now))
        }
        if segments.isEmpty {
            let path = directory + "/" + segmentName(0) + ".log"
            if config.preallocate, hasRoom(for: Int64(config.segmentBytes), in: directory, logger: logger) {
                _ = try prewrite(
                    path: path,
                    size: Int64(config.segmentBytes),
                    open: { try FileIO.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC) },
                    stop: { false }
                )
            }
            let file = try SegmentFile(path: path, create: true)
            try FileIO.syncDirectory(directory)
            segments.append(Segment(base: 0, file: file, index: SegmentIndex(baseOffset: 0), createdMs: now))
        }
        return segments
    }

    // MARK: Pre-written segments (`preallocate`)

    /// The file a `preallocate` log writes its next segment into before the active one fills.
    static let preparedName = "next.prealloc"
    /// How many next segments are written at once across the process (each keeps a thread and the disk busy).
    static let preparations = NIOLockedValueBox(0)
    static let maxPreparations = 2

    /// Writes a file of `size` zero bytes at `path` (replacing any) that exist on disk, so later writes into
    /// it are overwrites. Each `chunk` is pushed to the device as soon as it is written (`sync_file_range`),
    /// so no writeback burst builds up, and its pages stay cached (appends of less than a page into blocks
    /// that exist read them otherwise); at most `bytesPerSecond` when given (so a preparation running beside
    /// appends takes a small share of the disk); an fdatasync every 16 MiB and at the end persists the
    /// allocation. `open` creates the file (created empty; nil: nothing is written). Returns false when
    /// `open` or `stop()` said so first.
    static func prewrite(
        path: String,
        size: Int64,
        chunk: Int = 1 << 20,
        bytesPerSecond: Int64? = nil,
        open: () throws -> Int32?,
        stop: () -> Bool
    ) throws -> Bool {
        guard let fd = try open() else { return false }
        defer { _ = Glibc.close(fd) }
        let zeros = [UInt8](repeating: 0, count: chunk)
        var at: Int64 = 0
        while at < size {
            if stop() { return false }
            let chunkStarted = ContinuousClock.now
            let count = Int(min(Int64(chunk), size - at))
            try zeros.withUnsafeBytes { raw in
                try FileIO.pwriteAll(fd, UnsafeRawBufferPointer(rebasing: raw[..<count]), at: at, path: path)
            }
            if plexus_write_range(fd, at, Int64(count)) != 0 {
                throw PlexusError(.storage, "sync_file_range \(path): \(String(cString: strerror(errno)))")
            }
            at += Int64(count)
            // Not FileIO.dataSync: these syncs are not the appends' (`plexus_fsync_seconds`).
            if at % (16 << 20) == 0 || at >= size, fdatasync(fd) != 0 {
                throw PlexusError(.storage, "fdatasync \(path): \(String(cString: strerror(errno)))")
            }
            if let bytesPerSecond {
                // Paced from this chunk, not from the start: after a stall it does not catch up at full speed.
                let due = chunkStarted + .nanoseconds(Int64(count) * 1_000_000_000 / max(1, bytesPerSecond))
                let now = ContinuousClock.now
                if due > now {
                    let (seconds, attoseconds) = (due - now).components
                    usleep(UInt32(min(1_000_000, seconds * 1_000_000 + attoseconds / 1_000_000_000_000)))
                }
            }
        }
        return true
    }

    /// How fast the next segment is written beside the appends: a small share of the disk, so the appends'
    /// fdatasyncs seldom wait behind it.
    static let preparationBytesPerSecond: Int64 = 32 << 20

    /// Whether the file system of `directory` has room for `size` more bytes and still twice that plus
    /// 1 GiB to spare: pre-writing never takes the space appends need (it is skipped, with a warning).
    static func hasRoom(for size: Int64, in directory: String, logger: Logger) -> Bool {
        var stats = statvfs()
        guard statvfs(directory, &stats) == 0 else { return false }
        let free = Int64(stats.f_bavail) * Int64(stats.f_frsize)
        if free >= 3 * size + (1 << 30) { return true }
        logger.warning(
            "not writing a segment ahead: too little free space",
            metadata: ["directory": "\(directory)", "freeBytes": "\(free)", "segmentBytes": "\(size)"]
        )
        return false
    }

    /// Whether the bytes of the last segment from `position` on are the zeros a pre-written segment holds
    /// past its end (at least 4 KiB, all zeros), rather than a torn or damaged batch.
    static func isPrewrittenTail(_ file: SegmentFile, at position: Int64, fileSize: Int64) throws -> Bool {
        let count = 4096
        guard fileSize - position >= Int64(count) else { return false }
        let bytes = try file.read(at: position, count: count)
        return bytes.count == count && bytes.allSatisfy { $0 == 0 }
    }

    /// Under `preallocate`, once the active segment is half full, writes the next segment's file on a
    /// thread of its own (never on the writer's), so the next roll finds it ready.
    private func prepareNextSegmentIfDue(_ config: LogConfig) {
        guard config.preallocate, !isVolatile else { return }
        let start = state.withLockedValue { state -> Bool in
            guard case .open = state.status, !state.preparing, !state.prepared, !state.preparationFailed,
                let active = state.segments.last, active.size >= Int64(config.segmentBytes) / 2
            else { return false }
            let admitted = Self.preparations.withLockedValue { running -> Bool in
                guard running < Self.maxPreparations else { return false }
                running += 1
                return true
            }
            if admitted { state.preparing = true }
            return admitted
        }
        guard start else { return }
        let size = Int64(config.segmentBytes)
        Thread.detachNewThread { self.prepareNextSegment(size: size) }
    }

    /// Whether a pre-written file for the next segment is ready for the next roll (`preallocate`).
    public var nextSegmentPrepared: Bool { state.withLockedValue { $0.prepared } }

    private func prepareNextSegment(size: Int64) {
        defer { Self.preparations.withLockedValue { $0 -= 1 } }
        let path = directory + "/" + Self.preparedName
        let closed: @Sendable () -> Bool = {
            self.state.withLockedValue { state in
                if case .open = state.status { return false }
                return true
            }
        }
        var done = false
        var failed = false
        do {
            guard Self.hasRoom(for: size, in: directory, logger: logger) else { throw PlexusError(.storage, "no room") }
            done = try Self.prewrite(
                path: path,
                size: size,
                chunk: 256 << 10,
                bytesPerSecond: Self.preparationBytesPerSecond,
                open: {
                    // Created only while the log is open, under its lock: close() (and a topic deletion's
                    // removal of the directory after it) cannot come in between, so no file appears in a
                    // directory being removed, or in a new topic's of the same name.
                    try self.state.withLockedValue { state -> Int32? in
                        guard case .open = state.status else { return nil }
                        return try FileIO.open(path, flags: O_WRONLY | O_CREAT | O_TRUNC)
                    }
                },
                stop: closed
            )
        } catch {
            failed = true
            logger.warning(
                "cannot write the next segment ahead; it will be appended to",
                metadata: ["log": "\(directory)", "error": "\(error)"]
            )
        }
        // A closed log leaves the file alone: its directory may be gone, or belong to a new topic already.
        // A half-written file is removed when the log is next opened.
        let open = state.withLockedValue { state -> Bool in
            state.preparing = false
            guard case .open = state.status else { return false }
            state.prepared = done
            state.preparationFailed = failed
            return true
        }
        if open && failed { try? FileIO.remove(path) }  // give the space back; no retry before the next roll
    }

    static func removeSegmentFiles(_ prefix: String) throws {
        try FileIO.remove(prefix + ".log")  // the log first: an index without its log is an orphan
        try FileIO.remove(prefix + ".index")
        try FileIO.remove(prefix + ".timeindex")
    }

    static func writeIndexFiles(prefix: String, index: SegmentIndex, base: Int64) throws {
        try FileIO.writeAtomically(index.offsetFileBytes(), to: prefix + ".index")
        try FileIO.writeAtomically(index.timeFileBytes(base: base), to: prefix + ".timeindex")
    }

    // MARK: Appending

    /// Appends one RecordBatch v2 and calls `completion` (on a storage thread) once it is written —
    /// and, under ``FlushPolicy/always``, fdatasynced.
    ///
    /// The batch's framing and CRC are validated first (a bad batch is rejected and nothing is written).
    /// Offsets are assigned by rewriting `baseOffset` (and `partitionLeaderEpoch`, 0), which the CRC does not
    /// cover, so the bytes are otherwise stored as received. Under LogAppendTime the broker time is stamped
    /// into `maxTimestamp` and the CRC recomputed.
    public func append(
        _ bytes: ByteBuffer,
        completion: @escaping @Sendable (Result<AppendResult, PlexusError>) -> Void
    ) {
        let batch: RecordBatch
        do {
            batch = try RecordBatch(validating: bytes)
        } catch {
            completion(.failure(PlexusError.wrapping(error)))
            return
        }
        append(batch, completion: completion)
    }

    /// Appends a batch the caller already validated with `RecordBatch(validating:)` (framing and CRC), so
    /// the bytes are not checked twice; otherwise the same as appending its bytes.
    /// `max.message.bytes` is enforced here.
    public func append(
        _ validated: RecordBatch,
        completion: @escaping @Sendable (Result<AppendResult, PlexusError>) -> Void
    ) {
        let config = state.withLockedValue { $0.config }
        guard validated.bytes.readableBytes <= max(config.maxMessageBytes, RecordBatchHeader.size) else {
            completion(
                .failure(
                    PlexusError(
                        .messageTooLarge,
                        "batch of \(validated.bytes.readableBytes) bytes exceeds max.message.bytes \(config.maxMessageBytes)"
                    )
                )
            )
            return
        }
        let batch =
            config.timestampType == "LogAppendTime" ? Self.stampLogAppendTime(validated, now: clock()) : validated
        enum Enqueued {
            case failed(PlexusError)
            case queued(startDrain: Bool)
            case duplicate(baseOffset: Int64, lastOffset: Int64)
        }
        let enqueued: Enqueued = state.withLockedValue { state in
            switch state.status {
            case .closed: return .failed(PlexusError(.shuttingDown, "partition log \(directory) is closed"))
            case .failed(let error): return .failed(error)
            case .open: break
            }
            guard state.pendingBytes + batch.bytes.readableBytes <= Self.maxPendingBytes || state.pending.isEmpty else {
                return .failed(
                    PlexusError(
                        .busy,
                        "more than \(Self.maxPendingBytes) bytes are waiting to be written to \(directory)"
                    )
                )
            }
            switch state.producers.verdict(for: batch.header) {
            case .reject(let error): return .failed(error)
            case .duplicate(let base, let last): return .duplicate(baseOffset: base, lastOffset: last)
            case .accept: break
            }
            state.pendingBytes += batch.bytes.readableBytes
            let base = state.nextOffset
            state.nextOffset += Int64(batch.header.lastOffsetDelta) + 1
            state.producers.record(batch.header, baseOffset: base)
            state.pending.append(Pending(batch: batch, baseOffset: base, completion: completion))
            if state.drainScheduled { return .queued(startDrain: false) }
            state.drainScheduled = true
            return .queued(startDrain: true)
        }
        switch enqueued {
        case .failed(let error): completion(.failure(error))
        case .queued(let startDrain): if startDrain { queue.enqueue { self.drain() } }
        case .duplicate(let base, let last): answerDuplicate(baseOffset: base, lastOffset: last, completion: completion)
        }
    }

    /// A retried idempotent batch gets the offsets of its first copy, once that copy is durable.
    private func answerDuplicate(
        baseOffset: Int64,
        lastOffset: Int64,
        completion: @escaping @Sendable (Result<AppendResult, PlexusError>) -> Void
    ) {
        let answer: @Sendable () -> Void = {
            let (visible, start, status) = self.state.withLockedValue {
                ($0.highWatermark, $0.logStartOffset, $0.status)
            }
            if visible > lastOffset {
                completion(
                    .success(
                        AppendResult(
                            baseOffset: Offset(baseOffset),
                            lastOffset: Offset(lastOffset),
                            logAppendTime: .none,
                            logStartOffset: Offset(start)
                        )
                    )
                )
            } else if case .failed(let error) = status {
                completion(.failure(error))
            } else {
                completion(.failure(PlexusError(.shuttingDown, "partition log \(self.directory) closed")))
            }
        }
        do {
            _ = try whenData(beyond: Offset(lastOffset), answer)
        } catch {
            completion(.failure(PlexusError.wrapping(error)))
        }
    }

    /// Appends one batch and returns once it is acknowledged. See ``append(_:completion:)``.
    public func append(_ bytes: ByteBuffer) async throws(PlexusError) -> AppendResult {
        let result = await withCheckedContinuation { continuation in
            append(bytes) { continuation.resume(returning: $0) }
        }
        return try result.get()
    }

    static func stampLogAppendTime(_ batch: RecordBatch, now: Int64) -> RecordBatch {
        var bytes = batch.bytes
        var header = batch.header
        let start = bytes.readerIndex
        header.attributes |= 0x08
        header.maxTimestamp = now
        bytes.setInteger(header.attributes, at: start + 21)
        bytes.setInteger(now, at: start + 35)
        header.crc = RecordBatch.computeCRC(of: bytes, at: start, size: bytes.readableBytes)
        bytes.setInteger(header.crc, at: start + 17)
        return RecordBatch(unchecked: bytes, header: header)
    }

    /// The writer: runs on the serial queue, one drain at a time.
    private func drain() {
        while true {
            let taken = state.withLockedValue { state -> (group: [Pending], config: LogConfig, active: Segment)? in
                guard case .open = state.status, !state.pending.isEmpty else {
                    state.drainScheduled = false
                    return nil
                }
                defer {
                    state.pending.removeAll(keepingCapacity: true)
                    state.pendingBytes = 0
                }
                return (state.pending, state.config, state.segments[state.segments.count - 1])
            }
            guard let (group, config, first) = taken else {
                failPendingIfNotOpen()
                return
            }
            var active = first
            var published = 0
            var results: [Result<AppendResult, PlexusError>] = []
            results.reserveCapacity(group.count)
            do {
                var runStart = 0
                var position = active.size
                var i = 0
                while i < group.count {
                    let item = group[i]
                    let size = item.batch.bytes.readableBytes
                    let lastOffset = item.baseOffset + Int64(item.batch.header.lastOffsetDelta)
                    if position > 0 && needsRoll(active, position: position, size: size, lastOffset: lastOffset, config)
                    {
                        try write(group[runStart..<i], to: active, at: active.size)
                        try FileIO.dataSync(active.file.descriptor, path: active.file.path)
                        publish(group[runStart..<i], synced: true, config: config)
                        published = i
                        active = try roll(nextBase: item.baseOffset)
                        runStart = i
                        position = 0
                    }
                    position += Int64(size)
                    i += 1
                }
                try write(group[runStart...], to: active, at: active.size)
                if flushPolicy == .always {
                    try FileIO.dataSync(active.file.descriptor, path: active.file.path)
                }
                publish(group[runStart...], synced: flushPolicy == .always, config: config)
                prepareNextSegmentIfDue(config)
            } catch {
                // Batches published before a failed roll are durable and visible: they succeeded.
                succeed(group[..<published])
                fail(PlexusError.wrapping(error), group: Array(group[published...]))
                return
            }
            succeed(group[...])
        }
    }

    private func succeed(_ items: ArraySlice<Pending>) {
        guard !items.isEmpty else { return }
        let start = state.withLockedValue { $0.logStartOffset }
        for item in items {
            item.completion(
                .success(
                    AppendResult(
                        baseOffset: Offset(item.baseOffset),
                        lastOffset: Offset(item.baseOffset + Int64(item.batch.header.lastOffsetDelta)),
                        logAppendTime: item.batch.header.isLogAppendTime
                            ? Timestamp(milliseconds: item.batch.header.maxTimestamp) : .none,
                        logStartOffset: Offset(start)
                    )
                )
            )
        }
    }

    private func needsRoll(_ segment: Segment, position: Int64, size: Int, lastOffset: Int64, _ config: LogConfig)
        -> Bool
    {
        position + Int64(size) > Int64(config.segmentBytes)
            || lastOffset - segment.base > Int64(Int32.max)
            || clock() - segment.createdMs >= config.segmentMs
    }

    /// Writes `items` back to back at `position` with one gathered write per 512 batches. Each batch is
    /// sent as two pieces: a 16-byte patched prefix (assigned baseOffset, length, leader epoch 0) and the
    /// rest of the received bytes, so nothing is copied.
    private func write(_ items: ArraySlice<Pending>, to segment: Segment, at position: Int64) throws {
        var position = position
        var chunkStart = items.startIndex
        while chunkStart < items.endIndex {
            let chunkEnd = min(chunkStart + 512, items.endIndex)
            let chunk = items[chunkStart..<chunkEnd]
            var prefixes = [UInt8](repeating: 0, count: chunk.count * 16)
            var total = 0
            for (n, item) in chunk.enumerated() {
                let length = UInt32(item.batch.bytes.readableBytes - RecordBatchHeader.logOverhead)
                withUnsafeBytes(of: UInt64(bitPattern: item.baseOffset).bigEndian) {
                    for k in 0..<8 { prefixes[n * 16 + k] = $0[k] }
                }
                withUnsafeBytes(of: length.bigEndian) { for k in 0..<4 { prefixes[n * 16 + 8 + k] = $0[k] } }
                total += item.batch.bytes.readableBytes
            }
            let written = position
            try prefixes.withUnsafeBytes { (prefixBytes) throws in
                var vecs: [iovec] = []
                vecs.reserveCapacity(chunk.count * 2)
                try Self.withBatchPointers(chunk, prefixes: prefixBytes, vecs: &vecs) { (vecs) throws in
                    try FileIO.pwritevAll(
                        segment.file.descriptor,
                        &vecs,
                        total: total,
                        at: written,
                        path: segment.file.path
                    )
                }
            }
            position += Int64(total)
            chunkStart = chunkEnd
        }
    }

    private static func withBatchPointers(
        _ items: ArraySlice<Pending>,
        prefixes: UnsafeRawBufferPointer,
        vecs: inout [iovec],
        _ body: (inout [iovec]) throws -> Void
    ) throws {
        guard let item = items.first else {
            try body(&vecs)
            return
        }
        let n = vecs.count / 2
        try item.batch.bytes.withUnsafeReadableBytes { (raw) throws in
            vecs.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: prefixes.baseAddress! + n * 16), iov_len: 16))
            vecs.append(
                iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress! + 16), iov_len: raw.count - 16)
            )
            try withBatchPointers(items.dropFirst(), prefixes: prefixes, vecs: &vecs, body)
        }
    }

    /// Makes written batches visible: index entries, segment size, high watermark.
    private func publish(_ items: ArraySlice<Pending>, synced: Bool, config: LogConfig) {
        guard !items.isEmpty else { return }
        let ready = state.withLockedValue { state -> [DataWaiter] in
            let last = state.segments.count - 1
            let base = state.segments[last].base
            var position = state.segments[last].size
            for item in items {
                let size = item.batch.bytes.readableBytes
                state.segments[last].index.add(
                    baseOffset: base,
                    batchBase: item.baseOffset,
                    lastOffset: item.baseOffset + Int64(item.batch.header.lastOffsetDelta),
                    maxTimestamp: item.batch.header.maxTimestamp,
                    position: position,
                    size: size,
                    interval: config.indexIntervalBytes
                )
                position += Int64(size)
                state.durableProducers.record(item.batch.header, baseOffset: item.baseOffset)
            }
            state.highWatermark = state.segments[last].index.lastOffset + 1
            if !synced { state.dirty = true }
            let highWatermark = state.highWatermark
            return Self.takeWaiters(&state) { $0.offset < highWatermark }
        }
        for waiter in ready { waiter.callback() }
    }

    private static func takeWaiters(_ state: inout State, where ready: (DataWaiter) -> Bool) -> [DataWaiter] {
        guard !state.waiters.isEmpty else { return [] }
        var fired: [DataWaiter] = []
        for (id, waiter) in state.waiters where ready(waiter) {
            fired.append(waiter)
            state.waiters[id] = nil
        }
        return fired
    }

    // MARK: Producer state

    /// Persists the durable producer table as the state below `offset`; keeps the two newest snapshots.
    private func writeProducerSnapshot(at offset: Int64) throws {
        let table = state.withLockedValue { $0.durableProducers }
        try FileIO.writeAtomically(table.snapshotBytes(), to: directory + "/" + ProducerStateTable.snapshotName(offset))
        let snapshots = try Self.snapshotOffsets(in: directory)
        for old in snapshots.dropLast(2) {
            try FileIO.remove(directory + "/" + ProducerStateTable.snapshotName(old))
        }
    }

    static func snapshotOffsets(in directory: String) throws -> [Int64] {
        try FileIO.listDirectory(directory).compactMap { name -> Int64? in
            guard name.hasSuffix(".snapshot") else { return nil }
            return Int64(name.dropLast(".snapshot".count))
        }.sorted()
    }

    /// Loads the newest usable snapshot at or below the log end and replays the batches after it.
    private func rebuildProducerState() throws {
        let (start, end) = state.withLockedValue { ($0.logStartOffset, $0.highWatermark) }
        var table = ProducerStateTable()
        var from = start
        for offset in try Self.snapshotOffsets(in: directory).reversed() {
            let path = directory + "/" + ProducerStateTable.snapshotName(offset)
            guard offset <= end else {
                try FileIO.remove(path)  // describes batches that recovery cut
                continue
            }
            if let loaded = FileIO.readIndexFile(path).flatMap(ProducerStateTable.load(snapshot:)) {
                table = loaded
                from = max(offset, start)
                break
            }
        }
        while from < end {
            let batches = try readBatches(from: Offset(from), maxBytes: 1 << 20)
            guard let last = batches.last else { break }
            for batch in batches where batch.header.baseOffset >= from {
                table.record(batch.header, baseOffset: batch.header.baseOffset)
            }
            from = last.header.lastOffset + 1
        }
        state.withLockedValue { state in
            state.producers = table
            state.durableProducers = table
        }
    }

    // MARK: Long-poll waiters

    /// Calls `callback` once when the high watermark passes `offset` (data at or after `offset` became
    /// readable), or when the log closes or fails. Returns nil — and has already called `callback` — when
    /// that is true now. The callback runs on a storage thread or the caller's: keep it short (hop to your
    /// own executor). Cancel with ``cancelWaiter(_:)``.
    /// - Throws: ``PlexusError/Code/storage`` when ``maxWaiters`` are already waiting.
    public func whenData(beyond offset: Offset, _ callback: @escaping @Sendable () -> Void) throws -> UInt64? {
        let registered = state.withLockedValue { state -> UInt64?? in
            guard case .open = state.status, state.highWatermark <= offset.rawValue else { return .some(nil) }
            guard state.waiters.count < Self.maxWaiters else { return .none }
            let id = state.nextWaiterID
            state.nextWaiterID += 1
            state.waiters[id] = DataWaiter(offset: offset.rawValue, callback: callback)
            return .some(id)
        }
        switch registered {
        case .none: throw PlexusError(.storage, "too many readers waiting on \(directory)")
        case .some(nil):
            callback()
            return nil
        case .some(.some(let id)): return id
        }
    }

    /// Removes a waiter; returns true when it was still waiting (its callback will not be called).
    @discardableResult
    public func cancelWaiter(_ id: UInt64) -> Bool {
        state.withLockedValue { $0.waiters.removeValue(forKey: id) != nil }
    }

    /// A record's timestamp; an overflowing delta (only a hostile producer sends one) gives -1.
    static func recordTimestamp(_ base: Int64, _ delta: Int64) -> Int64 {
        let (sum, overflow) = base.addingReportingOverflow(delta)
        return overflow ? -1 : sum
    }

    /// Wakes every waiter (close and failure end long polls).
    private func wakeAllWaiters() {
        let all = state.withLockedValue { state in Self.takeWaiters(&state) { _ in true } }
        for waiter in all { waiter.callback() }
    }

    /// Closes the active segment (already synced by the caller) and starts a new one at `nextBase`.
    private func roll(nextBase: Int64) throws -> Segment {
        if isVolatile { return try rollVolatile(nextBase: nextBase) }
        let (old, prepared) = state.withLockedValue { state in
            defer {
                state.prepared = false
                state.preparationFailed = false
            }
            return (state.segments[state.segments.count - 1], state.prepared && state.config.preallocate)
        }
        // A pre-written segment is cut to what it holds: a closed segment never ends in zeros.
        if try FileIO.size(old.file.descriptor, path: old.file.path) > old.size {
            try FileIO.truncate(old.file.descriptor, to: old.size, path: old.file.path)
        }
        try FileIO.dataSync(old.file.descriptor, path: old.file.path)
        try Self.writeIndexFiles(prefix: directory + "/" + Self.segmentName(old.base), index: old.index, base: old.base)
        try writeProducerSnapshot(at: nextBase)
        let path = directory + "/" + Self.segmentName(nextBase) + ".log"
        if prepared {
            do {
                try FileIO.rename(directory + "/" + Self.preparedName, path)
            } catch {  // not fatal: the new segment is then appended to
                logger.warning(
                    "cannot use the prepared segment",
                    metadata: ["log": "\(directory)", "error": "\(error)"]
                )
            }
        }
        let file = try SegmentFile(path: path, create: true)
        try FileIO.syncDirectory(directory)
        let segment = Segment(base: nextBase, file: file, index: SegmentIndex(baseOffset: nextBase), createdMs: clock())
        state.withLockedValue { state in
            state.segments.append(segment)
            state.dirty = false
        }
        logger.debug("rolled segment", metadata: ["log": "\(directory)", "base": "\(nextBase)"])
        return segment
    }

    /// Starts a new in-memory segment and drops the oldest ones while the rest still hold `retention.bytes`
    /// (readers holding a slice keep theirs until they let go).
    private func rollVolatile(nextBase: Int64) throws -> Segment {
        let file = try SegmentFile(memoryNamed: directory + "/" + Self.segmentName(nextBase))
        let segment = Segment(base: nextBase, file: file, index: SegmentIndex(baseOffset: nextBase), createdMs: clock())
        state.withLockedValue { state in
            state.segments.append(segment)
            state.dirty = false
            let limit = state.config.retentionBytes
            guard limit >= 0 else { return }
            var total = state.segments.reduce(Int64(0)) { $0 + $1.size }
            while state.segments.count > 1, total - state.segments[0].size >= limit {
                total -= state.segments[0].size
                state.segments.removeFirst()
            }
        }
        return segment
    }

    private func fail(_ error: PlexusError, group: [Pending]) {
        logger.error(
            "partition log failed; it stays read-only until restart",
            metadata: ["log": "\(directory)", "error": "\(error)"]
        )
        let rest = state.withLockedValue { state -> [Pending] in
            state.status = .failed(error)
            state.drainScheduled = false
            defer {
                state.pending = []
                state.pendingBytes = 0
            }
            return state.pending
        }
        for item in group + rest { item.completion(.failure(error)) }
        wakeAllWaiters()
    }

    private func failPendingIfNotOpen() {
        let (rest, error) = state.withLockedValue { state -> ([Pending], PlexusError?) in
            switch state.status {
            case .open: return ([], nil)
            case .closed:
                defer {
                    state.pending = []
                    state.pendingBytes = 0
                }
                return (state.pending, PlexusError(.shuttingDown, "partition log \(directory) is closed"))
            case .failed(let error):
                defer {
                    state.pending = []
                    state.pendingBytes = 0
                }
                return (state.pending, error)
            }
        }
        if let error { for item in rest { item.completion(.failure(error)) } }
    }

    // MARK: Reading

    /// The log's current bounds: first offset, high watermark, and next offset to assign.
    public var offsets: (logStart: Offset, highWatermark: Offset) {
        state.withLockedValue { (Offset($0.logStartOffset), Offset($0.highWatermark)) }
    }

    /// The topic config in force for this log.
    public var config: LogConfig { state.withLockedValue { $0.config } }

    /// Replaces the config (takes effect for the next append, roll and retention run).
    public func update(config: LogConfig) {
        let dropPrepared = state.withLockedValue { state -> Bool in
            // A file prepared for another size, or no longer wanted, is not used.
            let stale =
                state.prepared
                && (!config.preallocate || config.segmentBytes != state.config.segmentBytes)
            if stale { state.prepared = false }
            state.config = config
            return stale
        }
        if dropPrepared { try? FileIO.remove(directory + "/" + Self.preparedName) }
    }

    /// Total bytes in segment files (visible data).
    public var sizeInBytes: Int64 { state.withLockedValue { $0.segments.reduce(0) { $0 + $1.size } } }

    /// Number of segments.
    public var segmentCount: Int { state.withLockedValue { $0.segments.count } }

    /// Finds the batches starting with the one that holds `offset`, whole batches only, up to `maxBytes`
    /// (at least one batch even when it is larger). Blocks (reads batch headers with pread).
    /// - Throws: ``PlexusError/Code/offsetOutOfRange`` when `offset` is below the log start or above the
    ///   high watermark.
    public func read(from offset: Offset, maxBytes: Int) throws -> LogReadResult {
        var target = offset.rawValue
        while true {
            let found = state.withLockedValue {
                state -> Result<(Segment, Int64, Int64, Int64, Int64)?, PlexusError> in
                let start = state.logStartOffset
                let hw = state.highWatermark
                guard target >= start, target <= hw else {
                    return .failure(
                        PlexusError(
                            .offsetOutOfRange,
                            "offset \(target) is outside the log's range \(start)...\(hw)"
                        )
                    )
                }
                if target == hw { return .success(nil) }
                // The last segment whose base is <= target.
                var low = 0
                var high = state.segments.count - 1
                while low < high {
                    let mid = (low + high + 1) / 2
                    if state.segments[mid].base <= target { low = mid } else { high = mid - 1 }
                }
                let segment = state.segments[low]
                return .success(
                    (segment, segment.index.floorPosition(for: target, base: segment.base), segment.size, hw, start)
                )
            }
            guard let (segment, floor, limit, hw, start) = try found.get() else {
                let (start, hw) = offsets
                return LogReadResult(slice: nil, highWatermark: hw, logStartOffset: start)
            }
            var position = floor
            var first: (position: Int64, base: Int64)?
            var last: Int64 = -1
            var length = 0
            while position < limit {
                let head = try segment.file.read(at: position, count: 27)
                guard head.count == 27 else { break }
                let base: Int64 = head.readBigEndian(at: 0)
                let size = Int(head.readBigEndian(at: 8) as UInt32) + RecordBatchHeader.logOverhead
                let lastOffset = base &+ Int64(head.readBigEndian(at: 23) as UInt32)
                guard size >= RecordBatchHeader.size, Int64(size) <= limit - position else {
                    throw PlexusError(.corruptMessage, "segment \(segment.file.path) holds a bad batch at \(position)")
                }
                if first == nil {
                    if lastOffset >= target { first = (position, base) }
                } else if length + size > maxBytes {
                    break
                }
                if first != nil {
                    length += size
                    last = lastOffset
                }
                position += Int64(size)
            }
            if let first {
                let slice = LogSlice(
                    file: segment.file,
                    position: first.position,
                    length: length,
                    firstOffset: Offset(first.base),
                    lastOffset: Offset(last)
                )
                return LogReadResult(slice: slice, highWatermark: Offset(hw), logStartOffset: Offset(start))
            }
            // Nothing at or after target in this segment (a gap): continue in the next one.
            target = segment.index.lastOffset + 1 > target ? segment.index.lastOffset + 1 : segment.base + 1
            let next = state.withLockedValue { state in state.segments.first(where: { $0.base > segment.base })?.base }
            if let next { target = max(target, next) } else { target = hw }
        }
    }

    /// Reads whole batches from `offset` (the first may start before it), up to `maxBytes`. Blocks.
    public func readBatches(from offset: Offset, maxBytes: Int) throws -> [RecordBatch] {
        guard let slice = try read(from: offset, maxBytes: maxBytes).slice else { return [] }
        let bytes = try slice.readBytes()
        var batches: [RecordBatch] = []
        var index = bytes.readerIndex
        while index < bytes.writerIndex {
            guard case .batch(let size) = RecordBatch.framing(of: bytes, at: index),
                let header = RecordBatchHeader(from: bytes, at: index)
            else {
                throw PlexusError(
                    .corruptMessage,
                    "segment \(slice.file.path) holds a bad batch at \(slice.position + Int64(index))"
                )
            }
            batches.append(RecordBatch(unchecked: bytes.getSlice(at: index, length: size)!, header: header))
            index += size
        }
        return batches
    }

    /// Reads decoded records from `offset` on (records before it in the first batch are skipped), up to
    /// `maxBytes` of batches. Compressed batches are decompressed. Blocks.
    public func readRecords(from offset: Offset, maxBytes: Int) throws -> [StoredRecord] {
        try readRecordsAndNext(from: offset, maxBytes: maxBytes).records
    }

    /// ``readRecords(from:maxBytes:)`` and the offset to read from next: one past the last batch read (which
    /// may be beyond the last record returned), or `offset` when nothing was read. Readers that follow a
    /// log advance by `next`, so batches whose records yield nothing still move them on. Blocks.
    public func readRecordsAndNext(from offset: Offset, maxBytes: Int) throws -> (records: [StoredRecord], next: Offset)
    {
        let read = try readRecordsSkipping(from: offset, maxBytes: maxBytes, skipUndecodable: false)
        return (read.records, read.next)
    }

    /// A batch a reader passed over because its records cannot be decoded (a compressed batch whose
    /// contents are damaged: producers' compressed batches are stored as they are).
    public struct UndecodableBatch: Sendable {
        public var baseOffset: Offset
        public var lastOffset: Offset
        public var error: String
    }

    /// ``readRecordsAndNext(from:maxBytes:)`` for followers that must never stall: with `skipUndecodable`, a
    /// batch whose records cannot be decoded is passed over (and reported) instead of failing the read.
    /// Records whose offset lies outside their batch's range (a damaged compressed batch) are dropped.
    /// Blocks.
    public func readRecordsSkipping(from offset: Offset, maxBytes: Int, skipUndecodable: Bool = true) throws
        -> (records: [StoredRecord], next: Offset, skipped: [UndecodableBatch])
    {
        var out: [StoredRecord] = []
        var skipped: [UndecodableBatch] = []
        var next = offset
        for batch in try readBatches(from: offset, maxBytes: maxBytes) {
            next = Offset(max(next.rawValue, batch.header.lastOffset &+ 1))
            let records: [Record]
            do {
                records = try batch.records()
            } catch {
                guard skipUndecodable else { throw error }
                skipped.append(
                    UndecodableBatch(
                        baseOffset: Offset(batch.header.baseOffset),
                        lastOffset: Offset(batch.header.lastOffset),
                        error: "\(error)"
                    )
                )
                continue
            }
            for record in records {
                let recordOffset = batch.header.baseOffset &+ Int64(record.offsetDelta)
                guard recordOffset >= offset.rawValue, recordOffset <= batch.header.lastOffset else { continue }
                let timestamp =
                    batch.header.isLogAppendTime
                    ? batch.header.maxTimestamp
                    : Self.recordTimestamp(batch.header.baseTimestamp, record.timestampDelta)
                out.append(
                    StoredRecord(
                        offset: Offset(recordOffset),
                        timestamp: Timestamp(milliseconds: timestamp),
                        record: record
                    )
                )
            }
        }
        return (out, next, skipped)
    }

    /// The first offset whose record timestamp is at or above `timestamp`, or nil when no record is.
    /// Compressed batches are decompressed to find the record. Blocks.
    public func offset(forTimestamp timestamp: Int64) throws -> Offset? {
        let candidate = state.withLockedValue { state -> (Int64, Int64)? in
            for segment in state.segments where segment.index.maxTimestamp >= timestamp {
                return (segment.index.scanStart(for: timestamp, base: segment.base), segment.index.lastOffset)
            }
            return nil
        }
        guard var (from, _) = candidate else { return nil }
        while true {
            let batches = try readBatches(from: Offset(from), maxBytes: 1 << 20)
            guard !batches.isEmpty else { return nil }
            for batch in batches where batch.header.lastOffset >= from && batch.header.maxTimestamp >= timestamp {
                if batch.header.isLogAppendTime {
                    return Offset(batch.header.baseOffset)
                }
                let records = try batch.records()
                for record in records
                where Self.recordTimestamp(batch.header.baseTimestamp, record.timestampDelta) >= timestamp {
                    return Offset(batch.header.baseOffset + Int64(record.offsetDelta))
                }
                return Offset(batch.header.baseOffset)
            }
            from = batches.last!.header.lastOffset + 1
        }
    }

    // MARK: Maintenance

    /// Rolls the active segment if it is not empty (used by tests and admin tools). Blocks.
    public func roll() throws {
        try queue.sync { () throws in
            let (active, open) = self.state.withLockedValue { ($0.segments[$0.segments.count - 1], $0.status) }
            guard case .open = open, active.size > 0 else { return }
            _ = try self.roll(nextBase: active.index.lastOffset + 1)
        }
    }

    /// fdatasyncs unsynced bytes (interval flush and shutdown). Blocks.
    public func flush() throws {
        try queue.sync { () throws in try self.syncIfDirty() }
    }

    /// Queues a flush without waiting (the interval flusher).
    public func flushAsync() {
        queue.enqueue {
            do { try self.syncIfDirty() } catch {
                self.logger.error("flush failed", metadata: ["log": "\(self.directory)", "error": "\(error)"])
            }
        }
    }

    /// Runs on the serial queue, so no publish (which sets `dirty`) runs concurrently. A failed fsync fails
    /// the log: after one the page cache can no longer be trusted to reach the disk.
    private func syncIfDirty() throws {
        let active = state.withLockedValue { state -> Segment? in
            guard state.dirty, case .open = state.status else { return nil }
            return state.segments[state.segments.count - 1]
        }
        guard let active else { return }
        do {
            try FileIO.dataSync(active.file.descriptor, path: active.file.path)
        } catch {
            fail(PlexusError.wrapping(error), group: [])
            throw error
        }
        state.withLockedValue { $0.dirty = false }
    }

    /// Deletes whole segments past `retention.ms` (by their newest timestamp) or beyond `retention.bytes`,
    /// oldest first, and advances the log start offset. Rolls the active segment first when all of it has
    /// expired. Returns the number of segments deleted. Blocks.
    /// - Parameter floor: the first offset a reader still needs (a queue or subscription has not settled
    ///   it): segments holding it or anything after it are kept whatever their age or size.
    @discardableResult
    public func enforceRetention(floor: Offset? = nil) throws -> Int {
        try queue.sync { () throws -> Int in
            let now = self.clock()
            let (config, active, open) = self.state.withLockedValue {
                ($0.config, $0.segments[$0.segments.count - 1], $0.status)
            }
            guard case .open = open else { return 0 }
            if config.retentionMs >= 0, active.size > 0, active.index.maxTimestamp >= 0,
                now - active.index.maxTimestamp > config.retentionMs
            {
                _ = try self.roll(nextBase: active.index.lastOffset + 1)
            }
            let doomed = self.state.withLockedValue { state -> [Segment] in
                var total = state.segments.reduce(Int64(0)) { $0 + $1.size }
                var count = 0
                for segment in state.segments.dropLast() {
                    let expired =
                        config.retentionMs >= 0 && segment.index.maxTimestamp >= 0
                        && now - segment.index.maxTimestamp > config.retentionMs
                    let oversize = config.retentionBytes >= 0 && total - segment.size >= config.retentionBytes
                    guard expired || oversize else { break }
                    if let floor, segment.index.lastOffset >= floor.rawValue { break }
                    total -= segment.size
                    count += 1
                }
                defer { state.segments.removeFirst(count) }
                return Array(state.segments.prefix(count))
            }
            for segment in doomed where !self.isVolatile {
                try Self.removeSegmentFiles(self.directory + "/" + Self.segmentName(segment.base))
                self.logger.debug(
                    "deleted segment by retention",
                    metadata: ["log": "\(self.directory)", "base": "\(segment.base)"]
                )
            }
            return doomed.count
        }
    }

    /// Stops accepting appends, lets queued ones finish, fsyncs and writes the active segment's indexes
    /// so the next open needs no scan. Blocks.
    public func close() throws {
        try queue.sync { () throws in
            let (active, wasOpen) = self.state.withLockedValue { state -> (Segment, Bool) in
                if case .open = state.status {
                    state.status = .closed
                    return (state.segments[state.segments.count - 1], true)
                }
                return (state.segments[state.segments.count - 1], false)
            }
            guard wasOpen else { return }
            self.wakeAllWaiters()
            if self.isVolatile { return }
            try FileIO.dataSync(active.file.descriptor, path: active.file.path)
            try self.writeProducerSnapshot(at: active.index.lastOffset + 1)
            try Self.writeIndexFiles(
                prefix: self.directory + "/" + Self.segmentName(active.base),
                index: active.index,
                base: active.base
            )
        }
    }
}
