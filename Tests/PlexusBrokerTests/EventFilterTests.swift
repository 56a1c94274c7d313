import Foundation
import PlexusBroker
import PlexusModel
import Testing
import Yams

@Suite struct EventFilterTests {
    let event = CloudEvent(
        id: "1",
        source: "https://example.com/orders",
        type: "com.example.order.created",
        subject: "orders/42",
        extensions: ["region": .string("eu"), "priority": .integer(5), "urgent": .boolean(true), "empty": .string("")]
    )

    func decode(_ json: String) throws -> EventFilter {
        try JSONDecoder().decode(EventFilter.self, from: Data(json.utf8))
    }

    @Test func legacyAttributes() {
        #expect(EventFilter.attributes([:]).evaluate(event) == .noFilter)
        #expect(EventFilter.attributes(["type": "com.example.order.created", "region": "eu"]).evaluate(event) == .pass)
        #expect(EventFilter.attributes(["type": "com.example.order.created", "region": "us"]).evaluate(event) == .fail)
        #expect(EventFilter.attributes(["type": "COM.EXAMPLE.ORDER.CREATED"]).evaluate(event) == .fail)
        // "" means the attribute must exist and be non-empty.
        #expect(EventFilter.attributes(["subject": ""]).evaluate(event) == .pass)
        #expect(EventFilter.attributes(["missing": ""]).evaluate(event) == .fail)
        #expect(EventFilter.attributes(["empty": ""]).evaluate(event) == .fail)
        #expect(EventFilter.attributes(["priority": "5", "urgent": "true"]).evaluate(event) == .pass)
        #expect(EventFilter.attributes(["missing": "x"]).evaluate(event) == .fail)
    }

    @Test func exactPrefixSuffix() {
        #expect(EventFilter.exact(["type": "com.example.order.created"]).evaluate(event) == .pass)
        #expect(EventFilter.exact(["type": "com.example.order"]).evaluate(event) == .fail)
        #expect(EventFilter.exact(["priority": "5"]).evaluate(event) == .pass)
        #expect(EventFilter.exact(["missing": "x"]).evaluate(event) == .fail)
        #expect(EventFilter.exact([:]).evaluate(event) == .noFilter)
        #expect(EventFilter.prefix(["type": "com.example."]).evaluate(event) == .pass)
        #expect(EventFilter.prefix(["type": "Com.example."]).evaluate(event) == .fail)
        #expect(EventFilter.prefix(["source": "https://"]).evaluate(event) == .pass)
        #expect(EventFilter.prefix(["missing": "a"]).evaluate(event) == .fail)
        #expect(EventFilter.suffix(["type": ".created"]).evaluate(event) == .pass)
        #expect(EventFilter.suffix(["type": ".deleted"]).evaluate(event) == .fail)
        #expect(EventFilter.suffix(["missing": "a"]).evaluate(event) == .fail)
    }

    @Test func composition() throws {
        let created = EventFilter.suffix(["type": ".created"])
        let deleted = EventFilter.suffix(["type": ".deleted"])
        #expect(EventFilter.all([]).evaluate(event) == .noFilter)
        #expect(EventFilter.any([]).evaluate(event) == .noFilter)
        #expect(EventFilter.all([created, .exact(["region": "eu"])]).evaluate(event) == .pass)
        #expect(EventFilter.all([created, deleted]).evaluate(event) == .fail)
        #expect(EventFilter.any([deleted, created]).evaluate(event) == .pass)
        #expect(EventFilter.any([deleted, .exact(["region": "us"])]).evaluate(event) == .fail)
        #expect(EventFilter.not(deleted).evaluate(event) == .pass)
        #expect(EventFilter.not(created).evaluate(event) == .fail)
        #expect(EventFilter.not(.all([])).evaluate(event) == .noFilter)
        // all/any return the last child's result when they do not short-circuit.
        #expect(EventFilter.all([created, .all([])]).evaluate(event) == .noFilter)
        #expect(EventFilter.any([deleted, .any([])]).evaluate(event) == .noFilter)
        #expect(EventFilter.all([.all([])]).matches(event))
        let nested = EventFilter.all([
            .any([.exact(["region": "us"]), .not(.prefix(["subject": "invoices/"]))]),
            .cesql(try CESQLExpression("priority > 3 AND urgent")),
        ])
        #expect(nested.evaluate(event) == .pass)
        #expect(nested.validate().isEmpty)
    }

    @Test func cesqlDialect() throws {
        #expect(EventFilter.cesql(try CESQLExpression("type LIKE '%.created'")).evaluate(event) == .pass)
        #expect(EventFilter.cesql(try CESQLExpression("region = 'us'")).evaluate(event) == .fail)
        // Any evaluation error fails, even when the value would be true.
        #expect(EventFilter.cesql(try CESQLExpression("NOT (missing = 'x')")).evaluate(event) == .fail)
        #expect(EventFilter.cesql(try CESQLExpression("1 / 0 = 0")).evaluate(event) == .fail)
        // A non-Boolean result fails.
        #expect(EventFilter.cesql(try CESQLExpression("priority")).evaluate(event) == .fail)
        #expect(EventFilter.not(.cesql(try CESQLExpression("missing = 'x'"))).evaluate(event) == .pass)
    }

    @Test func triggerPrefersFilters() {
        let trigger = EventFilter.trigger(attributes: ["region": "us"], filters: [.exact(["region": "eu"])])
        #expect(trigger.matches(event))
        #expect(!EventFilter.trigger(attributes: ["region": "us"], filters: []).matches(event))
        #expect(EventFilter.trigger(attributes: nil, filters: []).evaluate(event) == .noFilter)
    }

    @Test func validation() throws {
        #expect(EventFilter.exact(["type": "a", "source": "b"]).validate().count == 1)
        #expect(EventFilter.exact([:]).validate().count == 1)
        #expect(EventFilter.prefix(["": "a"]).validate().map(\.path) == ["prefix."])
        #expect(EventFilter.suffix(["type": ""]).validate().map(\.path) == ["suffix.type"])
        #expect(EventFilter.exact(["Type": "x"]).validate().count == 1)
        #expect(EventFilter.exact(["1type": "x"]).validate().count == 1)
        #expect(EventFilter.attributes(["my_ext": "x"]).validate().count == 1)
        let nested = EventFilter.all([.exact(["type": "x"]), .not(.any([.prefix(["a": "b", "c": "d"])]))])
        #expect(nested.validate().map(\.path) == ["all[1].not.any[0].prefix"])
        #expect(throws: EventFilterError.self) { try nested.validated() }
        #expect(try EventFilter.exact(["type": "x"]).validated() == .exact(["type": "x"]))
    }

    @Test func jsonShape() throws {
        let filter = try decode(
            #"{"all": [{"exact": {"type": "com.example.order.created"}}, {"any": [{"prefix": {"source": "https://"}},"#
                + #" {"not": {"suffix": {"subject": "/0"}}}]}, {"cesql": "priority >= 5"}]}"#
        )
        #expect(
            filter
                == .all([
                    .exact(["type": "com.example.order.created"]),
                    .any([.prefix(["source": "https://"]), .not(.suffix(["subject": "/0"]))]),
                    .cesql(try CESQLExpression("priority >= 5")),
                ])
        )
        #expect(filter.matches(event))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(filter), as: UTF8.self)
        #expect(json.hasPrefix(#"{"all":[{"exact":{"type":"com.example.order.created"}}"#))
        #expect(try decode(json) == filter)
        #expect(
            try decode(#"{"attributes": {"type": "x", "region": ""}}"#) == .attributes(["type": "x", "region": ""])
        )
        // Empty dialects count as unset, as in Knative.
        #expect(try decode("{}") == .all([]))
        #expect(try decode(#"{"exact": {}, "prefix": {"type": "a"}}"#) == .prefix(["type": "a"]))
    }

    @Test func jsonRejectsMalformedFilters() {
        for json in [
            #"{"exact": {"type": "a"}, "prefix": {"type": "b"}}"#,
            #"{"exact": {"type": "a", "source": "b"}}"#,
            #"{"exact": {"": "a"}}"#,
            #"{"exact": {"type": ""}}"#,
            #"{"regex": {"type": "a"}}"#,
            #"{"cesql": "type LIKE 123"}"#,
            #"{"cesql": "ABC("}"#,
            #"{"all": [{"exact": {"Type": "a"}}]}"#,
            #"{"not": {"exact": {"type": "a"}, "cesql": "true"}}"#,
        ] {
            #expect(throws: DecodingError.self, "\(json)") { try decode(json) }
        }
    }

    @Test func yamlShape() throws {
        let yaml = """
            any:
              - exact:
                  type: com.example.order.deleted
              - cesql: "region = 'eu' AND EXISTS subject"
            """
        let filter = try YAMLDecoder().decode(EventFilter.self, from: yaml)
        #expect(
            filter
                == .any([
                    .exact(["type": "com.example.order.deleted"]),
                    .cesql(try CESQLExpression("region = 'eu' AND EXISTS subject")),
                ])
        )
        #expect(filter.matches(event))
    }
}
