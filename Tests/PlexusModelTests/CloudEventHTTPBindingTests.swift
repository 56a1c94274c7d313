import NIOCore
import PlexusModel
import Testing

/// The HTTP binding (http-protocol-binding.md v1.0.2 §3) and the JSON format (json-format.md).
struct CloudEventHTTPBindingTests {
    typealias Headers = [(name: String, value: String)]

    static let required: Headers = [
        ("ce-specversion", "1.0"), ("ce-type", "com.example.someevent"), ("ce-id", "1234-1234-1234"),
        ("ce-source", "/mycontext/subcontext"),
    ]

    static func binary(_ extra: Headers, body: String = "") throws(CloudEventError) -> CloudEvent {
        try CloudEventHTTPBinding.decodeBinary(headers: required + extra, body: ByteBuffer(string: body))
    }

    static func problems(_ body: () throws -> Any) -> [CloudEventProblem] {
        do {
            _ = try body()
            return []
        } catch {
            return (error as? CloudEventError)?.problems ?? [CloudEventProblem(.invalidFormat, "unexpected \(error)")]
        }
    }

    static func structured(_ json: String) throws(CloudEventError) -> CloudEvent {
        let events = try CloudEventHTTPBinding.decode(
            headers: [("Content-Type", "application/cloudevents+json; charset=UTF-8")],
            body: ByteBuffer(string: json)
        )
        return events[0]
    }

    // MARK: Mode

    @Test func contentModeFromContentType() {
        #expect(CloudEventHTTPBinding.contentMode(contentType: nil) == .binary)
        #expect(CloudEventHTTPBinding.contentMode(contentType: "application/json") == .binary)
        #expect(CloudEventHTTPBinding.contentMode(contentType: "application/cloudevents+json") == .structured)
        #expect(
            CloudEventHTTPBinding.contentMode(contentType: "Application/CloudEvents+JSON; charset=utf-8") == .structured
        )
        #expect(CloudEventHTTPBinding.contentMode(contentType: "application/cloudevents-batch+json") == .batch)
        #expect(CloudEventHTTPBinding.contentMode(contentType: "application/cloudevents+avro") == .structured)
    }

    @Test func unknownStructuredFormatIsReported() {
        let problems = Self.problems {
            try CloudEventHTTPBinding.decode(
                headers: [("content-type", "application/cloudevents+avro")],
                body: ByteBuffer()
            )
        }
        #expect(problems.map(\.kind) == [.unsupportedFormat])
    }

    // MARK: Binary mode

    @Test func binaryModeSpecExample() throws {
        let event = try Self.binary(
            [("ce-time", "2018-04-05T03:56:24Z"), ("Content-Type", "application/json; charset=utf-8"), ("Host", "x")],
            body: "{\"a\": 1}"
        )
        #expect(event.id == "1234-1234-1234")
        #expect(event.source == "/mycontext/subcontext")
        #expect(event.type == "com.example.someevent")
        #expect(event.time?.text == "2018-04-05T03:56:24Z")
        #expect(event.datacontenttype == "application/json; charset=utf-8")
        #expect(event.data == ByteBuffer(string: "{\"a\": 1}"))
        #expect(event.extensions.isEmpty)
    }

    @Test func binaryHeaderNamesAreCaseInsensitive() throws {
        let event = try CloudEventHTTPBinding.decodeBinary(
            headers: [
                ("CE-SpecVersion", "1.0"), ("Ce-Id", "1"), ("CE-SOURCE", "/s"), ("ce-Type", "t"), ("CE-MyExt", "v"),
            ],
            body: ByteBuffer()
        )
        #expect(event.extensions == ["myext": .string("v")])
        #expect(event.data == nil)
    }

    @Test func percentDecoding() throws {
        let cases: [(String, String)] = [
            ("Euro%20%E2%82%AC%20%F0%9F%98%80", "Euro € 😀"),
            ("%e2%82%ac", "€"),  // lower-case hex accepted
            ("%41%42C", "ABC"),  // unnecessary encoding accepted
            ("100%25", "100%"),
            ("%2520", "%20"),  // one round only
            ("\"quoted value\"", "quoted value"),
            ("\"with \\\"escapes\\\" and \\\\\"", "with \"escapes\" and \\"),
            ("\"%20\"", " "),  // unquote, then percent-decode
            ("  padded  ", "padded"),
            ("a+b", "a+b"),  // '+' is not a space
        ]
        for (raw, expected) in cases {
            let event = try Self.binary([("ce-subject", raw)])
            #expect(event.subject == expected, "\(raw)")
        }
    }

    @Test(arguments: ["%C0%A0", "%E2%82", "%FF", "%ED%A0%80", "%", "%2", "%zz", "abc%4", "\"unterminated", "\"a\"b"])
    func badHeaderValuesAreRejected(raw: String) {
        let problems = Self.problems { try Self.binary([("ce-subject", raw)]) }
        #expect(problems.map(\.kind) == [.invalidHeaderValue], "\(raw)")
        #expect(problems.first?.attribute == "subject")
    }

    @Test func binaryModeRejectsCeDatacontenttype() {
        let problems = Self.problems {
            try Self.binary([("ce-datacontenttype", "text/plain")])
        }
        #expect(problems.map(\.kind) == [.conflictingAttributes])
    }

    @Test func binaryModeReportsEveryProblem() {
        let problems = Self.problems {
            try CloudEventHTTPBinding.decodeBinary(
                headers: [
                    ("ce-specversion", "0.3"), ("ce-id", ""), ("ce-time", "yesterday"), ("ce-bad_name", "x"),
                    ("ce-dataschema", "relative"), ("ce-source", "/a"), ("ce-source", "/b"),
                ],
                body: ByteBuffer()
            )
        }
        #expect(
            problems.map(\.kind) == [
                .invalidTimestamp, .duplicateAttribute, .missingAttribute, .unsupportedSpecVersion, .emptyAttribute,
                .invalidURI, .invalidAttributeName,
            ]
        )
        #expect(problems.map(\.attribute) == ["time", "source", "type", "specversion", "id", "dataschema", "bad_name"])
    }

    @Test func missingEverything() {
        let problems = Self.problems {
            try CloudEventHTTPBinding.decode(headers: [("content-type", "text/plain")], body: ByteBuffer(string: "x"))
        }
        #expect(problems.map(\.kind) == [.missingAttribute, .missingAttribute, .missingAttribute, .missingAttribute])
        #expect(problems.map(\.attribute) == ["specversion", "id", "source", "type"])
    }

    @Test func binaryEncodingPercentEncodes() throws {
        var event = CloudEvent(
            id: "1",
            source: "/s",
            type: "t",
            datacontenttype: "text/plain",
            data: ByteBuffer(string: "hi")
        )
        event.subject = "Euro € 😀 \"q\" 100% ~!"
        event.extensions = ["n": .integer(-5), "b": .boolean(true), "bin": .binary([0xFF])]
        let (headers, body) = CloudEventHTTPBinding.encodeBinary(event)
        #expect(
            headers.map(\.name) == [
                "ce-specversion", "ce-id", "ce-source", "ce-type", "content-type", "ce-subject", "ce-b", "ce-bin",
                "ce-n",
            ]
        )
        #expect(
            headers.first { $0.name == "ce-subject" }?.value
                == "Euro%20%E2%82%AC%20%F0%9F%98%80%20%22q%22%20100%25%20~!"
        )
        #expect(headers.first { $0.name == "ce-bin" }?.value == "/w==")
        #expect(headers.first { $0.name == "content-type" }?.value == "text/plain")
        #expect(body == ByteBuffer(string: "hi"))
        let decoded = try CloudEventHTTPBinding.decodeBinary(headers: headers, body: body)
        #expect(decoded.subject == event.subject)
        // The binding carries no types: extensions come back as Strings.
        #expect(decoded.extensions == ["n": .string("-5"), "b": .string("true"), "bin": .string("/w==")])
    }

    // MARK: Structured mode

    static let specExample = """
        {
            "specversion" : "1.0",
            "type" : "com.github.pull_request.opened",
            "source" : "https://github.com/cloudevents/spec/pull",
            "subject" : "123",
            "id" : "A234-1234-1234",
            "time" : "2018-04-05T17:31:00Z",
            "comexampleextension1" : "value",
            "comexampleothervalue" : 5,
            "datacontenttype" : "text/xml",
            "data" : "<much wow=\\"xml\\"/>"
        }
        """

    @Test func structuredSpecExample() throws {
        let event = try Self.structured(Self.specExample)
        #expect(event.type == "com.github.pull_request.opened")
        #expect(event.subject == "123")
        #expect(event.time?.secondsSinceEpoch == 1_522_949_460)
        #expect(event.extensions == ["comexampleextension1": .string("value"), "comexampleothervalue": .integer(5)])
        #expect(event.datacontenttype == "text/xml")
        #expect(event.data == ByteBuffer(string: "<much wow=\"xml\"/>"))
        // Encoded again, text/* data is a JSON string and the extension stays a number.
        let again = String(buffer: CloudEventJSONFormat.encode(event))
        #expect(
            again
                == #"{"specversion":"1.0","id":"A234-1234-1234","source":"https://github.com/cloudevents/spec/pull","type":"com.github.pull_request.opened","datacontenttype":"text/xml","subject":"123","time":"2018-04-05T17:31:00Z","comexampleextension1":"value","comexampleothervalue":5,"data":"<much wow=\"xml\"/>"}"#
        )
        #expect(try Self.structured(again) == event)
    }

    @Test func jsonFormatExamples() throws {
        // json-format.md §3.2: Binary data, unset extension, JSON object data, a JSON string with no datacontenttype.
        let binary = try Self.structured(
            #"{"specversion":"1.0","type":"t","source":"/mycontext","id":"B","datacontenttype":"application/vnd.apache.thrift.binary","data_base64":"AAEC/v+ACg=="}"#
        )
        #expect(binary.data == ByteBuffer(bytes: [0, 1, 2, 0xFE, 0xFF, 0x80, 10]))
        let unset = try Self.structured(
            #"{"specversion":"1.0","type":"t","source":"/mycontext","id":"B","unsetextension":null,"subject":null,"time":null}"#
        )
        #expect(unset.extensions.isEmpty)
        #expect(unset.subject == nil)
        #expect(unset.time == nil)
        #expect(unset.data == nil)
        let object = try Self.structured(
            """
            {"specversion":"1.0","type":"t","source":"/mycontext","id":"C","datacontenttype":"application/json",
             "data" : {
                "appinfoA" : "abc",
                "appinfoB" : 123.50e1,
                "appinfoC" : true
            } }
            """
        )
        // The data is the member's exact JSON text: nothing is reformatted or rounded.
        #expect(
            object.data
                == ByteBuffer(
                    string: "{\n    \"appinfoA\" : \"abc\",\n    \"appinfoB\" : 123.50e1,\n    \"appinfoC\" : true\n}"
                )
        )
        let string = try Self.structured(
            #"{"specversion":"1.0","type":"t","source":"/mycontext","id":"D","data":"I'm just a string"}"#
        )
        #expect(string.data == ByteBuffer(string: "\"I'm just a string\""))
        #expect(string.datacontenttype == "application/json")  // the implied type made explicit
        let (headers, body) = CloudEventHTTPBinding.encodeBinary(string)
        #expect(headers.contains { $0 == ("content-type", "application/json") })
        #expect(body == ByteBuffer(string: "\"I'm just a string\""))
    }

    @Test func jsonDataRoundTrip() throws {
        let data =
            #"{"big":12345678901234567890123,"pi":3.141592653589793238462643,"neg":-0.0,"u":"\u00e9\ud83d\ude00","n":null,"a":[1e400]}"#
        let event = CloudEvent(
            id: "1",
            source: "/s",
            type: "t",
            datacontenttype: "application/cloudevents-data+json; charset=utf-8",
            data: ByteBuffer(string: data)
        )
        let encoded = CloudEventJSONFormat.encode(event)
        #expect(String(buffer: encoded).hasSuffix(#""data":"# + data + "}"))
        #expect(try CloudEventJSONFormat.decode(encoded) == event)
        // Explicit null payload.
        let null = try Self.structured(
            #"{"specversion":"1.0","type":"t","source":"/s","id":"1","datacontenttype":"application/json","data":null}"#
        )
        #expect(null.data == ByteBuffer(string: "null"))
    }

    @Test func encodingChoosesDataRepresentation() {
        func encoded(_ contentType: String?, _ bytes: [UInt8]) -> String {
            let event = CloudEvent(
                id: "1",
                source: "/s",
                type: "t",
                datacontenttype: contentType,
                data: ByteBuffer(bytes: bytes)
            )
            let text = String(buffer: CloudEventJSONFormat.encode(event))
            let start = (text.firstRange(of: #""data":"#) ?? text.firstRange(of: #""data_base64":"#))!.lowerBound
            return String(text[start...].dropLast())
        }
        #expect(encoded("application/json", Array(" [1, 2] \n".utf8)) == #""data":[1, 2]"#)
        #expect(encoded(nil, Array("{\"a\":1}".utf8)) == #""data":{"a":1}"#)
        #expect(encoded("application/json", Array("not json".utf8)) == #""data_base64":"bm90IGpzb24=""#)
        #expect(encoded("text/plain", Array("line\n\"é\"".utf8)) == #""data":"line\n\"é\"""#)
        #expect(encoded("text/plain", [0xFF]) == #""data_base64":"/w==""#)
        #expect(encoded("text/plain; charset=iso-8859-1", Array("abc".utf8)) == #""data_base64":"YWJj""#)
        #expect(encoded("application/octet-stream", Array("abc".utf8)) == #""data_base64":"YWJj""#)
        #expect(encoded(nil, Array("abc".utf8)) == #""data_base64":"YWJj""#)
    }

    @Test(arguments: [
        ("", CloudEventProblem.Kind.invalidJSON),
        ("{\"id\":", .invalidJSON),
        ("{\"id\":\"1\"} x", .invalidJSON),
        ("[]", .invalidFormat),
        ("\"event\"", .invalidFormat),
    ])
    func badStructuredBodies(body: String, kind: CloudEventProblem.Kind) {
        let problems = Self.problems { try Self.structured(body) }
        #expect(problems.map(\.kind) == [kind], "\(body)")
    }

    @Test func structuredAttributeTypes() {
        let problems = Self.problems {
            try Self.structured(
                #"{"specversion":1.0,"id":7,"source":"/s","type":true,"subject":["x"],"time":"2018-04-05","big":2147483648,"frac":1.5,"exp":1e3,"obj":{},"Bad":"x","dup":1,"dup":2,"s":"\u0000","t":"\udead"}"#
            )
        }
        #expect(
            problems.map(\.kind) == [
                .wrongType, .wrongType, .wrongType, .wrongType, .invalidTimestamp, .wrongType, .wrongType, .wrongType,
                .wrongType, .duplicateAttribute, .invalidString, .invalidAttributeName, .invalidString,
            ]
        )
        #expect(
            problems.map(\.attribute) == [
                "specversion", "id", "type", "subject", "time", "big", "frac", "exp", "obj", "dup", "t", "Bad", "s",
            ]
        )
        // id, specversion and type were reported once (as wrong types), not again as missing.
        #expect(problems.filter { $0.attribute == "id" }.count == 1)
        #expect(problems.contains { $0.attribute == "s" && $0.kind == .invalidString })
        #expect(problems.contains { $0.attribute == "t" && $0.kind == .invalidString })
    }

    @Test func structuredExtensionTypes() throws {
        let event = try Self.structured(
            #"{"specversion":"1.0","id":"1","source":"/s","type":"t","b":false,"i":-2147483648,"s":"true","n":null}"#
        )
        #expect(event.extensions == ["b": .boolean(false), "i": .integer(Int32.min), "s": .string("true")])
    }

    @Test func dataMembers() {
        func kinds(_ json: String) -> [CloudEventProblem.Kind] {
            Self.problems { try Self.structured(json) }.map(\.kind)
        }
        let head = #"{"specversion":"1.0","id":"1","source":"/s","type":"t","#
        #expect(kinds(head + #""data":"x","data_base64":"eA=="}"#) == [.conflictingAttributes])
        #expect(kinds(head + #""data_base64":"not base64!"}"#) == [.invalidBase64])
        #expect(kinds(head + #""data_base64":5}"#) == [.wrongType])
        #expect(kinds(head + #""datacontenttype":"text/plain","data":{"a":1}}"#) == [.invalidData])
        #expect(kinds(head + #""data":null,"data_base64":"eA=="}"#) == [])
        #expect(kinds(head + #""data":"x","data_base64":null}"#) == [])
    }

    // MARK: Batch mode

    @Test func batchDecodesInOrder() throws {
        let body = """
            [
              {"specversion":"1.0","type":"com.example.someevent","source":"/mycontext/4","id":"B234-1234-1234",
               "time":"2018-04-05T17:31:00Z","comexampleextension1":"value","comexampleothervalue":5,
               "datacontenttype":"application/vnd.apache.thrift.binary","data_base64":"AQI="},
              {"specversion":"1.0","type":"com.example.someotherevent","source":"/mycontext/9","id":"C234-1234-1234",
               "time":"2018-04-05T17:31:05Z","comexampleextension1":"value","comexampleothervalue":5,
               "datacontenttype":"application/vnd.apache.thrift.binary","data":"abc"}
            ]
            """
        let events = try CloudEventHTTPBinding.decode(
            headers: [("content-type", "application/cloudevents-batch+json")],
            body: ByteBuffer(string: body)
        )
        #expect(events.map(\.id) == ["B234-1234-1234", "C234-1234-1234"])
        #expect(events[1].data == ByteBuffer(string: "abc"))
        let (headers, encoded) = CloudEventHTTPBinding.encodeBatch(events)
        #expect(headers.map(\.value) == ["application/cloudevents-batch+json; charset=UTF-8"])
        #expect(try CloudEventJSONFormat.decodeBatch(encoded) == events)
        #expect(try CloudEventJSONFormat.decodeBatch(ByteBuffer(string: " [ ] ")) == [])
    }

    @Test func batchFailsAsAWholeAndSaysWhere() {
        let good = #"{"specversion":"1.0","id":"1","source":"/s","type":"t"}"#
        let body = "[\(good), {\"specversion\":\"1.0\",\"id\":\"\",\"source\":\"/s\"}, \(good), 5]"
        let problems = Self.problems {
            try CloudEventHTTPBinding.decode(
                headers: [("content-type", "application/cloudevents-batch+json")],
                body: ByteBuffer(string: body)
            )
        }
        #expect(problems.map(\.kind) == [.missingAttribute, .emptyAttribute, .invalidFormat])
        #expect(problems.map(\.index) == [1, 1, 3])
        #expect(problems.map(\.attribute) == ["type", "id", nil])
        let notArray = Self.problems {
            try CloudEventJSONFormat.decodeBatch(ByteBuffer(string: good))
        }
        #expect(notArray.map(\.kind) == [.invalidFormat])
    }

    @Test func structuredEncodingIsAccepted() throws {
        var event = CloudEvent(id: "1", source: "/s", type: "t", data: ByteBuffer(bytes: [0, 1]))
        event.extensions["partitionkey"] = .string("k")
        let (headers, body) = CloudEventHTTPBinding.encodeStructured(event)
        #expect(headers.map(\.value) == ["application/cloudevents+json; charset=UTF-8"])
        #expect(try CloudEventHTTPBinding.decode(headers: headers, body: body) == [event])
    }
}
