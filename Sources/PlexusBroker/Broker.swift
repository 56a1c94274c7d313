public import PlexusModel
public import PlexusStorage

/// The protocol-neutral core every front end talks to.
///
/// For now it exposes the storage's topics and partition logs; consumer groups, queues, subscriptions,
/// routing and request/reply arrive here in later issues. It knows no wire protocol.
public final class Broker: Sendable {
    /// The storage under this broker.
    public let logs: LogManager

    public init(logs: LogManager) {
        self.logs = logs
    }

    /// The log of a partition, or an `unknownTopicOrPartition` error.
    public func partition(_ topic: TopicName, _ partition: PartitionID) throws(PlexusError) -> PartitionLog {
        guard let log = logs.partition(topic, partition) else {
            throw PlexusError(.unknownTopicOrPartition, "\(topic)/\(partition) does not exist")
        }
        return log
    }
}
