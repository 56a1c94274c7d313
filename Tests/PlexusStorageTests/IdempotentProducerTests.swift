import NIOCore
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

/// Idempotent producers: a retried batch gets its original offsets, a gap or an old epoch is refused,
/// and all of it survives a restart (clean, after a crash, and across segment rolls).
@Suite struct IdempotentProducerTests {
    static func batch(producer: Int64, epoch: Int16 = 0, sequence: Int32, count: Int = 3) -> ByteBuffer {
        let records = (0..<count).map {
            Record(offsetDelta: Int32($0), value: ByteBuffer(string: "p\(producer)-s\(sequence + Int32($0))"))
        }
        return RecordBatch.build(
            records: records,
            baseTimestamp: 1_700_000_000_000,
            producerId: producer,
            producerEpoch: epoch,
            baseSequence: sequence
        ).bytes
    }

    @Test func aRetriedBatchGetsItsOriginalOffsetsAndIsStoredOnce() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, executor: executor)
        let first = try await log.append(Self.batch(producer: 7, sequence: 0))
        let second = try await log.append(Self.batch(producer: 7, sequence: 3))
        let retry = try await log.append(Self.batch(producer: 7, sequence: 0))
        #expect(retry.baseOffset == first.baseOffset && retry.lastOffset == first.lastOffset)
        #expect(second.baseOffset == Offset(3))
        #expect(log.offsets.highWatermark == Offset(6))
        #expect(try readAll(log).count == 2)
        try log.close()
    }

    @Test func concurrentRetriesOfAnInFlightBatchAreAnsweredOnceItIsDurable() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 2)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, executor: executor)
        let results = try await withThrowingTaskGroup(of: AppendResult.self) { group in
            for _ in 0..<8 { group.addTask { try await log.append(Self.batch(producer: 9, sequence: 0)) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(results.map(\.baseOffset)) == [Offset(0)])
        #expect(log.offsets.highWatermark == Offset(3))
        try log.close()
    }

    @Test func aGapOrAnOldEpochIsRefusedAndANewEpochStartsAtZero() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, executor: executor)
        _ = try await log.append(Self.batch(producer: 5, epoch: 1, sequence: 0))
        let gap = await #expect(throws: PlexusError.self) {
            try await log.append(Self.batch(producer: 5, epoch: 1, sequence: 10))
        }
        #expect(gap?.code == .outOfOrderSequence)
        #expect(gap?.code.kafkaErrorCode == 45)
        let old = await #expect(throws: PlexusError.self) {
            try await log.append(Self.batch(producer: 5, epoch: 0, sequence: 3))
        }
        #expect(old?.code == .invalidProducerEpoch)
        let badStart = await #expect(throws: PlexusError.self) {
            try await log.append(Self.batch(producer: 5, epoch: 2, sequence: 3))
        }
        #expect(badStart?.code == .outOfOrderSequence)
        _ = try await log.append(Self.batch(producer: 5, epoch: 2, sequence: 0))
        _ = try await log.append(Self.batch(producer: 6, sequence: 0))  // producers are independent
        #expect(log.offsets.highWatermark == Offset(9))
        try log.close()
    }

    @Test func sequenceNumbersWrapPastInt32Max() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, executor: executor)
        _ = try await log.append(Self.batch(producer: 3, sequence: Int32.max - 1, count: 2))  // max-1, max
        _ = try await log.append(Self.batch(producer: 3, sequence: 0))  // wraps to 0
        #expect(log.offsets.highWatermark == Offset(5))
        try log.close()
    }

    @Test(arguments: ["clean", "crash", "rolled"])
    func producerStateSurvivesARestart(how: String) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let config = smallConfig(segmentBytes: how == "rolled" ? 300 : 1 << 20)
        var log: PartitionLog? = try openLog(dir.path, config: config, executor: executor)
        var offsets: [Int32: AppendResult] = [:]
        for sequence in stride(from: Int32(0), to: 30, by: 3) {
            offsets[sequence] = try await log!.append(Self.batch(producer: 11, sequence: sequence))
        }
        if how == "rolled" { #expect(log!.segmentCount > 2) }
        if how != "crash" { try log!.close() }
        log = nil
        let reopened = try openLog(dir.path, config: config, executor: executor)
        let retry = try await reopened.append(Self.batch(producer: 11, sequence: 27))
        #expect(retry.baseOffset == offsets[27]?.baseOffset)
        let gap = await #expect(throws: PlexusError.self) {
            try await reopened.append(Self.batch(producer: 11, sequence: 40))
        }
        #expect(gap?.code == .outOfOrderSequence)
        let next = try await reopened.append(Self.batch(producer: 11, sequence: 30))
        #expect(next.baseOffset == Offset(30))
        try reopened.close()
    }
}
