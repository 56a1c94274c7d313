import NIOCore
import PlexusKafkaWire

/// The values behind the golden response frames in `Tests/Fixtures/kafka-responses/`.
///
/// One builder per API takes the version and returns a value with data in every field that exists in
/// that version: non-default scalars, arrays of two or more elements, nullable fields null in one place
/// and set in another, tagged fields set (and left at their default in a sibling, so both the present
/// and absent encodings are covered). Fields the version lacks keep their schema default, so the value
/// decodes back unchanged. Names, offsets and error codes are spot-checked by
/// `Tests/Interop/test_golden_responses.py`; change both together.
enum GoldenResponses {
    /// The value for `key` at `version`, or nil when there is no builder for the API.
    static func response(_ key: KafkaApiKey, version v: Int16) -> AnyKafkaResponse? {
        switch key {
        case .produce: .produce(produce(v))
        case .fetch: .fetch(fetch(v))
        case .listOffsets: .listOffsets(listOffsets(v))
        case .metadata: .metadata(metadata(v))
        case .apiVersions: .apiVersions(apiVersions(v))
        case .createTopics: .createTopics(createTopics(v))
        case .deleteTopics: .deleteTopics(deleteTopics(v))
        case .initProducerId: .initProducerId(initProducerId(v))
        case .createPartitions: .createPartitions(createPartitions(v))
        case .describeConfigs: .describeConfigs(describeConfigs(v))
        case .alterConfigs: .alterConfigs(alterConfigs(v))
        case .incrementalAlterConfigs: .incrementalAlterConfigs(incrementalAlterConfigs(v))
        case .describeCluster: .describeCluster(describeCluster(v))
        case .findCoordinator: .findCoordinator(findCoordinator(v))
        case .joinGroup: .joinGroup(joinGroup(v))
        case .syncGroup: .syncGroup(syncGroup(v))
        case .heartbeat: .heartbeat(heartbeat(v))
        case .leaveGroup: .leaveGroup(leaveGroup(v))
        case .offsetCommit: .offsetCommit(offsetCommit(v))
        case .offsetFetch: .offsetFetch(offsetFetch(v))
        case .offsetDelete: .offsetDelete(offsetDelete(v))
        case .listGroups: .listGroups(listGroups(v))
        case .describeGroups: .describeGroups(describeGroups(v))
        case .deleteGroups: .deleteGroups(deleteGroups(v))
        default: nil
        }
    }

    /// A few record bytes that are not a valid batch: the codec must carry them untouched.
    static let records = ByteBuffer(bytes: [0x00, 0x7F, 0x80, 0xFE, 0xFF])

    /// Topic ids, distinct in both halves so a swapped half shows.
    static let ordersId = KafkaUUID(
        mostSignificantBits: 0x0123_4567_89AB_CDEF,
        leastSignificantBits: 0xFEDC_BA98_7654_3210
    )
    static let paymentsId = KafkaUUID(
        mostSignificantBits: 0x1111_2222_3333_4444,
        leastSignificantBits: 0x5555_6666_7777_8888
    )

    static func produce(_ v: Int16) -> ProduceResponse {
        typealias Partition = ProduceResponse.PartitionProduceResponse
        let ok = Partition(
            index: 0,
            errorCode: 0,
            baseOffset: 4_242,
            logAppendTimeMs: v >= 2 ? 1_700_000_000_123 : -1,
            logStartOffset: v >= 5 ? 17 : -1,
            recordErrors: v >= 8
                ? [.init(batchIndex: 3, batchIndexErrorMessage: "bad key"), .init(batchIndex: 5)] : [],
            errorMessage: v >= 8 ? "2 records rejected" : nil,
            currentLeader: v >= 10 ? .init(leaderId: 2, leaderEpoch: 7) : .init()
        )
        let notLeader = Partition(index: 1, errorCode: 6, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1)
        return ProduceResponse(
            responses: [
                .init(name: "orders", partitionResponses: [ok, notLeader]),
                .init(name: "payments", partitionResponses: [Partition(index: 2, errorCode: 87, baseOffset: -1)]),
            ],
            throttleTimeMs: v >= 1 ? 250 : 0,
            nodeEndpoints: v >= 10
                ? [
                    .init(nodeId: 2, host: "b2.plexus.test", port: 9093, rack: "rack-b"),
                    .init(nodeId: 3, host: "b3", port: 9094),
                ]
                : []
        )
    }

    static func fetch(_ v: Int16) -> FetchResponse {
        func topic(_ name: String, _ id: KafkaUUID, _ partitions: [FetchResponse.PartitionData])
            -> FetchResponse.FetchableTopicResponse
        {
            .init(topic: v <= 12 ? name : "", topicId: v >= 13 ? id : .zero, partitions: partitions)
        }
        let full = FetchResponse.PartitionData(
            partitionIndex: 0,
            errorCode: 0,
            highWatermark: 1_000,
            lastStableOffset: v >= 4 ? 990 : -1,
            logStartOffset: v >= 5 ? 10 : -1,
            divergingEpoch: v >= 12 ? .init(epoch: 4, endOffset: 950) : .init(),
            currentLeader: v >= 12 ? .init(leaderId: 1, leaderEpoch: 5) : .init(),
            snapshotId: v >= 12 ? .init(endOffset: 900, epoch: 3) : .init(),
            abortedTransactions: v >= 4
                ? [.init(producerId: 4_242, firstOffset: 100), .init(producerId: 7, firstOffset: 200)] : [],
            preferredReadReplica: v >= 11 ? 3 : -1,
            records: records
        )
        let empty = FetchResponse.PartitionData(
            partitionIndex: 1,
            errorCode: 1,
            highWatermark: 2_000,
            lastStableOffset: v >= 4 ? 1_990 : -1,
            logStartOffset: v >= 5 ? 20 : -1,
            abortedTransactions: v >= 4 ? nil : [],
            records: nil
        )
        return FetchResponse(
            throttleTimeMs: v >= 1 ? 25 : 0,
            errorCode: v >= 7 ? 70 : 0,
            sessionId: v >= 7 ? 0x1234_5678 : 0,
            responses: [
                topic("orders", ordersId, [full, empty]),
                topic(
                    "payments",
                    paymentsId,
                    [.init(partitionIndex: 2, errorCode: 3, highWatermark: -1, records: records)]
                ),
            ],
            nodeEndpoints: v >= 16
                ? [.init(nodeId: 1, host: "b1", port: 9092, rack: "r"), .init(nodeId: 3, host: "b3")] : []
        )
    }

    static func listOffsets(_ v: Int16) -> ListOffsetsResponse {
        typealias Partition = ListOffsetsResponse.ListOffsetsPartitionResponse
        let found = Partition(
            partitionIndex: 0,
            errorCode: 0,
            oldStyleOffsets: v == 0 ? [300, 200, 0] : [],
            timestamp: v >= 1 ? 1_700_000_000_000 : -1,
            offset: v >= 1 ? 300 : -1,
            leaderEpoch: v >= 4 ? 7 : -1
        )
        let fenced = Partition(partitionIndex: 1, errorCode: 74, oldStyleOffsets: [], timestamp: -1, offset: -1)
        return ListOffsetsResponse(
            throttleTimeMs: v >= 2 ? 30 : 0,
            topics: [
                .init(name: "orders", partitions: [found, fenced]),
                .init(name: "payments", partitions: [Partition(partitionIndex: 4, errorCode: 3)]),
            ]
        )
    }

    static func metadata(_ v: Int16) -> MetadataResponse {
        typealias Partition = MetadataResponse.MetadataResponsePartition
        let partitions = [
            Partition(
                errorCode: 0,
                partitionIndex: 0,
                leaderId: 1,
                leaderEpoch: v >= 7 ? 5 : -1,
                replicaNodes: [1, 2, 3],
                isrNodes: [1, 2],
                offlineReplicas: v >= 5 ? [3, 4] : []
            ),
            Partition(errorCode: 9, partitionIndex: 1, leaderId: 2, leaderEpoch: v >= 7 ? 6 : -1, replicaNodes: [2]),
        ]
        return MetadataResponse(
            throttleTimeMs: v >= 3 ? 40 : 0,
            brokers: [
                .init(nodeId: 1, host: "b1.plexus.test", port: 9092, rack: v >= 1 ? "rack-a" : nil),
                .init(nodeId: 2, host: "b2.plexus.test", port: 9093, rack: nil),
            ],
            // Null at the first version that has it, so both encodings are covered.
            clusterId: v >= 3 ? "plexus-cluster-1" : nil,
            controllerId: v >= 1 ? 2 : -1,
            topics: [
                .init(
                    errorCode: 0,
                    name: "__consumer_offsets",
                    topicId: v >= 10 ? ordersId : .zero,
                    isInternal: v >= 1,
                    partitions: partitions,
                    topicAuthorizedOperations: v >= 8 ? 0x0000_0FF8 : Int32.min
                ),
                // An unknown topic id has no name from v12 on.
                .init(
                    errorCode: v >= 12 ? 100 : 3,
                    name: v >= 12 ? nil : "missing",
                    topicId: v >= 10 ? paymentsId : .zero
                ),
            ],
            clusterAuthorizedOperations: (8...10).contains(v) ? 0x0000_0AB8 : Int32.min
        )
    }

    /// Error 35 (UNSUPPORTED_VERSION) only at v0: that is the only version a broker answers an error in
    /// (KIP-511), and kafka-python reads any response with a non-zero error code as v0.
    static func apiVersions(_ v: Int16) -> ApiVersionsResponse {
        ApiVersionsResponse(
            errorCode: v == 0 ? 35 : 0,
            apiKeys: [
                .init(apiKey: 0, minVersion: 0, maxVersion: 9),
                .init(apiKey: 1, minVersion: 4, maxVersion: 12),
                .init(apiKey: 18, minVersion: 0, maxVersion: 3),
            ],
            throttleTimeMs: v >= 1 ? 10 : 0,
            supportedFeatures: v >= 3
                ? [
                    .init(name: "metadata.version", minVersion: 1, maxVersion: 20),
                    .init(name: "kraft.version", maxVersion: 1),
                ]
                : [],
            finalizedFeaturesEpoch: v >= 3 ? 42 : -1,
            finalizedFeatures: v >= 3
                ? [
                    .init(name: "metadata.version", maxVersionLevel: 20, minVersionLevel: 20),
                    .init(name: "kraft.version", maxVersionLevel: 1, minVersionLevel: 0),
                ]
                : [],
            zkMigrationReady: v >= 3
        )
    }

    static func createTopics(_ v: Int16) -> CreateTopicsResponse {
        let configs: [CreateTopicsResponse.CreatableTopicConfigs] = [
            .init(name: "cleanup.policy", value: "delete", readOnly: false, configSource: 5, isSensitive: false),
            .init(name: "sasl.jaas.config", value: nil, readOnly: true, configSource: 4, isSensitive: true),
        ]
        return CreateTopicsResponse(
            throttleTimeMs: v >= 2 ? 15 : 0,
            topics: [
                .init(
                    name: "orders",
                    topicId: v >= 7 ? ordersId : .zero,
                    errorCode: 0,
                    errorMessage: v >= 1 ? nil : "",
                    numPartitions: v >= 5 ? 3 : -1,
                    replicationFactor: v >= 5 ? 1 : -1,
                    configs: v >= 5 ? configs : []
                ),
                .init(
                    name: "payments",
                    errorCode: 36,
                    errorMessage: v >= 1 ? "Topic 'payments' already exists." : "",
                    topicConfigErrorCode: v >= 5 ? 29 : 0,
                    configs: v >= 5 ? nil : []
                ),
            ]
        )
    }

    static func deleteTopics(_ v: Int16) -> DeleteTopicsResponse {
        DeleteTopicsResponse(
            throttleTimeMs: v >= 1 ? 20 : 0,
            responses: [
                .init(name: "orders", topicId: v >= 6 ? ordersId : .zero, errorCode: 0),
                .init(
                    name: v >= 6 ? nil : "ghost",
                    topicId: v >= 6 ? paymentsId : .zero,
                    errorCode: v >= 6 ? 100 : 3,
                    errorMessage: v >= 5 ? "This server does not host this topic ID." : nil
                ),
            ]
        )
    }

    static func initProducerId(_ v: Int16) -> InitProducerIdResponse {
        InitProducerIdResponse(throttleTimeMs: 5, errorCode: 47, producerId: 4_242, producerEpoch: 3)
    }

    static func createPartitions(_ v: Int16) -> CreatePartitionsResponse {
        CreatePartitionsResponse(
            throttleTimeMs: 35,
            results: [
                .init(name: "orders", errorCode: 0, errorMessage: nil),
                .init(name: "payments", errorCode: 37, errorMessage: "Topic currently has 3 partitions, more than 2."),
            ]
        )
    }

    static func describeConfigs(_ v: Int16) -> DescribeConfigsResponse {
        typealias Config = DescribeConfigsResponse.DescribeConfigsResourceResult
        let configs = [
            Config(
                name: "retention.ms",
                value: "604800000",
                readOnly: false,
                isDefault: v == 0,
                configSource: v >= 1 ? 1 : -1,
                isSensitive: false,
                synonyms: v >= 1
                    ? [
                        .init(name: "retention.ms", value: "604800000", source: 1),
                        .init(name: "log.retention.ms", value: nil, source: 5),
                    ]
                    : [],
                configType: v >= 3 ? 5 : 0,
                documentation: v >= 3 ? "How long to keep a log segment." : ""
            ),
            Config(
                name: "ssl.key.password",
                value: nil,
                readOnly: true,
                configSource: v >= 1 ? 4 : -1,
                isSensitive: true,
                configType: v >= 3 ? 9 : 0,
                documentation: v >= 3 ? nil : ""
            ),
        ]
        return DescribeConfigsResponse(
            throttleTimeMs: 45,
            results: [
                .init(errorCode: 0, errorMessage: nil, resourceType: 2, resourceName: "orders", configs: configs),
                .init(
                    errorCode: 3,
                    errorMessage: "Topic 'gone' does not exist.",
                    resourceType: 2,
                    resourceName: "gone"
                ),
                .init(errorCode: 0, errorMessage: nil, resourceType: 4, resourceName: "1", configs: [configs[1]]),
            ]
        )
    }

    static func alterConfigs(_ v: Int16) -> AlterConfigsResponse {
        AlterConfigsResponse(
            throttleTimeMs: 55,
            responses: [
                .init(errorCode: 0, errorMessage: nil, resourceType: 2, resourceName: "orders"),
                .init(
                    errorCode: 40,
                    errorMessage: "Invalid value -2 for retention.ms",
                    resourceType: 4,
                    resourceName: "1"
                ),
            ]
        )
    }

    static func incrementalAlterConfigs(_ v: Int16) -> IncrementalAlterConfigsResponse {
        IncrementalAlterConfigsResponse(
            throttleTimeMs: 65,
            responses: [
                .init(errorCode: 0, errorMessage: nil, resourceType: 2, resourceName: "orders"),
                .init(
                    errorCode: 40,
                    errorMessage: "Invalid value -2 for retention.ms",
                    resourceType: 4,
                    resourceName: "1"
                ),
            ]
        )
    }

    static func describeCluster(_ v: Int16) -> DescribeClusterResponse {
        DescribeClusterResponse(
            throttleTimeMs: 75,
            errorCode: 31,
            // Null at v0 and set at v1, so both encodings are covered.
            errorMessage: v >= 1 ? "Cluster authorization failed." : nil,
            endpointType: v >= 1 ? 2 : 1,
            clusterId: "plexus-cluster-1",
            controllerId: 2,
            brokers: [
                .init(brokerId: 1, host: "b1.plexus.test", port: 9092, rack: "rack-a"),
                .init(brokerId: 2, host: "b2.plexus.test", port: 9093, rack: nil),
            ],
            clusterAuthorizedOperations: 0x0000_0AB8
        )
    }
}
