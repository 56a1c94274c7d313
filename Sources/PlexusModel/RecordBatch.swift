public import NIOCore

/// The compression codec of a batch (attributes bits 0–2).
public enum CompressionCodec: Int16, Sendable, CaseIterable, CustomStringConvertible {
    case none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4
    public var description: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }
}

/// The fixed 61-byte header of a Kafka RecordBatch v2 (magic 2); all integers big-endian.
///
/// Byte layout (PROTOCOLS.md §2.1): baseOffset(8) batchLength(4) partitionLeaderEpoch(4) magic(1)
/// crc(4) attributes(2) lastOffsetDelta(4) baseTimestamp(8) maxTimestamp(8) producerId(8)
/// producerEpoch(2) baseSequence(4) recordsCount(4). The CRC-32C covers bytes 21 to the end.
public struct RecordBatchHeader: Hashable, Sendable {
    /// Size of the header in bytes.
    public static let size = 61
    /// Bytes before `batchLength` counts: baseOffset and batchLength themselves.
    public static let logOverhead = 12
    /// The smallest legal `batchLength` (a header with no records).
    public static let minimumBatchLength: Int32 = 49
    static let crcOffset = 17
    static let attributesOffset = 21
    static let magicOffset = 16

    public var baseOffset: Int64
    public var batchLength: Int32
    public var partitionLeaderEpoch: Int32
    public var magic: Int8
    public var crc: UInt32
    public var attributes: Int16
    public var lastOffsetDelta: Int32
    public var baseTimestamp: Int64
    public var maxTimestamp: Int64
    public var producerId: Int64
    public var producerEpoch: Int16
    public var baseSequence: Int32
    public var recordsCount: Int32

    public init(
        baseOffset: Int64 = 0,
        batchLength: Int32 = 0,
        partitionLeaderEpoch: Int32 = -1,
        magic: Int8 = 2,
        crc: UInt32 = 0,
        attributes: Int16 = 0,
        lastOffsetDelta: Int32 = 0,
        baseTimestamp: Int64 = -1,
        maxTimestamp: Int64 = -1,
        producerId: Int64 = -1,
        producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1,
        recordsCount: Int32 = 0
    ) {
        self.baseOffset = baseOffset
        self.batchLength = batchLength
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.magic = magic
        self.crc = crc
        self.attributes = attributes
        self.lastOffsetDelta = lastOffsetDelta
        self.baseTimestamp = baseTimestamp
        self.maxTimestamp = maxTimestamp
        self.producerId = producerId
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.recordsCount = recordsCount
    }

    /// Total bytes of the batch, header included.
    public var totalSize: Int { Int(batchLength) + Self.logOverhead }
    /// The offset of the last record (baseOffset + lastOffsetDelta).
    public var lastOffset: Int64 { baseOffset &+ Int64(lastOffsetDelta) }
    /// The compression codec, or nil for an unknown id.
    public var compression: CompressionCodec? { CompressionCodec(rawValue: attributes & 0x07) }
    /// Whether timestamps are LogAppendTime (true) or CreateTime.
    public var isLogAppendTime: Bool { attributes & 0x08 != 0 }
    public var isTransactional: Bool { attributes & 0x10 != 0 }
    public var isControl: Bool { attributes & 0x20 != 0 }

    /// Reads a header at `index` without moving the reader index; nil when fewer than 61 bytes are there.
    public init?(from buffer: ByteBuffer, at index: Int) {
        guard index >= buffer.readerIndex, index + Self.size <= buffer.writerIndex,
            let baseOffset = buffer.getInteger(at: index, as: Int64.self),
            let batchLength = buffer.getInteger(at: index + 8, as: Int32.self),
            let epoch = buffer.getInteger(at: index + 12, as: Int32.self),
            let magic = buffer.getInteger(at: index + 16, as: Int8.self),
            let crc = buffer.getInteger(at: index + 17, as: UInt32.self),
            let attributes = buffer.getInteger(at: index + 21, as: Int16.self),
            let lastOffsetDelta = buffer.getInteger(at: index + 23, as: Int32.self),
            let baseTimestamp = buffer.getInteger(at: index + 27, as: Int64.self),
            let maxTimestamp = buffer.getInteger(at: index + 35, as: Int64.self),
            let producerId = buffer.getInteger(at: index + 43, as: Int64.self),
            let producerEpoch = buffer.getInteger(at: index + 51, as: Int16.self),
            let baseSequence = buffer.getInteger(at: index + 53, as: Int32.self),
            let recordsCount = buffer.getInteger(at: index + 57, as: Int32.self)
        else { return nil }
        self.init(
            baseOffset: baseOffset,
            batchLength: batchLength,
            partitionLeaderEpoch: epoch,
            magic: magic,
            crc: crc,
            attributes: attributes,
            lastOffsetDelta: lastOffsetDelta,
            baseTimestamp: baseTimestamp,
            maxTimestamp: maxTimestamp,
            producerId: producerId,
            producerEpoch: producerEpoch,
            baseSequence: baseSequence,
            recordsCount: recordsCount
        )
    }

    /// Writes the 61 header bytes.
    public func write(to buffer: inout ByteBuffer) {
        buffer.writeInteger(baseOffset)
        buffer.writeInteger(batchLength)
        buffer.writeInteger(partitionLeaderEpoch)
        buffer.writeInteger(magic)
        buffer.writeInteger(crc)
        buffer.writeInteger(attributes)
        buffer.writeInteger(lastOffsetDelta)
        buffer.writeInteger(baseTimestamp)
        buffer.writeInteger(maxTimestamp)
        buffer.writeInteger(producerId)
        buffer.writeInteger(producerEpoch)
        buffer.writeInteger(baseSequence)
        buffer.writeInteger(recordsCount)
    }
}

/// What the framing of the bytes at some position says.
public enum BatchFraming: Equatable, Sendable {
    /// A complete batch of `size` bytes starts there.
    case batch(size: Int)
    /// Fewer bytes than the batch needs; `needed` bytes in all (or 12 when even the length is missing).
    case incomplete(needed: Int)
    /// The bytes cannot be the start of a v2 batch.
    case invalid(String)
}

/// A Kafka RecordBatch v2: its parsed header and its exact bytes.
///
/// Plexus stores and serves these bytes as they came; ``records()`` decodes on demand, with keys and
/// values as slices of ``bytes`` (no copy).
public struct RecordBatch: Sendable, Hashable {
    public var header: RecordBatchHeader
    /// Exactly the batch's bytes, from baseOffset to the end of the last record.
    public var bytes: ByteBuffer

    /// Checks the framing of the bytes at `index`: length, magic and size limits (no CRC).
    public static func framing(of buffer: ByteBuffer, at index: Int, maxBatchSize: Int = Int(Int32.max))
        -> BatchFraming
    {
        let available = buffer.writerIndex - index
        guard available >= RecordBatchHeader.logOverhead,
            let length = buffer.getInteger(at: index + 8, as: Int32.self)
        else { return .incomplete(needed: RecordBatchHeader.logOverhead) }
        guard length >= RecordBatchHeader.minimumBatchLength else {
            return .invalid("batchLength \(length) is below the minimum \(RecordBatchHeader.minimumBatchLength)")
        }
        let size = Int(length) + RecordBatchHeader.logOverhead
        guard size <= maxBatchSize else {
            return .invalid("batch of \(size) bytes exceeds the limit of \(maxBatchSize)")
        }
        if available >= RecordBatchHeader.magicOffset + 1,
            let magic = buffer.getInteger(at: index + RecordBatchHeader.magicOffset, as: Int8.self), magic != 2
        {
            return .invalid("magic \(magic) is not 2")
        }
        guard available >= size else { return .incomplete(needed: size) }
        return .batch(size: size)
    }

    /// The CRC-32C the batch at `index` of `size` bytes should carry (bytes 21 to the end).
    public static func computeCRC(of buffer: ByteBuffer, at index: Int, size: Int) -> UInt32 {
        CRC32C.checksum(
            buffer,
            at: index + RecordBatchHeader.attributesOffset,
            length: size - RecordBatchHeader.attributesOffset
        )
    }

    /// Validates that `buffer`'s readable bytes are exactly one well-formed v2 batch with a correct CRC.
    ///
    /// Checks: framing (length, magic 2), the CRC-32C, a known compression codec, and a non-negative
    /// `lastOffsetDelta` and `recordsCount`. Does not decode records.
    /// - Throws: ``PlexusError/Code/corruptMessage`` (bad framing or CRC),
    ///   ``PlexusError/Code/messageTooLarge`` (over `maxBatchSize`),
    ///   ``PlexusError/Code/invalidRecord`` (more than one batch, bad counts).
    public init(validating buffer: ByteBuffer, maxBatchSize: Int = Int(Int32.max)) throws(PlexusError) {
        let start = buffer.readerIndex
        func head() -> String {
            PlexusError.hex(buffer.getBytes(at: start, length: min(buffer.readableBytes, 64)) ?? [])
        }
        switch Self.framing(of: buffer, at: start, maxBatchSize: maxBatchSize) {
        case .incomplete(let needed):
            throw PlexusError(
                .corruptMessage,
                "truncated batch: \(buffer.readableBytes) of \(needed) bytes",
                offendingBytes: head()
            )
        case .invalid(let why):
            let code: PlexusError.Code = why.contains("exceeds") ? .messageTooLarge : .corruptMessage
            throw PlexusError(code, why, offendingBytes: head())
        case .batch(let size):
            guard size == buffer.readableBytes else {
                throw PlexusError(
                    .invalidRecord,
                    "expected exactly one batch of \(size) bytes, got \(buffer.readableBytes) bytes"
                )
            }
            guard let header = RecordBatchHeader(from: buffer, at: start) else {
                throw PlexusError(.corruptMessage, "truncated batch header", offendingBytes: head())
            }
            let crc = Self.computeCRC(of: buffer, at: start, size: size)
            guard crc == header.crc else {
                throw PlexusError(
                    .corruptMessage,
                    "CRC-32C mismatch: batch says \(header.crc), bytes give \(crc)",
                    offendingBytes: head()
                )
            }
            guard header.compression != nil else {
                throw PlexusError(.corruptMessage, "unknown compression id \(header.attributes & 0x07)")
            }
            guard header.lastOffsetDelta >= 0, header.recordsCount >= 0 else {
                throw PlexusError(
                    .invalidRecord,
                    "negative lastOffsetDelta \(header.lastOffsetDelta) or recordsCount \(header.recordsCount)"
                )
            }
            self.header = header
            self.bytes = buffer
        }
    }

    /// Wraps bytes already known to be a valid batch (e.g. read back from a segment).
    public init(unchecked bytes: ByteBuffer, header: RecordBatchHeader) {
        self.header = header
        self.bytes = bytes
    }

    /// Decodes the records, decompressing the records section first when the batch is compressed (at most
    /// `maxDecompressedBytes`).
    /// - Throws: ``PlexusError/Code/corruptMessage`` when the bytes do not decompress or parse.
    public func records(maxDecompressedBytes: Int = RecordCompression.defaultMaxOutput) throws(PlexusError) -> [Record]
    {
        guard let codec = header.compression else {
            throw PlexusError(.unsupportedCompression, "unknown compression id \(header.attributes & 0x07)")
        }
        var body = bytes.getSlice(
            at: bytes.readerIndex + RecordBatchHeader.size,
            length: bytes.readableBytes - RecordBatchHeader.size
        )!
        if codec != .none { body = try RecordCompression.decompress(codec, body, maxOutput: maxDecompressedBytes) }
        return try Self.decodeRecords(&body, count: Int(header.recordsCount))
    }

    /// Checks the records of a batch without decoding them into values: each one is well formed, ends where
    /// its length says, and has `offsetDelta` equal to its position, and there are exactly `recordsCount` of
    /// them — what Kafka's log validator requires of a produced batch, so a batch that would break every
    /// reader is refused up front. A compressed batch's records section is decompressed first (at most
    /// `maxDecompressedBytes`); the batch itself is stored as it came.
    /// - Throws: `corruptMessage` naming the first fault (or a records section that does not decompress, or
    ///   expands beyond the limit, or a codec id Kafka does not define, as framing validation says).
    public func validateRecordStructure(
        maxDecompressedBytes: Int = RecordCompression.defaultMaxOutput
    ) throws(PlexusError) {
        guard let codec = header.compression else {
            throw PlexusError(.corruptMessage, "unknown compression id \(header.attributes & 0x07)")
        }
        var body = bytes.getSlice(
            at: bytes.readerIndex + RecordBatchHeader.size,
            length: bytes.readableBytes - RecordBatchHeader.size
        )!
        if codec != CompressionCodec.none {
            body = try RecordCompression.decompress(codec, body, maxOutput: maxDecompressedBytes)
        }
        func corrupt(_ index: Int, _ why: String) -> PlexusError {
            PlexusError(.corruptMessage, "record \(index) of the batch: \(why)")
        }
        func skipBytes(_ record: inout ByteBuffer, nullable: Bool) -> Bool {
            guard let length = record.readVarInt32() else { return false }
            if length == -1 { return nullable }
            return length >= 0 && record.readSlice(length: Int(length)) != nil
        }
        for index in 0..<Int(header.recordsCount) {
            guard let length = body.readVarInt32(), length >= 0, var record = body.readSlice(length: Int(length))
            else { throw corrupt(index, "bad length") }
            guard record.readInteger(as: Int8.self) != nil, record.readVarInt64() != nil,
                let offsetDelta = record.readVarInt32()
            else { throw corrupt(index, "truncated fields") }
            guard offsetDelta == Int32(index) else {
                throw corrupt(index, "offsetDelta \(offsetDelta), expected \(index)")
            }
            guard skipBytes(&record, nullable: true), skipBytes(&record, nullable: true) else {
                throw corrupt(index, "bad key or value")
            }
            guard let headers = record.readVarInt32(), headers >= 0 else { throw corrupt(index, "bad header count") }
            for _ in 0..<headers {
                guard skipBytes(&record, nullable: false), skipBytes(&record, nullable: true) else {
                    throw corrupt(index, "bad header")
                }
            }
            guard record.readableBytes == 0 else { throw corrupt(index, "\(record.readableBytes) trailing bytes") }
        }
        guard body.readableBytes == 0 else {
            throw PlexusError(
                .corruptMessage,
                "\(body.readableBytes) bytes after the last of \(header.recordsCount) records"
            )
        }
    }

    /// Decodes `count` records from uncompressed record bytes.
    public static func decodeRecords(_ body: inout ByteBuffer, count: Int) throws(PlexusError) -> [Record] {
        guard count <= body.readableBytes else {
            throw PlexusError(.corruptMessage, "recordsCount \(count) exceeds the \(body.readableBytes) record bytes")
        }
        var records: [Record] = []
        records.reserveCapacity(count)
        for _ in 0..<count { records.append(try Record.read(from: &body)) }
        guard body.readableBytes == 0 else {
            throw PlexusError(.corruptMessage, "\(body.readableBytes) bytes after the last record")
        }
        return records
    }

    /// Builds an uncompressed batch from records whose `offsetDelta`s are 0..<n.
    ///
    /// - Parameters:
    ///   - records: the records; their deltas are written as given.
    ///   - baseTimestamp: the batch's base timestamp; `maxTimestamp` is derived from the deltas.
    ///   - producerId, producerEpoch, baseSequence: idempotence fields (-1 when not idempotent).
    public static func build(
        records: [Record],
        baseOffset: Int64 = 0,
        baseTimestamp: Int64,
        attributes: Int16 = 0,
        partitionLeaderEpoch: Int32 = -1,
        producerId: Int64 = -1,
        producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1,
        allocator: ByteBufferAllocator = ByteBufferAllocator()
    ) -> RecordBatch {
        var bodySize = 0
        for record in records {
            let size = record.bodySize
            bodySize += ByteBuffer.varIntSize(Int64(size)) + size
        }
        var buffer = allocator.buffer(capacity: RecordBatchHeader.size + bodySize)
        let maxDelta = records.map(\.timestampDelta).max() ?? 0
        let lastOffsetDelta = records.map(\.offsetDelta).max() ?? 0
        var header = RecordBatchHeader(
            baseOffset: baseOffset,
            batchLength: Int32(RecordBatchHeader.size - 12 + bodySize),
            partitionLeaderEpoch: partitionLeaderEpoch,
            magic: 2,
            crc: 0,
            attributes: attributes,
            lastOffsetDelta: lastOffsetDelta,
            baseTimestamp: baseTimestamp,
            maxTimestamp: records.isEmpty ? baseTimestamp : baseTimestamp + maxDelta,
            producerId: producerId,
            producerEpoch: producerEpoch,
            baseSequence: baseSequence,
            recordsCount: Int32(records.count)
        )
        header.write(to: &buffer)
        for record in records { record.write(to: &buffer) }
        header.crc = computeCRC(of: buffer, at: buffer.readerIndex, size: buffer.readableBytes)
        buffer.setInteger(header.crc, at: buffer.readerIndex + RecordBatchHeader.crcOffset)
        return RecordBatch(unchecked: buffer, header: header)
    }

    /// Builds a batch whose records section is compressed with `compression`.
    public static func build(
        records: [Record],
        compression: CompressionCodec,
        baseTimestamp: Int64,
        producerId: Int64 = -1,
        producerEpoch: Int16 = -1,
        baseSequence: Int32 = -1
    ) throws(PlexusError) -> RecordBatch {
        let plain = build(
            records: records,
            baseTimestamp: baseTimestamp,
            attributes: compression.rawValue,
            producerId: producerId,
            producerEpoch: producerEpoch,
            baseSequence: baseSequence
        )
        guard compression != .none else { return plain }
        var header = plain.header
        let body = plain.bytes.getSlice(
            at: RecordBatchHeader.size,
            length: plain.bytes.readableBytes - RecordBatchHeader.size
        )!
        let compressed = try RecordCompression.compress(compression, body)
        var buffer = ByteBufferAllocator().buffer(capacity: RecordBatchHeader.size + compressed.readableBytes)
        header.batchLength = Int32(RecordBatchHeader.size - RecordBatchHeader.logOverhead + compressed.readableBytes)
        header.write(to: &buffer)
        buffer.writeImmutableBuffer(compressed)
        header.crc = computeCRC(of: buffer, at: buffer.readerIndex, size: buffer.readableBytes)
        buffer.setInteger(header.crc, at: buffer.readerIndex + RecordBatchHeader.crcOffset)
        return RecordBatch(unchecked: buffer, header: header)
    }
}
