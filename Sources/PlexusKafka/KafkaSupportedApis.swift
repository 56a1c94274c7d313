import PlexusKafkaWire

/// The APIs and versions this broker advertises in ApiVersions.
///
/// Minimums are 0 for every API: librdkafka 2.0.2 enables features (RecordBatch v2, LZ4, groups…) only
/// when the advertised range overlaps its fixed feature versions (PROTOCOLS.md §1.3). Produce below 3 and
/// Fetch below 4 carry the pre-2017 message formats, which Plexus answers with an error per partition.
/// Fetch stays below 13 (topic ids instead of names); ListOffsets below 7 (no max-timestamp lookup yet).
/// Consumer groups use the classic protocol: OffsetCommit stays below 9 and OffsetFetch below 8 (KIP-848
/// member epochs, batched groups), JoinGroup below 8, ListGroups below 5 (group types).
enum KafkaSupportedApis {
    static let versions: [(KafkaApiKey, ClosedRange<Int16>)] = [
        (.produce, 0...9),
        (.fetch, 0...12),
        (.listOffsets, 0...6),
        (.metadata, 0...12),
        (.apiVersions, 0...3),
        (.createTopics, 0...7),
        (.deleteTopics, 0...6),
        (.initProducerId, 0...4),
        (.createPartitions, 0...3),
        (.describeConfigs, 0...4),
        (.alterConfigs, 0...2),
        (.incrementalAlterConfigs, 0...1),
        (.describeCluster, 0...1),
        (.findCoordinator, 0...4),
        (.joinGroup, 0...7),
        (.syncGroup, 0...5),
        (.heartbeat, 0...4),
        (.leaveGroup, 0...4),
        (.offsetCommit, 0...8),
        (.offsetFetch, 0...7),
        (.offsetDelete, 0...0),
        (.listGroups, 0...4),
        (.describeGroups, 0...5),
        (.deleteGroups, 0...2),
    ]

    static func supports(_ key: KafkaApiKey, _ version: Int16) -> Bool {
        versions.contains { $0.0 == key && $0.1.contains(version) }
    }

    static var apiVersionsList: [ApiVersionsResponse.ApiVersion] {
        versions.map {
            ApiVersionsResponse.ApiVersion(
                apiKey: $0.0.rawValue,
                minVersion: $0.1.lowerBound,
                maxVersion: $0.1.upperBound
            )
        }
    }
}
