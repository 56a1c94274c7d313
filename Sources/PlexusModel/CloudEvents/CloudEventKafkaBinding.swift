public import NIOCore

/// The Kafka protocol binding (`cloudevents/bindings/kafka-protocol-binding.md` v1.0.2), pure: record
/// parts in, an event out, and back. See docs/CLOUDEVENTS.md.
public enum CloudEventKafkaBinding {
    /// The parts of a Kafka record that carry an event.
    public struct Message: Hashable, Sendable {
        public var key: ByteBuffer?
        public var value: ByteBuffer?
        public var headers: [RecordHeader]

        public init(key: ByteBuffer?, value: ByteBuffer?, headers: [RecordHeader]) {
            self.key = key
            self.value = value
            self.headers = headers
        }
    }

    /// The `content-type` header of a structured record.
    public static let structuredContentType = "application/cloudevents+json; charset=UTF-8"
    /// The extension whose value becomes the record key (Partitioning extension).
    public static let partitionKeyAttribute = "partitionkey"

    /// Binary mode: `ce_<name>` headers with the canonical string of every attribute but
    /// `datacontenttype` (UTF-8), a `content-type` header for `datacontenttype`, the data as the value
    /// (no data ⇒ null value). The key is `key` when given, else the `partitionkey` extension's text
    /// (the opt-in Key Mapper of §3.1), else null.
    public static func encodeBinary(_ event: CloudEvent, key: ByteBuffer? = nil) -> Message {
        var headers: [RecordHeader] = []
        for (name, value) in event.attributes {
            let headerName = name == "datacontenttype" ? "content-type" : "ce_" + name
            headers.append(RecordHeader(key: headerName, value: ByteBuffer(string: value.canonicalString)))
        }
        return Message(key: key ?? partitionKey(of: event), value: event.data, headers: headers)
    }

    /// Structured mode: `content-type` ``structuredContentType`` and the event as JSON in the value. The key
    /// is chosen as in ``encodeBinary(_:key:)``.
    public static func encodeStructured(_ event: CloudEvent, key: ByteBuffer? = nil) -> Message {
        Message(
            key: key ?? partitionKey(of: event),
            value: CloudEventJSONFormat.encode(event),
            headers: [RecordHeader(key: "content-type", value: ByteBuffer(string: structuredContentType))]
        )
    }

    private static func partitionKey(of event: CloudEvent) -> ByteBuffer? {
        event.extensions[partitionKeyAttribute].map { ByteBuffer(string: $0.canonicalString) }
    }

    /// Whether a record's headers say it carries a CloudEvent: a `content-type` starting with
    /// `application/cloudevents` (any case), or at least one `ce_` header.
    public static func isCloudEvent(headers: [RecordHeader]) -> Bool {
        structuredContentType(in: headers) != nil || headers.contains { $0.key.hasPrefix("ce_") }
    }

    /// The first `content-type` header's text when it starts with `application/cloudevents`.
    private static func structuredContentType(in headers: [RecordHeader]) -> String? {
        guard let value = headers.first(where: { $0.key == "content-type" })?.value,
            let text = value.getString(at: value.readerIndex, length: value.readableBytes),
            text.lowercased().drop(while: { $0 == " " }).hasPrefix("application/cloudevents")
        else { return nil }
        return text
    }

    /// Decodes a record: structured mode when `content-type` starts with `application/cloudevents`
    /// (only `application/cloudevents+json` is read; Kafka has no batch mode), else binary mode from the
    /// `ce_` headers, `content-type` and the value. The key is not part of the event.
    /// - Throws: ``CloudEventError`` listing every problem found.
    public static func decode(_ message: Message) throws(CloudEventError) -> CloudEvent {
        if let contentType = structuredContentType(in: message.headers) {
            guard CloudEventSyntax.essence(ofMediaType: contentType) == CloudEventJSONFormat.mediaType else {
                throw CloudEventError([
                    CloudEventProblem(
                        .unsupportedFormat,
                        "event format '\(contentType.prefix(100))' is not supported; use \(CloudEventJSONFormat.mediaType)"
                    )
                ])
            }
            return try CloudEventJSONFormat.decode(message.value ?? ByteBuffer())
        }
        var builder = CloudEventBuilder()
        var sawContentType = false
        for header in message.headers {
            let attribute: String
            if header.key == "content-type" {
                guard !sawContentType else { continue }
                sawContentType = true
                attribute = "datacontenttype"
            } else if header.key.hasPrefix("ce_") {
                attribute = String(header.key.dropFirst(3))
                if attribute == "datacontenttype" {
                    builder.problems.append(
                        CloudEventProblem(
                            .conflictingAttributes,
                            attribute: attribute,
                            "ce_datacontenttype must not be used in binary mode; use the content-type header"
                        )
                    )
                    continue
                }
            } else {
                continue
            }
            guard let value = header.value else {
                builder.problems.append(
                    CloudEventProblem(.invalidHeaderValue, attribute: attribute, "header \(header.key) is null")
                )
                continue
            }
            guard let text = String(validating: value.readableBytesView, as: UTF8.self) else {
                builder.problems.append(
                    CloudEventProblem(
                        .invalidHeaderValue,
                        attribute: attribute,
                        "header \(header.key) is not valid UTF-8"
                    )
                )
                continue
            }
            builder.set(attribute, text: text)
        }
        return try builder.build(data: message.value).get()
    }
}

extension CloudEvent {
    /// The type of every event seen through ``init(viewing:topic:partition:offset:timestamp:)``.
    public static let recordViewType = "plexus.record"

    /// The CloudEvents view of a stored record that was not produced as a CloudEvent.
    ///
    /// - `id` `{topic}/{partition}/{offset}`, `source` `/plexus/topics/{topic}`, `type` `plexus.record`,
    ///   `specversion` 1.0;
    /// - `time`: the record timestamp as RFC 3339 UTC with milliseconds (absent when the timestamp is
    ///   negative, i.e. none);
    /// - `datacontenttype`: the first `content-type` header when it is valid UTF-8 and a media type;
    /// - `data`: the value bytes (a null value is no data);
    /// - `partitionkey` (String): the key when it is a valid non-empty CloudEvents String, else
    ///   `partitionkeyb64` (Binary) holding the key bytes; no extension for a null key.
    ///
    /// Other headers are not mapped. `offset` and `timestamp` are absolute (batch base plus deltas).
    public init(viewing record: Record, topic: TopicName, partition: PartitionID, offset: Offset, timestamp: Timestamp)
    {
        self.init(
            id: "\(topic.rawValue)/\(partition.rawValue)/\(offset.rawValue)",
            source: "/plexus/topics/\(topic.rawValue)",
            type: Self.recordViewType,
            time: CloudEventTime(timestamp),
            data: record.value
        )
        if let value = record.headers.first(where: { $0.key == "content-type" })?.value,
            let text = String(validating: value.readableBytesView, as: UTF8.self),
            CloudEventSyntax.isValidMediaType(text)
        {
            datacontenttype = text
        }
        if let key = record.key {
            if let text = String(validating: key.readableBytesView, as: UTF8.self), !text.isEmpty,
                CloudEventSyntax.firstDisallowedScalar(in: text) == nil
            {
                extensions[CloudEventKafkaBinding.partitionKeyAttribute] = .string(text)
            } else {
                extensions["partitionkeyb64"] = .binary(Array(key.readableBytesView))
            }
        }
    }

    /// The event a stored record presents to non-Kafka consumers: the record decoded with the Kafka
    /// binding when its headers say it is a CloudEvent and it decodes, else
    /// ``init(viewing:topic:partition:offset:timestamp:)``.
    public init(
        presenting record: Record,
        topic: TopicName,
        partition: PartitionID,
        offset: Offset,
        timestamp: Timestamp
    ) {
        let message = CloudEventKafkaBinding.Message(key: record.key, value: record.value, headers: record.headers)
        if CloudEventKafkaBinding.isCloudEvent(headers: record.headers),
            let event = try? CloudEventKafkaBinding.decode(message)
        {
            self = event
        } else {
            self.init(viewing: record, topic: topic, partition: partition, offset: offset, timestamp: timestamp)
        }
    }
}
