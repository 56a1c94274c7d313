public import NIOCore

/// Splits a byte stream into Kafka frames: `int32 size` followed by `size` bytes.
///
/// Each decoded frame is a slice of the inbound buffer without the size prefix (no copy). The size
/// is peeked first and the reader index only moves once the whole frame is buffered, so partial
/// frames wait for more bytes. A negative size or one above ``maxFrameSize`` throws
/// ``KafkaWireError/frameTooLarge(size:maxFrameSize:)`` before anything is buffered, and the
/// connection should then be closed.
///
/// Use it with `ByteToMessageHandler` or `NIOSingleStepByteToMessageProcessor`; it holds no state
/// besides its limit.
public struct KafkaFrameDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    /// One frame, without its size prefix.
    public typealias InboundOut = ByteBuffer

    /// Kafka's own default for `socket.request.max.bytes` (100 MiB).
    public static let defaultMaxFrameSize = 100 * 1024 * 1024

    /// The largest accepted frame size (excluding the 4-byte prefix).
    public let maxFrameSize: Int

    /// Creates a decoder accepting frames up to `maxFrameSize` bytes.
    public init(maxFrameSize: Int = KafkaFrameDecoder.defaultMaxFrameSize) {
        self.maxFrameSize = maxFrameSize
    }

    /// Returns the next complete frame, or nil when more bytes are needed.
    ///
    /// - Throws: ``KafkaWireError/frameTooLarge(size:maxFrameSize:)``.
    public mutating func decode(buffer: inout ByteBuffer) throws -> ByteBuffer? {
        guard let size = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else { return nil }
        guard size >= 0, Int(size) <= maxFrameSize else {
            throw KafkaWireError.frameTooLarge(size: Int64(size), maxFrameSize: maxFrameSize)
        }
        guard buffer.readableBytes >= 4 + Int(size) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        return buffer.readSlice(length: Int(size))
    }

    /// Same as ``decode(buffer:)``; a trailing partial frame at EOF is left in the buffer.
    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ByteBuffer? {
        try decode(buffer: &buffer)
    }
}
