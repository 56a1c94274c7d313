import ArgumentParser
import NIOCore
import PlexusKafka
import PlexusKafkaWire

struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "List and describe consumer groups on a running node, with their lag.",
        subcommands: [List.self, Describe.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List consumer groups: state, members and total lag.")
        @OptionGroup var server: KafkaServerOption

        func run() async throws {
            let client = try await server.connect()
            defer { Task { await client.close() } }
            let listed = try await client.send(ListGroupsRequest())
            guard listed.errorCode == 0 else {
                throw CLIError("cannot list groups: \(kafkaErrorName(listed.errorCode))")
            }
            let groups = listed.groups.sorted { $0.groupId < $1.groupId }
            guard !groups.isEmpty else { return }
            let described = try await client.send(DescribeGroupsRequest(groups: groups.map(\.groupId)))
            print("GROUP\tSTATE\tMEMBERS\tLAG")
            for group in groups {
                let members = described.groups.first { $0.groupId == group.groupId }?.members.count ?? 0
                let lag = try await GroupCommand.lag(client, group: group.groupId).reduce(0) { $0 + max(0, $1.lag) }
                print("\(group.groupId)\t\(group.groupState)\t\(members)\t\(lag)")
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a group's members and assignments, and per partition the committed offset, end and lag."
        )
        @OptionGroup var server: KafkaServerOption
        @Argument(help: "Group id.") var group: String

        func run() async throws {
            let client = try await server.connect()
            defer { Task { await client.close() } }
            let described = try await client.send(DescribeGroupsRequest(groups: [group]))
            guard let info = described.groups.first, info.errorCode == 0 else {
                throw CLIError("\(group): \(kafkaErrorName(described.groups.first?.errorCode ?? -1))")
            }
            let rows = try await GroupCommand.lag(client, group: group)
            guard info.groupState != "Dead" || !rows.isEmpty else { throw CLIError("\(group): no such group") }
            print("group \(group): \(info.groupState), protocol \(info.protocolType)/\(info.protocolData)")
            var owner: [String: String] = [:]
            for member in info.members {
                let assigned = GroupCommand.assignedPartitions(member.memberAssignment)
                let names = assigned.map { "\($0.topic)-\($0.partition)" }
                for name in names { owner[name] = member.memberId }
                print(
                    "  member \(member.memberId) (client \(member.clientId)"
                        + "\(member.groupInstanceId.map { ", instance \($0)" } ?? "")): "
                        + (names.isEmpty ? "no partitions" : names.joined(separator: " "))
                )
            }
            print("  TOPIC\tPARTITION\tCOMMITTED\tEND\tLAG\tMEMBER")
            for row in rows {
                let member = owner["\(row.topic)-\(row.partition)"] ?? "-"
                print("  \(row.topic)\t\(row.partition)\t\(row.committed)\t\(row.end)\t\(row.lag)\t\(member)")
            }
        }
    }

    /// Committed offset, log end and lag of every partition the group has committed.
    static func lag(
        _ client: KafkaClient,
        group: String
    ) async throws -> [(topic: String, partition: Int32, committed: Int64, end: Int64, lag: Int64)] {
        let fetched = try await client.send(OffsetFetchRequest(groupId: group, topics: nil))
        guard fetched.errorCode == 0 else { throw CLIError("\(group): \(kafkaErrorName(fetched.errorCode))") }
        var rows: [(topic: String, partition: Int32, committed: Int64, end: Int64, lag: Int64)] = []
        for topic in fetched.topics.sorted(by: { $0.name < $1.name }) {
            let ends = try await client.send(
                ListOffsetsRequest(
                    replicaId: -1,
                    topics: [
                        .init(
                            name: topic.name,
                            partitions: topic.partitions.map { .init(partitionIndex: $0.partitionIndex, timestamp: -1) }
                        )
                    ]
                )
            )
            for partition in topic.partitions.sorted(by: { $0.partitionIndex < $1.partitionIndex }) {
                let end =
                    ends.topics.first?.partitions.first { $0.partitionIndex == partition.partitionIndex }?.offset ?? -1
                let lag = end >= 0 && partition.committedOffset >= 0 ? end - partition.committedOffset : -1
                rows.append((topic.name, partition.partitionIndex, partition.committedOffset, end, lag))
            }
        }
        return rows
    }

    /// The partitions of a consumer member's assignment (Kafka's ConsumerProtocolAssignment: `int16 version`,
    /// then `[topic string, [int32 partition]]`); empty when it is not one.
    static func assignedPartitions(_ assignment: ByteBuffer) -> [(topic: String, partition: Int32)] {
        var bytes = assignment
        var out: [(topic: String, partition: Int32)] = []
        guard bytes.readInteger(as: Int16.self) != nil, let topics = bytes.readInteger(as: Int32.self), topics >= 0
        else { return [] }
        for _ in 0..<topics {
            guard let length = bytes.readInteger(as: Int16.self), length >= 0,
                let topic = bytes.readString(length: Int(length)),
                let count = bytes.readInteger(as: Int32.self), count >= 0, Int(count) * 4 <= bytes.readableBytes
            else { return out }
            for _ in 0..<count {
                if let partition = bytes.readInteger(as: Int32.self) { out.append((topic, partition)) }
            }
        }
        return out
    }
}
