import ArgumentParser
import Foundation
import Logging
import NIOCore
import PlexusModel
import PlexusStorage

#if canImport(Glibc)
    import Glibc
#endif

/// `plexus bench storage`: append, read and recovery throughput of the partition log, each printed with
/// its ratio to the raw limit of the same disk measured in the same run.
struct StorageBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage",
        abstract: "Benchmark the storage engine against raw fdatasync'd and plain writes on the same disk."
    )

    @Option(help: "Scratch directory on the disk to measure (emptied first and removed after).")
    var dir = "./plexus-bench"
    @Option(help: "Seconds per measurement.") var seconds = 2.0
    @Option(name: .customLong("recovery-gib"), help: "Size of the log for the recovery measurement (0 skips it).")
    var recoveryGiB = 2.0
    @Option(name: .customLong("batch-kib"), parsing: .upToNextOption, help: "Batch sizes in KiB.")
    var batchKiB: [Int] = [16, 64, 256]
    @Option(parsing: .upToNextOption, help: "Concurrent appender counts.") var appenders: [Int] = [1, 4, 16]

    func run() async throws {
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        print(
            "plexus bench storage — \(ProcessInfo.processInfo.activeProcessorCount) cores, dir \(dir), \(seconds) s per figure"
        )
        print("records of 1 KiB; MB = 10^6 bytes\n")

        // CRC-32C
        let crcBuffer = [UInt8](repeating: 0xA5, count: 64 << 20)
        let crcHW = measureBytesPerSecond(bytes: crcBuffer.count) {
            crcBuffer.withUnsafeBytes { _ = CRC32C.update(0, $0) }
        }
        let crcSW = measureBytesPerSecond(bytes: crcBuffer.count) {
            crcBuffer.withUnsafeBytes { _ = CRC32C.portableChecksum($0) }
        }
        print(
            String(
                format: "CRC-32C  %@: %.2f GB/s   portable slicing-by-8: %.2f GB/s   target ≥ 2 GB/s: %@",
                CRC32C.isHardwareAccelerated ? "hardware" : "portable",
                crcHW / 1e9,
                crcSW / 1e9,
                crcHW >= 2e9 ? "met" : "MISSED"
            )
        )

        var logger = Logger(label: "bench")
        logger.logLevel = .error
        var summary: [String] = []
        print("\n| batch | mode | appenders | MB/s | records/s | raw baseline MB/s | ratio |")
        print("|---|---|---|---|---|---|---|")
        for kib in batchKiB {
            let batch = Self.makeBatch(bytes: kib * 1024)
            let size = batch.bytes.readableBytes
            let rawSync = try rawWrite(size: size, sync: true)
            let rawPlain = try rawWrite(size: size, sync: false)
            print(String(format: "| %d KiB | raw write+fdatasync | 1 | %.1f | | | |", kib, rawSync / 1e6))
            print(String(format: "| %d KiB | raw write | 1 | %.1f | | | |", kib, rawPlain / 1e6))
            for policy in [FlushPolicy.always, .none] {
                for count in appenders {
                    let base = policy == .always ? rawSync : rawPlain
                    let rate = try await appendRate(batch: batch, appenders: count, policy: policy, logger: logger)
                    let ratio = rate / base
                    let records = rate / Double(size) * Double(batch.header.recordsCount)
                    print(
                        String(
                            format: "| %d KiB | %@ | %d | %.1f | %.0f | %.1f | %.2f× |",
                            kib,
                            policy.description,
                            count,
                            rate / 1e6,
                            records,
                            base / 1e6,
                            ratio
                        )
                    )
                    if kib == 64 && count == 16 {
                        let target = 0.8
                        summary.append(
                            String(
                                format: "%@ with 16 appenders at 64 KiB: %.2f× raw (target ≥ %.1f×): %@",
                                policy.description,
                                ratio,
                                target,
                                ratio >= target ? "met" : "MISSED"
                            )
                        )
                    }
                }
            }
        }
        let read = try await readRate(logger: logger)
        print(String(format: "\nread (warm page cache, 1 MiB reads of 64 KiB batches): %.1f MB/s", read / 1e6))
        if recoveryGiB > 0 { try await recovery(logger: logger) }
        print("\nTargets:")
        for line in summary { print("- " + line) }
    }

    static func makeBatch(bytes: Int) -> RecordBatch {
        let count = max(1, bytes / 1024)
        let value = ByteBuffer(repeating: 0x61, count: 1024 - 16)
        let records = (0..<count).map {
            Record(offsetDelta: Int32($0), timestampDelta: Int64($0), key: nil, value: value)
        }
        return RecordBatch.build(records: records, baseTimestamp: PartitionLog.wallClockMilliseconds())
    }

    func measureBytesPerSecond(bytes: Int, _ body: () -> Void) -> Double {
        body()
        let start = DispatchTime.now().uptimeNanoseconds
        var rounds = 0
        while Double(DispatchTime.now().uptimeNanoseconds - start) < 0.5e9 {
            body()
            rounds += 1
        }
        return Double(bytes * rounds) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    /// Sequential writes of `size` bytes, each followed by fdatasync when `sync` is set.
    func rawWrite(size: Int, sync: Bool) throws -> Double {
        let path = dir + "/raw-\(size)-\(sync)"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw PlexusError(.storage, "cannot open \(path)") }
        defer {
            close(fd)
            unlink(path)
        }
        let block = [UInt8](repeating: 0x61, count: size)
        var written = 0
        let start = DispatchTime.now().uptimeNanoseconds
        while Double(DispatchTime.now().uptimeNanoseconds - start) < seconds * 1e9 {
            let n = block.withUnsafeBytes { pwrite(fd, $0.baseAddress, size, off_t(written)) }
            guard n == size else { throw PlexusError(.storage, "short raw write") }
            if sync { fdatasync(fd) }
            written += size
        }
        return Double(written) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    func appendRate(batch: RecordBatch, appenders: Int, policy: FlushPolicy, logger: Logger) async throws -> Double {
        let path = dir + "/append-\(UUID().uuidString)"
        let executor = StorageExecutor(threadCount: 2)
        defer {
            executor.shutdown()
            try? FileManager.default.removeItem(atPath: path)
        }
        var config = LogConfig()
        config.maxMessageBytes = 4 << 20
        let log = try PartitionLog(
            directory: path,
            config: config,
            flushPolicy: policy,
            executor: executor,
            logger: logger
        )
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds * 1e9)
        let start = DispatchTime.now().uptimeNanoseconds
        let bytes = batch.bytes
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<appenders {
                group.addTask {
                    var mine = 0
                    while DispatchTime.now().uptimeNanoseconds < deadline {
                        _ = try await log.append(bytes)
                        mine += bytes.readableBytes
                    }
                    return mine
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try log.close()
        return Double(total) / elapsed
    }

    func readRate(logger: Logger) async throws -> Double {
        let path = dir + "/read"
        let executor = StorageExecutor(threadCount: 2)
        defer {
            executor.shutdown()
            try? FileManager.default.removeItem(atPath: path)
        }
        let log = try PartitionLog(
            directory: path,
            config: LogConfig(),
            flushPolicy: .none,
            executor: executor,
            logger: logger
        )
        let batch = Self.makeBatch(bytes: 64 * 1024)
        for _ in 0..<(512 << 20) / batch.bytes.readableBytes { _ = try await log.append(batch.bytes) }
        let end = log.offsets.highWatermark
        var bytes = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var offset = Offset(0)
        while Double(DispatchTime.now().uptimeNanoseconds - start) < seconds * 1e9 {
            if offset >= end { offset = Offset(0) }
            let batches = try log.readBatches(from: offset, maxBytes: 1 << 20)
            bytes += batches.reduce(0) { $0 + $1.bytes.readableBytes }
            offset = Offset(batches.last!.header.lastOffset + 1)
        }
        try log.close()
        return Double(bytes) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }

    func recovery(logger: Logger) async throws {
        let path = dir + "/recovery"
        let executor = StorageExecutor(threadCount: 2)
        defer {
            executor.shutdown()
            try? FileManager.default.removeItem(atPath: path)
        }
        let target = Int(recoveryGiB * Double(1 << 30))
        let batch = Self.makeBatch(bytes: 64 * 1024)
        var log: PartitionLog? = try PartitionLog(
            directory: path,
            config: LogConfig(),
            flushPolicy: .none,
            executor: executor,
            logger: logger
        )
        var written = 0
        while written + batch.bytes.readableBytes < target {  // leaves the active segment nearly full
            _ = try await log!.append(batch.bytes)
            written += batch.bytes.readableBytes
        }
        try log!.flush()
        // As after a crash: no close, so the active segment has no index and its tail is scanned.
        log = nil
        func timedOpen() throws -> (PartitionLog, Double) {
            let start = DispatchTime.now().uptimeNanoseconds
            let opened = try PartitionLog(
                directory: path,
                config: LogConfig(),
                flushPolicy: .none,
                executor: executor,
                logger: logger
            )
            return (opened, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let (crashed, crashSeconds) = try timedOpen()
        let segments = crashed.segmentCount
        // Worst case: every index lost, so all of the log is scanned and validated (CRC) batch by batch.
        for name in try FileManager.default.contentsOfDirectory(atPath: path) where name.hasSuffix("index") {
            try FileManager.default.removeItem(atPath: path + "/" + name)
        }
        let (rebuilt, rebuildSeconds) = try timedOpen()
        let size = rebuilt.sizeInBytes
        try rebuilt.close()
        let (clean, cleanSeconds) = try timedOpen()
        try clean.close()
        print(
            String(
                format:
                    "recovery of a %.2f GiB log in %d segments (warm page cache): every index rebuilt %.2f s (%.0f MB/s); after a crash (active segment tail) %.3f s; after a clean shutdown %.3f s",
                Double(size) / Double(1 << 30),
                segments,
                rebuildSeconds,
                Double(size) / rebuildSeconds / 1e6,
                crashSeconds,
                cleanSeconds
            )
        )
    }
}
