import NIOCore
import PlexusModel

/// Read and write helpers for the Kafka protocol primitive types (`Type.java` in Apache Kafka).
///
/// Every reader checks bounds before consuming and throws ``KafkaWireError`` instead of trapping;
/// length and count prefixes are checked against the remaining bytes before anything is allocated.
/// `compact` selects the KIP-482 flexible encodings (unsigned varint `N+1` prefixes, `0` = null).
/// `field` is the dotted field path reported in errors.
extension ByteBuffer {
    // MARK: - Fixed-width values

    /// Reads a big-endian fixed-width integer.
    mutating func readKafkaInteger<T: FixedWidthInteger>(_ field: String, as type: T.Type = T.self)
        throws(KafkaWireError) -> T
    {
        guard let value = readInteger(as: T.self) else { throw .truncated(.init(field: field)) }
        return value
    }

    /// Reads a boolean byte (any non-zero value is `true`, as in Kafka).
    mutating func readKafkaBool(_ field: String) throws(KafkaWireError) -> Bool {
        try readKafkaInteger(field, as: UInt8.self) != 0
    }

    /// Writes a boolean as one byte, 0 or 1.
    mutating func writeKafkaBool(_ value: Bool) {
        writeInteger(value ? 1 : 0, as: UInt8.self)
    }

    /// Reads a big-endian IEEE 754 double.
    mutating func readKafkaFloat64(_ field: String) throws(KafkaWireError) -> Double {
        Double(bitPattern: try readKafkaInteger(field, as: UInt64.self))
    }

    /// Writes a big-endian IEEE 754 double.
    mutating func writeKafkaFloat64(_ value: Double) {
        writeInteger(value.bitPattern)
    }

    /// Reads an unsigned varint that must fit in 32 bits (lengths, counts, tags).
    mutating func readKafkaUnsignedVarInt32(_ field: String) throws(KafkaWireError) -> UInt32 {
        if let value = readUnsignedVarInt64(maxBytes: 5), value <= UInt64(UInt32.max) {
            return UInt32(value)
        }
        // Either the bytes ran out mid-varint or the varint is too long / too big.
        let available = Swift.min(readableBytes, 5)
        let unterminated = readableBytesView.prefix(available).allSatisfy { $0 & 0x80 != 0 }
        if unterminated && available < 5 { throw .truncated(.init(field: field)) }
        throw .invalidVarint(.init(field: field))
    }

    // MARK: - Length prefixes

    /// Reads a length or count prefix: `nil` for null, otherwise a non-negative length no larger than
    /// the remaining bytes (for arrays, each element takes at least one byte, as Kafka checks too).
    ///
    /// - Parameters:
    ///   - compact: unsigned varint `N+1` (flexible versions) instead of a signed fixed-width prefix.
    ///   - short: the non-compact prefix is an `int16` (strings) rather than an `int32` (bytes, arrays).
    mutating func readKafkaLength(compact: Bool, short: Bool, _ field: String) throws(KafkaWireError) -> Int? {
        let length: Int64
        if compact {
            length = Int64(try readKafkaUnsignedVarInt32(field)) - 1
        } else if short {
            length = Int64(try readKafkaInteger(field, as: Int16.self))
        } else {
            length = Int64(try readKafkaInteger(field, as: Int32.self))
        }
        if length == -1 { return nil }
        guard length >= 0, length <= Int64(readableBytes) else { throw .invalidLength(length, .init(field: field)) }
        return Int(length)
    }

    /// Writes a length or count prefix; `nil` writes the null marker.
    mutating func writeKafkaLength(_ length: Int?, compact: Bool, short: Bool) {
        if compact {
            writeUnsignedVarInt64(length.map { UInt64($0) + 1 } ?? 0)
        } else if short {
            if let length {
                precondition(length <= Int(Int16.max), "Kafka string longer than 32767 bytes")
                writeInteger(Int16(length))
            } else {
                writeInteger(-1, as: Int16.self)
            }
        } else {
            if let length {
                precondition(length <= Int(Int32.max), "Kafka bytes or array longer than Int32.max")
                writeInteger(Int32(length))
            } else {
                writeInteger(-1, as: Int32.self)
            }
        }
    }

    /// Throws `unexpectedNull` for a null in a version where the field is not nullable.
    private func requireNonNull<T>(_ value: T?, nullable: Bool, _ field: String) throws(KafkaWireError) -> T? {
        if value == nil && !nullable { throw .unexpectedNull(.init(field: field)) }
        return value
    }

    // MARK: - Strings

    /// Reads a non-nullable `string` / `compact_string`.
    mutating func readKafkaString(compact: Bool, _ field: String) throws(KafkaWireError) -> String {
        guard let string = try readKafkaNullableString(compact: compact, nullable: false, field) else {
            throw .unexpectedNull(.init(field: field))
        }
        return string
    }

    /// Reads a `nullable_string` / `compact_nullable_string`; a null in a non-nullable version throws.
    mutating func readKafkaNullableString(compact: Bool, nullable: Bool, _ field: String)
        throws(KafkaWireError) -> String?
    {
        guard
            let length = try requireNonNull(
                readKafkaLength(compact: compact, short: true, field),
                nullable: nullable,
                field
            )
        else { return nil }
        guard let string = readString(length: length) else { throw .truncated(.init(field: field)) }
        return string
    }

    /// Writes a non-nullable string.
    mutating func writeKafkaString(_ value: String, compact: Bool) {
        writeKafkaLength(value.utf8.count, compact: compact, short: true)
        writeString(value)
    }

    /// Writes a nullable string; `nil` in a non-nullable version is written as the empty string.
    mutating func writeKafkaNullableString(_ value: String?, compact: Bool, nullable: Bool) {
        if let value {
            writeKafkaString(value, compact: compact)
        } else {
            writeKafkaLength(nullable ? nil : 0, compact: compact, short: true)
        }
    }

    // MARK: - Bytes and records

    /// Reads non-nullable `bytes` / `compact_bytes` as a slice sharing this buffer's storage (no copy).
    mutating func readKafkaBytes(compact: Bool, _ field: String) throws(KafkaWireError) -> ByteBuffer {
        guard let bytes = try readKafkaNullableBytes(compact: compact, nullable: false, field) else {
            throw .unexpectedNull(.init(field: field))
        }
        return bytes
    }

    /// Reads nullable bytes or `records` as a slice sharing this buffer's storage (no copy).
    mutating func readKafkaNullableBytes(compact: Bool, nullable: Bool, _ field: String)
        throws(KafkaWireError) -> ByteBuffer?
    {
        guard
            let length = try requireNonNull(
                readKafkaLength(compact: compact, short: false, field),
                nullable: nullable,
                field
            )
        else { return nil }
        guard let slice = readSlice(length: length) else { throw .truncated(.init(field: field)) }
        return slice
    }

    /// Writes non-nullable bytes.
    mutating func writeKafkaBytes(_ value: ByteBuffer, compact: Bool) {
        writeKafkaLength(value.readableBytes, compact: compact, short: false)
        writeImmutableBuffer(value)
    }

    /// Writes nullable bytes or records; `nil` in a non-nullable version is written as empty bytes.
    mutating func writeKafkaNullableBytes(_ value: ByteBuffer?, compact: Bool, nullable: Bool) {
        if let value {
            writeKafkaBytes(value, compact: compact)
        } else {
            writeKafkaLength(nullable ? nil : 0, compact: compact, short: false)
        }
    }

    // MARK: - Arrays

    /// Reads a non-nullable array.
    mutating func readKafkaArray<Element: KafkaArrayElement>(compact: Bool, version: Int16, _ field: String)
        throws(KafkaWireError) -> [Element]
    {
        guard
            let array: [Element] = try readKafkaNullableArray(
                compact: compact,
                nullable: false,
                version: version,
                field
            )
        else { throw .unexpectedNull(.init(field: field)) }
        return array
    }

    /// Reads a nullable array; the count is checked against the remaining bytes before allocating.
    mutating func readKafkaNullableArray<Element: KafkaArrayElement>(
        compact: Bool,
        nullable: Bool,
        version: Int16,
        _ field: String
    ) throws(KafkaWireError) -> [Element]? {
        guard
            let count = try requireNonNull(
                readKafkaLength(compact: compact, short: false, field),
                nullable: nullable,
                field
            )
        else { return nil }
        var array: [Element] = []
        // The count is bounded by the remaining bytes, but elements can be much larger in memory than
        // on the wire, so only a modest capacity is reserved up front.
        array.reserveCapacity(Swift.min(count, 1024))
        for _ in 0..<count {
            array.append(try Element.readKafkaElement(from: &self, version: version, compact: compact, field))
        }
        return array
    }

    /// Writes a non-nullable array.
    mutating func writeKafkaArray<Element: KafkaArrayElement>(_ value: [Element], version: Int16, compact: Bool) {
        writeKafkaLength(value.count, compact: compact, short: false)
        for element in value {
            element.writeKafkaElement(to: &self, version: version, compact: compact)
        }
    }

    /// Writes a nullable array; `nil` in a non-nullable version is written as an empty array.
    mutating func writeKafkaNullableArray<Element: KafkaArrayElement>(
        _ value: [Element]?,
        version: Int16,
        compact: Bool,
        nullable: Bool
    ) {
        if let value {
            writeKafkaArray(value, version: version, compact: compact)
        } else {
            writeKafkaLength(nullable ? nil : 0, compact: compact, short: false)
        }
    }
}
