/// A Kafka request body type, identified by its API key.
public protocol KafkaRequest: KafkaMessage {
    /// The response body type for this request.
    associatedtype Response: KafkaResponse
    /// The API key sent in the request header.
    static var apiKey: KafkaApiKey { get }
}

extension KafkaRequest {
    /// The request header version for `version`: 2 when flexible, else 1
    /// (header v0 is only used by ControlledShutdown v0, which is not generated).
    public static func requestHeaderVersion(for version: Int16) -> Int16 {
        isFlexible(version: version) ? 2 : 1
    }
}
