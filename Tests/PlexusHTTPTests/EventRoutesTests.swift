import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PlexusBroker
import PlexusModel
import PlexusStorage
import Testing

@testable import PlexusHTTP

/// CloudEvents in and out through the router, without sockets.
@Suite struct EventRoutesTests {
    static let event = #"{"specversion":"1.0","id":"e1","source":"/s","type":"t","data":{"n":1}}"#

    @Test func aBinaryModeEventIsStoredWithTheKafkaBindingAndPlacedInTheResponse() async throws {
        try await AdminRoutesTests.withApp { client, broker in
            let headers: HTTPFields = [
                .contentType: "text/plain", HTTPField.Name("ce-id")!: "b1", HTTPField.Name("ce-source")!: "/src",
                HTTPField.Name("ce-type")!: "demo", HTTPField.Name("ce-specversion")!: "1.0",
                HTTPField.Name("ce-partitionkey")!: "user-7",
            ]
            try await client.execute(
                uri: "/topics/in/events",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: "hi")
            ) { response in
                #expect(response.status == .accepted)
                let placed = try #require(try AdminRoutesTests.json(response) as? [String: Int])
                #expect(placed == ["partition": 0, "offset": 0])
            }
            let log = try #require(broker.logs.partition(TopicName("in"), PartitionID(0)))
            let stored = try #require(try log.readRecords(from: Offset(0), maxBytes: 1 << 20).first)
            #expect(stored.record.key == ByteBuffer(string: "user-7"))
            #expect(stored.record.value == ByteBuffer(string: "hi"))
            let names = stored.record.headers.map(\.key)
            #expect(names.contains("ce_id") && names.contains("ce_type") && names.contains("content-type"))
        }
    }

    @Test func aBatchIsPlacedInOrderAndABadBatchStoresNothing() async throws {
        try await AdminRoutesTests.withApp { client, broker in
            let batch = "[" + Self.event + "," + Self.event.replacingOccurrences(of: "e1", with: "e2") + "]"
            let headers: HTTPFields = [.contentType: "application/cloudevents-batch+json"]
            try await client.execute(
                uri: "/topics/b/events",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: batch)
            ) {
                #expect($0.status == .accepted)
                let placed = try #require(try AdminRoutesTests.json($0) as? [[String: Int]])
                #expect(placed.map { $0["offset"] } == [0, 1])
            }
            let bad = "[" + Self.event + #",{"specversion":"1.0","id":"x","source":"/s"}]"#
            try await client.execute(
                uri: "/topics/b/events",
                method: .post,
                headers: headers,
                body: ByteBuffer(string: bad)
            ) {
                try AdminRoutesTests.expectProblem($0, .badRequest, code: "invalid-cloudevent")
            }
            let log = try #require(broker.logs.partition(TopicName("b"), PartitionID(0)))
            #expect(log.offsets.highWatermark == Offset(2))
        }
    }

    @Test func getReturnsStructuredEventsWithTheirPositionAndValidatesItsQuery() async throws {
        try await AdminRoutesTests.withApp { client, _ in
            let headers: HTTPFields = [.contentType: "application/cloudevents+json"]
            for _ in 0..<3 {
                try await client.execute(
                    uri: "/topics/out/events",
                    method: .post,
                    headers: headers,
                    body: ByteBuffer(string: Self.event)
                ) { #expect($0.status == .accepted) }
            }
            try await client.execute(uri: "/topics/out/events?offset=1&limit=1", method: .get) { response in
                #expect(response.status == .ok)
                let events = try #require(try AdminRoutesTests.json(response) as? [[String: Any]])
                #expect(events.count == 1)
                #expect(events[0]["offset"] as? Int == 1)
                #expect(events[0]["partition"] as? Int == 0)
                #expect(events[0]["id"] as? String == "e1")
                #expect(events[0]["data"] as? [String: Int] == ["n": 1])
            }
            try await client.execute(uri: "/topics/out/events?offset=3&timeout_ms=50", method: .get) { response in
                let events = try #require(try AdminRoutesTests.json(response) as? [Any])
                #expect(events.isEmpty)
            }
            try await client.execute(uri: "/topics/out/events?limit=0", method: .get) {
                try AdminRoutesTests.expectProblem($0, .badRequest, code: "invalid-request")
            }
            try await client.execute(uri: "/topics/out/events?partition=7", method: .get) {
                try AdminRoutesTests.expectProblem($0, .notFound, code: "unknown-topic-or-partition")
            }
            try await client.execute(uri: "/topics/out/events?offset=99", method: .get) {
                try AdminRoutesTests.expectProblem($0, .rangeNotSatisfiable, code: "offset-out-of-range")
            }
        }
    }

    @Test func keysArePartitionedAsKafkasDefaultPartitionerDoes() {
        // Values from kafka-python's murmur2 (kafka.partitioner.default), a port of Kafka's Utils.murmur2.
        let vectors: [(String, UInt32)] = [
            ("", 275_646_681), ("a", 2_731_586_172), ("ab", 316_155_434), ("abc", 479_470_107),
            ("user-7", 696_778_364), ("21", 3_321_034_988), ("hello world, murmur", 3_619_688_290),
        ]
        for (key, expected) in vectors {
            #expect(Murmur2.hash(Array(key.utf8)) == expected, "murmur2(\(key))")
        }
    }

    @Test func streamPositionsRoundTripAndRejectGarbage() {
        #expect(EventRoutes.formatPositions([1: 7, 0: 3]) == "0:3,1:7")
        #expect(EventRoutes.parsePositions("0:3,1:7") == [0: 3, 1: 7])
        for bad in ["", "x", "0:-1", "a:b", "0:1:2", "-1:4"] {
            #expect(EventRoutes.parsePositions(bad) == nil, "\(bad)")
        }
    }

    @Test func reservedExtensionNamesAndOversizedPartitionBatchesAreRefusedWithNothingStored() async throws {
        try await AdminRoutesTests.withApp { client, broker in
            let structured: HTTPFields = [.contentType: "application/cloudevents+json"]
            let spoof = #"{"specversion":"1.0","id":"1","source":"/s","type":"t","offset":"9"}"#
            try await client.execute(
                uri: "/topics/r/events",
                method: .post,
                headers: structured,
                body: ByteBuffer(string: spoof)
            ) {
                try AdminRoutesTests.expectProblem($0, .badRequest, code: "invalid-cloudevent")
            }
            _ = try await broker.createTopic(TopicName("two"), partitions: 2, config: ["max.message.bytes": "500"])
            // Keys "a" and "d" land on different partitions (murmur2); d's event is too large for the topic.
            let small = #"{"specversion":"1.0","id":"1","source":"/s","type":"t","partitionkey":"a","data":1}"#
            let large =
                #"{"specversion":"1.0","id":"2","source":"/s","type":"t","partitionkey":"d","data":""#
                + String(repeating: "x", count: 700) + #""}"#
            #expect(
                (Murmur2.hash(Array("a".utf8)) & 0x7fff_ffff) % 2 != (Murmur2.hash(Array("d".utf8)) & 0x7fff_ffff) % 2
            )
            let batch: HTTPFields = [.contentType: "application/cloudevents-batch+json"]
            try await client.execute(
                uri: "/topics/two/events",
                method: .post,
                headers: batch,
                body: ByteBuffer(string: "[" + small + "," + large + "]")
            ) { try AdminRoutesTests.expectProblem($0, .contentTooLarge, code: "message-too-large") }
            for partition in Int32(0)...1 {
                let log = try #require(broker.logs.partition(TopicName("two"), PartitionID(partition)))
                #expect(log.offsets.highWatermark == Offset(0))
            }
        }
    }

    @Test func lineBreaksInsideAnEventDoNotEndItsSSEDataLine() {
        var json = ByteBuffer(string: "{\n \"a\": 1\r\n}")
        EventRoutes.replaceLineBreaks(in: &json)
        #expect(String(buffer: json) == "{  \"a\": 1  }")
    }
}
