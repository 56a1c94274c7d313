import NIOCore
import NIOTestUtils
import PlexusKafkaWire
import Testing

struct KafkaFrameDecoderTests {
    static func frame(_ payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(Int32(payload.count))
        buffer.writeBytes(payload)
        return buffer
    }

    @Test func goldenFramesSurviveDripFeedAndCoalescing() throws {
        let pairs = try KafkaFixtures.requestNames.map { name -> (ByteBuffer, [ByteBuffer]) in
            let bytes = try KafkaFixtures.request(name)
            return (bytes, [bytes.getSlice(at: bytes.readerIndex + 4, length: bytes.readableBytes - 4)!])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { KafkaFrameDecoder() }
    }

    @Test func emptyAndTinyFramesSurviveDripFeedAndCoalescing() throws {
        let payloads: [[UInt8]] = [[], [0x01], [0x00, 0x12, 0x00, 0x00], Array(repeating: 0xAB, count: 300)]
        let pairs = payloads.map { (Self.frame($0), [ByteBuffer(bytes: $0)]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { KafkaFrameDecoder() }
    }

    @Test func partialFrameWaitsWithoutConsuming() throws {
        var decoder = KafkaFrameDecoder()
        var buffer = Self.frame([1, 2, 3, 4])
        buffer.moveWriterIndex(to: buffer.writerIndex - 1)
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readerIndex == 0)
        var sizeOnly = ByteBuffer(bytes: [0, 0])
        #expect(try decoder.decode(buffer: &sizeOnly) == nil)
        #expect(try decoder.decodeLast(buffer: &sizeOnly, seenEOF: true) == nil)
    }

    @Test(arguments: [Int32(101), Int32.max])
    func framesAboveTheLimitAreRejectedBeforeBuffering(size: Int32) {
        var decoder = KafkaFrameDecoder(maxFrameSize: 100)
        var buffer = ByteBuffer()
        buffer.writeInteger(size)  // no payload: the size alone must be enough to reject
        #expect(throws: KafkaWireError.frameTooLarge(size: Int64(size), maxFrameSize: 100)) {
            _ = try decoder.decode(buffer: &buffer)
        }
    }

    @Test(arguments: [Int32(-1), Int32.min])
    func negativeSizesAreRejected(size: Int32) {
        var decoder = KafkaFrameDecoder()
        var buffer = ByteBuffer()
        buffer.writeInteger(size)
        #expect(
            throws: KafkaWireError.frameTooLarge(size: Int64(size), maxFrameSize: KafkaFrameDecoder.defaultMaxFrameSize)
        ) {
            _ = try decoder.decode(buffer: &buffer)
        }
    }

    @Test func frameExactlyAtTheLimitIsAccepted() throws {
        var decoder = KafkaFrameDecoder(maxFrameSize: 3)
        var buffer = Self.frame([7, 8, 9])
        #expect(try decoder.decode(buffer: &buffer) == ByteBuffer(bytes: [7, 8, 9]))
    }
}
