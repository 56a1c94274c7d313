import Foundation
import NIOCore
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

@Suite struct PartitionLogTests {
    @Test func appendAssignsContiguousOffsetsAndReadsReturnTheBytesAsStored() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 2)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, executor: executor)
        var sent: [RecordBatch] = []
        for seed in 0..<20 {
            let batch = TestBatches.make(seed: UInt64(seed), count: seed % 5 + 1)
            let result = try await log.append(batch.bytes)
            #expect(result.baseOffset.rawValue == Int64(sent.reduce(0) { $0 + Int($1.header.recordsCount) }))
            #expect(result.lastOffset.rawValue == result.baseOffset.rawValue + Int64(seed % 5))
            #expect(result.logAppendTime == .none)
            sent.append(batch)
        }
        let stored = try readAll(log)
        #expect(stored.count == 20)
        #expect(stored.map(normalized) == sent.map { Array($0.bytes.readableBytesView) })
        #expect(stored.first?.header.partitionLeaderEpoch == 0)
        try log.close()
    }

    @Test func corruptBatchIsRejectedAndNothingIsWritten() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, executor: executor)
        var bad = TestBatches.make(seed: 1).bytes
        bad.setInteger(UInt8(0xFF), at: bad.writerIndex - 1)
        await #expect(throws: PlexusError.self) { try await log.append(bad) }
        let truncated = TestBatches.make(seed: 1).bytes.getSlice(at: 0, length: 40)!
        let error = await #expect(throws: PlexusError.self) { try await log.append(truncated) }
        #expect(error?.code == .corruptMessage)
        #expect(log.offsets.highWatermark == Offset(0))
        #expect(log.sizeInBytes == 0)
        _ = try await log.append(TestBatches.make(seed: 2).bytes)
        #expect(log.offsets.highWatermark == Offset(3))
        try log.close()
    }

    @Test func workAfterTheStorageThreadsStoppedStillCompletesInsteadOfHanging() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        let log = try openLog(dir.path, executor: executor)
        executor.shutdown()
        let result = try await log.append(TestBatches.make(seed: 1).bytes)
        #expect(result.baseOffset == Offset(0))
        try log.close()  // would wait forever if queued jobs were never run
        let closed = await #expect(throws: PlexusError.self) { try await log.append(TestBatches.make(seed: 2).bytes) }
        #expect(closed?.code == .shuttingDown)
    }

    @Test func batchesAboveMaxMessageBytesAreRejectedWhicheverWayTheyArrive() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        var config = LogConfig()
        config.maxMessageBytes = 200
        let log = try openLog(dir.path, config: config, executor: executor)
        let big = TestBatches.make(seed: 1, count: 4, valueSize: 100)
        let fromBytes = await #expect(throws: PlexusError.self) { try await log.append(big.bytes) }
        #expect(fromBytes?.code == .messageTooLarge)
        let fromBatch = await withCheckedContinuation { continuation in
            log.append(big) { continuation.resume(returning: $0) }
        }
        if case .failure(let error) = fromBatch {
            #expect(error.code == .messageTooLarge)
        } else {
            Issue.record("accepted")
        }
        #expect(log.sizeInBytes == 0)
        try log.close()
    }

    @Test func concurrentAppendersShareSyncsAndEveryOffsetIsUnique() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 2)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, config: smallConfig(segmentBytes: 64 * 1024), executor: executor)
        let results = try await withThrowingTaskGroup(of: [AppendResult].self) { group in
            for appender in 0..<16 {
                group.addTask {
                    var mine: [AppendResult] = []
                    for i in 0..<25 {
                        mine.append(
                            try await log.append(TestBatches.make(seed: UInt64(appender * 1000 + i), count: 2).bytes)
                        )
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let bases = results.map(\.baseOffset.rawValue).sorted()
        #expect(bases == stride(from: 0, to: 800, by: 2).map { Int64($0) })
        #expect(log.offsets.highWatermark == Offset(800))
        #expect(log.segmentCount > 1)
        let stored = try readAll(log)
        #expect(stored.count == 400)
        #expect(Set(try stored.map { try TestBatches.seed(of: $0)! }).count == 400)
        try log.close()
    }

    @Test func readsStartAtTheBatchHoldingTheOffsetAndRespectMaxBytes() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try openLog(
            dir.path,
            config: smallConfig(segmentBytes: 1 << 20, indexInterval: 300),
            executor: executor
        )
        for seed in 10..<60 { _ = try await log.append(TestBatches.make(seed: UInt64(seed), count: 4).bytes) }
        let batchSize = TestBatches.make(seed: 10, count: 4).bytes.readableBytes
        for target in [0, 1, 3, 4, 77, 150, 199] {
            let result = try log.read(from: Offset(Int64(target)), maxBytes: batchSize * 3)
            let slice = try #require(result.slice)
            #expect(slice.firstOffset.rawValue == Int64(target / 4 * 4))
            #expect(slice.length % batchSize == 0)
            #expect(slice.length <= batchSize * 3)
            #expect(result.highWatermark == Offset(200))
        }
        // At least one whole batch even when maxBytes is smaller.
        #expect(try log.read(from: Offset(10), maxBytes: 1).slice?.length == batchSize)
        // At the end: no data; beyond it or before the start: out of range.
        #expect(try log.read(from: Offset(200), maxBytes: 100).slice == nil)
        let error = #expect(throws: PlexusError.self) { try log.read(from: Offset(201), maxBytes: 100) }
        #expect(error?.code == .offsetOutOfRange)
        #expect(throws: PlexusError.self) { try log.read(from: Offset(-1), maxBytes: 100) }
        try log.close()
    }

    @Test func timestampLookupFindsTheFirstRecordAtOrAfterTheTime() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, config: smallConfig(segmentBytes: 2048, indexInterval: 200), executor: executor)
        // Batch i holds records with timestamps 1000*i + 0...2, at offsets 3i...3i+2.
        for i in 0..<60 {
            _ = try await log.append(TestBatches.make(seed: UInt64(i), count: 3, timestamp: Int64(1000 * i)).bytes)
        }
        #expect(log.segmentCount > 3)
        #expect(try log.offset(forTimestamp: 0) == Offset(0))
        #expect(try log.offset(forTimestamp: -5) == Offset(0))
        #expect(try log.offset(forTimestamp: 1) == Offset(1))
        #expect(try log.offset(forTimestamp: 3) == Offset(3))
        #expect(try log.offset(forTimestamp: 25_001) == Offset(76))
        #expect(try log.offset(forTimestamp: 59_002) == Offset(179))
        #expect(try log.offset(forTimestamp: 59_003) == nil)
        try log.close()
        // The same answers after reopening from the persisted time indexes.
        let reopened = try openLog(
            dir.path,
            config: smallConfig(segmentBytes: 2048, indexInterval: 200),
            executor: executor
        )
        #expect(try reopened.offset(forTimestamp: 25_001) == Offset(76))
        #expect(try reopened.offset(forTimestamp: 41_500) == Offset(126))
        try reopened.close()
    }

    @Test func segmentsRollBySizeAndByAge() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let clock = ManualClock()
        var config = smallConfig(segmentBytes: 1000)
        config.segmentMs = 60_000
        let log = try openLog(dir.path, config: config, executor: executor, clock: clock)
        let size = TestBatches.make(seed: 0).bytes.readableBytes
        for seed in 0..<10 { _ = try await log.append(TestBatches.make(seed: UInt64(seed)).bytes) }
        let perSegment = 1000 / size
        #expect(log.segmentCount == (10 + perSegment - 1) / perSegment)
        let before = log.segmentCount
        clock.advance(by: 60_001)
        _ = try await log.append(TestBatches.make(seed: 99).bytes)
        #expect(log.segmentCount == before + 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files.contains("00000000000000000000.log"))
        #expect(files.contains("00000000000000000000.index") && files.contains("00000000000000000000.timeindex"))
        try log.close()
    }

    @Test func retentionByBytesDeletesOldestSegmentsAndAdvancesTheStart() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        var config = smallConfig(segmentBytes: 1000)
        config.retentionMs = -1
        config.retentionBytes = 2500
        let log = try openLog(dir.path, config: config, executor: executor)
        for seed in 0..<40 { _ = try await log.append(TestBatches.make(seed: UInt64(seed)).bytes) }
        let segmentsBefore = log.segmentCount
        let deleted = try log.enforceRetention()
        #expect(deleted > 0)
        #expect(log.segmentCount == segmentsBefore - deleted)
        #expect(log.sizeInBytes >= 2500 - 1000)
        let start = log.offsets.logStart
        #expect(start.rawValue > 0)
        #expect(try readAll(log).first?.header.baseOffset == start.rawValue)
        let error = #expect(throws: PlexusError.self) { try log.read(from: Offset(0), maxBytes: 100) }
        #expect(error?.code == .offsetOutOfRange)
        try log.close()
        let reopened = try openLog(dir.path, config: config, executor: executor)
        #expect(reopened.offsets.logStart == start)
        #expect(reopened.offsets.highWatermark == Offset(120))
        try reopened.close()
    }

    @Test func retentionKeepsEverySegmentFromTheFloorOnWhateverItsSize() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        var config = smallConfig(segmentBytes: 1000)
        config.retentionMs = -1
        config.retentionBytes = 0  // by size alone every closed segment would go
        let log = try openLog(dir.path, config: config, executor: executor)
        for seed in 0..<40 { _ = try await log.append(TestBatches.make(seed: UInt64(seed)).bytes) }
        // A queue or subscription still needs offset 50: the segment holding it and all later ones stay.
        try log.enforceRetention(floor: Offset(50))
        let start = log.offsets.logStart.rawValue
        #expect(start > 0 && start <= 50, "segments wholly before the floor go, the one holding it stays")
        #expect(try log.readRecords(from: Offset(50), maxBytes: 100).first?.offset == Offset(50))
        // A floor at the start keeps everything.
        let before = log.segmentCount
        try log.enforceRetention(floor: log.offsets.logStart)
        #expect(log.segmentCount == before)
        // Once settled (no floor), size retention applies again.
        try log.enforceRetention()
        #expect(log.offsets.logStart.rawValue > 50)
        try log.close()
    }

    @Test func retentionByTimeDeletesExpiredSegmentsIncludingAnExpiredActiveOne() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let clock = ManualClock()
        var config = smallConfig(segmentBytes: 1000)
        config.retentionMs = 10_000
        let log = try openLog(dir.path, config: config, executor: executor, clock: clock)
        let now = clock.milliseconds
        for seed in 0..<10 {
            _ = try await log.append(TestBatches.make(seed: UInt64(seed), timestamp: now - 20_000).bytes)
        }
        for seed in 10..<12 { _ = try await log.append(TestBatches.make(seed: UInt64(seed), timestamp: now).bytes) }
        try log.enforceRetention()
        let kept = try readAll(log)
        #expect(kept.allSatisfy { $0.header.maxTimestamp >= now - 20_000 })
        #expect(kept.contains { $0.header.maxTimestamp >= now })
        clock.advance(by: 30_000)
        try log.enforceRetention()
        #expect(try readAll(log).isEmpty)
        #expect(log.offsets.logStart == Offset(36))
        #expect(log.offsets.highWatermark == Offset(36))
        _ = try await log.append(TestBatches.make(seed: 50, timestamp: clock.milliseconds).bytes)
        #expect(log.offsets.highWatermark == Offset(39))
        try log.close()
    }

    @Test func logAppendTimeStampsTheBrokerTime() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let clock = ManualClock()
        var config = LogConfig()
        config.timestampType = "LogAppendTime"
        let log = try openLog(dir.path, config: config, executor: executor, clock: clock)
        let result = try await log.append(TestBatches.make(seed: 1, timestamp: 5).bytes)
        #expect(result.logAppendTime.milliseconds == clock.milliseconds)
        let stored = try #require(try readAll(log).first)
        #expect(stored.header.isLogAppendTime)
        #expect(stored.header.maxTimestamp == clock.milliseconds)
        _ = try RecordBatch(validating: stored.bytes)  // CRC was recomputed
        try log.close()
    }

    @Test func appendsAfterCloseFailWithShuttingDown() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, executor: executor)
        try log.close()
        let error = await #expect(throws: PlexusError.self) { try await log.append(TestBatches.make(seed: 1).bytes) }
        #expect(error?.code == .shuttingDown)
    }

    @Test(arguments: [FlushPolicy.none, .interval(milliseconds: 5)])
    func nonDurablePoliciesAcknowledgeAndSurviveACleanClose(policy: FlushPolicy) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, flush: policy, executor: executor)
        for seed in 0..<30 { _ = try await log.append(TestBatches.make(seed: UInt64(seed)).bytes) }
        try log.flush()
        try log.close()
        let reopened = try openLog(dir.path, executor: executor)
        #expect(reopened.offsets.highWatermark == Offset(90))
        try reopened.close()
    }
}

struct RealClientBatchStorageTests {
    @Test func batchesFromRealClientsAreStoredAndServedByteForByte() async throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/recordbatch")
        let names = try FileManager.default.contentsOfDirectory(atPath: fixtures.path).filter { $0.hasSuffix(".bin") }
            .sorted()
        #expect(names.count >= 7)
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, executor: executor)
        var sent: [[UInt8]] = []
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(name)))
            _ = try await log.append(ByteBuffer(bytes: bytes))
            sent.append(bytes)
        }
        let stored = try readAll(log)
        #expect(stored.count == sent.count)
        for (batch, original) in zip(stored, sent) {
            var expected = ByteBuffer(bytes: original)
            expected.setInteger(batch.header.baseOffset, at: 0)  // only the offset and epoch change
            expected.setInteger(Int32(0), at: 12)
            #expect(Array(batch.bytes.readableBytesView) == Array(expected.readableBytesView))
            _ = try RecordBatch(validating: batch.bytes)
        }
        try log.close()
    }
}

struct DecodedReadTests {
    @Test func readRecordsReturnsAbsoluteOffsetsAndTimestampsFromTheOffsetAskedFor() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, executor: executor)
        for seed in 0..<4 {
            _ = try await log.append(TestBatches.make(seed: UInt64(seed), count: 3, timestamp: Int64(100 * seed)).bytes)
        }
        let records = try log.readRecords(from: Offset(4), maxBytes: 1 << 20)
        #expect(records.map(\.offset.rawValue) == Array(4...11))
        #expect(records.first?.timestamp.milliseconds == 101)
        #expect(records.first.flatMap { $0.record.key.map { String(buffer: $0) } } == "k1-1")
        try log.close()
    }
}
