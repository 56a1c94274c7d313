import Foundation
import NIOCore
import PlexusModel
import Testing

/// RecordBatch v2 bytes captured from real clients (kcat/librdkafka 2.0.2, confluent-kafka 2.16.1);
/// the expected values were decoded by an independent Python decoder (Tests/Fixtures/README.md).
struct GoldenBatchTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/recordbatch")

    static func manifest() throws -> [String: [String: Any]] {
        let data = try Data(contentsOf: directory.appendingPathComponent("manifest.json"))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(root["fixtures"] as? [String: [String: Any]])
    }

    static let names = [
        "kcat-none.bin", "confluent-none.bin", "confluent-gzip.bin", "confluent-snappy.bin", "confluent-lz4.bin",
        "confluent-zstd.bin", "confluent-idempotent.bin",
    ]

    static func bytes(_ name: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    static func base64(_ value: Any?) -> ByteBuffer? {
        guard let text = value as? String else { return nil }
        return ByteBuffer(bytes: Data(base64Encoded: text)!)
    }

    @Test(arguments: names)
    func headerMatchesTheIndependentDecoder(name: String) throws {
        let entry = try #require(try Self.manifest()[name])
        let expected = try #require(entry["header"] as? [String: Any])
        let batch = try RecordBatch(validating: try Self.bytes(name))
        let header = batch.header
        func int(_ key: String) -> Int64 { (expected[key] as! NSNumber).int64Value }
        #expect(Int64(header.baseOffset) == int("baseOffset"))
        #expect(Int64(header.batchLength) == int("batchLength"))
        #expect(Int64(header.partitionLeaderEpoch) == int("partitionLeaderEpoch"))
        #expect(Int64(header.crc) == int("crc"))
        #expect(Int64(header.attributes) == int("attributes"))
        #expect(Int64(header.lastOffsetDelta) == int("lastOffsetDelta"))
        #expect(header.baseTimestamp == int("baseTimestamp"))
        #expect(header.maxTimestamp == int("maxTimestamp"))
        #expect(header.producerId == int("producerId"))
        #expect(Int64(header.producerEpoch) == int("producerEpoch"))
        #expect(Int64(header.baseSequence) == int("baseSequence"))
        #expect(Int64(header.recordsCount) == int("recordsCount"))
        #expect(header.compression?.description == entry["compression"] as? String)
    }

    @Test(arguments: names.filter { $0.hasSuffix("none.bin") || $0 == "confluent-idempotent.bin" })
    func uncompressedRecordsDecodeAndReencodeByteForByte(name: String) throws {
        let entry = try #require(try Self.manifest()[name])
        let bytes = try Self.bytes(name)
        let batch = try RecordBatch(validating: bytes)
        guard batch.header.compression == CompressionCodec.none else { return }
        let records = try batch.records()
        let expected = try #require(entry["records"] as? [[String: Any]])
        #expect(records.count == expected.count)
        for (record, want) in zip(records, expected) {
            #expect(Int64(record.offsetDelta) == (want["offsetDelta"] as! NSNumber).int64Value)
            #expect(record.timestampDelta == (want["timestampDelta"] as! NSNumber).int64Value)
            #expect(record.key == Self.base64(want["key"]))
            #expect(record.value == Self.base64(want["value"]))
            let headers = want["headers"] as! [[Any]]
            #expect(record.headers.map(\.key) == headers.map { $0[0] as! String })
            #expect(record.headers.map(\.value) == headers.map { Self.base64($0[1]) })
        }
        let rebuilt = RecordBatch.build(
            records: records,
            baseOffset: batch.header.baseOffset,
            baseTimestamp: batch.header.baseTimestamp,
            attributes: batch.header.attributes,
            partitionLeaderEpoch: batch.header.partitionLeaderEpoch,
            producerId: batch.header.producerId,
            producerEpoch: batch.header.producerEpoch,
            baseSequence: batch.header.baseSequence
        )
        #expect(Array(rebuilt.bytes.readableBytesView) == Array(bytes.readableBytesView))
    }

    @Test(arguments: ["confluent-gzip.bin", "confluent-snappy.bin", "confluent-lz4.bin", "confluent-zstd.bin"])
    func compressedBatchesDecodeToTheSameRecordsAsTheUncompressedOne(name: String) throws {
        let batch = try RecordBatch(validating: try Self.bytes(name))
        let plain = try RecordBatch(validating: try Self.bytes("confluent-none.bin"))
        #expect(try batch.records() == (try plain.records()))
    }

    @Test(arguments: CompressionCodec.allCases)
    func ourCompressedBatchesRoundTrip(codec: CompressionCodec) throws {
        let records = try RecordBatch(validating: try Self.bytes("confluent-none.bin")).records()
        let built = try RecordBatch.build(records: records, compression: codec, baseTimestamp: 1_700_000_000_000)
        let parsed = try RecordBatch(validating: built.bytes)
        #expect(parsed.header.compression == codec)
        #expect(try parsed.records() == records)
    }

    @Test func xerialFramedSnappyAsKafkaPythonWritesItDecodes() throws {
        let records = try RecordBatch(validating: try Self.bytes("confluent-none.bin")).records()
        let plain = RecordBatch.build(records: records, baseTimestamp: 0)
        let body = plain.bytes.getSlice(at: 61, length: plain.bytes.readableBytes - 61)!
        let block = try RecordCompression.compress(.snappy, body)
        // xerial: magic, version 1, compatible version 1, then length-prefixed blocks (here: one).
        var framed = ByteBuffer(bytes: [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])
        framed.writeInteger(UInt32(block.readableBytes))
        framed.writeImmutableBuffer(block)
        #expect(try RecordCompression.decompress(.snappy, framed) == body)
    }

    @Test(arguments: [CompressionCodec.gzip, .snappy, .lz4, .zstd])
    func truncatedOrGarbledCompressedDataIsCorruptNotATrap(codec: CompressionCodec) throws {
        let body = ByteBuffer(bytes: TestPayload.bytes(count: 5000))
        let compressed = Array(try RecordCompression.compress(codec, body).readableBytesView)
        for cut in stride(from: 0, to: compressed.count, by: max(1, compressed.count / 40)) {
            #expect(throws: PlexusError.self) {
                try RecordCompression.decompress(codec, ByteBuffer(bytes: compressed[0..<cut]))
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var garbled = compressed
            garbled[Int.random(in: 0..<garbled.count, using: &generator)] ^= UInt8.random(
                in: 1...255,
                using: &generator
            )
            _ = try? RecordCompression.decompress(codec, ByteBuffer(bytes: garbled))  // throws or not; never traps
        }
    }

    @Test func decompressionIsBounded() throws {
        let zeros = ByteBuffer(repeating: 0, count: 4 << 20)
        for codec in [CompressionCodec.gzip, .snappy, .lz4, .zstd] {
            let small = try RecordCompression.compress(codec, zeros)
            let error = #expect(throws: PlexusError.self) {
                try RecordCompression.decompress(codec, small, maxOutput: 1 << 20)
            }
            #expect(error?.message.contains("expands beyond") == true, "\(codec)")
        }
    }
}

enum TestPayload {
    static func bytes(count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 7) } }
}
