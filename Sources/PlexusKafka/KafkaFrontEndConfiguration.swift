/// Settings of the Kafka protocol front end.
public struct KafkaFrontEndConfiguration: Sendable {
    /// This node's id in Metadata (a single node is its own controller).
    public var nodeId: Int32 = 1
    /// Host returned to clients in Metadata.
    public var advertisedHost: String
    /// Port returned to clients in Metadata.
    public var advertisedPort: Int32
    /// Cluster id returned in Metadata v2+.
    public var clusterId: String
    /// Largest request frame accepted; a larger one closes the connection.
    public var maxRequestBytes: Int = 100 * 1024 * 1024
    /// Requests read ahead or outstanding per connection (begun in order, answered in order); reads pause
    /// beyond it.
    public var maxInFlightRequests: Int = 16
    /// A connection with no traffic for this long is closed (Kafka's connections.max.idle.ms).
    public var idleTimeout: Duration = .seconds(600)

    public init(advertisedHost: String, advertisedPort: Int32, clusterId: String) {
        self.advertisedHost = advertisedHost
        self.advertisedPort = advertisedPort
        self.clusterId = clusterId
    }
}
