import NIOCore
import Testing

@testable import PlexusModel

/// A time from RFC 3339 text that must parse.
func rfc3339(_ text: String) throws -> CloudEventTime {
    try #require(CloudEventTime(rfc3339: text))
}

/// The event model, its validation rules, and the lexical rules behind them (spec.md v1.0.2).
struct CloudEventTests {
    static func valid() -> CloudEvent {
        CloudEvent(
            id: "A234-1234-1234",
            source: "https://github.com/cloudevents/spec/pull",
            type: "com.github.pull_request.opened"
        )
    }

    static func kinds(_ event: CloudEvent) -> [CloudEventProblem.Kind] { event.validate().map(\.kind) }

    @Test func validEventHasNoProblems() throws {
        var event = Self.valid()
        event.subject = "123"
        event.time = try rfc3339("2018-04-05T17:31:00Z")
        event.datacontenttype = "text/xml; charset=utf-8"
        event.dataschema = "https://example.com/schema.json#/definitions/x"
        event.extensions = [
            "comexampleextension1": .string("value"), "comexampleothervalue": .integer(5), "flag": .boolean(true),
            "blob": .binary([1, 2]), "link": .uri("urn:isbn:0451450523"), "ref": .uriReference("../x?y#z"),
            "when": .timestamp(try rfc3339("1985-04-12T23:20:50.52Z")),
            "averyveryverylongextensionname": .string("longer than 20 is only a SHOULD NOT"),
            "emptyok": .string(""),
        ]
        #expect(event.validate() == [])
        #expect(try event.validated() == event)
    }

    @Test func specExampleSources() {
        for source in [
            "https://github.com/cloudevents", "mailto:cncf-wg-serverless@lists.cncf.io",
            "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", "/cloudevents/spec/pull/123", "/sensors/tn-1234567/alerts",
            "1-555-123-4567", "http://[::1]:8080/a", "localhost.localdomain",
        ] {
            var event = Self.valid()
            event.source = source
            #expect(event.validate() == [], "\(source)")
        }
    }

    @Test func emptyRequiredAttributes() {
        let event = CloudEvent(id: "", source: "", type: "")
        #expect(event.validate().map(\.kind) == [.emptyAttribute, .emptyAttribute, .emptyAttribute])
        #expect(event.validate().map(\.attribute) == ["id", "source", "type"])
    }

    @Test(arguments: ["0.3", "1", "1.0.2", "", "2.0"])
    func unsupportedSpecVersion(version: String) {
        var event = Self.valid()
        event.specversion = version
        #expect(
            event.validate() == [
                CloudEventProblem(
                    .unsupportedSpecVersion,
                    attribute: "specversion",
                    "specversion '\(version)' is not supported; use \"1.0\""
                )
            ]
        )
    }

    @Test(arguments: [
        "a b", "/path with space", "%zz", "http://exa mple.com", "a:b:c/d%", "é", "x\u{7F}", "a:b[c]", "http://h:port/",
    ])
    func invalidSource(source: String) {
        var event = Self.valid()
        event.source = source
        #expect(Self.kinds(event) == [.invalidURIReference], "\(source)")
    }

    @Test func relativeReferenceFirstSegmentMustNotLookLikeAScheme() {
        #expect(CloudEventSyntax.isURIReference("./a:b"))
        // Not a scheme (it starts with a digit), and a first path segment may not contain ':'.
        #expect(!CloudEventSyntax.isURIReference("1a:b"))
        #expect(CloudEventSyntax.isURIReference("a1+.-:b"))
    }

    @Test func dataschemaMustBeAnAbsoluteURI() {
        var event = Self.valid()
        event.dataschema = "/relative/schema"
        #expect(Self.kinds(event) == [.invalidURI])
        event.dataschema = ""
        #expect(Self.kinds(event) == [.emptyAttribute])
        event.dataschema = "https://example.com/s?v=1"
        #expect(Self.kinds(event) == [])
    }

    @Test func subjectMustNotBeEmpty() {
        var event = Self.valid()
        event.subject = ""
        #expect(
            event.validate() == [CloudEventProblem(.emptyAttribute, attribute: "subject", "subject must not be empty")]
        )
    }

    @Test(
        arguments: ["a\u{0}b", "tab\there", "line\n", "c1\u{85}", "del\u{7F}"]
            + [0xFDD0, 0xFDEF, 0xFFFE, 0xFFFF, 0x1FFFF, 0x10FFFE].map {
                "nonchar" + String(Unicode.Scalar(UInt32($0))!)
            }
    )
    func stringsRejectControlAndNoncharacters(text: String) {
        var event = Self.valid()
        event.id = text
        event.type = text
        event.subject = text
        event.extensions["ext"] = .string(text)
        #expect(Self.kinds(event) == [.invalidString, .invalidString, .invalidString, .invalidString])
        #expect(event.validate().map(\.attribute) == ["id", "type", "subject", "ext"])
    }

    @Test func stringsAcceptOtherUnicode() {
        var event = Self.valid()
        event.id = "Euro € 😀 \u{A0}\u{FFFD}"
        #expect(Self.kinds(event) == [])
    }

    @Test func datacontenttypeMustBeAMediaType() {
        var event = Self.valid()
        for good in [
            "application/json", "text/plain; charset=utf-8", "application/vnd.apache.thrift.binary", "a/b;x=\"q;s\"",
        ] {
            event.datacontenttype = good
            #expect(Self.kinds(event) == [], "\(good)")
        }
        for bad in ["json", "", "text/", "/json", "text/plain;", "text/plain; charset", "text plain/x"] {
            event.datacontenttype = bad
            #expect(Self.kinds(event) == [.invalidMediaType], "\(bad)")
        }
    }

    @Test(arguments: ["MyExt", "my-ext", "my_ext", "ext.1", "", "é"])
    func extensionNamesFollowTheNamingRule(name: String) {
        var event = Self.valid()
        event.extensions[name] = .string("v")
        #expect(Self.kinds(event) == [.invalidAttributeName])
        #expect(event.validate().first?.attribute == name)
    }

    @Test(arguments: [
        "id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject", "time", "data",
    ])
    func extensionsCannotReuseCoreNames(name: String) {
        var event = Self.valid()
        event.extensions[name] = .string("v")
        #expect(Self.kinds(event) == [.reservedAttributeName])
    }

    @Test func extensionValuesAreCheckedByType() {
        var event = Self.valid()
        event.extensions = ["u": .uri("not absolute"), "r": .uriReference("a b"), "s": .string("\u{1}")]
        #expect(Self.kinds(event) == [.invalidURIReference, .invalidString, .invalidURI])  // sorted by name: r, s, u
    }

    @Test func attributeValuesHaveCanonicalStrings() throws {
        let time = try rfc3339("2018-04-05T17:31:00Z")
        #expect(CloudEventAttributeValue.boolean(true).canonicalString == "true")
        #expect(CloudEventAttributeValue.boolean(false).canonicalString == "false")
        #expect(CloudEventAttributeValue.integer(Int32.min).canonicalString == "-2147483648")
        #expect(CloudEventAttributeValue.binary(Array("hello".utf8)).canonicalString == "aGVsbG8=")
        #expect(CloudEventAttributeValue.timestamp(time).canonicalString == "2018-04-05T17:31:00Z")
        #expect(CloudEventAttributeValue.uriReference("/x").typeName == "URI-reference")
    }

    @Test func attributesByName() throws {
        var event = Self.valid()
        event.time = try rfc3339("2018-04-05T17:31:00Z")
        event.extensions = ["zz": .integer(1), "aa": .boolean(false)]
        #expect(event[attribute: "source"] == .uriReference("https://github.com/cloudevents/spec/pull"))
        #expect(event[attribute: "subject"] == nil)
        #expect(event[attribute: "zz"] == .integer(1))
        #expect(event.attributes.map(\.name) == ["specversion", "id", "source", "type", "time", "aa", "zz"])
    }

    @Test func errorMapsToPlexusError() {
        let error = CloudEventError([
            CloudEventProblem(.missingAttribute, attribute: "id", index: 2, "the required id is missing")
        ])
        #expect(error.plexusError.code == .invalidRecord)
        #expect(error.description == "event 2: missing-attribute: the required id is missing")
    }

    // MARK: Time

    @Test func rfc3339Parsing() throws {
        let cases: [(String, Int64, Int32)] = [
            ("1970-01-01T00:00:00Z", 0, 0),
            ("2018-04-05T17:31:00Z", 1_522_949_460, 0),
            ("1985-04-12T23:20:50.52Z", 482_196_050, 520_000_000),
            ("1996-12-19T16:39:57-08:00", 851_042_397, 0),
            ("1990-12-31T23:59:60Z", 662_688_000, 0),  // leap second: the next second
            ("1990-12-31t15:59:60.123456789123-08:00", 662_688_000, 123_456_789),
            ("2018-04-26T14:48:09+02:00", 1_524_746_889, 0),
            ("1937-01-01T12:00:27.87+00:20", -1_041_337_173, 870_000_000),
            ("2024-02-29T00:00:00z", 1_709_164_800, 0),
            ("0000-01-01T00:00:00Z", -62_167_219_200, 0),
        ]
        for (text, seconds, nanos) in cases {
            let time = try #require(CloudEventTime(rfc3339: text), "\(text)")
            #expect(time.secondsSinceEpoch == seconds, "\(text)")
            #expect(time.nanoseconds == nanos, "\(text)")
            #expect(time.text == text)
        }
    }

    @Test(arguments: [
        "2018-04-05", "2018-04-05T17:31:00", "2018-04-05 17:31:00Z", "2018-4-05T17:31:00Z", "2018-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z", "2018-13-01T00:00:00Z", "2018-04-05T24:00:00Z", "2018-04-05T17:60:00Z",
        "2018-04-05T17:31:61Z", "2018-04-05T17:31:00.Z", "2018-04-05T17:31:00+0200", "2018-04-05T17:31:00+24:00",
        "2018-04-05T17:31:00Zjunk", "", "now", "2018-04-05T17:31:00.5",
    ])
    func rfc3339Rejects(text: String) {
        #expect(CloudEventTime(rfc3339: text) == nil)
    }

    @Test func timeFromKafkaTimestamp() throws {
        #expect(CloudEventTime(Timestamp(milliseconds: 1_700_000_000_123))?.text == "2023-11-14T22:13:20.123Z")
        #expect(CloudEventTime(Timestamp(milliseconds: 0))?.text == "1970-01-01T00:00:00.000Z")
        #expect(CloudEventTime(Timestamp(milliseconds: 951_782_400_005))?.text == "2000-02-29T00:00:00.005Z")
        #expect(CloudEventTime(.none) == nil)
        #expect(CloudEventTime(Timestamp(milliseconds: 253_402_300_800_000)) == nil)
        #expect(CloudEventTime(Timestamp(milliseconds: 253_402_300_799_999))?.text == "9999-12-31T23:59:59.999Z")
        let parsed = try rfc3339("2023-11-14T23:13:20.123987+01:00")
        #expect(parsed.timestamp == Timestamp(milliseconds: 1_700_000_000_123))
    }

    @Test func civilDateConversionRoundTrips() {
        for days in stride(from: -800_000, through: 3_000_000, by: 997) {
            let (year, month, day) = CloudEventTime.civil(daysSinceEpoch: days)
            #expect(CloudEventTime.daysSinceEpoch(year: year, month: month, day: day) == days)
        }
    }

    // MARK: Lexical helpers

    @Test func base64() {
        #expect(CloudEventSyntax.base64Encode([]) == "")
        #expect(CloudEventSyntax.base64Encode(Array("f".utf8)) == "Zg==")
        #expect(CloudEventSyntax.base64Encode(Array("fo".utf8)) == "Zm8=")
        #expect(CloudEventSyntax.base64Encode(Array("foo".utf8)) == "Zm9v")
        #expect(CloudEventSyntax.base64Encode([0xFB, 0xFF]) == "+/8=")
        #expect(CloudEventSyntax.base64Decode("Zm9vYg==") == Array("foob".utf8))
        #expect(CloudEventSyntax.base64Decode("Zm9vYg") == Array("foob".utf8))
        #expect(CloudEventSyntax.base64Decode("+/8=") == [0xFB, 0xFF])
        #expect(CloudEventSyntax.base64Decode("") == [])
        for bad in ["Zm9vY", "Zm9v!", "Zm9vYh==", "Zg=", "Zm 9v", "Zm9v===", "-_8="] {
            #expect(CloudEventSyntax.base64Decode(bad) == nil, "\(bad)")
        }
        var all: [UInt8] = []
        for byte in 0...255 { all.append(UInt8(byte)) }
        #expect(CloudEventSyntax.base64Decode(CloudEventSyntax.base64Encode(all)) == all)
    }

    @Test func jsonParserIsStrict() throws {
        for good in ["{}", "[]", " 1 ", "-0.5e+10", "\"\\u00e9\\ud83d\\ude00\"", "{\"a\":[true,false,null]}"] {
            #expect(JSONParser.isJSON(Array(good.utf8)), "\(good)")
        }
        for bad in [
            "", "{", "[1,]", "{\"a\":1,}", "01", "1.", "+1", "'a'", "\"\u{1}\"", "nul", "{} {}", "\"\\x\"", "NaN",
        ] {
            #expect(!JSONParser.isJSON(Array(bad.utf8)), "\(bad)")
        }
        #expect(!JSONParser.isJSON([0x22, 0xC0, 0xA0, 0x22]))  // overlong UTF-8 in a string
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(!JSONParser.isJSON(Array(deep.utf8)))
        guard case .string(let text, let unpaired) = try JSONParser.parse(Array("\"a\\udeadb\"".utf8)) else {
            Issue.record("not a string")
            return
        }
        #expect(text == "a\u{FFFD}b")
        #expect(unpaired)
    }

    @Test func jsonWriterEscapes() {
        var buffer = ByteBuffer()
        JSONWriter.writeString("q\"b\\n\n\u{1}é😀", to: &buffer)
        #expect(String(buffer: buffer) == "\"q\\\"b\\\\n\\n\\u0001é😀\"")
    }
}
