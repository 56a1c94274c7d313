import Foundation
import Logging
import NIOConcurrencyHelpers
public import PlexusModel
import PlexusStorage

#if canImport(Glibc)
    import Glibc
#endif

extension OffsetStore {
    /// The most records one batch of a compacted log holds.
    static let compactionBatchRecords = 1000

    /// Rewrites the log to hold only the live offsets, then swaps it in atomically (see the type's
    /// documentation). Writes arriving meanwhile wait in memory and are appended to the new log.
    /// Returns false when the store is closed. Blocks; runs by itself when the log holds more dead
    /// records than live ones and more than ``Configuration/compactionMinBytes``.
    /// - Throws: `storage` when the rewrite fails; the store then goes on with the old log when it can.
    @discardableResult
    public func compact() throws(PlexusError) -> Bool {
        do {
            return try maintenanceLock.withLock { try compactLocked() }
        } catch {
            throw PlexusError.wrapping(error)
        }
    }

    private func compactLocked() throws -> Bool {
        // 1. Park new writes; the old log gets no more appends.
        let started = appendLock.withLock {
            state.withLockedValue { state -> (PartitionLog, Int64)? in
                state.compactionScheduled = false
                guard !state.closed else { return nil }
                state.parked = []
                return (state.log, state.generation)
            }
        }
        guard let (oldLog, generation) = started else { return false }
        let next = generation + 1
        let temporary = OffsetFiles.generationPath(directory, next) + OffsetFiles.compactingSuffix
        let final = OffsetFiles.generationPath(directory, next)
        var oldClosed = false
        do {
            // 2. Wait until every write handed to the old log is acknowledged (and applied).
            try oldLog.flush()
            let live = state.withLockedValue { $0.table.entries() }
            // 3. Write the live set into a fresh directory and make it durable.
            try OffsetFiles.removeTree(temporary)
            let rewritten = try PartitionLog(
                directory: temporary,
                config: Self.logConfig(configuration),
                flushPolicy: .none,
                executor: executor,
                logger: logger,
                clock: clock
            )
            let failure = NIOLockedValueBox<PlexusError?>(nil)
            let now = clock()
            var start = 0
            while start < live.count {
                let end = min(start + Self.compactionBatchRecords, live.count)
                rewritten.append(OffsetRecordCodec.batch(Array(live[start..<end]), timestamp: now)) { result in
                    if case .failure(let error) = result { failure.withLockedValue { $0 = $0 ?? error } }
                }
                start = end
            }
            try rewritten.close()  // waits for the appends, fdatasyncs, writes the index files
            if let error = failure.withLockedValue({ $0 }) { throw error }
            try OffsetFiles.syncDirectory(temporary)
            // 4. Swap: the rename is the commit point of the compaction.
            try oldLog.close()
            oldClosed = true
            try OffsetFiles.rename(temporary, final)
            try OffsetFiles.syncDirectory(directory)
            let newLog = try PartitionLog(
                directory: final,
                config: Self.logConfig(configuration),
                flushPolicy: flushPolicy,
                executor: executor,
                logger: logger,
                clock: clock
            )
            try OffsetFiles.removeTree(OffsetFiles.generationPath(directory, generation))
            try OffsetFiles.syncDirectory(directory)
            resume(with: newLog, generation: next, records: live.count)
            logger.debug(
                "compacted the offsets log",
                metadata: ["generation": "\(next)", "offsets": "\(live.count)"]
            )
            return true
        } catch {
            logger.error("offsets log compaction failed", metadata: ["error": "\(error)"])
            if !oldClosed {
                try? OffsetFiles.removeTree(temporary)
                resume(with: nil, generation: generation, records: nil)
            } else {
                recoverAfterFailedSwap()
            }
            throw error
        }
    }

    /// Ends a compaction: installs `newLog` (nil keeps the current one) and appends the parked writes to
    /// the log in force, in the order they arrived.
    private func resume(with newLog: PartitionLog?, generation: Int64, records: Int?) {
        appendLock.withLock {
            let (log, parked, closed) = state.withLockedValue { state -> (PartitionLog, [ParkedWrite], Bool) in
                if let newLog {
                    state.log = newLog
                    state.generation = generation
                    state.bytesInLog = newLog.sizeInBytes
                }
                if let records { state.recordsInLog = records }
                defer { state.parked = nil }
                return (state.log, state.parked ?? [], state.closed)
            }
            for write in parked {
                if closed {
                    // Unreachable (close waits for compaction); kept so no waiter is left hanging.
                    state.withLockedValue { state in
                        for entry in write.entries { state.pending[entry.key] = nil }
                    }
                    let completion = write.completion
                    executor.execute { completion(.failure(PlexusError(.shuttingDown, "the offset store is closed"))) }
                } else {
                    append(write.batch, entries: write.entries, to: log, completion: write.completion)
                }
            }
        }
    }

    /// After the old log was closed and the swap failed: reopens whichever generation is on disk (open's
    /// rules) so the store goes on; if even that fails, parked and later writes fail.
    private func recoverAfterFailedSwap() {
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
            resume(with: log, generation: generation, records: nil)
        } catch {
            logger.critical("cannot reopen the offsets log; offset writes fail", metadata: ["error": "\(error)"])
            // The closed old log stays installed: appends to it fail with `shuttingDown`.
            resume(with: nil, generation: state.withLockedValue { $0.generation }, records: nil)
        }
    }
}

/// The generation directories of the offsets log and the few file calls their swap needs.
///
/// Layout: `DIR/log-N/` is a complete offsets log of generation N; `DIR/log-N.compacting/` is a rewrite in
/// progress. A rewrite is renamed to `log-N` only once it is complete and synced, so the highest `log-N`
/// is always the current log.
enum OffsetFiles {
    static let compactingSuffix = ".compacting"

    static func generationPath(_ directory: String, _ generation: Int64) -> String {
        directory + "/log-\(generation)"
    }

    /// Creates `directory` when needed, removes interrupted rewrites and superseded generations, and returns
    /// the current generation (0 for a new store).
    static func prepareGenerations(in directory: String, logger: Logger) throws -> Int64 {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var generations: [Int64] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            if name.hasSuffix(compactingSuffix) {
                logger.info("removing an interrupted offsets-log compaction", metadata: ["directory": "\(name)"])
                try removeTree(directory + "/" + name)
            } else if name.hasPrefix("log-"), let generation = Int64(name.dropFirst(4)), generation >= 0 {
                generations.append(generation)
            }
        }
        let current = generations.max() ?? 0
        for old in generations where old != current {
            logger.info("removing a superseded offsets-log generation", metadata: ["generation": "\(old)"])
            try removeTree(generationPath(directory, old))
        }
        try FileManager.default.createDirectory(
            atPath: generationPath(directory, current),
            withIntermediateDirectories: true
        )
        try syncDirectory(directory)
        try syncDirectory(FileIOPath.parent(of: directory))
        return current
    }

    static func removeTree(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.removeItem(atPath: path)
    }

    static func rename(_ from: String, _ to: String) throws {
        if Glibc.rename(from, to) != 0 {
            throw PlexusError(.storage, "rename \(from) to \(to) failed", underlying: String(cString: strerror(errno)))
        }
    }

    /// fsyncs a directory so that creations, renames and removals in it are durable.
    static func syncDirectory(_ path: String) throws {
        let fd = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            throw PlexusError(.storage, "open \(path) failed", underlying: String(cString: strerror(errno)))
        }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else {
            throw PlexusError(.storage, "fsync \(path) failed", underlying: String(cString: strerror(errno)))
        }
    }
}

enum FileIOPath {
    static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
