public import NIOCore

/// Protobuf-style base-128 varints as Kafka uses them: zigzag-signed in records
/// (`varint`, `varlong`) and unsigned in the flexible protocol encoding (`uvarint`).
extension ByteBuffer {
    /// Reads an unsigned varint of at most `maxBytes` bytes; nil (reader index unmoved) when the bytes
    /// run out or the varint is too long.
    public mutating func readUnsignedVarInt64(maxBytes: Int = 10) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var index = readerIndex
        for _ in 0..<maxBytes {
            guard let byte = getInteger(at: index, as: UInt8.self) else { return nil }
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                moveReaderIndex(to: index)
                return result
            }
            shift += 7
        }
        return nil
    }

    /// Reads a zigzag varint (Kafka `varint`, at most 5 bytes).
    public mutating func readVarInt32() -> Int32? {
        let start = readerIndex
        guard let raw = readUnsignedVarInt64(maxBytes: 5), raw <= UInt64(UInt32.max) else {
            moveReaderIndex(to: start)
            return nil
        }
        let value = UInt32(raw)
        return Int32(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
    }

    /// Reads a zigzag varlong (Kafka `varlong`, at most 10 bytes).
    public mutating func readVarInt64() -> Int64? {
        guard let raw = readUnsignedVarInt64(maxBytes: 10) else { return nil }
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// Writes an unsigned varint; returns the bytes written.
    @discardableResult
    public mutating func writeUnsignedVarInt64(_ value: UInt64) -> Int {
        var rest = value
        var written = 0
        while rest >= 0x80 {
            writeInteger(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
            written += 1
        }
        writeInteger(UInt8(rest))
        return written + 1
    }

    /// Writes a zigzag varint.
    @discardableResult
    public mutating func writeVarInt32(_ value: Int32) -> Int {
        let zigzag = UInt32(bitPattern: (value << 1) ^ (value >> 31))
        return writeUnsignedVarInt64(UInt64(zigzag))
    }

    /// Writes a zigzag varlong.
    @discardableResult
    public mutating func writeVarInt64(_ value: Int64) -> Int {
        let zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        return writeUnsignedVarInt64(zigzag)
    }

    /// The number of bytes `writeVarInt64(value)` would write.
    public static func varIntSize(_ value: Int64) -> Int {
        var zigzag = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        var size = 1
        while zigzag >= 0x80 {
            zigzag >>= 7
            size += 1
        }
        return size
    }
}
