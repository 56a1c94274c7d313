import NIOCore
import PlexusModel
import Testing

/// The Kafka binding (kafka-protocol-binding.md v1.0.2) and the CloudEvents view of plain records.
struct CloudEventKafkaBindingTests {
    static func header(_ key: String, _ value: String?) -> RecordHeader {
        RecordHeader(key: key, value: value.map { ByteBuffer(string: $0) })
    }

    static func problems(_ message: CloudEventKafkaBinding.Message) -> [CloudEventProblem] {
        do {
            _ = try CloudEventKafkaBinding.decode(message)
            return []
        } catch {
            return error.problems
        }
    }

    static func fullEvent() throws -> CloudEvent {
        var event = CloudEvent(
            id: "1234-1234-1234",
            source: "/mycontext/subcontext",
            type: "com.example.someevent",
            datacontenttype: "application/avro",
            dataschema: "https://example.com/schema/v1",
            subject: "Euro € 😀 \"q\" 100%",
            time: try rfc3339("2018-04-05T03:56:24Z"),
            data: ByteBuffer(bytes: [0, 0xFF, 7])
        )
        event.extensions = [
            "partitionkey": .string("mykey"),
            "traceparent": .string("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        ]
        return event
    }

    @Test func binaryEncodingMatchesTheSpecExample() throws {
        let message = CloudEventKafkaBinding.encodeBinary(try Self.fullEvent())
        #expect(message.key == ByteBuffer(string: "mykey"))  // from partitionkey (Key Mapper)
        #expect(message.value == ByteBuffer(bytes: [0, 0xFF, 7]))
        #expect(
            message.headers == [
                Self.header("ce_specversion", "1.0"), Self.header("ce_id", "1234-1234-1234"),
                Self.header("ce_source", "/mycontext/subcontext"), Self.header("ce_type", "com.example.someevent"),
                Self.header("content-type", "application/avro"),
                Self.header("ce_dataschema", "https://example.com/schema/v1"),
                Self.header("ce_subject", "Euro € 😀 \"q\" 100%"),  // UTF-8, no percent-encoding in Kafka
                Self.header("ce_time", "2018-04-05T03:56:24Z"), Self.header("ce_partitionkey", "mykey"),
                Self.header("ce_traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            ]
        )
        // An explicit key wins over partitionkey; partitionkey is still sent (the mapper must not modify the event).
        let keyed = CloudEventKafkaBinding.encodeBinary(try Self.fullEvent(), key: ByteBuffer(string: "other"))
        #expect(keyed.key == ByteBuffer(string: "other"))
        #expect(keyed.headers.contains(Self.header("ce_partitionkey", "mykey")))
    }

    @Test func binaryRoundTrip() throws {
        let event = try Self.fullEvent()
        #expect(try CloudEventKafkaBinding.decode(CloudEventKafkaBinding.encodeBinary(event)) == event)
        var noData = event
        noData.data = nil
        noData.datacontenttype = nil
        let message = CloudEventKafkaBinding.encodeBinary(noData)
        #expect(message.value == nil)  // a tombstone on compacted topics
        #expect(!message.headers.contains { $0.key == "content-type" })
        #expect(try CloudEventKafkaBinding.decode(message) == noData)
    }

    @Test func typedExtensionsBecomeStringsInBinaryMode() throws {
        var event = CloudEvent(id: "1", source: "/s", type: "t")
        event.extensions = ["n": .integer(5), "b": .boolean(true)]
        let decoded = try CloudEventKafkaBinding.decode(CloudEventKafkaBinding.encodeBinary(event))
        #expect(decoded.extensions == ["n": .string("5"), "b": .string("true")])
    }

    @Test func structuredRoundTrip() throws {
        let event = try Self.fullEvent()
        let message = CloudEventKafkaBinding.encodeStructured(event)
        #expect(message.headers == [Self.header("content-type", "application/cloudevents+json; charset=UTF-8")])
        #expect(message.key == ByteBuffer(string: "mykey"))
        #expect(try CloudEventKafkaBinding.decode(message) == event)
        // Detection is case-insensitive; a structured record without data is not a tombstone.
        var upper = message
        upper.headers = [Self.header("content-type", "Application/CloudEvents+JSON")]
        #expect(try CloudEventKafkaBinding.decode(upper) == event)
    }

    @Test func structuredModeNeedsTheJSONFormat() {
        let message = CloudEventKafkaBinding.Message(
            key: nil,
            value: ByteBuffer(string: "[]"),
            headers: [Self.header("content-type", "application/cloudevents-batch+json")]
        )
        #expect(Self.problems(message).map(\.kind) == [.unsupportedFormat])
        let avro = CloudEventKafkaBinding.Message(
            key: nil,
            value: nil,
            headers: [Self.header("content-type", "application/cloudevents+avro")]
        )
        #expect(Self.problems(avro).map(\.kind) == [.unsupportedFormat])
        let broken = CloudEventKafkaBinding.Message(
            key: nil,
            value: ByteBuffer(string: "{"),
            headers: [Self.header("content-type", "application/cloudevents+json")]
        )
        #expect(Self.problems(broken).map(\.kind) == [.invalidJSON])
    }

    @Test func binaryHeaderProblems() {
        let message = CloudEventKafkaBinding.Message(
            key: nil,
            value: nil,
            headers: [
                Self.header("ce_specversion", "1.0"), Self.header("ce_id", nil),
                RecordHeader(key: "ce_source", value: ByteBuffer(bytes: [0xC0, 0xA0])), Self.header("ce_type", "t"),
                Self.header("ce_type", "t2"), Self.header("ce_datacontenttype", "text/plain"),
                Self.header("ce_Ext", "x"),
                Self.header("ce_time", "2018-04-05T03:56:24"), Self.header("other", "ignored"),
            ]
        )
        #expect(
            Self.problems(message).map(\.kind) == [
                .invalidHeaderValue, .invalidHeaderValue, .duplicateAttribute, .conflictingAttributes,
                .invalidTimestamp,
                .invalidAttributeName,
            ]
        )
        #expect(Self.problems(message).map(\.attribute) == ["id", "source", "type", "datacontenttype", "time", "Ext"])
    }

    @Test func detection() {
        #expect(CloudEventKafkaBinding.isCloudEvent(headers: [Self.header("ce_id", "1")]))
        #expect(
            CloudEventKafkaBinding.isCloudEvent(headers: [Self.header("content-type", "application/cloudevents+json")])
        )
        #expect(
            !CloudEventKafkaBinding.isCloudEvent(headers: [
                Self.header("content-type", "application/json"), Self.header("trace", "x"),
            ])
        )
        #expect(!CloudEventKafkaBinding.isCloudEvent(headers: []))
    }

    // MARK: The view of a plain record

    static let topic = try! TopicName("orders.v1")

    @Test func viewOfAPlainRecord() throws {
        let record = Record(
            offsetDelta: 3,
            key: ByteBuffer(string: "customer-42"),
            value: ByteBuffer(string: "{\"order\":7}"),
            headers: [
                Self.header("content-type", "application/json"), Self.header("trace", "t-0"),
                Self.header("content-type", "text/plain"),
            ]
        )
        let event = CloudEvent(
            viewing: record,
            topic: Self.topic,
            partition: PartitionID(2),
            offset: Offset(1042),
            timestamp: Timestamp(milliseconds: 1_700_000_000_123)
        )
        #expect(event.id == "orders.v1/2/1042")
        #expect(event.source == "/plexus/topics/orders.v1")
        #expect(event.type == "plexus.record")
        #expect(event.specversion == "1.0")
        #expect(event.time?.text == "2023-11-14T22:13:20.123Z")
        #expect(event.datacontenttype == "application/json")  // the first content-type header
        #expect(event.data == ByteBuffer(string: "{\"order\":7}"))
        #expect(event.extensions == ["partitionkey": .string("customer-42")])  // `trace` is not mapped
        #expect(event.validate() == [])
        #expect(
            String(buffer: CloudEventJSONFormat.encode(event))
                == #"{"specversion":"1.0","id":"orders.v1/2/1042","source":"/plexus/topics/orders.v1","type":"plexus.record","datacontenttype":"application/json","time":"2023-11-14T22:13:20.123Z","partitionkey":"customer-42","data":{"order":7}}"#
        )
    }

    @Test func viewOfOddRecords() throws {
        let binaryKey = Record(
            offsetDelta: 0,
            key: ByteBuffer(bytes: [0xFF, 0x00]),
            value: nil,
            headers: [Self.header("content-type", "not a media type")]
        )
        let event = CloudEvent(
            viewing: binaryKey,
            topic: Self.topic,
            partition: PartitionID(0),
            offset: Offset(0),
            timestamp: .none
        )
        #expect(event.extensions == ["partitionkeyb64": .binary([0xFF, 0x00])])
        #expect(event.time == nil)
        #expect(event.data == nil)
        #expect(event.datacontenttype == nil)
        #expect(event.validate() == [])
        let controlKey = Record(offsetDelta: 0, key: ByteBuffer(string: "a\nb"), value: ByteBuffer(string: "x"))
        let control = CloudEvent(
            viewing: controlKey,
            topic: Self.topic,
            partition: PartitionID(0),
            offset: Offset(1),
            timestamp: Timestamp(milliseconds: 0)
        )
        #expect(control.extensions == ["partitionkeyb64": .binary(Array("a\nb".utf8))])
        let emptyKey = Record(offsetDelta: 0, key: ByteBuffer(), value: nil)
        #expect(
            CloudEvent(
                viewing: emptyKey,
                topic: Self.topic,
                partition: PartitionID(0),
                offset: Offset(1),
                timestamp: .none
            ).extensions == ["partitionkeyb64": .binary([])]
        )
        let noKey = Record(offsetDelta: 0, key: nil, value: ByteBuffer(string: "x"))
        #expect(
            CloudEvent(
                viewing: noKey,
                topic: Self.topic,
                partition: PartitionID(0),
                offset: Offset(1),
                timestamp: .none
            ).extensions.isEmpty
        )
        // Through the HTTP binding the binary key travels as base64 text.
        let (headers, _) = CloudEventHTTPBinding.encodeBinary(event)
        #expect(headers.contains { $0 == ("ce-partitionkeyb64", "/wA=") })
    }

    @Test func presentingPrefersTheBindingAndFallsBackToTheView() throws {
        let event = try Self.fullEvent()
        let message = CloudEventKafkaBinding.encodeBinary(event)
        let record = Record(offsetDelta: 0, key: message.key, value: message.value, headers: message.headers)
        #expect(
            CloudEvent(
                presenting: record,
                topic: Self.topic,
                partition: PartitionID(0),
                offset: Offset(5),
                timestamp: .none
            ) == event
        )
        let structured = CloudEventKafkaBinding.encodeStructured(event)
        let structuredRecord = Record(
            offsetDelta: 0,
            key: structured.key,
            value: structured.value,
            headers: structured.headers
        )
        #expect(
            CloudEvent(
                presenting: structuredRecord,
                topic: Self.topic,
                partition: PartitionID(0),
                offset: Offset(5),
                timestamp: .none
            ) == event
        )
        // ce_ headers that do not make an event: the view.
        let broken = Record(
            offsetDelta: 0,
            key: nil,
            value: ByteBuffer(string: "v"),
            headers: [Self.header("ce_id", "only")]
        )
        let shown = CloudEvent(
            presenting: broken,
            topic: Self.topic,
            partition: PartitionID(1),
            offset: Offset(9),
            timestamp: .none
        )
        #expect(shown.id == "orders.v1/1/9")
        #expect(shown.type == "plexus.record")
    }
}
