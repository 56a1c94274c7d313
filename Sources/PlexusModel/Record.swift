public import NIOCore

/// One header of a record: a UTF-8 key and a nullable value. Order matters and keys may repeat.
public struct RecordHeader: Hashable, Sendable {
    public var key: String
    public var value: ByteBuffer?
    public init(key: String, value: ByteBuffer?) {
        self.key = key
        self.value = value
    }
}

/// One record inside a RecordBatch v2, with offset and timestamp relative to the batch.
///
/// `key` and `value` are slices of the batch's bytes (no copy) when decoded.
public struct Record: Hashable, Sendable {
    public var attributes: Int8
    public var timestampDelta: Int64
    public var offsetDelta: Int32
    public var key: ByteBuffer?
    public var value: ByteBuffer?
    public var headers: [RecordHeader]

    public init(
        offsetDelta: Int32,
        timestampDelta: Int64 = 0,
        key: ByteBuffer? = nil,
        value: ByteBuffer?,
        headers: [RecordHeader] = [],
        attributes: Int8 = 0
    ) {
        self.attributes = attributes
        self.timestampDelta = timestampDelta
        self.offsetDelta = offsetDelta
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// Decodes one record (length prefix included) from `buffer`.
    /// - Throws: ``PlexusError/Code/corruptMessage`` when the bytes do not form a record.
    public static func read(from buffer: inout ByteBuffer) throws(PlexusError) -> Record {
        let start = buffer.readerIndex
        func corrupt(_ why: String) -> PlexusError {
            let shown = buffer.getBytes(at: start, length: min(64, buffer.writerIndex - start)) ?? []
            return PlexusError(.corruptMessage, "bad record: \(why)", offendingBytes: PlexusError.hex(shown))
        }
        guard let length = buffer.readVarInt32(), length >= 0 else { throw corrupt("length") }
        guard var body = buffer.readSlice(length: Int(length)) else { throw corrupt("length beyond batch") }
        guard let attributes = body.readInteger(as: Int8.self),
            let timestampDelta = body.readVarInt64(),
            let offsetDelta = body.readVarInt32()
        else { throw corrupt("truncated fields") }
        let key = try readNullableBytes(&body, corrupt("key"))
        let value = try readNullableBytes(&body, corrupt("value"))
        guard let headerCount = body.readVarInt32(), headerCount >= 0, Int(headerCount) <= body.readableBytes
        else { throw corrupt("header count") }
        var headers: [RecordHeader] = []
        headers.reserveCapacity(Int(headerCount))
        for _ in 0..<headerCount {
            guard let keyLength = body.readVarInt32(), keyLength >= 0,
                let keyText = body.readString(length: Int(keyLength))
            else { throw corrupt("header key") }
            let headerValue = try readNullableBytes(&body, corrupt("header value"))
            headers.append(RecordHeader(key: keyText, value: headerValue))
        }
        guard body.readableBytes == 0 else { throw corrupt("\(body.readableBytes) trailing bytes") }
        return Record(
            offsetDelta: offsetDelta,
            timestampDelta: timestampDelta,
            key: key,
            value: value,
            headers: headers,
            attributes: attributes
        )
    }

    private static func readNullableBytes(
        _ body: inout ByteBuffer,
        _ error: @autoclosure () -> PlexusError
    ) throws(PlexusError) -> ByteBuffer? {
        guard let length = body.readVarInt32() else { throw error() }
        if length == -1 { return nil }
        guard length >= 0, let slice = body.readSlice(length: Int(length)) else { throw error() }
        return slice
    }

    /// Encodes this record, length prefix included.
    public func write(to buffer: inout ByteBuffer) {
        let bodySize = self.bodySize
        buffer.writeVarInt32(Int32(bodySize))
        buffer.writeInteger(attributes)
        buffer.writeVarInt64(timestampDelta)
        buffer.writeVarInt32(offsetDelta)
        Self.writeNullable(key, to: &buffer)
        Self.writeNullable(value, to: &buffer)
        buffer.writeVarInt32(Int32(headers.count))
        for header in headers {
            buffer.writeVarInt32(Int32(header.key.utf8.count))
            buffer.writeString(header.key)
            Self.writeNullable(header.value, to: &buffer)
        }
    }

    private static func writeNullable(_ bytes: ByteBuffer?, to buffer: inout ByteBuffer) {
        if let bytes {
            buffer.writeVarInt32(Int32(bytes.readableBytes))
            buffer.writeImmutableBuffer(bytes)
        } else {
            buffer.writeVarInt32(-1)
        }
    }

    private static func nullableSize(_ bytes: ByteBuffer?) -> Int {
        guard let bytes else { return 1 }
        return ByteBuffer.varIntSize(Int64(bytes.readableBytes)) + bytes.readableBytes
    }

    /// Bytes after the length prefix.
    var bodySize: Int {
        var size = 1 + ByteBuffer.varIntSize(timestampDelta) + ByteBuffer.varIntSize(Int64(offsetDelta))
        size += Self.nullableSize(key) + Self.nullableSize(value)
        size += ByteBuffer.varIntSize(Int64(headers.count))
        for header in headers {
            let keyLength = header.key.utf8.count
            size += ByteBuffer.varIntSize(Int64(keyLength)) + keyLength + Self.nullableSize(header.value)
        }
        return size
    }
}
