public import NIOCore

/// The HTTP protocol binding (`cloudevents/bindings/http-protocol-binding.md` v1.0.2 §3), pure: header
/// lists and bodies in, events out, and back. Header names are matched case-insensitively.
public enum CloudEventHTTPBinding {
    /// How a message carries its event(s), chosen by its `Content-Type`.
    public enum ContentMode: Hashable, Sendable {
        /// Attributes in `ce-` headers, data in the body.
        case binary
        /// The whole event in the body in an event format (`application/cloudevents…`).
        case structured
        /// Several events in the body (`application/cloudevents-batch…`).
        case batch
    }

    /// The `Content-Type` of a structured message.
    public static let structuredContentType = "application/cloudevents+json; charset=UTF-8"
    /// The `Content-Type` of a batch.
    public static let batchContentType = "application/cloudevents-batch+json; charset=UTF-8"

    /// The content mode for a `Content-Type` value (nil when there is none): prefix
    /// `application/cloudevents-batch` ⇒ batch, `application/cloudevents` ⇒ structured, else binary.
    public static func contentMode(contentType: String?) -> ContentMode {
        guard let contentType else { return .binary }
        let lowered = contentType.lowercased().drop { $0 == " " || $0 == "\t" }
        if lowered.hasPrefix("application/cloudevents-batch") { return .batch }
        if lowered.hasPrefix("application/cloudevents") { return .structured }
        return .binary
    }

    /// Decodes the event(s) of a message in whichever mode its `Content-Type` says (a binary or
    /// structured message gives one event). A batch fails as a whole when any of its events is invalid.
    /// - Throws: ``CloudEventError`` listing every problem found.
    public static func decode(
        headers: [(name: String, value: String)],
        body: ByteBuffer
    ) throws(CloudEventError) -> [CloudEvent] {
        let contentType = headers.first { $0.name.lowercased() == "content-type" }?.value
        switch contentMode(contentType: contentType) {
        case .binary:
            return [try decodeBinary(headers: headers, body: body)]
        case .structured:
            try requireJSON(contentType ?? "", expected: CloudEventJSONFormat.mediaType)
            return [try CloudEventJSONFormat.decode(body)]
        case .batch:
            try requireJSON(contentType ?? "", expected: CloudEventJSONFormat.batchMediaType)
            return try CloudEventJSONFormat.decodeBatch(body)
        }
    }

    private static func requireJSON(_ contentType: String, expected: String) throws(CloudEventError) {
        guard CloudEventSyntax.essence(ofMediaType: contentType) == expected else {
            throw CloudEventError([
                CloudEventProblem(
                    .unsupportedFormat,
                    "event format '\(contentType.prefix(100))' is not supported; use \(expected)"
                )
            ])
        }
    }

    /// Decodes a binary-mode message: `ce-<name>` headers (quoted-strings unquoted, then percent-decoded
    /// once into UTF-8) are the attributes, `Content-Type` is `datacontenttype`, and the body is the data
    /// (an empty body is no data). Other headers are ignored.
    /// - Throws: ``CloudEventError`` listing every problem found.
    public static func decodeBinary(
        headers: [(name: String, value: String)],
        body: ByteBuffer
    ) throws(CloudEventError) -> CloudEvent {
        var builder = CloudEventBuilder()
        var sawContentType = false
        for (name, value) in headers {
            let lowered = name.lowercased()
            if lowered == "content-type" {
                // Repeated Content-Type headers: the first one counts, as for the mode.
                if !sawContentType { builder.set("datacontenttype", text: value) }
                sawContentType = true
                continue
            }
            guard lowered.hasPrefix("ce-") else { continue }
            let attribute = String(lowered.dropFirst(3))
            if attribute == "datacontenttype" {
                builder.problems.append(
                    CloudEventProblem(
                        .conflictingAttributes,
                        attribute: attribute,
                        "ce-datacontenttype must not be present in binary mode; use Content-Type"
                    )
                )
                continue
            }
            do {
                builder.set(attribute, text: try CloudEventSyntax.decodeHeaderValue(value))
            } catch {
                let why =
                    switch error {
                    case .unterminatedQuotedString: "has an unterminated quoted-string"
                    case .badPercentEscape: "has a '%' not followed by two hex digits"
                    case .invalidUTF8: "does not percent-decode to valid UTF-8"
                    }
                builder.problems.append(
                    CloudEventProblem(.invalidHeaderValue, attribute: attribute, "header \(name) \(why)")
                )
            }
        }
        return try builder.build(data: body.readableBytes == 0 ? nil : body).get()
    }

    /// A structured-mode message: `Content-Type` ``structuredContentType`` and the event as JSON.
    public static func encodeStructured(_ event: CloudEvent) -> (
        headers: [(name: String, value: String)], body: ByteBuffer
    ) {
        ([("content-type", structuredContentType)], CloudEventJSONFormat.encode(event))
    }

    /// A batch message: `Content-Type` ``batchContentType`` and the events as a JSON array.
    public static func encodeBatch(_ events: [CloudEvent]) -> (
        headers: [(name: String, value: String)], body: ByteBuffer
    ) {
        ([("content-type", batchContentType)], CloudEventJSONFormat.encodeBatch(events))
    }

    /// A binary-mode message: `content-type` from `datacontenttype`, a `ce-<name>` header per other
    /// attribute (canonical string, percent-encoded), and the data as the body (empty when none).
    public static func encodeBinary(_ event: CloudEvent) -> (headers: [(name: String, value: String)], body: ByteBuffer)
    {
        var headers: [(name: String, value: String)] = []
        for (name, value) in event.attributes {
            if name == "datacontenttype" {
                headers.append(("content-type", value.canonicalString))
            } else {
                headers.append(("ce-" + name, CloudEventSyntax.percentEncode(value.canonicalString)))
            }
        }
        return (headers, event.data ?? ByteBuffer())
    }

    /// Percent-encodes a header value as the binding requires (space, `"`, `%` and non-printable-ASCII
    /// as `%XX` of their UTF-8 bytes).
    public static func percentEncode(_ value: String) -> String {
        CloudEventSyntax.percentEncode(value)
    }
}
