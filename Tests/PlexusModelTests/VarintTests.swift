import NIOCore
import PlexusModel
import Testing

struct VarintTests {
    static let cases: [(Int64, [UInt8])] = [
        (0, [0x00]), (-1, [0x01]), (1, [0x02]), (-2, [0x03]), (63, [0x7E]), (-64, [0x7F]),
        (64, [0x80, 0x01]), (300, [0xD8, 0x04]), (Int64(Int32.max), [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]),
    ]

    @Test(arguments: cases)
    func zigzagEncodingMatchesKafka(value: Int64, bytes: [UInt8]) {
        var buffer = ByteBuffer()
        buffer.writeVarInt64(value)
        #expect(Array(buffer.readableBytesView) == bytes)
        #expect(ByteBuffer.varIntSize(value) == bytes.count)
        #expect(buffer.readVarInt64() == value)
    }

    @Test func roundTripsExtremes() {
        for value in [Int64.min, Int64.max, 0, -1, 1 << 40, -(1 << 40)] {
            var buffer = ByteBuffer()
            buffer.writeVarInt64(value)
            #expect(buffer.readVarInt64() == value)
        }
        for value in [Int32.min, Int32.max, 0, -1, 12345] {
            var buffer = ByteBuffer()
            buffer.writeVarInt32(value)
            #expect(buffer.readVarInt32() == value)
        }
    }

    @Test func truncatedVarintLeavesReaderIndexAlone() {
        var buffer = ByteBuffer(bytes: [0x80, 0x80])
        #expect(buffer.readVarInt64() == nil)
        #expect(buffer.readerIndex == 0)
    }

    @Test func overlongVarint32IsRejected() {
        var buffer = ByteBuffer(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(buffer.readVarInt32() == nil)
        #expect(buffer.readerIndex == 0)
    }
}
