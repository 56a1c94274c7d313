import NIOCore

/// A Kafka `uuid` field: 16 raw bytes on the wire (topic ids, directory ids).
///
/// Stored as two big-endian halves so the value is small, `Hashable` and allocation free.
public struct KafkaUUID: Hashable, Sendable, CustomStringConvertible {
    /// The first 8 bytes, big-endian.
    public var mostSignificantBits: UInt64
    /// The last 8 bytes, big-endian.
    public var leastSignificantBits: UInt64

    /// The all-zero UUID Kafka uses as "no id" (`Uuid.ZERO_UUID`).
    public static let zero = KafkaUUID(mostSignificantBits: 0, leastSignificantBits: 0)

    /// Creates a UUID from its two 64-bit halves.
    public init(mostSignificantBits: UInt64, leastSignificantBits: UInt64) {
        self.mostSignificantBits = mostSignificantBits
        self.leastSignificantBits = leastSignificantBits
    }

    /// Lower-case hex in the usual 8-4-4-4-12 grouping.
    public var description: String {
        let hex = [mostSignificantBits, leastSignificantBits].map { half -> String in
            let digits = String(half, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }
}

extension ByteBuffer {
    /// Reads a 16-byte Kafka UUID.
    mutating func readKafkaUUID(_ field: String) throws(KafkaWireError) -> KafkaUUID {
        guard let high = getInteger(at: readerIndex, as: UInt64.self),
            let low = getInteger(at: readerIndex + 8, as: UInt64.self)
        else { throw .truncated(.init(field: field)) }
        moveReaderIndex(forwardBy: 16)
        return KafkaUUID(mostSignificantBits: high, leastSignificantBits: low)
    }

    /// Writes a 16-byte Kafka UUID.
    mutating func writeKafkaUUID(_ value: KafkaUUID) {
        writeInteger(value.mostSignificantBits)
        writeInteger(value.leastSignificantBits)
    }
}
