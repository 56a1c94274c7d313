import Logging
import NIOConcurrencyHelpers
import NIOCore
import PlexusBroker
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

private let quietLogger: Logger = {
    var logger = Logger(label: "plexus.test")
    logger.logLevel = .critical
    return logger
}()

@Suite struct BrokerTests {
    static func withBroker(autoCreate: Bool = true, _ body: (Broker) async throws -> Void) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let logs = try LogManager(dataDirectory: dir.path, ioThreads: 2, logger: quietLogger)
        defer { logs.close() }
        try await body(Broker(logs: logs, autoCreateTopics: autoCreate, defaultPartitions: 3))
    }

    @Test func produceAutoCreatesTheTopicWithTheDefaultPartitionCount() async throws {
        try await Self.withBroker { broker in
            let topic = try TopicName("auto")
            let result = try await broker.produce(
                topic: topic,
                partition: PartitionID(2),
                batch: TestBatches.make(seed: 1).bytes
            )
            #expect(result.baseOffset == Offset(0))
            #expect(broker.logs.topic(topic)?.partitionCount == 3)
        }
    }

    @Test func produceToAMissingTopicFailsWhenAutoCreationIsOff() async throws {
        try await Self.withBroker(autoCreate: false) { broker in
            let error = await #expect(throws: PlexusError.self) {
                try await broker.produce(
                    topic: try TopicName("none"),
                    partition: PartitionID(0),
                    batch: TestBatches.make(seed: 1).bytes
                )
            }
            #expect(error?.code == .unknownTopicOrPartition)
        }
    }

    @Test func clientBatchRulesAreEnforced() throws {
        func code(_ mutate: (inout ByteBuffer) -> Void) -> PlexusError.Code? {
            var bytes = TestBatches.make(seed: 1).bytes
            mutate(&bytes)
            // Recompute the CRC so only the rule under test is broken.
            bytes.setInteger(RecordBatch.computeCRC(of: bytes, at: 0, size: bytes.readableBytes), at: 17)
            do {
                _ = try Broker.validateClientBatch(bytes, maxBatchSize: 1 << 20)
                return nil
            } catch { return error.code }
        }
        #expect(code { _ in } == nil)
        #expect(code { $0.setInteger(Int64(5), at: 0) } == .invalidRecord)  // baseOffset
        #expect(code { $0.setInteger(Int32(7), at: 23) } == .invalidRecord)  // lastOffsetDelta vs count
        #expect(code { $0.setInteger(Int16(0x20), at: 21) } == .invalidRecord)  // control batch
        #expect(code { $0.setInteger(Int16(0x08), at: 21) } == .invalidRecord)  // LogAppendTime
        #expect(throws: PlexusError.self) {
            try Broker.validateClientBatch(TestBatches.make(seed: 1).bytes, maxBatchSize: 64)
        }
    }

    @Test func aLongPollWakesOnAppendAndTimesOutWithoutOne() async throws {
        try await Self.withBroker { broker in
            let topic = try TopicName("waits")
            _ = try await broker.topic(topic, create: true)
            let log = try broker.partition(topic, PartitionID(0))
            // Nothing arrives: times out.
            #expect(await broker.waitForData([(log, Offset(0))], timeout: .milliseconds(50)) == false)
            // Data arrives while waiting: wakes before the (long) timeout.
            async let woke = broker.waitForData([(log, Offset(0))], timeout: .seconds(60))
            try await Task.sleep(for: .milliseconds(20))
            _ = try await broker.produce(
                topic: topic,
                partition: PartitionID(0),
                batch: TestBatches.make(seed: 1).bytes
            )
            #expect(await woke == true)
            // Data already there: returns at once.
            #expect(await broker.waitForData([(log, Offset(0))], timeout: .seconds(60)) == true)
        }
    }
}

@Suite struct PartitionWaiterTests {
    @Test func waitersFireOnceWhenTheHighWatermarkPassesTheirOffsetAndCanBeCancelled() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let executor = StorageExecutor(threadCount: 1)
        defer { executor.shutdown() }
        let log = try PartitionLog(
            directory: dir.path,
            config: LogConfig(),
            flushPolicy: .always,
            executor: executor,
            logger: quietLogger
        )
        let fired = Counter()
        let atThree = try #require(try log.whenData(beyond: Offset(3)) { fired.add(3) })
        let atZero = try #require(try log.whenData(beyond: Offset(0)) { fired.add(0) })
        let cancelled = try #require(try log.whenData(beyond: Offset(0)) { fired.add(100) })
        #expect(log.cancelWaiter(cancelled))
        _ = try await log.append(TestBatches.make(seed: 1).bytes)  // offsets 0...2
        #expect(fired.values == [0])
        _ = try await log.append(TestBatches.make(seed: 2).bytes)  // 3...5
        #expect(fired.values == [0, 3])
        #expect(!log.cancelWaiter(atThree) && !log.cancelWaiter(atZero))
        #expect(try log.whenData(beyond: Offset(1)) { fired.add(1) } == nil)  // already there: called now
        #expect(fired.values == [0, 3, 1])
        _ = try #require(try log.whenData(beyond: Offset(6)) { fired.add(6) })
        try log.close()  // closing ends long polls
        #expect(fired.values == [0, 3, 1, 6])
    }
}

final class Counter: Sendable {
    private let box = NIOLockedValueBox<[Int]>([])
    func add(_ value: Int) { box.withLockedValue { $0.append(value) } }
    var values: [Int] { box.withLockedValue { $0 } }
}

/// Produce refuses batches whose records would break every reader, as Kafka's log validator does.
@Suite struct ProducedRecordStructureTests {
    static func record(_ delta: Int32) -> Record {
        Record(offsetDelta: delta, timestampDelta: 0, key: nil, value: ByteBuffer(string: "v\(delta)"), headers: [])
    }

    @Test func recordsWhoseOffsetDeltasAreNotTheirPositionsAreRefused() throws {
        let good = RecordBatch.build(records: [Self.record(0), Self.record(1)], baseTimestamp: 1)
        _ = try Broker.validateClientBatch(good.bytes, maxBatchSize: 1 << 20)
        // The header is consistent (lastOffsetDelta 1, two records); the records' deltas are not 0, 1.
        let bad = RecordBatch.build(records: [Self.record(1), Self.record(0)], baseTimestamp: 1)
        let error = #expect(throws: PlexusError.self) {
            try Broker.validateClientBatch(bad.bytes, maxBatchSize: 1 << 20)
        }
        #expect(error?.code == .corruptMessage)
    }

    /// A batch with `header`'s fields (the count of `records`, compression bits of `codec`) around `section`
    /// as its records section, with a valid length and CRC — what a buggy or hostile producer could send.
    static func batch(records: Int, codec: Int16, section: ByteBuffer) -> ByteBuffer {
        var header = RecordBatch.build(
            records: (0..<Int32(records)).map(record),
            baseTimestamp: 1,
            attributes: codec
        ).header
        var buffer = ByteBuffer()
        header.batchLength = Int32(RecordBatchHeader.size - RecordBatchHeader.logOverhead + section.readableBytes)
        header.write(to: &buffer)
        buffer.writeImmutableBuffer(section)
        header.crc = RecordBatch.computeCRC(of: buffer, at: buffer.readerIndex, size: buffer.readableBytes)
        buffer.setInteger(header.crc, at: buffer.readerIndex + 17)  // the CRC field
        return buffer
    }

    @Test(arguments: [CompressionCodec.gzip, .snappy, .lz4, .zstd])
    func compressedBatchesAreCheckedRecordByRecord(_ codec: CompressionCodec) throws {
        let good = try RecordBatch.build(
            records: [Self.record(0), Self.record(1)],
            compression: codec,
            baseTimestamp: 1
        )
        _ = try Broker.validateClientBatch(good.bytes, maxBatchSize: 1 << 20)
        // Well compressed, but what it holds are records with the wrong offset deltas.
        let plain = RecordBatch.build(records: [Self.record(1), Self.record(0)], baseTimestamp: 1).bytes
        let misnumbered = try RecordCompression.compress(
            codec,
            plain.getSlice(at: RecordBatchHeader.size, length: plain.readableBytes - RecordBatchHeader.size)!
        )
        let error = #expect(throws: PlexusError.self) {
            try Broker.validateClientBatch(
                Self.batch(records: 2, codec: codec.rawValue, section: misnumbered),
                maxBatchSize: 1 << 20
            )
        }
        #expect(error?.code == .corruptMessage)
        // Bytes that are not data of the codec at all.
        let garbage = ByteBuffer(bytes: [UInt8](repeating: 0xA5, count: 64))
        let undecodable = #expect(throws: PlexusError.self) {
            try Broker.validateClientBatch(
                Self.batch(records: 2, codec: codec.rawValue, section: garbage),
                maxBatchSize: 1 << 20
            )
        }
        #expect(undecodable?.code == .corruptMessage)
    }

    @Test func aCompressedRecordsSectionThatExpandsBeyondTheLimitIsRefused() throws {
        let records = (0..<Int32(100)).map {
            Record(
                offsetDelta: $0,
                timestampDelta: 0,
                key: nil,
                value: ByteBuffer(repeating: 7, count: 1000),
                headers: []
            )
        }
        let batch = try RecordBatch.build(records: records, compression: .zstd, baseTimestamp: 1)
        try batch.validateRecordStructure()
        let error = #expect(throws: PlexusError.self) {
            try batch.validateRecordStructure(maxDecompressedBytes: 10_000)
        }
        #expect(error?.code == .corruptMessage)
    }

    @Test func anUndefinedCompressionCodecIsRefused() throws {
        let plain = RecordBatch.build(records: [Self.record(0)], baseTimestamp: 1).bytes
        let section = plain.getSlice(at: RecordBatchHeader.size, length: plain.readableBytes - RecordBatchHeader.size)!
        let error = #expect(throws: PlexusError.self) {
            try Broker.validateClientBatch(Self.batch(records: 1, codec: 5, section: section), maxBatchSize: 1 << 20)
        }
        #expect(error?.code == .corruptMessage)  // framing validation's answer, before any record is looked at
    }

    @Test func aRecordBodyThatDoesNotParseIsRefusedEvenWithAValidCRC() throws {
        var bytes = RecordBatch.build(records: [Self.record(0)], baseTimestamp: 1).bytes
        // Replace the record's bytes with 0xFF (a varint that never ends) and recompute the CRC.
        let start = bytes.readerIndex + RecordBatchHeader.size
        for i in start..<bytes.writerIndex { bytes.setInteger(UInt8(0xFF), at: i) }
        let crc = RecordBatch.computeCRC(of: bytes, at: bytes.readerIndex, size: bytes.readableBytes)
        bytes.setInteger(crc, at: bytes.readerIndex + 17)  // the CRC field
        let error = #expect(throws: PlexusError.self) { try Broker.validateClientBatch(bytes, maxBatchSize: 1 << 20) }
        #expect(error?.code == .corruptMessage)
    }
}
