import Foundation
import NIOCore
import PlexusModel
import Testing

/// Interop with the CloudEvents Python SDK (Tests/Fixtures/cloudevents/README.md): messages the SDK
/// encoded must decode here, and our encodings (checked against the SDK by `check_plexus.py`) must not
/// drift from the committed `plexus-messages.json`.
struct CloudEventSDKInteropTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/cloudevents")

    static func load(_ name: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(root["messages"] as? [[String: Any]])
    }

    static func bytes(_ base64: Any?) -> ByteBuffer? {
        guard let text = base64 as? String, let data = Data(base64Encoded: text) else { return nil }
        return ByteBuffer(bytes: Array(data))
    }

    static func headers(_ message: [String: Any]) -> [(name: String, value: String)] {
        (message["headers"] as? [[String]] ?? []).map { ($0[0], $0[1]) }
    }

    /// Messages the SDK encodes against the spec; we reject them, and say why.
    static let nonConformant: [String: CloudEventProblem.Kind] = [
        // The legacy HTTP binary encoder does not percent-encode (space, '"', '%', non-ASCII).
        "text-unicode/legacy-http-binary": .invalidHeaderValue,
        // The legacy Kafka structured encoder writes datacontenttype as content-type instead of
        // application/cloudevents+json, so the record reads as binary mode without ce_ headers.
        "json-object/legacy-kafka-structured": .missingAttribute,
        "binary-data/legacy-kafka-structured": .missingAttribute,
        "text-unicode/legacy-kafka-structured": .missingAttribute,
        "no-data/legacy-kafka-structured": .missingAttribute,
        "partitionkey/legacy-kafka-structured": .missingAttribute,
        "xml-string/legacy-kafka-structured": .missingAttribute,
    ]

    static func decode(_ message: [String: Any]) throws -> [CloudEvent] {
        let body = bytes(message["body_base64"])
        if message["transport"] as? String == "kafka" {
            let headers = headers(message).map { RecordHeader(key: $0.name, value: ByteBuffer(string: $0.value)) }
            let kafka = CloudEventKafkaBinding.Message(key: bytes(message["key_base64"]), value: body, headers: headers)
            return [try CloudEventKafkaBinding.decode(kafka)]
        }
        return try CloudEventHTTPBinding.decode(headers: headers(message), body: body ?? ByteBuffer())
    }

    static func jsonObject(_ buffer: ByteBuffer?) throws -> NSObject? {
        guard let buffer else { return nil }
        return try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView), options: .fragmentsAllowed)
            as? NSObject
    }

    /// Checks a decoded event against what the SDK was given.
    static func check(_ event: CloudEvent, against message: [String: Any], binary: Bool) throws {
        let name = message["name"] as? String ?? "?"
        let given = try #require(message["attributes"] as? [String: Any])
        for (attribute, value) in given {
            switch (attribute, value) {
            case ("time", let text as String):
                let expected = try #require(CloudEventTime(rfc3339: text))
                #expect(event.time?.secondsSinceEpoch == expected.secondsSinceEpoch, "\(name)")
                #expect(event.time?.nanoseconds == expected.nanoseconds, "\(name)")
            case ("partitionkey", let text as String) where name.hasSuffix("legacy-kafka-binary"):
                // The legacy SDK moves partitionkey into the key instead of also sending it.
                #expect(bytes(message["key_base64"]) == ByteBuffer(string: text), "\(name)")
            case (_, let number as Int):
                let expected: CloudEventAttributeValue = binary ? .string(String(number)) : .integer(Int32(number))
                #expect(event[attribute: attribute] == expected, "\(name) \(attribute)")
            case (_, let text as String):
                #expect(event[attribute: attribute]?.canonicalString == text, "\(name) \(attribute)")
            default:
                Issue.record("\(name): unexpected given value for \(attribute)")
            }
        }
        let known = Set(given.keys).union(["specversion"])
        #expect(event.attributes.map(\.name).filter { !known.contains($0) } == [], "\(name)")
        if binary {
            // The body or value is the data; HTTP has no "no body", and an empty Kafka value is empty data.
            let body = bytes(message["body_base64"]) ?? ByteBuffer()
            #expect(event.data ?? ByteBuffer() == body, "\(name)")
        }
        if let json = message["data_json"] {
            #expect(try jsonObject(event.data) == json as? NSObject, "\(name)")
        } else if let base64 = message["data_base64"], !binary || !name.contains("legacy") {
            // (The legacy binary encoders JSON-quote text data; the body is still the data, checked above.)
            #expect(event.data == bytes(base64), "\(name)")
        } else if message["data_base64"] == nil, !binary {
            #expect(event.data == nil, "\(name)")
        }
    }

    @Test func sdkMessagesDecode() throws {
        let messages = try Self.load("sdk-messages.json")
        #expect(messages.count >= 40)
        var checked = 0
        for message in messages {
            let name = try #require(message["name"] as? String)
            if let kind = Self.nonConformant[name] {
                #expect(throws: CloudEventError.self, "\(name)") { try Self.decode(message) }
                do {
                    _ = try Self.decode(message)
                } catch let error as CloudEventError {
                    #expect(error.problems.map(\.kind).contains(kind), "\(name): \(error)")
                }
                continue
            }
            let events = try Self.decode(message)
            if name.hasPrefix("batch/") {
                let sources = messages.filter { ($0["name"] as? String)?.hasSuffix("/core-http-structured") == true }
                #expect(events.count == sources.count)
                for (event, source) in zip(events, sources) { try Self.check(event, against: source, binary: false) }
            } else {
                #expect(events.count == 1)
                try Self.check(try #require(events.first), against: message, binary: name.hasSuffix("-binary"))
            }
            checked += 1
        }
        #expect(checked == messages.count - Self.nonConformant.count)
    }

    // MARK: Our encodings, for the SDK

    /// The events of sdk-messages.json, built here from what the SDK was given.
    static func givenEvents() throws -> [(name: String, event: CloudEvent)] {
        var out: [(name: String, event: CloudEvent)] = []
        for message in try load("sdk-messages.json") {
            let name = try #require(message["name"] as? String)
            guard name.hasSuffix("/core-http-structured"), let given = message["attributes"] as? [String: Any] else {
                continue
            }
            var event = CloudEvent(
                id: try #require(given["id"] as? String),
                source: try #require(given["source"] as? String),
                type: try #require(given["type"] as? String)
            )
            for (attribute, value) in given where !["id", "source", "type"].contains(attribute) {
                switch (attribute, value) {
                case ("time", let text as String): event.time = try rfc3339(text)
                case ("datacontenttype", let text as String): event.datacontenttype = text
                case ("dataschema", let text as String): event.dataschema = text
                case ("subject", let text as String): event.subject = text
                case (_, let number as Int): event.extensions[attribute] = .integer(Int32(number))
                case (_, let text as String): event.extensions[attribute] = .string(text)
                default: Issue.record("unexpected \(attribute)")
                }
            }
            if let json = message["data_json"] {
                event.data = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json, options: .sortedKeys))
            } else {
                event.data = bytes(message["data_base64"])
            }
            out.append((String(name.prefix { $0 != "/" }), event))
        }
        return out
    }

    static func plexusMessages() throws -> Data {
        var messages: [[String: Any]] = []
        func add(
            _ name: String,
            _ transport: String,
            _ headers: [(name: String, value: String)],
            _ body: ByteBuffer?,
            key: ByteBuffer? = nil
        ) {
            var message: [String: Any] = [
                "name": name, "transport": transport, "headers": headers.map { [$0.name, $0.value] },
            ]
            message["body_base64"] = body.map { Data($0.readableBytesView).base64EncodedString() } ?? NSNull()
            message["key_base64"] = key.map { Data($0.readableBytesView).base64EncodedString() } ?? NSNull()
            messages.append(message)
        }
        let events = try givenEvents()
        for (name, event) in events {
            let structured = CloudEventHTTPBinding.encodeStructured(event)
            add("\(name)/http-structured", "http", structured.headers, structured.body)
            let binary = CloudEventHTTPBinding.encodeBinary(event)
            add("\(name)/http-binary", "http", binary.headers, binary.body)
            for (mode, kafka) in [
                ("binary", CloudEventKafkaBinding.encodeBinary(event)),
                ("structured", CloudEventKafkaBinding.encodeStructured(event)),
            ] {
                let headers = kafka.headers.map { ($0.key, $0.value.map { String(buffer: $0) } ?? "") }
                add("\(name)/kafka-\(mode)", "kafka", headers, kafka.value, key: kafka.key)
            }
        }
        let batch = CloudEventHTTPBinding.encodeBatch(events.map(\.event))
        add("batch/http-batch", "http", batch.headers, batch.body)
        return try JSONSerialization.data(
            withJSONObject: [
                "generator": "Tests/PlexusModelTests/CloudEventSDKInteropTests.swift", "messages": messages,
            ],
            options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        ) + Data("\n".utf8)
    }

    /// Set PLEXUS_UPDATE_FIXTURES=1 to rewrite plexus-messages.json, then run check_plexus.py.
    @Test func plexusEncodingsMatchTheCheckedFixture() throws {
        let url = Self.directory.appendingPathComponent("plexus-messages.json")
        let generated = try Self.plexusMessages()
        if ProcessInfo.processInfo.environment["PLEXUS_UPDATE_FIXTURES"] == "1" {
            try generated.write(to: url)
        }
        let committed = try Data(contentsOf: url)
        #expect(
            committed == generated,
            "our encodings changed: rerun with PLEXUS_UPDATE_FIXTURES=1 and check them with check_plexus.py"
        )
        // And they decode back to the same events here.
        let messages = try JSONSerialization.jsonObject(with: generated) as? [String: Any]
        for message in try #require(messages?["messages"] as? [[String: Any]]) {
            let events = try Self.decode(message)
            #expect(!events.isEmpty)
        }
    }
}
