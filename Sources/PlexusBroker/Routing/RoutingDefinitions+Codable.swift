import Foundation
public import PlexusModel

/// A coding key named at run time: the JSON shapes whose keys are data (filter dialects, unknown-field checks,
/// views that add members).
public struct NamedCodingKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ string: String) { stringValue = string }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

/// Definitions reject unknown names, so a misspelt field is an error instead of a silent default.
typealias StrictKey = NamedCodingKey

extension NamedCodingKey {
    static func check(_ container: KeyedDecodingContainer<NamedCodingKey>, allowed: Set<String>) throws {
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            throw DecodingError.dataCorruptedError(
                forKey: key,
                in: container,
                debugDescription:
                    "unknown field '\(key.stringValue)'; known: \(allowed.sorted().joined(separator: ", "))"
            )
        }
    }
}

func invalid(_ container: KeyedDecodingContainer<StrictKey>, _ key: String, _ why: String) -> DecodingError {
    DecodingError.dataCorruptedError(forKey: StrictKey(key), in: container, debugDescription: why)
}

extension Destination: Codable {
    /// `{"uri": "http://…"}` or `{"topic": "name"}`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: StrictKey.self)
        try StrictKey.check(c, allowed: ["uri", "topic"])
        let uri = try c.decodeIfPresent(String.self, forKey: StrictKey("uri"))
        let topic = try c.decodeIfPresent(String.self, forKey: StrictKey("topic"))
        switch (uri, topic) {
        case (let uri?, nil):
            guard let url = URL(string: uri), let scheme = url.scheme?.lowercased(),
                scheme == "http" || scheme == "https",
                url.host != nil
            else { throw invalid(c, "uri", "'\(uri)' is not an http:// or https:// URL") }
            self = .url(uri)
        case (nil, let topic?):
            do { self = .topic(try TopicName(topic)) } catch { throw invalid(c, "topic", error.message) }
        default:
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "a destination has exactly one of 'uri' or 'topic'"
                )
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: StrictKey.self)
        switch self {
        case .url(let url): try c.encode(url, forKey: StrictKey("uri"))
        case .topic(let topic): try c.encode(topic.rawValue, forKey: StrictKey("topic"))
        }
    }
}

extension DeliverySpec: Codable {
    static let fields: Set<String> = [
        "retry", "backoffPolicy", "backoffDelay", "timeout", "retryAfterMax", "deadLetterSink", "ordering",
        "concurrency",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: StrictKey.self)
        try StrictKey.check(c, allowed: Self.fields)
        self.init()
        if let retry = try c.decodeIfPresent(Int.self, forKey: StrictKey("retry")) {
            guard (0...100).contains(retry) else { throw invalid(c, "retry", "must be 0…100") }
            self.retry = retry
        }
        backoffPolicy = try c.decodeIfPresent(BackoffPolicy.self, forKey: StrictKey("backoffPolicy")) ?? backoffPolicy
        if let delay = try c.decodeIfPresent(ISO8601Duration.self, forKey: StrictKey("backoffDelay")) {
            guard delay.milliseconds <= 86_400_000 else { throw invalid(c, "backoffDelay", "must be at most P1D") }
            backoffDelay = delay
        }
        if let timeout = try c.decodeIfPresent(ISO8601Duration.self, forKey: StrictKey("timeout")) {
            guard (1...3_600_000).contains(timeout.milliseconds) else {
                throw invalid(c, "timeout", "must be more than 0 and at most PT1H")
            }
            self.timeout = timeout
        }
        if let cap = try c.decodeIfPresent(ISO8601Duration.self, forKey: StrictKey("retryAfterMax")) {
            guard cap.milliseconds <= 86_400_000 else { throw invalid(c, "retryAfterMax", "must be at most P1D") }
            retryAfterMax = cap
        }
        deadLetterSink = try c.decodeIfPresent(Destination.self, forKey: StrictKey("deadLetterSink"))
        ordering = try c.decodeIfPresent(Ordering.self, forKey: StrictKey("ordering")) ?? ordering
        if let concurrency = try c.decodeIfPresent(Int.self, forKey: StrictKey("concurrency")) {
            guard (1...1000).contains(concurrency) else { throw invalid(c, "concurrency", "must be 1…1000") }
            self.concurrency = concurrency
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: StrictKey.self)
        try c.encode(retry, forKey: StrictKey("retry"))
        try c.encode(backoffPolicy, forKey: StrictKey("backoffPolicy"))
        try c.encode(backoffDelay, forKey: StrictKey("backoffDelay"))
        try c.encode(timeout, forKey: StrictKey("timeout"))
        try c.encode(retryAfterMax, forKey: StrictKey("retryAfterMax"))
        try c.encodeIfPresent(deadLetterSink, forKey: StrictKey("deadLetterSink"))
        try c.encode(ordering, forKey: StrictKey("ordering"))
        try c.encode(concurrency, forKey: StrictKey("concurrency"))
    }
}

/// Knative's legacy `filter: {attributes: {…}}` object (unknown fields rejected).
private struct LegacyFilter: Codable {
    var attributes: [String: String]?

    init(attributes: [String: String]?) { self.attributes = attributes }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: StrictKey.self)
        try StrictKey.check(c, allowed: ["attributes"])
        attributes = try c.decodeIfPresent([String: String].self, forKey: StrictKey("attributes"))
    }
}

extension SubscriptionDefinition: Codable {
    static let fields: Set<String> = [
        "name", "topics", "topic", "filter", "filters", "sink", "reply", "delivery", "startFrom",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: StrictKey.self)
        try StrictKey.check(c, allowed: Self.fields)
        let name = try c.decode(String.self, forKey: StrictKey("name"))
        if let problem = RoutingName.problem(with: name) { throw invalid(c, "name", problem) }
        var topics = try c.decodeIfPresent([String].self, forKey: StrictKey("topics")) ?? []
        if let one = try c.decodeIfPresent(String.self, forKey: StrictKey("topic")) { topics.append(one) }
        guard !topics.isEmpty else { throw invalid(c, "topics", "name at least one source stream or pattern") }
        guard topics.count <= 100 else { throw invalid(c, "topics", "at most 100 streams or patterns") }
        for topic in topics {
            if let problem = TopicPattern.problem(with: topic) { throw invalid(c, "topics", "'\(topic)': \(problem)") }
        }
        let legacy = try c.decodeIfPresent(LegacyFilter.self, forKey: StrictKey("filter"))
        if let attributes = legacy?.attributes {
            let problems = EventFilter.attributes(attributes).validate()
            if !problems.isEmpty { throw invalid(c, "filter", EventFilterError(problems: problems).description) }
        }
        let filters = try c.decodeIfPresent([EventFilter].self, forKey: StrictKey("filters")) ?? []
        let sink = try c.decode(Destination.self, forKey: StrictKey("sink"))
        let reply = try c.decodeIfPresent(Destination.self, forKey: StrictKey("reply"))
        var replyTopic: TopicName?
        if let reply {
            guard case .topic(let topic) = reply else {
                throw invalid(c, "reply", "replies go to a stream: {\"topic\": …}")
            }
            replyTopic = topic
        }
        let delivery = try c.decodeIfPresent(DeliverySpec.self, forKey: StrictKey("delivery")) ?? DeliverySpec()
        let startFrom = try c.decodeIfPresent(StartPosition.self, forKey: StrictKey("startFrom")) ?? .latest
        self.init(
            name: name,
            topics: topics,
            filterAttributes: legacy?.attributes,
            filters: filters,
            sink: sink,
            replyTopic: replyTopic,
            delivery: delivery,
            startFrom: startFrom
        )
        // A destination among the sources would feed the subscription its own output.
        for (field, destination) in [
            ("sink", Optional(sink)), ("reply", reply), ("delivery.deadLetterSink", delivery.deadLetterSink),
        ] {
            if case .topic(let topic)? = destination, covers(topic) {
                throw invalid(c, field, "'\(topic)' is one of the subscription's sources; that would loop")
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: StrictKey.self)
        try c.encode(name, forKey: StrictKey("name"))
        try c.encode(topics, forKey: StrictKey("topics"))
        if let filterAttributes {
            try c.encode(LegacyFilter(attributes: filterAttributes), forKey: StrictKey("filter"))
        }
        if !filters.isEmpty { try c.encode(filters, forKey: StrictKey("filters")) }
        try c.encode(sink, forKey: StrictKey("sink"))
        if let replyTopic { try c.encode(Destination.topic(replyTopic), forKey: StrictKey("reply")) }
        try c.encode(delivery, forKey: StrictKey("delivery"))
        try c.encode(startFrom, forKey: StrictKey("startFrom"))
    }
}

extension QueueDefinition: Codable {
    static let fields: Set<String> = [
        "name", "topic", "filter", "filters", "maxDeliveries", "lease", "deadLetterTopic", "startFrom",
    ]

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: StrictKey.self)
        try StrictKey.check(c, allowed: Self.fields)
        let name = try c.decode(String.self, forKey: StrictKey("name"))
        if let problem = RoutingName.problem(with: name) { throw invalid(c, "name", problem) }
        let topic: TopicName
        do { topic = try TopicName(try c.decode(String.self, forKey: StrictKey("topic"))) } catch let error
            as PlexusError
        {
            throw invalid(c, "topic", error.message)
        }
        let legacy = try c.decodeIfPresent(LegacyFilter.self, forKey: StrictKey("filter"))
        if let attributes = legacy?.attributes {
            let problems = EventFilter.attributes(attributes).validate()
            if !problems.isEmpty { throw invalid(c, "filter", EventFilterError(problems: problems).description) }
        }
        let filters = try c.decodeIfPresent([EventFilter].self, forKey: StrictKey("filters")) ?? []
        let maxDeliveries = try c.decodeIfPresent(Int.self, forKey: StrictKey("maxDeliveries")) ?? 5
        guard (1...1000).contains(maxDeliveries) else { throw invalid(c, "maxDeliveries", "must be 1…1000") }
        let lease =
            try c.decodeIfPresent(ISO8601Duration.self, forKey: StrictKey("lease"))
            ?? ISO8601Duration(milliseconds: 30_000)
        guard (100...43_200_000).contains(lease.milliseconds) else {
            throw invalid(c, "lease", "must be at least PT0.1S and at most PT12H")
        }
        var deadLetter: TopicName?
        if let text = try c.decodeIfPresent(String.self, forKey: StrictKey("deadLetterTopic")) {
            do { deadLetter = try TopicName(text) } catch { throw invalid(c, "deadLetterTopic", error.message) }
            guard deadLetter != topic else { throw invalid(c, "deadLetterTopic", "must not be the queue's own stream") }
        }
        let startFrom = try c.decodeIfPresent(StartPosition.self, forKey: StrictKey("startFrom")) ?? .latest
        if deadLetter == nil, name + ".dlq" == topic.rawValue {
            throw invalid(
                c,
                "deadLetterTopic",
                "the default dead-letter stream '\(name).dlq' is the queue's own stream; name another"
            )
        }
        do {
            try self.init(
                name: name,
                topic: topic,
                filterAttributes: legacy?.attributes,
                filters: filters,
                maxDeliveries: maxDeliveries,
                lease: lease,
                deadLetterTopic: deadLetter,
                startFrom: startFrom
            )
        } catch {
            throw invalid(
                c,
                "name",
                "the default dead-letter stream '\(name).dlq' is no valid stream name: \(error.message)"
            )
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: StrictKey.self)
        try c.encode(name, forKey: StrictKey("name"))
        try c.encode(topic.rawValue, forKey: StrictKey("topic"))
        if let filterAttributes {
            try c.encode(LegacyFilter(attributes: filterAttributes), forKey: StrictKey("filter"))
        }
        if !filters.isEmpty { try c.encode(filters, forKey: StrictKey("filters")) }
        try c.encode(maxDeliveries, forKey: StrictKey("maxDeliveries"))
        try c.encode(lease, forKey: StrictKey("lease"))
        try c.encode(deadLetterTopic.rawValue, forKey: StrictKey("deadLetterTopic"))
        try c.encode(startFrom, forKey: StrictKey("startFrom"))
    }
}

/// Decoding definitions from JSON with errors a user can act on.
public enum RoutingJSON {
    /// Decodes a definition, turning decoding errors into `invalidDefinition` naming the field.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws(PlexusError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw PlexusError(.invalidDefinition, describe(error))
        } catch {
            throw PlexusError(.invalidDefinition, "the body is not valid JSON: \(error)")
        }
    }

    /// Encodes a value as compact JSON with sorted keys.
    public static func encode<T: Encodable>(_ value: T) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data("null".utf8))
    }

    /// A decoding error as "field.path: why".
    public static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let text = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return text.isEmpty ? "body" : text
        }
        switch error {
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty, context.underlyingError != nil { return "the body is not valid JSON" }
            return "\(path(context.codingPath)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): is required"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context.codingPath)): expected \(type), found null"
        @unknown default:
            return "\(error)"
        }
    }
}
