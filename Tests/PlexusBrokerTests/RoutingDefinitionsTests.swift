import Foundation
import PlexusBroker
import PlexusModel
import Testing

@Suite struct RoutingTopicPatternTests {
    @Test func plainNameMatchesOnlyItself() {
        #expect(TopicPattern.matches("orders", "orders"))
        #expect(!TopicPattern.matches("orders", "orders2"))
        #expect(!TopicPattern.matches("orders", "order"))
        #expect(!TopicPattern.matches("orders", "Orders"))
        #expect(!TopicPattern.matches("orders", "xorders"))
    }

    @Test func starMatchesAnyRunIncludingNone() {
        #expect(TopicPattern.matches("*", "orders"))
        #expect(TopicPattern.matches("*", "a"))
        #expect(TopicPattern.matches("orders.*", "orders.eu"))
        #expect(TopicPattern.matches("orders.*", "orders.eu.west"))
        #expect(TopicPattern.matches("orders.*", "orders."))
        #expect(!TopicPattern.matches("orders.*", "orders"))
        #expect(!TopicPattern.matches("orders.*", "xorders.eu"))
        #expect(!TopicPattern.matches("orders.*", "orders-eu"))
    }

    @Test func leadingStarMatchesSuffixes() {
        #expect(TopicPattern.matches("*-dlq", "orders-dlq"))
        #expect(TopicPattern.matches("*-dlq", "-dlq"))
        #expect(TopicPattern.matches("*-dlq", "a-dlq-dlq"))
        #expect(!TopicPattern.matches("*-dlq", "orders-dlq2"))
        #expect(!TopicPattern.matches("*-dlq", "orders.dlq"))
        #expect(!TopicPattern.matches("*-dlq", "dlq"))
    }

    @Test func questionMarkMatchesExactlyOneCharacter() {
        #expect(TopicPattern.matches("?", "a"))
        #expect(!TopicPattern.matches("?", "ab"))
        #expect(TopicPattern.matches("o?ders", "orders"))
        #expect(TopicPattern.matches("o?ders", "oXders"))
        #expect(!TopicPattern.matches("o?ders", "oders"))
        #expect(TopicPattern.matches("orders-??", "orders-eu"))
        #expect(!TopicPattern.matches("orders-??", "orders-e"))
    }

    @Test func severalStarsBacktrack() {
        #expect(TopicPattern.matches("a*b*c", "abc"))
        #expect(TopicPattern.matches("a*b*c", "aXXbYYc"))
        #expect(TopicPattern.matches("a*b*c", "abcbc"))
        #expect(!TopicPattern.matches("a*b*c", "acb"))
        #expect(TopicPattern.matches("**", "x"))
        #expect(TopicPattern.matches("*?", "x"))
        #expect(!TopicPattern.matches("*??", "x"))
    }
}

@Suite struct RoutingDefinitionsTests {
    func subscription(_ json: String) throws(PlexusError) -> SubscriptionDefinition {
        try RoutingJSON.decode(SubscriptionDefinition.self, from: Array(json.utf8))
    }

    func queue(_ json: String) throws(PlexusError) -> QueueDefinition {
        try RoutingJSON.decode(QueueDefinition.self, from: Array(json.utf8))
    }

    /// The message of the `invalidDefinition` error decoding `json` gives, or nil (and an issue) when it decodes.
    func subscriptionError(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        do {
            let definition = try subscription(json)
            Issue.record("decoded \(definition) from \(json)", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.code == .invalidDefinition, sourceLocation: sourceLocation)
            return error.message
        }
    }

    func queueError(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        do {
            let definition = try queue(json)
            Issue.record("decoded \(definition) from \(json)", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.code == .invalidDefinition, sourceLocation: sourceLocation)
            return error.message
        }
    }

    static let sink = #""sink": {"uri": "http://localhost:8080/hook"}"#

    // MARK: Subscriptions

    @Test func minimalSubscriptionGetsDefaults() throws {
        let definition = try subscription(#"{"name": "s1", "topics": ["orders"], \#(Self.sink)}"#)
        #expect(definition.name == "s1")
        #expect(definition.topics == ["orders"])
        #expect(definition.sink == .url("http://localhost:8080/hook"))
        #expect(definition.filterAttributes == nil)
        #expect(definition.filters.isEmpty)
        #expect(definition.replyTopic == nil)
        #expect(definition.startFrom == .latest)
        let delivery = definition.delivery
        #expect(delivery == DeliverySpec())
        #expect(delivery.retry == 3)
        #expect(delivery.backoffPolicy == .exponential)
        #expect(delivery.backoffDelay.milliseconds == 200)
        #expect(delivery.timeout.milliseconds == 30_000)
        #expect(delivery.retryAfterMax.milliseconds == 60_000)
        #expect(delivery.deadLetterSink == nil)
        #expect(delivery.ordering == .ordered)
        #expect(delivery.concurrency == 16)
    }

    @Test func deliveryFieldsAreRead() throws {
        let definition = try subscription(
            #"""
            {"name": "s1", "topics": ["orders"], \#(Self.sink), "startFrom": "earliest",
             "delivery": {"retry": 0, "backoffPolicy": "linear", "backoffDelay": "PT1S", "timeout": "PT5S",
                          "retryAfterMax": "PT2M", "ordering": "unordered", "concurrency": 4,
                          "deadLetterSink": {"topic": "failed"}}}
            """#
        )
        #expect(definition.startFrom == .earliest)
        #expect(definition.delivery.retry == 0)
        #expect(definition.delivery.backoffPolicy == .linear)
        #expect(definition.delivery.backoffDelay.milliseconds == 1_000)
        #expect(definition.delivery.timeout.milliseconds == 5_000)
        #expect(definition.delivery.retryAfterMax.milliseconds == 120_000)
        #expect(definition.delivery.ordering == .unordered)
        #expect(definition.delivery.concurrency == 4)
        #expect(definition.delivery.deadLetterSink == .topic(try TopicName("failed")))
    }

    @Test func topicShorthandAddsToTopics() throws {
        #expect(try subscription(#"{"name": "s", "topic": "orders", \#(Self.sink)}"#).topics == ["orders"])
        #expect(
            try subscription(#"{"name": "s", "topics": ["a"], "topic": "b", \#(Self.sink)}"#).topics == ["a", "b"]
        )
    }

    @Test func subscriptionWithoutSourcesIsRejected() {
        #expect(subscriptionError(#"{"name": "s", \#(Self.sink)}"#)?.contains("topics") == true)
        #expect(subscriptionError(#"{"name": "s", "topics": [], \#(Self.sink)}"#)?.contains("topics") == true)
        #expect(
            subscriptionError(#"{"name": "s", "topics": ["orders/eu"], \#(Self.sink)}"#)?.contains("topics") == true
        )
    }

    @Test func missingOrBadNameIsRejected() {
        #expect(subscriptionError(#"{"topics": ["a"], \#(Self.sink)}"#) == "name: is required")
        #expect(subscriptionError(#"{"name": "my sub", "topics": ["a"], \#(Self.sink)}"#)?.hasPrefix("name:") == true)
        #expect(subscriptionError(#"{"name": "", "topics": ["a"], \#(Self.sink)}"#)?.hasPrefix("name:") == true)
    }

    @Test func unknownFieldsAreRejectedByName() {
        let top = subscriptionError(#"{"name": "s", "topics": ["a"], \#(Self.sink), "sinc": 1}"#)
        #expect(top?.contains("unknown field 'sinc'") == true)
        let inDelivery = subscriptionError(
            #"{"name": "s", "topics": ["a"], \#(Self.sink), "delivery": {"retries": 3}}"#
        )
        #expect(inDelivery?.contains("delivery.retries") == true)
        #expect(inDelivery?.contains("unknown field 'retries'") == true)
        let inSink = subscriptionError(#"{"name": "s", "topics": ["a"], "sink": {"url": "http://x.example/"}}"#)
        #expect(inSink?.contains("sink.url") == true)
        let inFilters = subscriptionError(#"{"name": "s", "topics": ["a"], \#(Self.sink), "filters": [{"exakt": {}}]}"#)
        #expect(inFilters?.contains("exakt") == true)
    }

    /// `StrictKey` exists so a misspelt field is an error instead of a silent default, but the legacy
    /// `filter` object decodes with synthesized keys: a typo there silently removes the filter.
    @Test func unknownFieldInLegacyFilterIsRejected() {
        let message = subscriptionError(
            #"{"name": "s", "topics": ["a"], \#(Self.sink), "filter": {"atributes": {"type": "x"}}}"#
        )
        #expect(message?.contains("atributes") == true)
    }

    @Test(arguments: ["ftp://example.com/hook", "example.com/hook", "http://", "mailto:someone@example.com", ""])
    func sinkThatIsNoHTTPURLIsRejected(_ uri: String) {
        let message = subscriptionError(#"{"name": "s", "topics": ["a"], "sink": {"uri": "\#(uri)"}}"#)
        #expect(message?.hasPrefix("sink.uri:") == true, "\(message ?? "")")
    }

    @Test func sinkAcceptsHTTPSAndTopics() throws {
        let https = try subscription(#"{"name": "s", "topics": ["a"], "sink": {"uri": "HTTPS://hooks.example/x?y=1"}}"#)
        #expect(https.sink == .url("HTTPS://hooks.example/x?y=1"))
        let topic = try subscription(#"{"name": "s", "topics": ["a"], "sink": {"topic": "b"}}"#)
        #expect(topic.sink == .topic(try TopicName("b")))
    }

    @Test func destinationNeedsExactlyOneOfURIAndTopic() {
        #expect(subscriptionError(#"{"name": "s", "topics": ["a"], "sink": {}}"#)?.contains("exactly one") == true)
        let both = subscriptionError(
            #"{"name": "s", "topics": ["a"], "sink": {"uri": "http://x.example", "topic": "b"}}"#
        )
        #expect(both?.contains("exactly one") == true)
        #expect(
            subscriptionError(#"{"name": "s", "topics": ["a"], "sink": {"topic": "a/b"}}"#)?.hasPrefix("sink.topic:")
                == true
        )
        #expect(subscriptionError(#"{"name": "s", "topics": ["a"]}"#) == "sink: is required")
    }

    @Test func sinkTopicAmongTheSourcesIsALoop() {
        let exact = subscriptionError(#"{"name": "s", "topics": ["orders"], "sink": {"topic": "orders"}}"#)
        #expect(exact?.hasPrefix("sink:") == true)
        #expect(exact?.contains("loop") == true)
        let pattern = subscriptionError(#"{"name": "s", "topics": ["orders.*"], "sink": {"topic": "orders.copy"}}"#)
        #expect(pattern?.hasPrefix("sink:") == true)
        #expect(pattern?.contains("loop") == true)
    }

    @Test func replyTopicAmongTheSourcesIsALoop() {
        let message = subscriptionError(
            #"{"name": "s", "topics": ["orders.*"], \#(Self.sink), "reply": {"topic": "orders.replies"}}"#
        )
        #expect(message?.hasPrefix("reply:") == true)
        #expect(message?.contains("loop") == true)
    }

    @Test func deadLetterTopicAmongTheSourcesIsALoop() {
        let message = subscriptionError(
            #"{"name": "s", "topics": ["*-in"], \#(Self.sink), "delivery": {"deadLetterSink": {"topic": "x-in"}}}"#
        )
        #expect(message?.contains("deadLetterSink") == true)
        #expect(message?.contains("loop") == true)
    }

    @Test func destinationsOutsideTheSourcesAreAccepted() throws {
        let definition = try subscription(
            #"""
            {"name": "s", "topics": ["orders.*"], "sink": {"topic": "payments"}, "reply": {"topic": "replies"},
             "delivery": {"deadLetterSink": {"topic": "orders-dlq"}}}
            """#
        )
        #expect(definition.sink == .topic(try TopicName("payments")))
        #expect(definition.replyTopic == (try TopicName("replies")))
        #expect(definition.delivery.deadLetterSink == .topic(try TopicName("orders-dlq")))
    }

    @Test func replyMustBeATopic() {
        let message = subscriptionError(
            #"{"name": "s", "topics": ["a"], \#(Self.sink), "reply": {"uri": "http://x.example"}}"#
        )
        #expect(message?.hasPrefix("reply:") == true)
    }

    @Test func invalidCESQLFilterIsRejected() {
        let message = subscriptionError(
            #"{"name": "s", "topics": ["a"], \#(Self.sink), "filters": [{"cesql": "type = "}]}"#
        )
        #expect(message?.hasPrefix("filters") == true)
        #expect(message?.contains("invalid CESQL expression") == true)
        let unbalanced = subscriptionError(
            #"{"name": "s", "topics": ["a"], \#(Self.sink), "filters": [{"not": {"cesql": "(type = 'x'"}}]}"#
        )
        #expect(unbalanced?.hasPrefix("filters") == true)
        #expect(unbalanced?.contains("invalid CESQL expression") == true)
    }

    @Test func validFiltersAreApplied() throws {
        let definition = try subscription(
            #"""
            {"name": "s", "topics": ["a"], \#(Self.sink),
             "filters": [{"cesql": "type LIKE 'com.example.%'"}, {"exact": {"region": "eu"}}]}
            """#
        )
        #expect(definition.filters.count == 2)
        let matching = CloudEvent(id: "1", source: "/s", type: "com.example.x", extensions: ["region": .string("eu")])
        var other = matching
        other.extensions["region"] = .string("us")
        #expect(definition.filter.matches(matching))
        #expect(!definition.filter.matches(other))
    }

    @Test func legacyFilterAttributesAreRead() throws {
        let definition = try subscription(
            #"{"name": "s", "topics": ["a"], \#(Self.sink), "filter": {"attributes": {"type": "com.example.created"}}}"#
        )
        #expect(definition.filterAttributes == ["type": "com.example.created"])
        #expect(definition.filters.isEmpty)
        #expect(definition.filter.matches(CloudEvent(id: "1", source: "/s", type: "com.example.created")))
        #expect(!definition.filter.matches(CloudEvent(id: "1", source: "/s", type: "com.example.deleted")))
    }

    @Test(
        arguments: [
            (#""retry": 101"#, "delivery.retry"),
            (#""retry": -1"#, "delivery.retry"),
            (#""timeout": "PT0S""#, "delivery.timeout"),
            (#""timeout": "PT1H0.001S""#, "delivery.timeout"),
            (#""backoffDelay": "P1DT0.001S""#, "delivery.backoffDelay"),
            (#""backoffDelay": "soon""#, "delivery.backoffDelay"),
            (#""retryAfterMax": "P2D""#, "delivery.retryAfterMax"),
            (#""concurrency": 0"#, "delivery.concurrency"),
            (#""concurrency": 1001"#, "delivery.concurrency"),
            (#""backoffPolicy": "random""#, "delivery.backoffPolicy"),
            (#""ordering": "sorted""#, "delivery.ordering"),
        ]
    )
    func deliveryOutOfBoundsIsRejectedNamingTheField(_ field: String, _ path: String) {
        let message = subscriptionError(#"{"name": "s", "topics": ["a"], \#(Self.sink), "delivery": {\#(field)}}"#)
        #expect(message?.hasPrefix(path) == true, "\(message ?? "")")
    }

    @Test func deliveryBoundsAreInclusive() throws {
        let definition = try subscription(
            #"""
            {"name": "s", "topics": ["a"], \#(Self.sink),
             "delivery": {"retry": 100, "timeout": "PT1H", "backoffDelay": "P1D", "retryAfterMax": "P1D", "concurrency": 1000}}
            """#
        )
        #expect(definition.delivery.retry == 100)
        #expect(definition.delivery.timeout.milliseconds == 3_600_000)
        #expect(definition.delivery.concurrency == 1_000)
    }

    @Test func notJSONIsAnInvalidDefinition() {
        #expect(subscriptionError("{")?.contains("not valid JSON") == true)
        #expect(subscriptionError("[]")?.hasPrefix("body:") == true)
        #expect(subscriptionError(#"{"name": 5, "topics": ["a"], \#(Self.sink)}"#)?.hasPrefix("name: expected") == true)
    }

    @Test func subscriptionEncodeDecodeRoundTripIsEqual() throws {
        var delivery = DeliverySpec()
        delivery.retry = 7
        delivery.backoffPolicy = .linear
        delivery.backoffDelay = ISO8601Duration(milliseconds: 1_500)
        delivery.timeout = ISO8601Duration(milliseconds: 10_000)
        delivery.retryAfterMax = ISO8601Duration(milliseconds: 90_000)
        delivery.deadLetterSink = .url("https://dlq.example/x")
        delivery.ordering = .unordered
        delivery.concurrency = 32
        let original = SubscriptionDefinition(
            name: "orders-to-hook",
            topics: ["orders.*", "payments"],
            filterAttributes: ["type": "com.example.created"],
            filters: [
                try JSONDecoder().decode(EventFilter.self, from: Data(#"{"cesql": "subject = 'x'"}"#.utf8)),
                .prefix(["source": "/shop"]),
            ],
            sink: .url("http://localhost:9000/hook"),
            replyTopic: try TopicName("replies"),
            delivery: delivery,
            startFrom: .earliest
        )
        let bytes = RoutingJSON.encode(original)
        let decoded = try RoutingJSON.decode(SubscriptionDefinition.self, from: bytes)
        #expect(decoded == original)
        #expect(RoutingJSON.encode(decoded) == bytes)

        let minimal = try subscription(#"{"name": "s", "topic": "a", "sink": {"topic": "b"}}"#)
        #expect(try RoutingJSON.decode(SubscriptionDefinition.self, from: RoutingJSON.encode(minimal)) == minimal)
    }

    @Test func coversMatchesTopicsAgainstEveryPattern() throws {
        let definition = SubscriptionDefinition(
            name: "s",
            topics: ["orders.*", "audit"],
            sink: .url("http://x.example")
        )
        #expect(definition.covers(try TopicName("orders.eu")))
        #expect(definition.covers(try TopicName("audit")))
        #expect(!definition.covers(try TopicName("audit2")))
        #expect(!definition.covers(try TopicName("orders")))
    }

    // MARK: Queues

    @Test func minimalQueueGetsDefaults() throws {
        let definition = try queue(#"{"name": "work", "topic": "jobs"}"#)
        #expect(definition.name == "work")
        #expect(definition.topic == (try TopicName("jobs")))
        #expect(definition.deadLetterTopic == (try TopicName("work.dlq")))
        #expect(definition.maxDeliveries == 5)
        #expect(definition.lease.milliseconds == 30_000)
        #expect(definition.startFrom == .latest)
        #expect(definition.filterAttributes == nil)
        #expect(definition.filters.isEmpty)
    }

    @Test func queueInitialiserDefaultsTheDeadLetterTopicToNameDotDLQ() throws {
        let definition = try QueueDefinition(name: "work", topic: try TopicName("jobs"))
        #expect(definition.deadLetterTopic.rawValue == "work.dlq")
        let explicit = try QueueDefinition(
            name: "work",
            topic: try TopicName("jobs"),
            deadLetterTopic: try TopicName("x")
        )
        #expect(explicit.deadLetterTopic.rawValue == "x")
    }

    @Test func queueLeaseBoundsAreEnforced() throws {
        #expect(try queue(#"{"name": "w", "topic": "j", "lease": "PT0.1S"}"#).lease.milliseconds == 100)
        #expect(try queue(#"{"name": "w", "topic": "j", "lease": "PT12H"}"#).lease.milliseconds == 43_200_000)
        #expect(queueError(#"{"name": "w", "topic": "j", "lease": "PT0.099S"}"#)?.hasPrefix("lease:") == true)
        #expect(queueError(#"{"name": "w", "topic": "j", "lease": "PT0S"}"#)?.hasPrefix("lease:") == true)
        #expect(queueError(#"{"name": "w", "topic": "j", "lease": "PT12H0.001S"}"#)?.hasPrefix("lease:") == true)
        #expect(queueError(#"{"name": "w", "topic": "j", "lease": "P1D"}"#)?.hasPrefix("lease:") == true)
        #expect(queueError(#"{"name": "w", "topic": "j", "lease": "later"}"#)?.hasPrefix("lease:") == true)
    }

    @Test func queueMaxDeliveriesBoundsAreEnforced() throws {
        #expect(try queue(#"{"name": "w", "topic": "j", "maxDeliveries": 1}"#).maxDeliveries == 1)
        #expect(try queue(#"{"name": "w", "topic": "j", "maxDeliveries": 1000}"#).maxDeliveries == 1_000)
        #expect(queueError(#"{"name": "w", "topic": "j", "maxDeliveries": 0}"#)?.hasPrefix("maxDeliveries:") == true)
        #expect(queueError(#"{"name": "w", "topic": "j", "maxDeliveries": 1001}"#)?.hasPrefix("maxDeliveries:") == true)
        #expect(queueError(#"{"name": "w", "topic": "j", "maxDeliveries": -1}"#)?.hasPrefix("maxDeliveries:") == true)
    }

    @Test func queueDeadLetterTopicEqualToItsTopicIsRejected() throws {
        let message = queueError(#"{"name": "w", "topic": "jobs", "deadLetterTopic": "jobs"}"#)
        #expect(message?.hasPrefix("deadLetterTopic:") == true)
        #expect(
            queueError(#"{"name": "w", "topic": "jobs", "deadLetterTopic": "a b"}"#)?.hasPrefix("deadLetterTopic:")
                == true
        )
        #expect(
            try queue(#"{"name": "w", "topic": "jobs", "deadLetterTopic": "jobs-failed"}"#).deadLetterTopic.rawValue
                == "jobs-failed"
        )
    }

    /// The explicit `deadLetterTopic` is checked against the queue's stream, but the default `<name>.dlq`
    /// is not: a queue named `jobs` over the stream `jobs.dlq` dead-letters into its own stream.
    @Test func queueDefaultDeadLetterTopicEqualToItsTopicIsRejected() {
        let message = queueError(#"{"name": "jobs", "topic": "jobs.dlq"}"#)
        #expect(message?.contains("deadLetterTopic") == true || message?.contains("own stream") == true)
    }

    @Test func queueUnknownFieldsAndBadTopicAreRejected() {
        let message = queueError(#"{"name": "w", "topic": "j", "maxDelivery": 3}"#)
        #expect(message?.contains("unknown field 'maxDelivery'") == true)
        #expect(queueError(#"{"name": "w", "topic": "a/b"}"#)?.hasPrefix("topic:") == true)
        #expect(queueError(#"{"name": "w"}"#) == "topic: is required")
        #expect(queueError(#"{"name": "w", "topics": ["j"]}"#)?.contains("unknown field 'topics'") == true)
    }

    @Test func queueEncodeDecodeRoundTripIsEqual() throws {
        let original = try queue(
            #"""
            {"name": "work", "topic": "jobs", "filter": {"attributes": {"type": "job"}},
             "filters": [{"suffix": {"subject": ".pdf"}}], "maxDeliveries": 9, "lease": "PT2M",
             "deadLetterTopic": "jobs-failed", "startFrom": "earliest"}
            """#
        )
        #expect(original.filterAttributes == ["type": "job"])
        #expect(original.filters == [.suffix(["subject": ".pdf"])])
        let bytes = RoutingJSON.encode(original)
        #expect(try RoutingJSON.decode(QueueDefinition.self, from: bytes) == original)
        let minimal = try queue(#"{"name": "w", "topic": "j"}"#)
        let back = try RoutingJSON.decode(QueueDefinition.self, from: RoutingJSON.encode(minimal))
        #expect(back == minimal)
        #expect(back.deadLetterTopic.rawValue == "w.dlq")
    }
}
