import Foundation
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

@Suite struct LogManagerTests {
    @Test func topicsAndTheirDataSurviveReopen() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let orders = try TopicName("orders")
        do {
            let manager = try LogManager(dataDirectory: dir.path, logger: testLogger)
            let created = try manager.createTopic(orders, partitions: 3, config: ["retention.ms": "1000"])
            #expect(created.id.count == 32)
            try manager.createTopic(try TopicName("audit.log"), partitions: 1)
            _ = try await manager.partition(orders, PartitionID(2))!.append(TestBatches.make(seed: 1).bytes)
            #expect(manager.partition(orders, PartitionID(3)) == nil)
            manager.close()
        }
        let manager = try LogManager(dataDirectory: dir.path, logger: testLogger)
        defer { manager.close() }
        #expect(manager.topics().map(\.name.rawValue) == ["audit.log", "orders"])
        #expect(manager.topic(orders)?.partitionCount == 3)
        #expect(manager.partition(orders, PartitionID(0))?.config.retentionMs == 1000)
        #expect(manager.partition(orders, PartitionID(2))?.offsets.highWatermark == Offset(3))
    }

    @Test func adminErrorsCarryTheirCodes() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let manager = try LogManager(dataDirectory: dir.path, logger: testLogger)
        defer { manager.close() }
        let topic = try TopicName("t")
        try manager.createTopic(topic, partitions: 1)
        #expect(throws: PlexusError(.topicAlreadyExists, "topic 't' already exists")) {
            try manager.createTopic(topic, partitions: 1)
        }
        func code(_ body: () throws -> Void) -> PlexusError.Code? {
            do { try body() } catch let error as PlexusError { return error.code } catch { return nil }
            return nil
        }
        #expect(code { try manager.createTopic(try TopicName("zero"), partitions: 0) } == .invalidPartitions)
        #expect(
            code { try manager.createTopic(try TopicName("bad"), partitions: 1, config: ["retention.ms": "soon"]) }
                == .invalidConfig
        )
        #expect(
            code { try manager.createTopic(try TopicName("bad"), partitions: 1, config: ["no.such": "1"]) }
                == .invalidConfig
        )
        #expect(code { try manager.deleteTopic(try TopicName("missing")) } == .unknownTopicOrPartition)
        #expect(code { try manager.addPartitions(topic, totalCount: 1) } == .invalidPartitions)
        #expect(code { try manager.alterConfig(topic, ["cleanup.policy": "shred"]) } == .invalidConfig)
        #expect(manager.topic(try TopicName("bad")) == nil)
    }

    @Test func deleteAddPartitionsAndAlterConfigArePersisted() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let topic = try TopicName("t")
        do {
            let manager = try LogManager(dataDirectory: dir.path, logger: testLogger)
            try manager.createTopic(topic, partitions: 1)
            try manager.createTopic(try TopicName("gone"), partitions: 2)
            try manager.addPartitions(topic, totalCount: 4)
            try manager.alterConfig(topic, ["retention.bytes": "12345", "segment.bytes": "100000"])
            try manager.alterConfig(topic, ["segment.bytes": nil])
            try manager.deleteTopic(try TopicName("gone"))
            #expect(!FileManager.default.fileExists(atPath: dir.path + "/logs/gone-0"))
            manager.close()
        }
        let manager = try LogManager(dataDirectory: dir.path, logger: testLogger)
        defer { manager.close() }
        #expect(manager.topics().map(\.name.rawValue) == ["t"])
        #expect(manager.topic(topic)?.partitionCount == 4)
        #expect(manager.topic(topic)?.configOverrides == ["retention.bytes": "12345"])
        #expect(manager.partition(topic, PartitionID(3))?.config.retentionBytes == 12345)
        #expect(manager.partition(topic, PartitionID(3))?.config.segmentBytes == LogConfig().segmentBytes)
    }

    @Test func orphanPartitionDirectoriesAreRemovedOnOpen() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        do {
            let manager = try LogManager(dataDirectory: dir.path, logger: testLogger)
            try manager.createTopic(try TopicName("kept"), partitions: 1)
            manager.close()
        }
        // As after a crash between creating directories and writing the metadata.
        try FileManager.default.createDirectory(atPath: dir.path + "/logs/half-0", withIntermediateDirectories: true)
        let manager = try LogManager(dataDirectory: dir.path, logger: testLogger)
        defer { manager.close() }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/logs/half-0"))
        #expect(FileManager.default.fileExists(atPath: dir.path + "/logs/kept-0"))
    }

    @Test func aSecondProcessCannotOpenTheSameDataDirectory() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let manager = try LogManager(dataDirectory: dir.path, logger: testLogger)
        defer { manager.close() }
        let error = #expect(throws: PlexusError.self) { try LogManager(dataDirectory: dir.path, logger: testLogger) }
        #expect(error?.code == .storage)
    }

    @Test func aDamagedMetadataFileIsAClearError() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path + "/meta", withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: dir.path + "/meta/topics.json"))
        let error = #expect(throws: PlexusError.self) { try LogManager(dataDirectory: dir.path, logger: testLogger) }
        #expect(error?.message.contains("topics.json") == true)
    }
}
