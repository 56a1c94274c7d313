import ArgumentParser
import PlexusKafka
import PlexusKafkaWire

struct TopicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topic",
        abstract: "Create, list, describe and delete topics on a running node.",
        subcommands: [Create.self, List.self, Describe.self, Delete.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a topic.")
        @OptionGroup var server: KafkaServerOption
        @Argument(help: "Topic name.") var name: String
        @Option(help: "Partition count.") var partitions: Int32 = 1
        @Option(name: .customLong("config"), help: "A topic config as KEY=VALUE (repeatable).") var configs: [String] =
            []

        func run() async throws {
            let client = try await server.connect()
            defer { Task { await client.close() } }
            var topic = CreateTopicsRequest.CreatableTopic(name: name, numPartitions: partitions, replicationFactor: -1)
            for entry in configs {
                let parts = entry.split(separator: "=", maxSplits: 1)
                guard parts.count == 2 else { throw ValidationError("--config takes KEY=VALUE, not '\(entry)'") }
                topic.configs.append(.init(name: String(parts[0]), value: String(parts[1])))
            }
            let response = try await client.send(CreateTopicsRequest(topics: [topic], timeoutMs: 30_000))
            guard let result = response.topics.first else { throw CLIError("empty response") }
            guard result.errorCode == 0 else {
                throw CLIError(
                    "cannot create \(name): \(kafkaErrorName(result.errorCode)) \(result.errorMessage ?? "")"
                )
            }
            print("created \(name) with \(partitions) partition(s)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List topics.")
        @OptionGroup var server: KafkaServerOption

        func run() async throws {
            let client = try await server.connect()
            defer { Task { await client.close() } }
            let metadata = try await client.send(MetadataRequest(topics: nil, allowAutoTopicCreation: false))
            for topic in metadata.topics.sorted(by: { ($0.name ?? "") < ($1.name ?? "") }) {
                print("\(topic.name ?? "?")\t\(topic.partitions.count) partition(s)")
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a topic's partitions, offsets and config.")
        @OptionGroup var server: KafkaServerOption
        @Argument(help: "Topic name.") var name: String

        func run() async throws {
            let client = try await server.connect()
            defer { Task { await client.close() } }
            let metadata = try await client.send(
                MetadataRequest(topics: [.init(name: name)], allowAutoTopicCreation: false)
            )
            guard let topic = metadata.topics.first, topic.errorCode == 0 else {
                throw CLIError("\(name): \(kafkaErrorName(metadata.topics.first?.errorCode ?? 3))")
            }
            print("topic \(name)")
            for partition in topic.partitions.sorted(by: { $0.partitionIndex < $1.partitionIndex }) {
                let earliest = try await offset(client, partition.partitionIndex, -2)
                let latest = try await offset(client, partition.partitionIndex, -1)
                print(
                    "  partition \(partition.partitionIndex): offsets \(earliest)..<\(latest), leader \(partition.leaderId)"
                )
            }
            let configs = try await client.send(
                DescribeConfigsRequest(resources: [.init(resourceType: 2, resourceName: name, configurationKeys: nil)])
            )
            for entry in configs.results.first?.configs ?? [] {
                print("  \(entry.name)=\(entry.value ?? "")\(entry.isDefault ? "" : " (set)")")
            }
        }

        func offset(_ client: KafkaClient, _ partition: Int32, _ timestamp: Int64) async throws -> Int64 {
            let response = try await client.send(
                ListOffsetsRequest(
                    replicaId: -1,
                    topics: [.init(name: name, partitions: [.init(partitionIndex: partition, timestamp: timestamp)])]
                )
            )
            return response.topics.first?.partitions.first?.offset ?? -1
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a topic and its data.")
        @OptionGroup var server: KafkaServerOption
        @Argument(help: "Topic name.") var name: String

        func run() async throws {
            let client = try await server.connect()
            defer { Task { await client.close() } }
            let response = try await client.send(
                DeleteTopicsRequest(topics: [.init(name: name)], topicNames: [name], timeoutMs: 30_000)
            )
            guard let result = response.responses.first, result.errorCode == 0 else {
                throw CLIError("cannot delete \(name): \(kafkaErrorName(response.responses.first?.errorCode ?? -1))")
            }
            print("deleted \(name)")
        }
    }
}
