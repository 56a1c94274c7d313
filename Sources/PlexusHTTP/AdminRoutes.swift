import Foundation
import Hummingbird
import NIOCore
import PlexusBroker
import PlexusModel
import PlexusStorage

/// The admin REST API under `/api/v1`: topics (list, create, describe, update config, delete), consumer
/// groups with lag, and node information. JSON in and out.
struct AdminRoutes: Sendable {
    let broker: Broker
    let maxBodyBytes: Int
    /// This node's listeners by protocol (`kafka` → `HOST:PORT`), for `/api/v1/cluster`.
    let listeners: @Sendable () -> [String: String]

    struct TopicSummary: ResponseEncodable {
        var name: String
        var id: String
        var partitions: Int32
    }

    struct PartitionInfo: Codable {
        var partition: Int32
        var logStartOffset: Int64
        var highWatermark: Int64
        var sizeBytes: Int64
    }

    struct TopicDetail: ResponseEncodable {
        var name: String
        var id: String
        var partitions: [PartitionInfo]
        var config: [String: String]
        var overrides: [String: String]
    }

    struct CreateTopic: Decodable {
        var name: String
        var partitions: Int32?
        var config: [String: String]?
    }

    struct ConfigUpdate: Decodable {
        /// Keys to set (a string) or reset to the default (null).
        var config: [String: String?]
    }

    struct GroupPartition: Codable {
        var topic: String
        var partition: Int32
        var committedOffset: Int64
        var endOffset: Int64
        var lag: Int64
    }

    struct GroupMember: Codable {
        var memberId: String
        var groupInstanceId: String?
        var clientId: String
        var clientHost: String
    }

    struct GroupSummary: ResponseEncodable {
        var groupId: String
        var state: String
        var protocolType: String
        var members: Int
        var lag: Int64
    }

    struct GroupDetail: ResponseEncodable {
        var groupId: String
        var state: String
        var protocolType: String
        var protocolName: String
        var generation: Int32
        var leader: String?
        var members: [GroupMember]
        var partitions: [GroupPartition]
    }

    struct NodeInfo: ResponseEncodable {
        var nodeId: Int32
        var clusterId: String
        var dataDirectory: String
        var flush: String
        var topics: Int
        var groups: Int
    }

    struct ClusterNode: Codable {
        var nodeId: Int32
        var listeners: [String: String]
    }

    struct ClusterInfo: ResponseEncodable {
        var clusterId: String
        var controllerId: Int32
        var nodes: [ClusterNode]
    }

    func add(to group: RouterGroup<BasicRequestContext>) {
        group.get("cluster") { _, _ in
            // One node today; the mesh and clustering issues add the others.
            ClusterInfo(
                clusterId: broker.logs.clusterID,
                controllerId: 1,
                nodes: [ClusterNode(nodeId: 1, listeners: listeners())]
            )
        }
        group.get("openapi.json") { _, _ in OpenAPIDocument.response() }
        group.get("node") { _, _ in
            NodeInfo(
                nodeId: 1,
                clusterId: broker.logs.clusterID,
                dataDirectory: broker.logs.dataDirectory,
                flush: "\(broker.logs.flushPolicy)",
                topics: broker.logs.topics().count,
                groups: groupIDs().count
            )
        }
        group.get("topics") { _, _ in
            broker.logs.topics().sorted { $0.name.rawValue < $1.name.rawValue }
                .map { TopicSummary(name: $0.name.rawValue, id: $0.id, partitions: $0.partitionCount) }
        }
        group.post("topics") { request, context -> EditedResponse<TopicDetail> in
            let create = try await decode(CreateTopic.self, request, context)
            let name = try TopicName(create.name)
            _ = try await broker.createTopic(
                name,
                partitions: create.partitions ?? broker.defaultPartitions,
                config: create.config ?? [:]
            )
            return EditedResponse(
                status: .created,
                headers: [.location: "/api/v1/topics/\(name)"],
                response: try describe(name)
            )
        }
        group.get("topics/{topic}") { _, context in try describe(try topicName(context)) }
        group.patch("topics/{topic}") { request, context -> TopicDetail in
            let name = try topicName(context)
            let update = try await decode(ConfigUpdate.self, request, context)
            try await broker.alterConfig(name, update.config)
            return try describe(name)
        }
        group.delete("topics/{topic}") { _, context -> HTTPResponse.Status in
            try await broker.deleteTopic(try topicName(context))
            return .noContent
        }
        group.get("groups") { _, _ in
            groupIDs().map { id in
                let described = broker.groups.describeGroup(id)
                return GroupSummary(
                    groupId: id,
                    state: described?.state.rawValue ?? "Empty",
                    protocolType: described?.protocolType ?? "",
                    members: described?.members.count ?? 0,
                    lag: lag(id).reduce(0) { $0 + max(0, $1.lag) }
                )
            }
        }
        group.get("groups/{group}") { _, context -> GroupDetail in
            let id = try context.parameters.require("group")
            let partitions = lag(id)
            guard let described = broker.groups.describeGroup(id) else {
                guard !partitions.isEmpty else { throw PlexusError(.groupIDNotFound, "no group '\(id)'") }
                return GroupDetail(
                    groupId: id,
                    state: "Empty",
                    protocolType: "",
                    protocolName: "",
                    generation: -1,
                    leader: nil,
                    members: [],
                    partitions: partitions
                )
            }
            return GroupDetail(
                groupId: id,
                state: described.state.rawValue,
                protocolType: described.protocolType,
                protocolName: described.protocolName,
                generation: described.generationID,
                leader: described.leaderID,
                members: described.members.map {
                    GroupMember(
                        memberId: $0.memberID,
                        groupInstanceId: $0.groupInstanceID,
                        clientId: $0.clientID,
                        clientHost: $0.clientHost
                    )
                },
                partitions: partitions
            )
        }
    }

    private func topicName(_ context: BasicRequestContext) throws -> TopicName {
        let raw = try context.parameters.require("topic")
        let name = try TopicName(raw)
        guard broker.logs.topic(name) != nil else {
            throw PlexusError(.unknownTopicOrPartition, "topic '\(raw)' does not exist")
        }
        return name
    }

    private func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: BasicRequestContext) async throws
        -> T
    {
        var request = request
        let body = try await request.collectBody(upTo: maxBodyBytes)
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch {
            throw PlexusError(.invalidRequest, "the body is not the expected JSON: \(error)")
        }
    }

    private func describe(_ name: TopicName) throws -> TopicDetail {
        guard let topic = broker.logs.topic(name) else {
            throw PlexusError(.unknownTopicOrPartition, "topic '\(name)' does not exist")
        }
        var partitions: [PartitionInfo] = []
        for index in 0..<topic.partitionCount {
            guard let log = broker.logs.partition(name, PartitionID(index)) else { continue }
            let offsets = log.offsets
            partitions.append(
                PartitionInfo(
                    partition: index,
                    logStartOffset: offsets.logStart.rawValue,
                    highWatermark: offsets.highWatermark.rawValue,
                    sizeBytes: log.sizeInBytes
                )
            )
        }
        let config = try broker.logs.defaults.applying(topic.configOverrides).entries
        return TopicDetail(
            name: name.rawValue,
            id: topic.id,
            partitions: partitions,
            config: config,
            overrides: topic.configOverrides
        )
    }

    /// Every group the coordinator or the offset store knows, sorted.
    private func groupIDs() -> [String] {
        Set(broker.groups.listGroups().map(\.groupID) + (broker.offsets?.groups() ?? [])).sorted()
    }

    /// Committed offset, end and lag of every partition the group has committed.
    private func lag(_ group: String) -> [GroupPartition] {
        broker.lag(ofGroup: group).map {
            GroupPartition(
                topic: $0.topic.rawValue,
                partition: Int32($0.partition.rawValue),
                committedOffset: $0.committedOffset,
                endOffset: $0.endOffset,
                lag: $0.lag
            )
        }
    }
}
