public import NIOCore

/// A request frame split into its decoded header and the still-encoded body.
///
/// The header version is chosen from the API key and version in the fixed header prefix: v2 when
/// that version of the API is flexible, else v1. Keys without a generated type are parsed with
/// header v1 (api key, version, correlation id, client id), which is enough to route or reject them;
/// any header tags they carry are then left at the front of ``body``.
public struct KafkaRequestFrame: Hashable, Sendable {
    /// The decoded request header.
    public var header: RequestHeader
    /// The header version used to decode ``header`` (1 or 2).
    public var headerVersion: Int16
    /// The request body bytes, a slice of the frame.
    public var body: ByteBuffer

    /// The API key from the header.
    public var apiKey: KafkaApiKey { KafkaApiKey(rawValue: header.requestApiKey) }
    /// The API version from the header.
    public var apiVersion: Int16 { header.requestApiVersion }

    /// Parses the header of `frame` (a frame from ``KafkaFrameDecoder``, without its size prefix).
    ///
    /// - Throws: ``KafkaWireError`` when the header is truncated or malformed.
    public init(parsing frame: ByteBuffer) throws(KafkaWireError) {
        var frame = frame
        guard let key = frame.getInteger(at: frame.readerIndex, as: Int16.self),
            let version = frame.getInteger(at: frame.readerIndex + 2, as: Int16.self)
        else { throw .truncated(.init(field: "RequestHeader.RequestApiVersion")) }
        let headerVersion = KafkaApiKey(rawValue: key).requestHeaderVersion(for: version)
        self.header = try RequestHeader(from: &frame, version: headerVersion)
        self.headerVersion = headerVersion
        self.body = frame
    }

    /// Decodes ``body`` according to the header's API key and version.
    ///
    /// - Throws: ``KafkaWireError/unknownApiKey(_:)``, ``KafkaWireError/unsupportedVersion(apiKey:version:)``
    ///   or a decode error.
    public func decodeRequest() throws(KafkaWireError) -> AnyKafkaRequest {
        try Self.decodeRequest(header, body: body)
    }

    /// Decodes a request body for `header`'s API key and version. Trailing bytes after the body are
    /// ignored, as Kafka does.
    ///
    /// - Throws: ``KafkaWireError/unknownApiKey(_:)``, ``KafkaWireError/unsupportedVersion(apiKey:version:)``
    ///   or a decode error.
    public static func decodeRequest(_ header: RequestHeader, body: ByteBuffer) throws(KafkaWireError)
        -> AnyKafkaRequest
    {
        var body = body
        return try AnyKafkaRequest(
            apiKey: KafkaApiKey(rawValue: header.requestApiKey),
            version: header.requestApiVersion,
            from: &body
        )
    }
}
