import NIOCore
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

/// Producers' compressed batches are stored as they are, so a damaged one can sit in a log; followers
/// (subscriptions, queues, reply waiters) read with `readRecordsSkipping` and must never stall on it.
@Suite struct UndecodableBatchTests {
    private func records(_ deltas: [Int32]) -> [Record] {
        deltas.map {
            Record(offsetDelta: $0, timestampDelta: 0, key: nil, value: ByteBuffer(string: "v\($0)"), headers: [])
        }
    }

    /// Rewrites the header's `lastOffsetDelta` and fixes the CRC, as a hostile producer could.
    private func withLastOffsetDelta(_ batch: RecordBatch, _ delta: Int32) -> ByteBuffer {
        var bytes = batch.bytes
        bytes.setInteger(delta, at: bytes.readerIndex + 23)
        bytes.setInteger(
            RecordBatch.computeCRC(of: bytes, at: bytes.readerIndex, size: bytes.readableBytes),
            at: bytes.readerIndex + 17
        )
        return bytes
    }

    @Test func recordsOutsideTheirBatchsOffsetRangeAreDropped() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, executor: executor)
        // Inner deltas 0 and 3000 under a header that says the batch ends at delta 1.
        let bogus = try RecordBatch.build(records: records([0, 3000]), compression: .gzip, baseTimestamp: 1)
        _ = try await log.append(withLastOffsetDelta(bogus, 1))
        _ = try await log.append(TestBatches.make(seed: 7, count: 2).bytes)
        let read = try log.readRecordsSkipping(from: Offset(0), maxBytes: 1 << 20)
        #expect(read.records.map(\.offset.rawValue) == [0, 2, 3], "offset 3000 lies outside its batch (0...1)")
        #expect(read.next == Offset(4))
        #expect(read.skipped.isEmpty)
        try log.close()
    }

    @Test func aBatchWhoseRecordsCannotBeDecodedIsPassedOverAndReported() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try openLog(dir.path, executor: executor)
        _ = try await log.append(TestBatches.make(seed: 1, count: 2).bytes)
        // A gzip batch whose compressed bytes are garbage (the CRC made right again).
        let good = try RecordBatch.build(records: records([0, 1, 2]), compression: .gzip, baseTimestamp: 1)
        var bytes = good.bytes
        for i in 61..<bytes.readableBytes {
            bytes.setInteger(UInt8(truncatingIfNeeded: i &* 31), at: bytes.readerIndex + i)
        }
        bytes.setInteger(
            RecordBatch.computeCRC(of: bytes, at: bytes.readerIndex, size: bytes.readableBytes),
            at: bytes.readerIndex + 17
        )
        _ = try await log.append(bytes)
        _ = try await log.append(TestBatches.make(seed: 2, count: 2).bytes)
        #expect(throws: (any Error).self) { try log.readRecordsAndNext(from: Offset(0), maxBytes: 1 << 20) }
        let read = try log.readRecordsSkipping(from: Offset(0), maxBytes: 1 << 20)
        #expect(read.records.map(\.offset.rawValue) == [0, 1, 5, 6])
        #expect(read.next == Offset(7))
        #expect(read.skipped.count == 1)
        #expect(read.skipped.first?.baseOffset == Offset(2))
        #expect(read.skipped.first?.lastOffset == Offset(4))
        try log.close()
    }
}
