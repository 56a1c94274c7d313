import Foundation
public import PlexusModel

/// Where a subscription delivers, or where dead letters and replies go: an HTTP URL (a CloudEvents
/// binary-mode POST) or a stream.
public enum Destination: Hashable, Sendable, CustomStringConvertible {
    case url(String)
    case topic(TopicName)

    public var description: String {
        switch self {
        case .url(let url): url
        case .topic(let topic): "topic:\(topic.rawValue)"
        }
    }
}

/// How a push subscription retries, waits and gives up (Knative's `DeliverySpec`, plus ordering).
public struct DeliverySpec: Hashable, Sendable {
    /// How the wait between attempts grows.
    public enum BackoffPolicy: String, Hashable, Sendable, Codable {
        /// The wait before retry k is `backoffDelay × k`.
        case linear
        /// The wait before retry k is `backoffDelay × 2^(k−1)`.
        case exponential
    }
    /// Whether one partition's events are delivered one at a time, in order, or concurrently.
    public enum Ordering: String, Hashable, Sendable, Codable {
        case ordered
        case unordered
    }

    /// Retries after the first attempt.
    public var retry: Int = 3
    public var backoffPolicy: BackoffPolicy = .exponential
    public var backoffDelay = ISO8601Duration(milliseconds: 200)
    /// The time one attempt may take (connect, send, answer).
    public var timeout = ISO8601Duration(milliseconds: 30_000)
    /// The longest `Retry-After` (on 429 and 503) that is honoured; longer ones are cut to this.
    public var retryAfterMax = ISO8601Duration(milliseconds: 60_000)
    /// Where an event goes when every attempt failed (or the sink refused it for good); nil drops it.
    public var deadLetterSink: Destination?
    public var ordering: Ordering = .ordered
    /// Events in flight per partition when unordered.
    public var concurrency: Int = 16

    public init() {}

    /// The longest single wait between attempts, whatever the policy computes.
    public static let maxBackoffMs: Int64 = 3_600_000

    /// The wait before retry `attempt` (1-based) by the backoff policy alone, at most ``maxBackoffMs``.
    public func backoff(beforeRetry attempt: Int) -> Int64 {
        min(uncappedBackoff(beforeRetry: attempt), Self.maxBackoffMs)
    }

    private func uncappedBackoff(beforeRetry attempt: Int) -> Int64 {
        let base = backoffDelay.milliseconds
        switch backoffPolicy {
        case .linear:
            let (value, overflow) = base.multipliedReportingOverflow(by: Int64(max(attempt, 0)))
            return overflow ? Int64.max / 4 : value
        case .exponential:
            let shift = min(max(attempt - 1, 0), 40)
            let (value, overflow) = base.multipliedReportingOverflow(by: Int64(1) << shift)
            return overflow ? Int64.max / 4 : value
        }
    }
}

/// Where a new subscription or queue starts reading its streams.
public enum StartPosition: String, Hashable, Sendable, Codable {
    /// Only events published after it was created.
    case latest
    /// Everything still in the streams.
    case earliest
}

/// A push subscription: events of some streams that pass a filter, delivered to a destination.
public struct SubscriptionDefinition: Hashable, Sendable {
    public var name: String
    /// Stream names, or glob patterns (`*` any run of characters, `?` one) matched against every stream,
    /// including streams created later.
    public var topics: [String]
    /// Knative's legacy `filter.attributes`.
    public var filterAttributes: [String: String]?
    /// Knative's `filters` (all must pass); when non-empty they win over `filterAttributes`.
    public var filters: [EventFilter]
    public var sink: Destination
    /// Where events returned in a sink's response are published; nil ignores them.
    public var replyTopic: TopicName?
    public var delivery: DeliverySpec
    public var startFrom: StartPosition

    public init(
        name: String,
        topics: [String],
        filterAttributes: [String: String]? = nil,
        filters: [EventFilter] = [],
        sink: Destination,
        replyTopic: TopicName? = nil,
        delivery: DeliverySpec = DeliverySpec(),
        startFrom: StartPosition = .latest
    ) {
        self.name = name
        self.topics = topics
        self.filterAttributes = filterAttributes
        self.filters = filters
        self.sink = sink
        self.replyTopic = replyTopic
        self.delivery = delivery
        self.startFrom = startFrom
    }

    /// The filter the subscription applies.
    public var filter: EventFilter { EventFilter.trigger(attributes: filterAttributes, filters: filters) }

    /// Whether `topic` is one of the subscription's sources.
    public func covers(_ topic: TopicName) -> Bool {
        topics.contains { TopicPattern.matches($0, topic.rawValue) }
    }
}

/// A consumable queue: a share group over one stream. Each record goes to one receiver at a time under a
/// lease; it is acknowledged, released (again available, optionally later) or rejected (dead-lettered).
public struct QueueDefinition: Hashable, Sendable {
    public var name: String
    public var topic: TopicName
    public var filterAttributes: [String: String]?
    public var filters: [EventFilter]
    /// Deliveries after which a record that was not acknowledged goes to the dead-letter stream.
    public var maxDeliveries: Int
    /// How long a received record stays invisible to other receivers unless acknowledged or released.
    public var lease: ISO8601Duration
    /// Where rejected and exhausted records go.
    public var deadLetterTopic: TopicName
    public var startFrom: StartPosition

    public init(
        name: String,
        topic: TopicName,
        filterAttributes: [String: String]? = nil,
        filters: [EventFilter] = [],
        maxDeliveries: Int = 5,
        lease: ISO8601Duration = ISO8601Duration(milliseconds: 30_000),
        deadLetterTopic: TopicName? = nil,
        startFrom: StartPosition = .latest
    ) throws(PlexusError) {
        self.name = name
        self.topic = topic
        self.filterAttributes = filterAttributes
        self.filters = filters
        self.maxDeliveries = maxDeliveries
        self.lease = lease
        if let deadLetterTopic {
            self.deadLetterTopic = deadLetterTopic
        } else {
            self.deadLetterTopic = try TopicName(name + ".dlq")
        }
        guard self.deadLetterTopic != topic else {
            throw PlexusError(
                .invalidDefinition,
                "the dead-letter stream '\(topic)' must not be the queue's own stream"
            )
        }
        self.startFrom = startFrom
    }

    /// The filter the queue applies; records that fail it are settled without delivery.
    public var filter: EventFilter { EventFilter.trigger(attributes: filterAttributes, filters: filters) }
}

/// Stream-name patterns of subscriptions: `*` matches any run of characters, `?` one character.
public enum TopicPattern {
    /// Whether `name` matches `pattern` (a plain name matches only itself).
    public static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern.utf8)
        let n = Array(name.utf8)
        var pi = 0
        var ni = 0
        var star = -1
        var mark = 0
        while ni < n.count {
            if pi < p.count, p[pi] == UInt8(ascii: "?") || p[pi] == n[ni] {
                pi += 1
                ni += 1
            } else if pi < p.count, p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ni
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ni = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }

    /// Why `pattern` is not a valid stream name or pattern, or nil.
    public static func problem(with pattern: String) -> String? {
        TopicName.problem(
            with: pattern.replacingOccurrences(of: "*", with: "x").replacingOccurrences(of: "?", with: "x")
        )
    }
}

/// Names of subscriptions and queues: 1–200 characters of a valid stream name (ASCII letters, digits, `.`,
/// `_`, `-`), so a name can also name its streams (`NAME.dlq`).
enum RoutingName {
    static func problem(with name: String) -> String? {
        if name.utf8.count > 200 { return "the name is longer than 200 characters" }
        return TopicName.problem(with: name).map { "the name is invalid: \($0)" }
    }
}
