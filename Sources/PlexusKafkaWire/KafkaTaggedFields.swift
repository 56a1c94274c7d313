import NIOCore
import PlexusModel

/// Reads the KIP-482 tagged-field section that ends every struct in a flexible version:
/// `uvarint count`, then per field `uvarint tag, uvarint size, size bytes`.
///
/// ``next(from:)`` hands out each field's bytes as a slice; the caller decodes the tags it knows
/// and simply drops the others, which skips them.
struct KafkaTaggedFieldReader {
    /// One tagged field: its tag and exactly its bytes.
    struct Field {
        var tag: UInt32
        var value: ByteBuffer
    }

    private var remaining: UInt32
    private let field: String

    /// Reads the field count.
    init(from buffer: inout ByteBuffer, _ field: String) throws(KafkaWireError) {
        self.field = field
        self.remaining = try buffer.readKafkaUnsignedVarInt32(field)
    }

    /// Reads the next tagged field, or returns nil after the last one.
    mutating func next(from buffer: inout ByteBuffer) throws(KafkaWireError) -> Field? {
        guard remaining > 0 else { return nil }
        remaining -= 1
        let tag = try buffer.readKafkaUnsignedVarInt32(field)
        let size = Int(try buffer.readKafkaUnsignedVarInt32(field))
        guard let value = buffer.readSlice(length: size) else {
            throw .invalidLength(Int64(size), .init(field: field))
        }
        return Field(tag: tag, value: value)
    }
}

/// Collects the tagged fields of one struct and writes them as a tagged-field section.
///
/// Callers add fields in ascending tag order, only when their value differs from the default.
struct KafkaTaggedFieldWriter {
    private var fields: [(tag: UInt32, value: ByteBuffer)] = []

    /// Encodes one tagged field's value with `body`.
    mutating func add(_ tag: UInt32, _ body: (inout ByteBuffer) -> Void) {
        var value = ByteBuffer()
        body(&value)
        fields.append((tag, value))
    }

    /// Writes the section (a single `0x00` when no field was added).
    func write(to buffer: inout ByteBuffer) {
        buffer.writeUnsignedVarInt64(UInt64(fields.count))
        for field in fields {
            buffer.writeUnsignedVarInt64(UInt64(field.tag))
            buffer.writeUnsignedVarInt64(UInt64(field.value.readableBytes))
            buffer.writeImmutableBuffer(field.value)
        }
    }
}

extension ByteBuffer {
    /// Skips a whole tagged-field section (a struct with no tagged fields known in this version).
    mutating func skipKafkaTaggedFields(_ field: String) throws(KafkaWireError) {
        var reader = try KafkaTaggedFieldReader(from: &self, field)
        while try reader.next(from: &self) != nil {}
    }

    /// Writes an empty tagged-field section.
    mutating func writeKafkaEmptyTaggedFields() {
        writeInteger(0, as: UInt8.self)
    }
}
