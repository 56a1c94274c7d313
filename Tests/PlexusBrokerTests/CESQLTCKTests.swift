import Foundation
import PlexusBroker
import PlexusModel
import Testing
import Yams

/// Runs every case of the CESQL v1.0.0 TCK (`cesql/cesql_tck/*.yaml`), read in place from
/// `../shared/testdata/cesql-tck/` next to the repository.
@Suite struct CESQLTCKTests {
    struct Case: CustomStringConvertible {
        var file: String
        var name: String
        var expression: String
        var result: CESQLValue?
        var error: String?
        var event: CloudEvent

        var description: String { "\(file): \(name) [\(expression)]" }
    }

    static let tckDirectory: URL = {
        // Tests/PlexusBrokerTests/CESQLTCKTests.swift → repository root → ../shared/testdata/cesql-tck
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidates = [
            repo.deletingLastPathComponent().appendingPathComponent("shared/testdata/cesql-tck"),
            URL(fileURLWithPath: "/work/shared/testdata/cesql-tck"),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.path) } ?? candidates[0]
    }()

    static func loadCases() throws -> [Case] {
        let files = try FileManager.default.contentsOfDirectory(atPath: tckDirectory.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        var cases: [Case] = []
        for file in files {
            let text = try String(contentsOf: tckDirectory.appendingPathComponent(file), encoding: .utf8)
            guard let root = try Yams.compose(yaml: text), let tests = root["tests"]?.sequence else {
                throw TCKError("\(file): no tests")
            }
            for test in tests {
                let name = test["name"]?.string ?? "?"
                guard let expression = test["expression"]?.string else {
                    throw TCKError("\(file): \(name): no expression")
                }
                var event =
                    if let given = test["event"] { try makeEvent(given) } else { defaultEvent() }
                if let overrides = test["eventOverrides"]?.mapping {
                    for (key, value) in overrides {
                        try apply(key.string ?? "", value, to: &event)
                    }
                }
                cases.append(
                    Case(
                        file: file,
                        name: name,
                        expression: expression,
                        result: test["result"].map(scalarValue),
                        error: test["error"]?.string,
                        event: event
                    )
                )
            }
        }
        return cases
    }

    struct TCKError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    /// A YAML scalar as a CESQL value: plain `true`/`false` (any case) are Booleans, plain integers are
    /// Integers, everything else (and anything quoted) is a String.
    static func scalarValue(_ node: Node) -> CESQLValue {
        guard let scalar = node.scalar else { return .string("") }
        if scalar.style == .plain {
            switch scalar.string.lowercased() {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: if let number = Int32(scalar.string) { return .integer(number) }
            }
        }
        return .string(scalar.string)
    }

    static func defaultEvent() -> CloudEvent {
        CloudEvent(
            id: "A234-1234-1234",
            source: "/mycontext",
            type: "com.example.someevent",
            datacontenttype: "application/json",
            subject: "mysubject",
            time: CloudEventTime(rfc3339: "2018-04-05T17:31:00Z")
        )
    }

    static func makeEvent(_ node: Node) throws -> CloudEvent {
        var event = CloudEvent(id: "", source: "", type: "")
        for (key, value) in node.mapping ?? [:] {
            try apply(key.string ?? "", value, to: &event)
        }
        return event
    }

    static func apply(_ name: String, _ node: Node, to event: inout CloudEvent) throws {
        let text = node.scalar?.string ?? ""
        switch name {
        case "specversion": event.specversion = text
        case "id": event.id = text
        case "source": event.source = text
        case "type": event.type = text
        case "subject": event.subject = text
        case "datacontenttype": event.datacontenttype = text
        case "dataschema": event.dataschema = text
        case "time":
            guard let time = CloudEventTime(rfc3339: text) else { throw TCKError("bad time \(text)") }
            event.time = time
        default:
            switch scalarValue(node) {
            case .boolean(let flag): event.extensions[name] = .boolean(flag)
            case .integer(let number): event.extensions[name] = .integer(number)
            case .string(let text): event.extensions[name] = .string(text)
            }
        }
    }

    static func run(_ test: Case) -> String? {
        let expression: CESQLExpression
        do {
            expression = try CESQLExpression(test.expression)
        } catch {
            if test.error == "parse", error.kind == .parse { return nil }
            return "\(test): unexpected parse error \(error)"
        }
        if test.error == "parse" { return "\(test): parsed, but a parse error was expected" }
        let result = expression.evaluate(test.event)
        if let expected = test.result, result.value != expected {
            return "\(test): got \(result.value) (\(result.value.type)), expected \(expected) (\(expected.type))"
        }
        if let error = test.error {
            if !result.errors.contains(where: { $0.kind.rawValue == error }) {
                return "\(test): expected a \(error) error, got \(result.errors)"
            }
        } else if !result.errors.isEmpty {
            return "\(test): unexpected errors \(result.errors)"
        }
        return nil
    }

    @Test func everyTCKCasePasses() throws {
        #expect(
            FileManager.default.fileExists(atPath: Self.tckDirectory.path),
            "CESQL TCK not found at \(Self.tckDirectory.path)"
        )
        let cases = try Self.loadCases()
        let files = Set(cases.map(\.file))
        #expect(files.count >= 18, "expected the 18 TCK files, found \(files.sorted())")
        #expect(cases.count >= 275, "only \(cases.count) of the 275 TCK cases loaded")
        var failures: [String] = []
        for test in cases {
            if let failure = Self.run(test) { failures.append(failure) }
        }
        for failure in failures { Issue.record(Comment(rawValue: failure)) }
        print("CESQL TCK: \(cases.count - failures.count)/\(cases.count) cases passed in \(files.count) files")
    }
}
