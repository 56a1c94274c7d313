import NIOCore
import PlexusKafkaWire

/// The consumer-group APIs' golden values; see ``GoldenResponses``.
///
/// JoinGroup v7 and SyncGroup v5 are the only advertised versions where their top-level protocol type and
/// name are nullable, and each file has one of each: one is null and the other set, so both encodings are
/// covered in the same file (`ONE_FILE_NULLABLE` in the Python test).
extension GoldenResponses {
    /// Opaque member metadata and assignments: the codec must carry them untouched.
    static let memberMetadata = ByteBuffer(bytes: [0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06])
    static let memberAssignment = ByteBuffer(bytes: [0x00, 0x03, 0xFF, 0xFF, 0xFF, 0xFF])

    static func findCoordinator(_ v: Int16) -> FindCoordinatorResponse {
        // v4 batches the keys: the top-level coordinator fields are gone and keep their defaults.
        guard v <= 3 else {
            return FindCoordinatorResponse(
                throttleTimeMs: 85,
                coordinators: [
                    .init(
                        key: "orders-app",
                        nodeId: 1,
                        host: "b1.plexus.test",
                        port: 9092,
                        errorCode: 0,
                        errorMessage: nil
                    ),
                    .init(
                        key: "billing",
                        nodeId: -1,
                        host: "",
                        port: -1,
                        errorCode: 15,
                        errorMessage: "The coordinator is not available."
                    ),
                ]
            )
        }
        return FindCoordinatorResponse(
            throttleTimeMs: v >= 1 ? 85 : 0,
            errorCode: 15,
            // Null at the first version that has it, so both encodings are covered.
            errorMessage: v >= 2 ? "The coordinator is not available." : v == 1 ? nil : "",
            nodeId: 2,
            host: "b2.plexus.test",
            port: 9093
        )
    }

    static func joinGroup(_ v: Int16) -> JoinGroupResponse {
        JoinGroupResponse(
            throttleTimeMs: v >= 2 ? 90 : 0,
            errorCode: 27,
            generationId: 5,
            protocolType: v >= 7 ? "consumer" : nil,
            protocolName: v >= 7 ? nil : "range",
            leader: "consumer-1-leader",
            memberId: "consumer-2-follower",
            members: [
                .init(
                    memberId: "consumer-1-leader",
                    groupInstanceId: v >= 5 ? "instance-1" : nil,
                    metadata: memberMetadata
                ),
                .init(memberId: "consumer-2-follower", groupInstanceId: nil, metadata: ByteBuffer()),
            ]
        )
    }

    static func syncGroup(_ v: Int16) -> SyncGroupResponse {
        SyncGroupResponse(
            throttleTimeMs: v >= 1 ? 95 : 0,
            errorCode: 22,
            protocolType: nil,
            protocolName: v >= 5 ? "cooperative-sticky" : nil,
            assignment: memberAssignment
        )
    }

    static func heartbeat(_ v: Int16) -> HeartbeatResponse {
        HeartbeatResponse(throttleTimeMs: v >= 1 ? 100 : 0, errorCode: 27)
    }

    static func leaveGroup(_ v: Int16) -> LeaveGroupResponse {
        LeaveGroupResponse(
            throttleTimeMs: v >= 1 ? 105 : 0,
            errorCode: 25,
            members: v >= 3
                ? [
                    .init(memberId: "consumer-1-leader", groupInstanceId: nil, errorCode: 0),
                    .init(memberId: "", groupInstanceId: "instance-9", errorCode: 25),
                ]
                : []
        )
    }

    static func offsetCommit(_ v: Int16) -> OffsetCommitResponse {
        OffsetCommitResponse(
            throttleTimeMs: v >= 3 ? 110 : 0,
            topics: [
                .init(name: "orders", partitions: [.init(partitionIndex: 0), .init(partitionIndex: 1, errorCode: 22)]),
                .init(name: "payments", partitions: [.init(partitionIndex: 2, errorCode: 12)]),
            ]
        )
    }

    static func offsetFetch(_ v: Int16) -> OffsetFetchResponse {
        typealias Partition = OffsetFetchResponse.OffsetFetchResponsePartition
        typealias Partitions = OffsetFetchResponse.OffsetFetchResponsePartitions
        // v8 batches the groups: the same topics move into the first group, the top-level fields are gone.
        guard v <= 7 else {
            return OffsetFetchResponse(
                throttleTimeMs: 115,
                groups: [
                    .init(
                        groupId: "orders-app",
                        topics: [
                            .init(
                                name: "orders",
                                partitions: [
                                    Partitions(
                                        partitionIndex: 0,
                                        committedOffset: 4_242,
                                        committedLeaderEpoch: 7,
                                        metadata: "checkpoint-17",
                                        errorCode: 0
                                    ),
                                    Partitions(partitionIndex: 1, committedOffset: -1, metadata: nil, errorCode: 0),
                                ]
                            ),
                            .init(
                                name: "payments",
                                partitions: [
                                    Partitions(partitionIndex: 2, committedOffset: -1, metadata: "", errorCode: 3)
                                ]
                            ),
                        ],
                        errorCode: 0
                    ),
                    .init(groupId: "billing", topics: [], errorCode: 14),
                ]
            )
        }
        return OffsetFetchResponse(
            throttleTimeMs: v >= 3 ? 115 : 0,
            topics: [
                .init(
                    name: "orders",
                    partitions: [
                        Partition(
                            partitionIndex: 0,
                            committedOffset: 4_242,
                            committedLeaderEpoch: v >= 5 ? 7 : -1,
                            metadata: "checkpoint-17",
                            errorCode: 0
                        ),
                        Partition(partitionIndex: 1, committedOffset: -1, metadata: nil, errorCode: 0),
                    ]
                ),
                .init(
                    name: "payments",
                    partitions: [Partition(partitionIndex: 2, committedOffset: -1, metadata: "", errorCode: 3)]
                ),
            ],
            errorCode: v >= 2 ? 14 : 0
        )
    }

    static func offsetDelete(_ v: Int16) -> OffsetDeleteResponse {
        OffsetDeleteResponse(
            errorCode: 16,
            throttleTimeMs: 120,
            topics: [
                .init(name: "orders", partitions: [.init(partitionIndex: 0), .init(partitionIndex: 1, errorCode: 86)]),
                .init(name: "payments", partitions: [.init(partitionIndex: 2, errorCode: 3)]),
            ]
        )
    }

    static func listGroups(_ v: Int16) -> ListGroupsResponse {
        ListGroupsResponse(
            throttleTimeMs: v >= 1 ? 125 : 0,
            errorCode: 14,
            groups: [
                .init(groupId: "orders-app", protocolType: "consumer", groupState: v >= 4 ? "Stable" : ""),
                .init(groupId: "connect-sink", protocolType: "connect", groupState: v >= 4 ? "Empty" : ""),
            ]
        )
    }

    static func describeGroups(_ v: Int16) -> DescribeGroupsResponse {
        typealias Member = DescribeGroupsResponse.DescribedGroupMember
        let members = [
            Member(
                memberId: "consumer-1-leader",
                groupInstanceId: v >= 4 ? "instance-1" : nil,
                clientId: "consumer-1",
                clientHost: "/10.0.0.1",
                memberMetadata: memberMetadata,
                memberAssignment: memberAssignment
            ),
            Member(
                memberId: "consumer-2-follower",
                groupInstanceId: nil,
                clientId: "consumer-2",
                clientHost: "/10.0.0.2"
            ),
        ]
        return DescribeGroupsResponse(
            throttleTimeMs: v >= 1 ? 130 : 0,
            groups: [
                .init(
                    errorCode: 0,
                    groupId: "orders-app",
                    groupState: "Stable",
                    protocolType: "consumer",
                    protocolData: "range",
                    members: members,
                    // READ, DELETE and DESCRIBE (bits 3, 6, 8).
                    authorizedOperations: v >= 3 ? 0x0000_0148 : Int32.min
                ),
                .init(errorCode: 16, groupId: "billing", groupState: "Dead"),
            ]
        )
    }

    static func deleteGroups(_ v: Int16) -> DeleteGroupsResponse {
        DeleteGroupsResponse(
            throttleTimeMs: 135,
            results: [.init(groupId: "orders-app", errorCode: 0), .init(groupId: "billing", errorCode: 68)]
        )
    }
}
