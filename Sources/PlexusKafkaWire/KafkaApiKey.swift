/// A Kafka API key (the `int16` at the start of every request header), with its protocol name.
///
/// A struct rather than an enum so that unknown keys from newer clients can still be represented
/// and answered. Static members exist for the APIs this module has message types for.
public struct KafkaApiKey: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The wire value.
    public var rawValue: Int16

    /// Wraps a wire value; any value is accepted.
    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// Produce (0).
    public static let produce = KafkaApiKey(rawValue: 0)
    /// Fetch (1).
    public static let fetch = KafkaApiKey(rawValue: 1)
    /// ListOffsets (2).
    public static let listOffsets = KafkaApiKey(rawValue: 2)
    /// Metadata (3).
    public static let metadata = KafkaApiKey(rawValue: 3)
    /// OffsetCommit (8).
    public static let offsetCommit = KafkaApiKey(rawValue: 8)
    /// OffsetFetch (9).
    public static let offsetFetch = KafkaApiKey(rawValue: 9)
    /// FindCoordinator (10).
    public static let findCoordinator = KafkaApiKey(rawValue: 10)
    /// JoinGroup (11).
    public static let joinGroup = KafkaApiKey(rawValue: 11)
    /// Heartbeat (12).
    public static let heartbeat = KafkaApiKey(rawValue: 12)
    /// LeaveGroup (13).
    public static let leaveGroup = KafkaApiKey(rawValue: 13)
    /// SyncGroup (14).
    public static let syncGroup = KafkaApiKey(rawValue: 14)
    /// DescribeGroups (15).
    public static let describeGroups = KafkaApiKey(rawValue: 15)
    /// ListGroups (16).
    public static let listGroups = KafkaApiKey(rawValue: 16)
    /// SaslHandshake (17).
    public static let saslHandshake = KafkaApiKey(rawValue: 17)
    /// ApiVersions (18).
    public static let apiVersions = KafkaApiKey(rawValue: 18)
    /// CreateTopics (19).
    public static let createTopics = KafkaApiKey(rawValue: 19)
    /// DeleteTopics (20).
    public static let deleteTopics = KafkaApiKey(rawValue: 20)
    /// InitProducerId (22).
    public static let initProducerId = KafkaApiKey(rawValue: 22)
    /// OffsetForLeaderEpoch (23).
    public static let offsetForLeaderEpoch = KafkaApiKey(rawValue: 23)
    /// DescribeConfigs (32).
    public static let describeConfigs = KafkaApiKey(rawValue: 32)
    /// AlterConfigs (33).
    public static let alterConfigs = KafkaApiKey(rawValue: 33)
    /// SaslAuthenticate (36).
    public static let saslAuthenticate = KafkaApiKey(rawValue: 36)
    /// CreatePartitions (37).
    public static let createPartitions = KafkaApiKey(rawValue: 37)
    /// DeleteGroups (42).
    public static let deleteGroups = KafkaApiKey(rawValue: 42)
    /// IncrementalAlterConfigs (44).
    public static let incrementalAlterConfigs = KafkaApiKey(rawValue: 44)
    /// OffsetDelete (47).
    public static let offsetDelete = KafkaApiKey(rawValue: 47)
    /// DescribeCluster (60).
    public static let describeCluster = KafkaApiKey(rawValue: 60)

    /// Apache Kafka's names for keys 0...87, indexed by key (from the upstream `*Request.json` schemas).
    private static let names: [String] = [
        "Produce",
        "Fetch",
        "ListOffsets",
        "Metadata",
        "LeaderAndIsr",
        "StopReplica",
        "UpdateMetadata",
        "ControlledShutdown",
        "OffsetCommit",
        "OffsetFetch",
        "FindCoordinator",
        "JoinGroup",
        "Heartbeat",
        "LeaveGroup",
        "SyncGroup",
        "DescribeGroups",
        "ListGroups",
        "SaslHandshake",
        "ApiVersions",
        "CreateTopics",
        "DeleteTopics",
        "DeleteRecords",
        "InitProducerId",
        "OffsetForLeaderEpoch",
        "AddPartitionsToTxn",
        "AddOffsetsToTxn",
        "EndTxn",
        "WriteTxnMarkers",
        "TxnOffsetCommit",
        "DescribeAcls",
        "CreateAcls",
        "DeleteAcls",
        "DescribeConfigs",
        "AlterConfigs",
        "AlterReplicaLogDirs",
        "DescribeLogDirs",
        "SaslAuthenticate",
        "CreatePartitions",
        "CreateDelegationToken",
        "RenewDelegationToken",
        "ExpireDelegationToken",
        "DescribeDelegationToken",
        "DeleteGroups",
        "ElectLeaders",
        "IncrementalAlterConfigs",
        "AlterPartitionReassignments",
        "ListPartitionReassignments",
        "OffsetDelete",
        "DescribeClientQuotas",
        "AlterClientQuotas",
        "DescribeUserScramCredentials",
        "AlterUserScramCredentials",
        "Vote",
        "BeginQuorumEpoch",
        "EndQuorumEpoch",
        "DescribeQuorum",
        "AlterPartition",
        "UpdateFeatures",
        "Envelope",
        "FetchSnapshot",
        "DescribeCluster",
        "DescribeProducers",
        "BrokerRegistration",
        "BrokerHeartbeat",
        "UnregisterBroker",
        "DescribeTransactions",
        "ListTransactions",
        "AllocateProducerIds",
        "ConsumerGroupHeartbeat",
        "ConsumerGroupDescribe",
        "ControllerRegistration",
        "GetTelemetrySubscriptions",
        "PushTelemetry",
        "AssignReplicasToDirs",
        "ListClientMetricsResources",
        "DescribeTopicPartitions",
        "ShareGroupHeartbeat",
        "ShareGroupDescribe",
        "ShareFetch",
        "ShareAcknowledge",
        "AddRaftVoter",
        "RemoveRaftVoter",
        "UpdateRaftVoter",
        "InitializeShareGroupState",
        "ReadShareGroupState",
        "WriteShareGroupState",
        "DeleteShareGroupState",
        "ReadShareGroupStateSummary",
    ]

    /// The API's protocol name (e.g. `"Produce"`), or nil for a key Kafka does not define.
    public var name: String? {
        guard rawValue >= 0, Int(rawValue) < Self.names.count else { return nil }
        return Self.names[Int(rawValue)]
    }

    /// `Name(key)`, or `Unknown(key)`.
    public var description: String {
        "\(name ?? "Unknown")(\(rawValue))"
    }

    public static func < (lhs: KafkaApiKey, rhs: KafkaApiKey) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// The request header version a request of this API at `version` uses: 2 when the version is
    /// flexible, else 1. Unknown keys get 1 (only the fixed prefix is meaningful to route them).
    public func requestHeaderVersion(for version: Int16) -> Int16 {
        guard let start = requestType?.flexibleVersionsStart else { return 1 }
        return version >= start ? 2 : 1
    }

    /// The response header version for a request of this API at `version`: 1 when flexible, else 0,
    /// except ApiVersions, which always answers with header v0 (KIP-511).
    public func responseHeaderVersion(for version: Int16) -> Int16 {
        guard self != .apiVersions, let start = requestType?.flexibleVersionsStart else { return 0 }
        return version >= start ? 1 : 0
    }
}
