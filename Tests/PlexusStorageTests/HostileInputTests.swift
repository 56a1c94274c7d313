import Foundation
import NIOCore
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

/// Bytes from producers and from damaged files must never trap the process.
@Suite struct HostileInputTests {
    @Test func anOverflowingRecordTimestampDeltaDoesNotTrapLookups() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, executor: executor)
        var bytes = RecordBatch.build(
            records: [Record(offsetDelta: 0, timestampDelta: Int64.max, value: ByteBuffer(string: "x"))],
            baseTimestamp: 0
        ).bytes
        bytes.setInteger(Int64(1), at: 27)
        bytes.setInteger(Int64(100), at: 35)
        bytes.setInteger(RecordBatch.computeCRC(of: bytes, at: 0, size: bytes.readableBytes), at: 17)
        _ = try await log.append(bytes)
        #expect(try log.offset(forTimestamp: 50) == Offset(0))  // the batch's max says 100: answered, no trap
        #expect(try log.readRecords(from: Offset(0), maxBytes: 1 << 20).first?.timestamp == Timestamp.none)
        try log.close()
    }

    @Test func aSegmentWithAnAbsurdBaseOffsetIsCutNotATrap() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        var good = TestBatches.make(seed: 1).bytes
        var bad = TestBatches.make(seed: 2).bytes
        bad.setInteger(Int64.max - 1, at: 0)  // outside the CRC, so the CRC still matches
        good.writeBuffer(&bad)
        try Data(good.readableBytesView).write(to: URL(fileURLWithPath: dir.path + "/00000000000000000000.log"))
        let log = try openLog(dir.path, executor: executor)
        #expect(log.offsets.highWatermark == Offset(3))
        try log.close()
    }

    @Test func aDamagedIndexHeaderIsRebuiltInsteadOfTrusted() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let clock = ManualClock()
        var config = smallConfig(segmentBytes: 1000)
        config.retentionMs = 3_600_000
        let log = try openLog(dir.path, config: config, executor: executor, clock: clock)
        for seed in 0..<10 {
            _ = try await log.append(TestBatches.make(seed: UInt64(seed), timestamp: clock.milliseconds).bytes)
        }
        try log.close()
        let index = URL(fileURLWithPath: dir.path + "/00000000000000000000.index")
        var bytes = try Data(contentsOf: index)
        for i in 24..<32 { bytes[i] = 0 }  // maxTimestamp in the header
        try bytes.write(to: index)
        let reopened = try openLog(dir.path, config: config, executor: executor, clock: clock)
        #expect(try reopened.enforceRetention() == 0, "fresh data must not be deleted")
        #expect(reopened.offsets.logStart == Offset(0))
        try reopened.close()
    }

    @Test func randomGarbageSegmentFilesOpenWithoutTrapping() throws {
        var generator = SystemRandomNumberGenerator()
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        for round in 0..<50 {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            var bytes = Array(TestBatches.make(seed: UInt64(round)).bytes.readableBytesView)
            bytes += (0..<Int.random(in: 0...300, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            try Data(bytes).write(to: URL(fileURLWithPath: dir.path + "/00000000000000000000.log"))
            let log = try openLog(dir.path, executor: executor)
            #expect(log.offsets.highWatermark.rawValue >= 3)
            _ = try readAll(log)
            try log.close()
        }
    }
}
