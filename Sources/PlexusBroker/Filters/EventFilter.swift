public import PlexusModel

/// The result of a Knative event filter (`pkg/eventfilter`): the broker drops an event only on ``fail``.
public enum EventFilterResult: Hashable, Sendable {
    case pass
    case fail
    /// The filter has nothing to check (empty map or list); counts as a pass.
    case noFilter
}

/// A Knative Trigger filter (`pkg/apis/eventing/v1/trigger_types.go`), composable and Codable in
/// Knative's JSON shape: `{"attributes": {…}}` (the legacy `spec.filter`), `{"exact": {"type": "x"}}`,
/// `{"prefix": {…}}`, `{"suffix": {…}}`, `{"all": […]}`, `{"any": […]}`, `{"not": {…}}`, `{"cesql": "…"}`.
///
/// Attribute values are compared as strings (Boolean and Integer extensions in canonical form); a
/// missing attribute fails. ``validate()`` applies the admission rules; decoding validates.
public indirect enum EventFilter: Hashable, Sendable {
    /// Legacy `filter.attributes`: every key must match exactly; `""` means "exists and is non-empty".
    case attributes([String: String])
    /// Each attribute equals the value.
    case exact([String: String])
    /// Each attribute starts with the value.
    case prefix([String: String])
    /// Each attribute ends with the value.
    case suffix([String: String])
    /// Fails on the first child that fails; otherwise the last child's result.
    case all([EventFilter])
    /// Passes on the first child that passes; otherwise the last child's result.
    case any([EventFilter])
    /// Swaps pass and fail; no-filter stays no-filter.
    case not(EventFilter)
    /// Passes when the expression evaluates to `true` without errors.
    case cesql(CESQLExpression)

    /// The filter a Trigger applies: `filters` (all of them) when non-empty, else `filter.attributes`.
    public static func trigger(attributes: [String: String]?, filters: [EventFilter]) -> EventFilter {
        if !filters.isEmpty { return .all(filters) }
        return .attributes(attributes ?? [:])
    }

    /// Applies the filter to `event`.
    public func evaluate(_ event: CloudEvent) -> EventFilterResult {
        switch self {
        case .attributes(let expected):
            if expected.isEmpty { return .noFilter }
            for (name, value) in expected {
                guard let actual = event[attribute: name] else { return .fail }
                if value.isEmpty {
                    if Self.string(actual).isEmpty { return .fail }
                } else if Self.string(actual) != value {
                    return .fail
                }
            }
            return .pass
        case .exact(let expected):
            return Self.compare(expected, event) { $0 == $1 }
        case .prefix(let expected):
            return Self.compare(expected, event) { $0.utf8.starts(with: $1.utf8) }
        case .suffix(let expected):
            return Self.compare(expected, event) { $0.utf8.reversed().starts(with: $1.utf8.reversed()) }
        case .all(let filters):
            var result = EventFilterResult.noFilter
            for filter in filters {
                result = filter.evaluate(event)
                if result == .fail { return .fail }
            }
            return result
        case .any(let filters):
            var result = EventFilterResult.noFilter
            for filter in filters {
                result = filter.evaluate(event)
                if result == .pass { return .pass }
            }
            return result
        case .not(let filter):
            switch filter.evaluate(event) {
            case .pass: return .fail
            case .fail: return .pass
            case .noFilter: return .noFilter
            }
        case .cesql(let expression):
            return expression.matches(event) ? .pass : .fail
        }
    }

    /// Whether the broker delivers `event`: anything but ``EventFilterResult/fail``.
    public func matches(_ event: CloudEvent) -> Bool { evaluate(event) != .fail }

    private static func string(_ value: CloudEventAttributeValue) -> String {
        switch value {
        case .string(let text), .uri(let text), .uriReference(let text): text
        default: value.canonicalString
        }
    }

    private static func compare(
        _ expected: [String: String],
        _ event: CloudEvent,
        _ test: (String, String) -> Bool
    ) -> EventFilterResult {
        if expected.isEmpty { return .noFilter }
        for (name, value) in expected {
            guard let actual = event[attribute: name], test(string(actual), value) else { return .fail }
        }
        return .pass
    }

    /// The dialect's key in Knative's JSON.
    public var dialect: String {
        switch self {
        case .attributes: "attributes"
        case .exact: "exact"
        case .prefix: "prefix"
        case .suffix: "suffix"
        case .all: "all"
        case .any: "any"
        case .not: "not"
        case .cesql: "cesql"
        }
    }

    /// What breaks Knative's admission rules (`trigger_validation.go`), each with a JSON-ish path;
    /// empty when valid.
    ///
    /// Attribute names must match `^[a-z][a-z0-9]*$`; `exact`/`prefix`/`suffix` take exactly one
    /// attribute with a non-empty value. CESQL expressions are parsed when the value is made.
    public func validate() -> [EventFilterProblem] {
        var problems: [EventFilterProblem] = []
        validate(path: dialect, into: &problems)
        return problems
    }

    /// `self` when ``validate()`` finds nothing.
    /// - Throws: ``EventFilterError`` listing every problem.
    public func validated() throws(EventFilterError) -> EventFilter {
        let problems = validate()
        if !problems.isEmpty { throw EventFilterError(problems: problems) }
        return self
    }

    private func validate(path: String, into problems: inout [EventFilterProblem]) {
        switch self {
        case .attributes(let map):
            for name in map.keys.sorted() where !Self.isValidAttributeName(name) {
                problems.append(EventFilterProblem(path: "\(path).\(name)", Self.nameMessage(name)))
            }
        case .exact(let map), .prefix(let map), .suffix(let map):
            if map.count != 1 {
                problems.append(
                    EventFilterProblem(
                        path: path,
                        "\(dialect) must have exactly one attribute (found \(map.count)); combine several with all"
                    )
                )
            }
            for (name, value) in map.sorted(by: { $0.key < $1.key }) {
                if !Self.isValidAttributeName(name) {
                    problems.append(EventFilterProblem(path: "\(path).\(name)", Self.nameMessage(name)))
                }
                if value.isEmpty {
                    problems.append(EventFilterProblem(path: "\(path).\(name)", "the value must not be empty"))
                }
            }
        case .all(let filters), .any(let filters):
            for (index, filter) in filters.enumerated() {
                filter.validate(path: "\(path)[\(index)].\(filter.dialect)", into: &problems)
            }
        case .not(let filter):
            filter.validate(path: "\(path).\(filter.dialect)", into: &problems)
        case .cesql:
            break
        }
    }

    private static func nameMessage(_ name: String) -> String {
        "attribute name '\(name.prefix(100))' must start with a letter and contain only lowercase letters and digits"
    }

    /// Whether `name` matches `^[a-z][a-z0-9]*$`.
    public static func isValidAttributeName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= 0x61, first <= 0x7A else { return false }
        return name.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }
    }
}

/// One way in which an ``EventFilter`` breaks the admission rules.
public struct EventFilterProblem: Hashable, Sendable, CustomStringConvertible {
    /// Where, e.g. `all[1].exact.type`.
    public var path: String
    /// A sentence for people.
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Thrown for an invalid ``EventFilter``; carries every problem found.
public struct EventFilterError: Error, Hashable, Sendable, CustomStringConvertible {
    public var problems: [EventFilterProblem]

    public init(problems: [EventFilterProblem]) {
        self.problems = problems
    }

    public var description: String { problems.map(\.description).joined(separator: "; ") }
}

extension EventFilter: Codable {
    private typealias Key = NamedCodingKey

    /// Decodes one Knative filter object and validates it.
    ///
    /// As in Knative, empty dialects (`{}`, `[]`, `""`) count as unset; an object with no set dialect
    /// is `all([])` (no filter). More than one set dialect, or an unknown key, is an error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var found: [EventFilter] = []
        for key in container.allKeys {
            switch key.stringValue {
            case "attributes", "exact", "prefix", "suffix":
                let map = try container.decodeIfPresent([String: String].self, forKey: key) ?? [:]
                if map.isEmpty { continue }
                switch key.stringValue {
                case "attributes": found.append(.attributes(map))
                case "exact": found.append(.exact(map))
                case "prefix": found.append(.prefix(map))
                default: found.append(.suffix(map))
                }
            case "all", "any":
                let list = try container.decodeIfPresent([EventFilter].self, forKey: key) ?? []
                if list.isEmpty { continue }
                found.append(key.stringValue == "all" ? .all(list) : .any(list))
            case "not":
                if let inner = try container.decodeIfPresent(EventFilter.self, forKey: key) {
                    found.append(.not(inner))
                }
            case "cesql":
                let text = try container.decodeIfPresent(String.self, forKey: key) ?? ""
                if text.isEmpty { continue }
                do {
                    found.append(.cesql(try CESQLExpression(text)))
                } catch {
                    throw DecodingError.dataCorruptedError(
                        forKey: key,
                        in: container,
                        debugDescription: "invalid CESQL expression: \(error)"
                    )
                }
            default:
                throw DecodingError.dataCorruptedError(
                    forKey: key,
                    in: container,
                    debugDescription: "unknown filter dialect '\(key.stringValue)'"
                )
            }
        }
        guard found.count <= 1 else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "multiple dialects found, filters can have only one dialect set"
                )
            )
        }
        let filter = found.first ?? .all([])
        let problems = filter.validate()
        guard problems.isEmpty else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: EventFilterError(problems: problems).description
                )
            )
        }
        self = filter
    }

    /// Encodes the filter as a one-key object in Knative's shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        let key = Key(dialect)
        switch self {
        case .attributes(let map), .exact(let map), .prefix(let map), .suffix(let map):
            try container.encode(map, forKey: key)
        case .all(let filters), .any(let filters):
            try container.encode(filters, forKey: key)
        case .not(let filter):
            try container.encode(filter, forKey: key)
        case .cesql(let expression):
            try container.encode(expression.source, forKey: key)
        }
    }
}
