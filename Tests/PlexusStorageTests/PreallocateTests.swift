import Foundation
import NIOCore
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

/// `preallocate`: segment files are written in full before use, so appends overwrite existing blocks; the
/// zeros past a log's end are its end — across restarts and crashes — and never data.
@Suite struct PreallocateTests {
    static func config(segmentBytes: Int) -> LogConfig {
        var config = LogConfig()
        config.preallocate = true
        config.segmentBytes = segmentBytes
        return config
    }

    static func fileSize(_ path: String) throws -> Int64 {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.size] as? NSNumber)?.int64Value ?? -1
    }

    static let firstSegment = "/00000000000000000000.log"

    /// Copies a log directory as it is now — what a SIGKILL would leave (the data appended so far is fsynced).
    static func snapshot(_ from: String, to: String) throws {
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }

    /// A scratch directory and a storage executor for one test; `path` is the log's directory inside it.
    static func scratch(
        _ body: (_ dir: String, _ path: String, _ executor: StorageExecutor) async throws -> Void
    ) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 2)
        defer { executor.shutdown() }
        try await body(dir.path, dir.path + "/p0", executor)
    }

    /// Appends batches of `count` records with the given seeds; returns them in order.
    static func append(_ log: PartitionLog, seeds: Range<Int>, count: Int, valueSize: Int) async throws -> [RecordBatch]
    {
        var sent: [RecordBatch] = []
        for seed in seeds {
            let batch = TestBatches.make(seed: UInt64(seed), count: count, valueSize: valueSize)
            _ = try await log.append(batch.bytes)
            sent.append(batch)
        }
        return sent
    }

    @Test func theFirstSegmentIsWrittenAheadAndARestartCutsWhatWasNotUsed() async throws {
        try await Self.scratch { dirPath, path, executor in
            let config = Self.config(segmentBytes: 256 << 10)
            var log = try openLog(path, config: config, executor: executor)
            #expect(try Self.fileSize(path + Self.firstSegment) == 256 << 10)
            let sent = try await Self.append(log, seeds: 0..<10, count: 3, valueSize: 100)
            #expect(
                try Self.fileSize(path + Self.firstSegment) == 256 << 10,
                "appends overwrite: the file does not grow"
            )
            let end = log.sizeInBytes
            try log.close()
            log = try openLog(path, config: config, executor: executor)
            #expect(log.offsets.highWatermark == Offset(30))
            #expect(try Self.fileSize(path + Self.firstSegment) == end, "the unused zeros are cut on open")
            let more = TestBatches.make(seed: 99, count: 2, valueSize: 100)
            let result = try await log.append(more.bytes)
            #expect(result.baseOffset == Offset(30))
            #expect(try readAll(log).map(normalized) == (sent + [more]).map { normalized($0) })
            try log.close()
        }
    }

    @Test func afterACrashTheZeroTailIsTheEndAndATornBatchIsCut() async throws {
        try await Self.scratch { dirPath, path, executor in
            let config = Self.config(segmentBytes: 256 << 10)
            let log = try openLog(path, config: config, executor: executor)
            let sent = try await Self.append(log, seeds: 0..<5, count: 2, valueSize: 100)
            let end = log.sizeInBytes
            // A crash with nothing after the end: the zeros are the end, and are cut.
            try Self.snapshot(path, to: dirPath + "/crashed")
            let recovered = try openLog(dirPath + "/crashed", config: config, executor: executor)
            #expect(recovered.offsets.highWatermark == Offset(10))
            #expect(try Self.fileSize(dirPath + "/crashed" + Self.firstSegment) == end)
            let next = TestBatches.make(seed: 50, count: 1, valueSize: 100)
            #expect(try await recovered.append(next.bytes).baseOffset == Offset(10))
            #expect(try readAll(recovered).map(normalized) == (sent + [next]).map { normalized($0) })
            try recovered.close()
            // A crash in the middle of writing a batch: its first bytes are there, the rest is zeros. The torn
            // batch is cut (and the file with it); everything before it stays.
            try Self.snapshot(path, to: dirPath + "/torn")
            let torn = try FileHandle(forWritingTo: URL(fileURLWithPath: dirPath + "/torn" + Self.firstSegment))
            let partial = TestBatches.make(seed: 60, count: 4, valueSize: 100).bytes
            try torn.seek(toOffset: UInt64(end))
            try torn.write(contentsOf: Data(partial.readableBytesView.prefix(40)))
            try torn.close()
            let cut = try openLog(dirPath + "/torn", config: config, executor: executor)
            #expect(cut.offsets.highWatermark == Offset(10))
            #expect(try Self.fileSize(dirPath + "/torn" + Self.firstSegment) == end)
            #expect(try readAll(cut).map(normalized) == sent.map { normalized($0) })
            try cut.close()
            // A power loss in the middle of a group write: its first page never reached the disk, a later one did,
            // holding a whole valid batch past a stretch of zeros. Recovery ends the log at the zeros and cuts the
            // rest, so that batch can never come back when later appends end where it starts.
            try Self.snapshot(path, to: dirPath + "/stale")
            let stale = try FileHandle(forWritingTo: URL(fileURLWithPath: dirPath + "/stale" + Self.firstSegment))
            var orphan = TestBatches.make(seed: 70, count: 1, valueSize: 100).bytes
            orphan.setInteger(Int64(12), at: orphan.readerIndex)  // an offset the log could reach
            try stale.seek(toOffset: UInt64(end + 8192))
            try stale.write(contentsOf: Data(orphan.readableBytesView))
            try stale.close()
            let reopened = try openLog(dirPath + "/stale", config: config, executor: executor)
            #expect(reopened.offsets.highWatermark == Offset(10))
            #expect(try Self.fileSize(dirPath + "/stale" + Self.firstSegment) == end)
            try reopened.close()
            try log.close()
        }
    }

    @Test func theNextSegmentIsPreparedAheadAndUsedAtTheRollAndTheClosedOneIsCut() async throws {
        try await Self.scratch { dirPath, path, executor in
            let segmentBytes = 64 << 10
            let log = try openLog(path, config: Self.config(segmentBytes: segmentBytes), executor: executor)
            var sent: [RecordBatch] = []
            var seed: UInt64 = 0
            func appendOne() async throws {
                let batch = TestBatches.make(seed: seed, count: 2, valueSize: 1000)
                seed += 1
                _ = try await log.append(batch.bytes)
                sent.append(batch)
            }
            while log.sizeInBytes < Int64(segmentBytes) / 2 { try await appendOne() }
            try await appendOne()  // past half: the next segment is written now, off the writer
            let deadline = ContinuousClock.now + .seconds(30)
            while !log.nextSegmentPrepared && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(log.nextSegmentPrepared)
            #expect(try Self.fileSize(path + "/next.prealloc") == Int64(segmentBytes))
            while log.segmentCount == 1 { try await appendOne() }  // roll
            #expect(!FileManager.default.fileExists(atPath: path + "/next.prealloc"))
            #expect(try Self.fileSize(path + Self.firstSegment) < Int64(segmentBytes), "the closed segment was cut")
            let second = try FileManager.default.contentsOfDirectory(atPath: path)
                .filter { $0.hasSuffix(".log") && $0 != String(Self.firstSegment.dropFirst()) }
            #expect(second.count == 1)
            #expect(try Self.fileSize(path + "/" + second[0]) == Int64(segmentBytes), "the new one is pre-written")
            #expect(try readAll(log).map(normalized) == sent.map { normalized($0) })
            try log.close()
            // Reopened: both segments read back, nothing past the ends.
            let reopened = try openLog(path, config: Self.config(segmentBytes: segmentBytes), executor: executor)
            #expect(try readAll(reopened).map(normalized) == sent.map { normalized($0) })
            try reopened.close()
        }
    }

    @Test func turningPreallocateOffOrChangingTheSegmentSizeDropsAPreparedFile() async throws {
        try await Self.scratch { dirPath, path, executor in
            let config = Self.config(segmentBytes: 64 << 10)
            let log = try openLog(path, config: config, executor: executor)
            var seed: UInt64 = 0
            for changed in [Self.config(segmentBytes: 64 << 10 + 4096), LogConfig()] {
                repeat {  // at least one append: preparation starts from the writer
                    _ = try await log.append(TestBatches.make(seed: seed, count: 1, valueSize: 1000).bytes)
                    seed += 1
                } while log.sizeInBytes < Int64(32 << 10) + 2048
                let deadline = ContinuousClock.now + .seconds(30)
                while !log.nextSegmentPrepared && ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(log.nextSegmentPrepared)
                log.update(config: changed)
                #expect(!log.nextSegmentPrepared)
                #expect(!FileManager.default.fileExists(atPath: path + "/next.prealloc"))
                log.update(config: config)
            }
            try log.close()
        }
    }

    @Test func deletingATopicWhileItsNextSegmentIsBeingWrittenLeavesNothingBehind() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let manager = try LogManager(dataDirectory: dir.path, ioThreads: 2, logger: testLogger)
        defer { manager.close() }
        let topic = try TopicName("doomed")
        // 32 MiB segments: the next one takes about a second at the preparation's pace.
        let config = ["preallocate": "true", "segment.bytes": String(32 << 20)]
        _ = try manager.createTopic(topic, partitions: 1, config: config)
        let log = try #require(manager.partition(topic, PartitionID(0)))
        let batch = TestBatches.make(seed: 1, count: 16, valueSize: 4000)
        while log.sizeInBytes < Int64(16 << 20) + 65536 { _ = try await log.append(batch.bytes) }
        let partition = dir.path + "/logs/doomed-0"
        let deadline = ContinuousClock.now + .seconds(10)
        while !FileManager.default.fileExists(atPath: partition + "/next.prealloc") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(!log.nextSegmentPrepared, "still being written when the topic goes")
        try manager.deleteTopic(topic)
        #expect(!FileManager.default.fileExists(atPath: partition))
        _ = try manager.createTopic(topic, partitions: 1, config: ["segment.bytes": String(32 << 20)])
        try await Task.sleep(for: .milliseconds(1500))  // the old preparation has noticed by now
        #expect(try FileManager.default.contentsOfDirectory(atPath: partition).sorted() == ["00000000000000000000.log"])
    }

    @Test func theSettingIsKafkasBooleanAndShownWithTheOthers() throws {
        #expect(try LogConfig().applying(["preallocate": "true"]).preallocate)
        #expect(try !LogConfig().applying(["preallocate": "false"]).preallocate)
        #expect(LogConfig().entries["preallocate"] == "false")
        let error = #expect(throws: PlexusError.self) { try LogConfig().applying(["preallocate": "yes"]) }
        #expect(error?.code == .invalidConfig)
    }
}
