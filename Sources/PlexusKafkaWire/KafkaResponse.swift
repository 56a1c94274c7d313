/// A Kafka response body type, identified by its API key.
public protocol KafkaResponse: KafkaMessage {
    /// The API key of the request this answers.
    static var apiKey: KafkaApiKey { get }
}

extension KafkaResponse {
    /// The response header version for `version`: 1 when flexible, else 0, except ApiVersions,
    /// whose response header is always v0 (KIP-511) so old clients can read the error code.
    public static func responseHeaderVersion(for version: Int16) -> Int16 {
        apiKey.responseHeaderVersion(for: version)
    }
}
