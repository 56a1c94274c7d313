import Foundation
import NIOCore
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

@Suite struct RecoveryTests {
    /// Writes `count` batches into a fresh log and returns the segment file's bytes and batch sizes.
    static func makeLog(in path: String, count: Int, executor: StorageExecutor, close: Bool) async throws -> (
        bytes: Data, sizes: [Int]
    ) {
        let log = try openLog(path, config: smallConfig(segmentBytes: 1 << 20, indexInterval: 100), executor: executor)
        var sizes: [Int] = []
        for seed in 0..<count {
            let batch = TestBatches.make(seed: UInt64(seed), count: 3)
            sizes.append(batch.bytes.readableBytes)
            _ = try await log.append(batch.bytes)
        }
        if close { try log.close() }
        return (try Data(contentsOf: URL(fileURLWithPath: path + "/00000000000000000000.log")), sizes)
    }

    @Test(arguments: [false, true])
    func lastBatchTruncatedAtEveryByteIsCutAndEverythingBeforeSurvives(withIndexFiles: Bool) async throws {
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let source = TemporaryDirectory()
        defer { source.remove() }
        let (bytes, sizes) = try await Self.makeLog(
            in: source.path,
            count: 6,
            executor: executor,
            close: withIndexFiles
        )
        let keep = bytes.count - sizes.last!
        for cut in keep..<bytes.count {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: dir.path + "/00000000000000000000.log"))
            if withIndexFiles {  // indexes that cover more than the file now holds are stale
                for ext in ["index", "timeindex"] {
                    try FileManager.default.copyItem(
                        atPath: source.path + "/00000000000000000000.\(ext)",
                        toPath: dir.path + "/00000000000000000000.\(ext)"
                    )
                }
            }
            let log = try openLog(dir.path, executor: executor)
            #expect(log.offsets.highWatermark == Offset(15), "cut at \(cut)")
            #expect(log.sizeInBytes == Int64(keep))
            let size =
                try FileManager.default.attributesOfItem(atPath: dir.path + "/00000000000000000000.log")[.size] as? Int
            #expect(size == keep, "the torn tail is removed from the file")
            #expect(try readAll(log).count == 5)
            // The log keeps working after recovery.
            let next = try await log.append(TestBatches.make(seed: 100).bytes)
            #expect(next.baseOffset == Offset(15))
            try log.close()
        }
    }

    @Test func garbledBytesCutTheLogAtTheFirstBadBatch() async throws {
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let source = TemporaryDirectory()
        defer { source.remove() }
        let (bytes, sizes) = try await Self.makeLog(in: source.path, count: 10, executor: executor, close: false)
        var generator = SystemRandomNumberGenerator()
        for victim in [9, 6, 0] {
            let start = sizes.prefix(victim).reduce(0, +)
            for _ in 0..<8 {
                var garbled = bytes
                // Bytes 0..<8 (baseOffset) are outside the CRC; the scan cannot tell a changed offset.
                let at = start + Int.random(in: 8..<sizes[victim], using: &generator)
                garbled[at] ^= UInt8.random(in: 1...255, using: &generator)
                let dir = TemporaryDirectory()
                defer { dir.remove() }
                try garbled.write(to: URL(fileURLWithPath: dir.path + "/00000000000000000000.log"))
                let log = try openLog(dir.path, executor: executor)
                // The batch is cut unless the flip only hit the base offset / epoch (outside the CRC) in
                // a way that keeps offsets in order — then it must still be a valid batch.
                let stored = try readAll(log)
                #expect(stored.count == victim || stored.count == 10, "victim \(victim), byte \(at - start)")
                for (i, batch) in stored.enumerated() where i < victim {
                    #expect(
                        normalized(batch) == Array(TestBatches.make(seed: UInt64(i), count: 3).bytes.readableBytesView)
                    )
                }
                try log.close()
            }
        }
    }

    @Test func missingOrDamagedIndexesOfClosedSegmentsAreRebuilt() async throws {
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let config = smallConfig(segmentBytes: 1500, indexInterval: 100)
        let log = try openLog(dir.path, config: config, executor: executor)
        for seed in 0..<40 {
            _ = try await log.append(TestBatches.make(seed: UInt64(seed), count: 2, timestamp: Int64(seed) * 10).bytes)
        }
        try log.close()
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        let indexes = files.filter { $0.hasSuffix(".index") }
        #expect(indexes.count >= 3)
        try FileManager.default.removeItem(atPath: dir.path + "/" + indexes[0])  // missing
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: dir.path + "/" + indexes[1]))  // damaged
        let timeindex = indexes[2].replacingOccurrences(of: ".index", with: ".timeindex")
        var time = try Data(contentsOf: URL(fileURLWithPath: dir.path + "/" + timeindex))
        time[time.count - 1] ^= 0xFF  // CRC no longer matches
        try time.write(to: URL(fileURLWithPath: dir.path + "/" + timeindex))
        try Data().write(to: URL(fileURLWithPath: dir.path + "/00000000000000000999.index"))  // orphan
        try Data().write(to: URL(fileURLWithPath: dir.path + "/00000000000000000000.index.tmp"))  // leftover temp
        let reopened = try openLog(dir.path, config: config, executor: executor)
        #expect(reopened.offsets.highWatermark == Offset(80))
        #expect(try readAll(reopened).count == 40)
        for target in stride(from: 0, to: 80, by: 7) {
            #expect(
                try reopened.read(from: Offset(Int64(target)), maxBytes: 1).slice?.firstOffset
                    == Offset(Int64(target / 2 * 2))
            )
        }
        #expect(try reopened.offset(forTimestamp: 205) == Offset(42))
        let after = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(!after.contains("00000000000000000999.index"))
        #expect(!after.contains { $0.hasSuffix(".tmp") })
        #expect(after.contains(indexes[0]), "the missing index was written again")
        try reopened.close()
    }

    @Test func cleanCloseWritesIndexesSoReopenNeedsNoScanAndAppendsContinue() async throws {
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let log = try openLog(dir.path, executor: executor)
        for seed in 0..<10 { _ = try await log.append(TestBatches.make(seed: UInt64(seed)).bytes) }
        try log.close()
        #expect(FileManager.default.fileExists(atPath: dir.path + "/00000000000000000000.index"))
        for round in 1...3 {
            let again = try openLog(dir.path, executor: executor)
            #expect(again.offsets.highWatermark == Offset(Int64(30 * round)))
            for seed in 0..<10 { _ = try await again.append(TestBatches.make(seed: UInt64(seed)).bytes) }
            // The index on disk is now stale (covers less than the file): the next open scans the rest.
            try again.close()
        }
        let last = try openLog(dir.path, executor: executor)
        #expect(try readAll(last).count == 40)
        try last.close()
    }
}
