public import NIOCore

/// The JSON event format (`cloudevents/formats/json-format.md` v1.0.2): one event as a JSON object
/// (`application/cloudevents+json`) and the batch format, a JSON array of them
/// (`application/cloudevents-batch+json`).
///
/// Decoding: attributes are typed by their JSON type (extensions: string → String, integral number →
/// Integer, boolean → Boolean); `null` means unset; `data_base64` is decoded; a `data` member is kept as
/// its exact JSON text when `datacontenttype` declares JSON (or is absent, in which case it is set to
/// `application/json`, the implied type), else it must be a string and its UTF-8 bytes are the data.
///
/// Encoding: `data` is written as JSON when `datacontenttype` declares JSON (or is absent) and the
/// bytes are one JSON text, as a string for UTF-8 `text/*`, and as `data_base64` otherwise.
public enum CloudEventJSONFormat {
    /// The media type of one event.
    public static let mediaType = "application/cloudevents+json"
    /// The media type of a batch.
    public static let batchMediaType = "application/cloudevents-batch+json"

    /// Decodes one event from a JSON object.
    /// - Throws: ``CloudEventError`` listing every problem (bad JSON, not an object, invalid attributes).
    public static func decode(_ body: ByteBuffer) throws(CloudEventError) -> CloudEvent {
        let bytes = Array(body.readableBytesView)
        guard case .object(let members) = try parse(bytes) else {
            throw CloudEventError([CloudEventProblem(.invalidFormat, "a structured CloudEvent must be a JSON object")])
        }
        return try decodeObject(members, bytes: bytes).get()
    }

    /// Decodes a batch (a JSON array of event objects, possibly empty). The batch fails as a whole when
    /// any event is invalid; each problem carries the event's ``CloudEventProblem/index``.
    /// - Throws: ``CloudEventError`` listing the problems of every invalid event.
    public static func decodeBatch(_ body: ByteBuffer) throws(CloudEventError) -> [CloudEvent] {
        let bytes = Array(body.readableBytesView)
        guard case .array(let elements) = try parse(bytes) else {
            throw CloudEventError([CloudEventProblem(.invalidFormat, "a CloudEvents batch must be a JSON array")])
        }
        var events: [CloudEvent] = []
        var problems: [CloudEventProblem] = []
        for (index, element) in elements.enumerated() {
            guard case .object(let members) = element else {
                problems.append(
                    CloudEventProblem(.invalidFormat, index: index, "a batch element must be a JSON object")
                )
                continue
            }
            switch decodeObject(members, bytes: bytes) {
            case .success(let event): events.append(event)
            case .failure(let error):
                problems += error.problems.map { problem in
                    var problem = problem
                    problem.index = index
                    return problem
                }
            }
        }
        if !problems.isEmpty { throw CloudEventError(problems) }
        return events
    }

    /// The event as a compact JSON object.
    public static func encode(_ event: CloudEvent) -> ByteBuffer {
        var buffer = ByteBuffer()
        encode(event, to: &buffer)
        return buffer
    }

    /// Appends the event as a compact JSON object.
    public static func encode(_ event: CloudEvent, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "{"))
        var first = true
        func member(_ name: String) {
            if !first { buffer.writeInteger(UInt8(ascii: ",")) }
            first = false
            JSONWriter.writeString(name, to: &buffer)
            buffer.writeInteger(UInt8(ascii: ":"))
        }
        for (name, value) in event.attributes {
            member(name)
            switch value {
            case .boolean(let flag): buffer.writeString(flag ? "true" : "false")
            case .integer(let number): buffer.writeString(String(number))
            default: JSONWriter.writeString(value.canonicalString, to: &buffer)
            }
        }
        if let data = event.data {
            let bytes = Array(data.readableBytesView)
            let contentType = event.datacontenttype
            if contentType.map(CloudEventSyntax.isJSONMediaType) ?? true, JSONParser.isJSON(bytes) {
                member("data")
                let isSpace: (UInt8) -> Bool = { [0x20, 0x09, 0x0A, 0x0D].contains($0) }
                let start = bytes.firstIndex { !isSpace($0) } ?? 0
                let end = (bytes.lastIndex { !isSpace($0) } ?? -1) + 1
                buffer.writeBytes(bytes[start..<end])
            } else if let contentType, CloudEventSyntax.isUTF8TextMediaType(contentType),
                let text = String(validating: bytes, as: UTF8.self)
            {
                member("data")
                JSONWriter.writeString(text, to: &buffer)
            } else {
                member("data_base64")
                JSONWriter.writeString(CloudEventSyntax.base64Encode(bytes), to: &buffer)
            }
        }
        buffer.writeInteger(UInt8(ascii: "}"))
    }

    /// The events as a JSON array (the batch format).
    public static func encodeBatch(_ events: [CloudEvent]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt8(ascii: "["))
        for (index, event) in events.enumerated() {
            if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
            encode(event, to: &buffer)
        }
        buffer.writeInteger(UInt8(ascii: "]"))
        return buffer
    }

    private static func parse(_ bytes: [UInt8]) throws(CloudEventError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw CloudEventError([
                CloudEventProblem(.invalidJSON, "the body is not JSON: \(error.reason) at byte \(error.offset)")
            ])
        }
    }

    /// Reads one event object; `bytes` is the document the members' ranges point into.
    static func decodeObject(_ members: [JSONMember], bytes: [UInt8]) -> Result<CloudEvent, CloudEventError> {
        var builder = CloudEventBuilder()
        var seen: Set<String> = []
        var dataMember: JSONMember?
        var base64Member: JSONMember?
        for member in members {
            guard seen.insert(member.name).inserted else {
                builder.problems.append(
                    CloudEventProblem(
                        .duplicateAttribute,
                        attribute: member.name,
                        "the member \(member.name) appears more than once"
                    )
                )
                continue
            }
            switch member.name {
            case "data": dataMember = member
            case "data_base64": base64Member = member
            default: builder.set(member.name, json: member.value)
            }
        }
        let contentType = builder.text("datacontenttype")
        var data: ByteBuffer?
        var impliedJSON = false
        if let base64Member, !base64Member.value.isNull {
            if let dataMember, !dataMember.value.isNull {
                builder.problems.append(
                    CloudEventProblem(
                        .conflictingAttributes,
                        attribute: "data",
                        "data and data_base64 are mutually exclusive"
                    )
                )
            } else if case .string(let text, _) = base64Member.value {
                if let decoded = CloudEventSyntax.base64Decode(text) {
                    data = ByteBuffer(bytes: decoded)
                } else {
                    builder.problems.append(
                        CloudEventProblem(.invalidBase64, attribute: "data_base64", "data_base64 is not base64")
                    )
                }
            } else {
                builder.problems.append(
                    CloudEventProblem(
                        .wrongType,
                        attribute: "data_base64",
                        "data_base64 is \(base64Member.value.kindName); expected a string"
                    )
                )
            }
        } else if let dataMember {
            if contentType.map(CloudEventSyntax.isJSONMediaType) ?? true {
                data = ByteBuffer(bytes: bytes[dataMember.range])
                impliedJSON = contentType == nil
            } else {
                switch dataMember.value {
                case .null: break
                case .string(let text, false): data = ByteBuffer(string: text)
                default:
                    builder.problems.append(
                        CloudEventProblem(
                            .invalidData,
                            attribute: "data",
                            "data is \(dataMember.value.kindName) but datacontenttype \(contentType ?? "") is not JSON;"
                                + " expected a string (or data_base64)"
                        )
                    )
                }
            }
        }
        return builder.build(data: data).map { event in
            var event = event
            if impliedJSON { event.datacontenttype = "application/json" }
            return event
        }
    }
}

extension JSONValue {
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
