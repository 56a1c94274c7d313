import NIOCore
import PlexusModel
import PlexusTestSupport
import Testing

struct RecordBatchTests {
    static func sample() -> RecordBatch {
        RecordBatch.build(
            records: [
                Record(
                    offsetDelta: 0,
                    timestampDelta: 0,
                    key: ByteBuffer(string: "k1"),
                    value: ByteBuffer(string: "v1"),
                    headers: [
                        RecordHeader(key: "h", value: ByteBuffer(string: "x")), RecordHeader(key: "h", value: nil),
                    ]
                ),
                Record(offsetDelta: 1, timestampDelta: 5, key: nil, value: ByteBuffer(string: "")),
                Record(offsetDelta: 2, timestampDelta: 3, key: ByteBuffer(string: "k3"), value: nil),
            ],
            baseTimestamp: 1_700_000_000_000,
            producerId: 7,
            producerEpoch: 1,
            baseSequence: 10
        )
    }

    @Test func buildThenValidateRoundTrips() throws {
        let batch = Self.sample()
        let parsed = try RecordBatch(validating: batch.bytes)
        #expect(parsed.header == batch.header)
        #expect(parsed.header.recordsCount == 3)
        #expect(parsed.header.lastOffsetDelta == 2)
        #expect(parsed.header.maxTimestamp == 1_700_000_000_005)
        #expect(parsed.header.producerId == 7 && parsed.header.baseSequence == 10)
        let records = try parsed.records()
        #expect(records.count == 3)
        #expect(records[0].headers.map(\.key) == ["h", "h"])
        #expect(records[0].headers[1].value == nil)
        #expect(records[1].key == nil && records[1].value?.readableBytes == 0)
        #expect(records[2].value == nil)
        #expect(records.map(\.offsetDelta) == [0, 1, 2])
        #expect(records == (try batch.records()))
    }

    @Test func headerFieldsSitAtTheirKafkaOffsets() {
        let bytes = Self.sample().bytes
        #expect(bytes.getInteger(at: 16, as: Int8.self) == 2)  // magic
        #expect(bytes.getInteger(at: 8, as: Int32.self) == Int32(bytes.readableBytes - 12))
        #expect(bytes.getInteger(at: 43, as: Int64.self) == 7)  // producerId
        #expect(bytes.getInteger(at: 57, as: Int32.self) == 3)  // recordsCount
    }

    @Test func everyFlippedBitAfterTheCRCFieldIsDetected() {
        let batch = Self.sample()
        for index in 21..<batch.bytes.readableBytes {
            var bytes = batch.bytes
            bytes.setInteger(bytes.getInteger(at: index, as: UInt8.self)! ^ 0x10, at: index)
            #expect(throws: PlexusError.self) { try RecordBatch(validating: bytes) }
        }
    }

    @Test func offsetAndEpochAreOutsideTheCRC() throws {
        var bytes = Self.sample().bytes
        bytes.setInteger(Int64(123_456), at: 0)
        bytes.setInteger(Int32(9), at: 12)
        let batch = try RecordBatch(validating: bytes)
        #expect(batch.header.baseOffset == 123_456)
        #expect(batch.header.lastOffset == 123_458)
    }

    @Test func truncatedBatchIsCorrupt() {
        let bytes = Self.sample().bytes
        for length in [0, 5, 12, 60, bytes.readableBytes - 1] {
            let error = #expect(throws: PlexusError.self) {
                try RecordBatch(validating: bytes.getSlice(at: 0, length: length)!)
            }
            #expect(error?.code == .corruptMessage)
        }
    }

    @Test func twoBatchesInOneBufferAreRejected() {
        var bytes = Self.sample().bytes
        var second = Self.sample().bytes
        bytes.writeBuffer(&second)
        let error = #expect(throws: PlexusError.self) { try RecordBatch(validating: bytes) }
        #expect(error?.code == .invalidRecord)
    }

    @Test func wrongMagicAndLengthAreRejected() {
        var bytes = Self.sample().bytes
        bytes.setInteger(Int8(1), at: 16)
        #expect(throws: PlexusError.self) { try RecordBatch(validating: bytes) }
        var short = Self.sample().bytes
        short.setInteger(Int32(10), at: 8)
        #expect(throws: PlexusError.self) { try RecordBatch(validating: short) }
    }

    @Test func oversizedBatchIsMessageTooLarge() {
        let big = TestBatches.make(seed: 1, count: 4, valueSize: 1000)
        let error = #expect(throws: PlexusError.self) { try RecordBatch(validating: big.bytes, maxBatchSize: 1000) }
        #expect(error?.code == .messageTooLarge)
    }

    @Test func garbageRecordsAreCorruptNotACrash() throws {
        // A batch whose records area is random bytes, with a correct CRC.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let header = RecordBatchHeader(
                batchLength: 0,
                attributes: 0,
                lastOffsetDelta: 2,
                baseTimestamp: 0,
                maxTimestamp: 0,
                recordsCount: Int32.random(in: -1...4, using: &generator)
            )
            let body = (0..<Int.random(in: 0...40, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            var bytes = ByteBuffer()
            var h = header
            h.batchLength = Int32(RecordBatchHeader.size - 12 + body.count)
            h.write(to: &bytes)
            bytes.writeBytes(body)
            let crc = RecordBatch.computeCRC(of: bytes, at: 0, size: bytes.readableBytes)
            bytes.setInteger(crc, at: 17)
            if let batch = try? RecordBatch(validating: bytes) {
                _ = try? batch.records()  // must throw or succeed, never trap
            }
        }
    }

}

struct TopicNameTests {
    @Test(arguments: ["a", "orders", "orders.v1_test-2", String(repeating: "x", count: 249), "..."])
    func acceptsKafkaNames(name: String) throws {
        #expect(try TopicName(name).rawValue == name)
    }

    @Test(arguments: ["", ".", "..", "has space", "slash/no", "ümlaut", String(repeating: "x", count: 250), "a:b"])
    func rejectsInvalidNames(name: String) {
        let error = #expect(throws: PlexusError.self) { try TopicName(name) }
        #expect(error?.code == .invalidTopic)
        #expect(error?.code.kafkaErrorCode == 17)
    }
}
