public import NIOCore

/// A CloudEvents 1.0 event (`cloudevents/spec.md` v1.0.2): context attributes and optional data bytes.
///
/// Values may be built in any state; ``validate()`` lists what breaks the spec. The decoders
/// (``CloudEventJSONFormat``, ``CloudEventHTTPBinding``, ``CloudEventKafkaBinding``) only return
/// events that validate.
public struct CloudEvent: Hashable, Sendable {
    /// The only `specversion` this implementation accepts.
    public static let specVersion = "1.0"
    /// The names of the spec's own attributes (required and optional); extensions may not use them.
    public static let coreAttributeNames: Set<String> = [
        "id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject", "time",
    ]

    /// Identifies the event; `source` + `id` is unique per distinct event. Non-empty.
    public var id: String
    /// The context in which the event happened: a non-empty URI-reference.
    public var source: String
    /// The CloudEvents version, `"1.0"`.
    public var specversion: String
    /// The kind of occurrence, e.g. `com.example.object.deleted.v2`. Non-empty.
    public var type: String
    /// The RFC 2046 media type of ``data``.
    public var datacontenttype: String?
    /// A URI naming the schema ``data`` adheres to.
    public var dataschema: String?
    /// The subject of the event within ``source``. Non-empty when set.
    public var subject: String?
    /// When the occurrence happened.
    public var time: CloudEventTime?
    /// The event data as bytes, encoded as ``datacontenttype`` says.
    public var data: ByteBuffer?
    /// Extension attributes by name.
    public var extensions: [String: CloudEventAttributeValue]

    public init(
        id: String,
        source: String,
        type: String,
        specversion: String = CloudEvent.specVersion,
        datacontenttype: String? = nil,
        dataschema: String? = nil,
        subject: String? = nil,
        time: CloudEventTime? = nil,
        data: ByteBuffer? = nil,
        extensions: [String: CloudEventAttributeValue] = [:]
    ) {
        self.id = id
        self.source = source
        self.specversion = specversion
        self.type = type
        self.datacontenttype = datacontenttype
        self.dataschema = dataschema
        self.subject = subject
        self.time = time
        self.data = data
        self.extensions = extensions
    }

    /// The value of attribute `name` (core or extension) with its type, or nil when unset.
    public subscript(attribute name: String) -> CloudEventAttributeValue? {
        switch name {
        case "id": .string(id)
        case "source": .uriReference(source)
        case "specversion": .string(specversion)
        case "type": .string(type)
        case "datacontenttype": datacontenttype.map { .string($0) }
        case "dataschema": dataschema.map { .uri($0) }
        case "subject": subject.map { .string($0) }
        case "time": time.map { .timestamp($0) }
        default: extensions[name]
        }
    }

    /// Every set attribute: the core ones in the spec's order, then extensions by name.
    public var attributes: [(name: String, value: CloudEventAttributeValue)] {
        var out: [(name: String, value: CloudEventAttributeValue)] = []
        for name in ["specversion", "id", "source", "type", "datacontenttype", "dataschema", "subject", "time"] {
            if let value = self[attribute: name] { out.append((name, value)) }
        }
        for name in extensions.keys.sorted() {
            if let value = extensions[name] { out.append((name, value)) }
        }
        return out
    }

    /// What breaks the spec, in attribute order; empty when the event is valid.
    ///
    /// Checks: `specversion` is "1.0"; `id`, `type` (and `subject` when set) are non-empty Strings;
    /// `source` is a non-empty URI-reference; `dataschema` a URI; `datacontenttype` a media type;
    /// extension names follow the naming rule and do not reuse a core name or `data`; extension values
    /// fit their type. Names longer than 20 characters are accepted (the spec says SHOULD NOT).
    public func validate() -> [CloudEventProblem] {
        var problems: [CloudEventProblem] = []
        if specversion != Self.specVersion {
            problems.append(
                CloudEventProblem(
                    .unsupportedSpecVersion,
                    attribute: "specversion",
                    "specversion '\(specversion)' is not supported; use \"1.0\""
                )
            )
        }
        Self.checkString(id, name: "id", into: &problems)
        if source.isEmpty {
            problems.append(CloudEventProblem(.emptyAttribute, attribute: "source", "source must not be empty"))
        } else if !CloudEventSyntax.isURIReference(source) {
            problems.append(
                CloudEventProblem(.invalidURIReference, attribute: "source", "source is not a URI-reference")
            )
        }
        Self.checkString(type, name: "type", into: &problems)
        if let datacontenttype, !CloudEventSyntax.isValidMediaType(datacontenttype) {
            problems.append(
                CloudEventProblem(
                    .invalidMediaType,
                    attribute: "datacontenttype",
                    "datacontenttype '\(datacontenttype.prefix(200))' is not a media type (type/subtype)"
                )
            )
        }
        if let dataschema {
            if dataschema.isEmpty {
                problems.append(
                    CloudEventProblem(.emptyAttribute, attribute: "dataschema", "dataschema must not be empty")
                )
            } else if !CloudEventSyntax.isAbsoluteURI(dataschema) {
                problems.append(
                    CloudEventProblem(.invalidURI, attribute: "dataschema", "dataschema is not an absolute URI")
                )
            }
        }
        if let subject { Self.checkString(subject, name: "subject", into: &problems) }
        for name in extensions.keys.sorted() {
            if !CloudEventSyntax.isValidAttributeName(name) {
                problems.append(
                    CloudEventProblem(
                        .invalidAttributeName,
                        attribute: name,
                        "attribute name '\(name.prefix(100))' must consist of a-z and 0-9 only"
                    )
                )
                continue
            }
            if Self.coreAttributeNames.contains(name) || name == "data" {
                problems.append(
                    CloudEventProblem(
                        .reservedAttributeName,
                        attribute: name,
                        "'\(name)' is not available as an extension attribute name"
                    )
                )
                continue
            }
            switch extensions[name] {
            case .string(let text):
                Self.checkString(text, name: name, allowEmpty: true, into: &problems)
            case .uri(let text) where !CloudEventSyntax.isAbsoluteURI(text):
                problems.append(CloudEventProblem(.invalidURI, attribute: name, "\(name) is not an absolute URI"))
            case .uriReference(let text) where !CloudEventSyntax.isURIReference(text):
                problems.append(
                    CloudEventProblem(.invalidURIReference, attribute: name, "\(name) is not a URI-reference")
                )
            default:
                break
            }
        }
        return problems
    }

    /// `self` when ``validate()`` finds nothing.
    /// - Throws: ``CloudEventError`` with every problem found.
    public func validated() throws(CloudEventError) -> CloudEvent {
        let problems = validate()
        if !problems.isEmpty { throw CloudEventError(problems) }
        return self
    }

    private static func checkString(
        _ text: String,
        name: String,
        allowEmpty: Bool = false,
        into problems: inout [CloudEventProblem]
    ) {
        if text.isEmpty, !allowEmpty {
            problems.append(CloudEventProblem(.emptyAttribute, attribute: name, "\(name) must not be empty"))
        } else if let scalar = CloudEventSyntax.firstDisallowedScalar(in: text) {
            let code = "U+" + String(scalar.value, radix: 16, uppercase: true)
            problems.append(
                CloudEventProblem(.invalidString, attribute: name, "\(name) contains the disallowed character \(code)")
            )
        }
    }
}

/// A typed attribute value, one case per type of the CloudEvents type system.
public enum CloudEventAttributeValue: Hashable, Sendable, CustomStringConvertible {
    case boolean(Bool)
    /// A signed 32-bit integer.
    case integer(Int32)
    case string(String)
    case binary([UInt8])
    /// An absolute URI.
    case uri(String)
    case uriReference(String)
    case timestamp(CloudEventTime)

    /// The canonical string form: `true`/`false`, decimal, the text itself, base64, RFC 3339.
    public var canonicalString: String {
        switch self {
        case .boolean(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .string(let text), .uri(let text), .uriReference(let text): text
        case .binary(let bytes): CloudEventSyntax.base64Encode(bytes)
        case .timestamp(let time): time.text
        }
    }

    /// The spec's name of the type (`Boolean`, `Integer`, `String`, `Binary`, `URI`, `URI-reference`,
    /// `Timestamp`).
    public var typeName: String {
        switch self {
        case .boolean: "Boolean"
        case .integer: "Integer"
        case .string: "String"
        case .binary: "Binary"
        case .uri: "URI"
        case .uriReference: "URI-reference"
        case .timestamp: "Timestamp"
        }
    }

    public var description: String { canonicalString }
}

/// One way in which a message or event breaks the CloudEvents spec or a binding.
public struct CloudEventProblem: Hashable, Sendable, CustomStringConvertible {
    /// What kind of rule was broken; the raw value is a stable name for problem+json.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// A required attribute (`id`, `source`, `specversion`, `type`) is absent.
        case missingAttribute = "missing-attribute"
        /// An attribute that must be non-empty is empty.
        case emptyAttribute = "empty-attribute"
        /// `specversion` is not "1.0".
        case unsupportedSpecVersion = "unsupported-specversion"
        /// A name breaks the naming rule (a–z, 0–9).
        case invalidAttributeName = "invalid-attribute-name"
        /// An extension reuses a core attribute name or `data`.
        case reservedAttributeName = "reserved-attribute-name"
        /// A value has the wrong type (a JSON number for `id`, a fraction for an Integer, …).
        case wrongType = "wrong-type"
        /// A String contains a control character or a noncharacter.
        case invalidString = "invalid-string"
        /// A Timestamp is not RFC 3339.
        case invalidTimestamp = "invalid-timestamp"
        /// A URI is not absolute or not RFC 3986.
        case invalidURI = "invalid-uri"
        /// A URI-reference is not RFC 3986.
        case invalidURIReference = "invalid-uri-reference"
        /// `datacontenttype` is not an RFC 2046 media type.
        case invalidMediaType = "invalid-media-type"
        /// An attribute appears twice (repeated header, duplicate JSON member).
        case duplicateAttribute = "duplicate-attribute"
        /// Two parts of the message contradict each other (`data` and `data_base64`; `ce-datacontenttype`
        /// in HTTP binary mode).
        case conflictingAttributes = "conflicting-attributes"
        /// A header value cannot be decoded (bad quoting or percent-encoding, invalid UTF-8, null).
        case invalidHeaderValue = "invalid-header-value"
        /// The body is not JSON.
        case invalidJSON = "invalid-json"
        /// The JSON is not an event object (structured) or not an array of them (batch).
        case invalidFormat = "invalid-format"
        /// The content type names an event format this implementation does not read.
        case unsupportedFormat = "unsupported-format"
        /// `data_base64` is not base64.
        case invalidBase64 = "invalid-base64"
        /// `data` cannot be read as `datacontenttype` says (e.g. not a string for a non-JSON type).
        case invalidData = "invalid-data"
    }

    public var kind: Kind
    /// The attribute concerned, when there is one.
    public var attribute: String?
    /// The position of the event in a batch, when decoding one.
    public var index: Int?
    /// A sentence for people.
    public var message: String

    public init(_ kind: Kind, attribute: String? = nil, index: Int? = nil, _ message: String) {
        self.kind = kind
        self.attribute = attribute
        self.index = index
        self.message = message
    }

    public var description: String {
        (index.map { "event \($0): " } ?? "") + "\(kind.rawValue): \(message)"
    }
}

/// Thrown when a message is not a valid CloudEvent; carries every problem found.
public struct CloudEventError: Error, Hashable, Sendable, CustomStringConvertible {
    /// At least one problem.
    public var problems: [CloudEventProblem]

    public init(_ problems: [CloudEventProblem]) {
        self.problems = problems
    }

    /// A ``PlexusError`` with code ``PlexusError/Code/invalidRecord`` (HTTP 400) summarizing the problems.
    public var plexusError: PlexusError {
        PlexusError(.invalidRecord, "not a valid CloudEvent: \(description)")
    }

    public var description: String { problems.map(\.description).joined(separator: "; ") }
}
