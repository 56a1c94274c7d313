import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PlexusBroker
import PlexusHTTP
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

/// The admin REST API and health routes, through the router without sockets.
@Suite struct AdminRoutesTests {
    static let logger = Logger(label: "test")

    static func withApp(_ body: @escaping @Sendable (any TestClientProtocol, Broker) async throws -> Void) async throws
    {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let logs = try LogManager(dataDirectory: dir.path, ioThreads: 2, logger: logger)
        defer { logs.close() }
        let offsets = try OffsetStore(
            directory: Broker.offsetStoreDirectory(dataDirectory: dir.path),
            flushPolicy: .always,
            logger: logger
        )
        defer { offsets.close() }
        let broker = Broker(logs: logs, offsets: offsets)
        let app = Application(router: HTTPFrontEnd(broker: broker, logger: logger, maxBodyBytes: 1024).router())
        try await app.test(.router) { client in try await body(client, broker) }
    }

    static func json(_ response: TestResponse) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
    }

    /// A problem response: the status, `application/problem+json`, and `type`/`status` members that agree.
    static func expectProblem(_ response: TestResponse, _ status: HTTPResponse.Status, code: String) throws {
        #expect(response.status == status)
        #expect(response.headers[.contentType] == "application/problem+json")
        let problem = try #require(try json(response) as? [String: Any])
        #expect(problem["type"] as? String == "urn:plexus:problem:\(code)")
        #expect(problem["status"] as? Int == status.code)
        #expect((problem["detail"] as? String)?.isEmpty == false)
    }

    @Test func aMethodAKnownPathDoesNotTakeIs405WithAllowAndUnknownPathsStay404() async throws {
        try await Self.withApp { client, _ in
            try await client.execute(uri: "/healthz", method: .delete) { response in
                try Self.expectProblem(response, .methodNotAllowed, code: "method-not-allowed")
                #expect(response.headers[.allow] == "GET")
            }
            try await client.execute(uri: "/api/v1/topics", method: .patch) { response in
                try Self.expectProblem(response, .methodNotAllowed, code: "method-not-allowed")
                #expect(response.headers[.allow] == "GET, POST")
            }
            // A path with a parameter: the methods of its template.
            try await client.execute(uri: "/api/v1/topics/orders", method: .post) { response in
                try Self.expectProblem(response, .methodNotAllowed, code: "method-not-allowed")
                #expect(response.headers[.allow] == "DELETE, GET, PATCH")
            }
            try await client.execute(uri: "/api/v1/no/such/route", method: .get) { response in
                try Self.expectProblem(response, .notFound, code: "http")
                #expect(response.headers[.allow] == nil)
            }
            // A routed request's own 404 (no such topic) is not turned into a 405.
            try await client.execute(uri: "/api/v1/topics/missing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.allow] == nil)
            }
        }
    }

    @Test func healthAndReadinessAnswer200() async throws {
        try await Self.withApp { client, _ in
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
            try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func topicsAreCreatedListedDescribedReconfiguredAndDeleted() async throws {
        try await Self.withApp { client, broker in
            let create = ByteBuffer(string: #"{"name":"orders","partitions":3,"config":{"retention.ms":"60000"}}"#)
            try await client.execute(uri: "/api/v1/topics", method: .post, body: create) { response in
                #expect(response.status == .created)
                #expect(response.headers[.location] == "/api/v1/topics/orders")
                let topic = try #require(try Self.json(response) as? [String: Any])
                #expect((topic["partitions"] as? [Any])?.count == 3)
                #expect((topic["config"] as? [String: String])?["retention.ms"] == "60000")
            }
            _ = try await broker.produce(
                topic: TopicName("orders"),
                partition: PartitionID(1),
                batch: TestBatches.make(seed: 1).bytes
            )
            try await client.execute(uri: "/api/v1/topics", method: .get) { response in
                let topics = try #require(try Self.json(response) as? [[String: Any]])
                #expect(topics.map { $0["name"] as? String } == ["orders"])
            }
            try await client.execute(uri: "/api/v1/topics/orders", method: .get) { response in
                let topic = try #require(try Self.json(response) as? [String: Any])
                let partitions = try #require(topic["partitions"] as? [[String: Any]])
                #expect(partitions[1]["highWatermark"] as? Int == 3)
                #expect(partitions[0]["highWatermark"] as? Int == 0)
            }
            let reset = ByteBuffer(string: #"{"config":{"retention.ms":null,"segment.bytes":"1048576"}}"#)
            try await client.execute(uri: "/api/v1/topics/orders", method: .patch, body: reset) { response in
                #expect(response.status == .ok)
                let topic = try #require(try Self.json(response) as? [String: Any])
                #expect(topic["overrides"] as? [String: String] == ["segment.bytes": "1048576"])
            }
            try await client.execute(uri: "/api/v1/topics/orders", method: .delete) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/api/v1/topics/orders", method: .get) {
                try Self.expectProblem($0, .notFound, code: "unknown-topic-or-partition")
            }
        }
    }

    @Test func badRequestsGetProblemDetails() async throws {
        try await Self.withApp { client, _ in
            try await client.execute(uri: "/api/v1/topics", method: .post, body: ByteBuffer(string: "{bad")) {
                try Self.expectProblem($0, .badRequest, code: "invalid-request")
            }
            try await client.execute(uri: "/api/v1/topics", method: .post, body: ByteBuffer(string: #"{"name":"a b"}"#))
            {
                try Self.expectProblem($0, .badRequest, code: "invalid-topic")
            }
            let big = ByteBuffer(
                string: #"{"name":"x","config":{"k":""# + String(repeating: "v", count: 2000) + #""}}"#
            )
            try await client.execute(uri: "/api/v1/topics", method: .post, body: big) {
                try Self.expectProblem($0, .contentTooLarge, code: "http")
            }
            let twice = ByteBuffer(string: #"{"name":"dup"}"#)
            try await client.execute(uri: "/api/v1/topics", method: .post, body: twice) {
                #expect($0.status == .created)
            }
            try await client.execute(uri: "/api/v1/topics", method: .post, body: twice) {
                try Self.expectProblem($0, .conflict, code: "topic-already-exists")
            }
            try await client.execute(uri: "/nowhere", method: .get) {
                try Self.expectProblem($0, .notFound, code: "http")
            }
            try await client.execute(uri: "/api/v1/groups/none", method: .get) {
                try Self.expectProblem($0, .notFound, code: "group-id-not-found")
            }
        }
    }

    @Test func groupsShowCommittedOffsetsAndLag() async throws {
        try await Self.withApp { client, broker in
            _ = try await broker.createTopic(TopicName("events"), partitions: 2)
            for seed in UInt64(1)...3 {
                _ = try await broker.produce(
                    topic: TopicName("events"),
                    partition: PartitionID(0),
                    batch: TestBatches.make(seed: seed).bytes
                )
            }
            let errors = await broker.offsets!.commit(
                group: "billing",
                offsets: [
                    .init(
                        topic: try TopicName("events"),
                        partition: PartitionID(0),
                        offset: 4,
                        leaderEpoch: -1,
                        metadata: nil
                    )
                ],
                now: 0
            )
            #expect(errors == [nil])
            try await client.execute(uri: "/api/v1/groups", method: .get) { response in
                let groups = try #require(try Self.json(response) as? [[String: Any]])
                #expect(groups.count == 1)
                #expect(groups.first?["groupId"] as? String == "billing")
                #expect(groups.first?["lag"] as? Int == 5)
            }
            try await client.execute(uri: "/api/v1/groups/billing", method: .get) { response in
                let group = try #require(try Self.json(response) as? [String: Any])
                #expect(group["state"] as? String == "Empty")
                let partitions = try #require(group["partitions"] as? [[String: Any]])
                #expect(partitions.first?["committedOffset"] as? Int == 4)
                #expect(partitions.first?["endOffset"] as? Int == 9)
            }
        }
    }
}

extension AdminRoutesTests {
    @Test func deletingATopicDeletesEveryGroupsCommittedOffsetsOfIt() async throws {
        try await Self.withApp { client, broker in
            _ = try await broker.createTopic(TopicName("gone"), partitions: 1)
            _ = try await broker.createTopic(TopicName("kept"), partitions: 1)
            let commits: [OffsetStore.Commit] = [
                .init(
                    topic: try TopicName("gone"),
                    partition: PartitionID(0),
                    offset: 50,
                    leaderEpoch: -1,
                    metadata: nil
                ),
                .init(
                    topic: try TopicName("kept"),
                    partition: PartitionID(0),
                    offset: 7,
                    leaderEpoch: -1,
                    metadata: nil
                ),
            ]
            #expect(await broker.offsets!.commit(group: "g", offsets: commits, now: 0) == [nil, nil])
            try await client.execute(uri: "/api/v1/topics/gone", method: .delete) { #expect($0.status == .noContent) }
            let left = broker.offsets!.fetch(group: "g")
            #expect(left.keys.map(\.topic.rawValue) == ["kept"])
        }
    }
}
