public import NIOCore

extension ByteBuffer {
    /// Appends a complete response frame: `int32 size`, the response header for `requestHeader`
    /// (v1 when the request version is flexible, else v0; always v0 for ApiVersions), then `response`
    /// encoded at the request's version.
    ///
    /// - Parameters:
    ///   - response: the response body; its API key should match the request's.
    ///   - requestHeader: the header of the request being answered (correlation id and version).
    public mutating func writeKafkaResponseFrame<Response: KafkaResponse>(
        _ response: Response,
        for requestHeader: RequestHeader
    ) {
        writeKafkaResponseFrame(
            apiKey: Response.apiKey,
            version: requestHeader.requestApiVersion,
            correlationId: requestHeader.correlationId
        ) { buffer in
            response.write(to: &buffer, version: requestHeader.requestApiVersion)
        }
    }

    /// Appends a complete response frame for a type-erased response; see
    /// ``writeKafkaResponseFrame(_:for:)``.
    public mutating func writeKafkaResponseFrame(_ response: AnyKafkaResponse, for requestHeader: RequestHeader) {
        writeKafkaResponseFrame(
            apiKey: response.apiKey,
            version: requestHeader.requestApiVersion,
            correlationId: requestHeader.correlationId
        ) { buffer in
            response.write(to: &buffer, version: requestHeader.requestApiVersion)
        }
    }

    /// Appends a complete request frame: `int32 size`, `header` (v2 when the request version is
    /// flexible, else v1), then `request` encoded at `header.requestApiVersion`.
    public mutating func writeKafkaRequestFrame(_ request: AnyKafkaRequest, header: RequestHeader) {
        let apiKey = KafkaApiKey(rawValue: header.requestApiKey)
        writeKafkaFrame { buffer in
            header.write(to: &buffer, version: apiKey.requestHeaderVersion(for: header.requestApiVersion))
            request.write(to: &buffer, version: header.requestApiVersion)
        }
    }

    private mutating func writeKafkaResponseFrame(
        apiKey: KafkaApiKey,
        version: Int16,
        correlationId: Int32,
        body: (inout ByteBuffer) -> Void
    ) {
        writeKafkaFrame { buffer in
            ResponseHeader(correlationId: correlationId)
                .write(to: &buffer, version: apiKey.responseHeaderVersion(for: version))
            body(&buffer)
        }
    }

    /// Writes a 4-byte size placeholder, the frame contents, then patches the size.
    private mutating func writeKafkaFrame(_ contents: (inout ByteBuffer) -> Void) {
        let sizeIndex = writerIndex
        writeInteger(0, as: Int32.self)
        contents(&self)
        setInteger(Int32(writerIndex - sizeIndex - 4), at: sizeIndex)
    }
}
