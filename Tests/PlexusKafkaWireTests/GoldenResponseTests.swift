import Foundation
import NIOCore
import PlexusKafkaWire
import Testing

/// Golden response frames (`Tests/Fixtures/kafka-responses/`), one per API × version the broker advertises:
/// the value from ``GoldenResponses`` must encode to the file byte for byte and decode back from it.
///
/// `PLEXUS_WRITE_GOLDEN=1 swift test --filter GoldenResponse` rewrites the files instead of failing.
/// kafka-python checks the same files independently (`Tests/Interop/test_golden_responses.py`).
struct GoldenResponseTests {
    /// One API at one version, and where its frame lives.
    struct Golden: Sendable, CustomStringConvertible {
        let apiKey: KafkaApiKey
        let version: Int16

        /// Kafka's API name and the version: `Produce-v9.bin`.
        var fileName: String { "\(apiKey.name ?? "\(apiKey.rawValue)")-v\(version).bin" }
        var description: String { fileName }
        var url: URL { KafkaFixtures.root.appendingPathComponent("kafka-responses/\(fileName)") }

        /// Distinct per file, so a frame written for the wrong request shows.
        var correlationId: Int32 { 0x1234_0000 + Int32(apiKey.rawValue) * 256 + Int32(version) }

        /// The request the frame answers: its version picks the body and header encodings.
        var requestHeader: RequestHeader {
            RequestHeader(requestApiKey: apiKey.rawValue, requestApiVersion: version, correlationId: correlationId)
        }
    }

    /// What the broker advertises: `KafkaSupportedApis.versions` in PlexusKafka, which this target cannot
    /// import. ``advertisedRangesMatchTheBroker()`` keeps the two in step.
    static let advertised: [(KafkaApiKey, ClosedRange<Int16>)] = [
        (.produce, 0...9),
        (.fetch, 0...12),
        (.listOffsets, 0...6),
        (.metadata, 0...12),
        (.apiVersions, 0...3),
        (.createTopics, 0...7),
        (.deleteTopics, 0...6),
        (.initProducerId, 0...4),
        (.createPartitions, 0...3),
        (.describeConfigs, 0...4),
        (.alterConfigs, 0...2),
        (.incrementalAlterConfigs, 0...1),
        (.describeCluster, 0...1),
        (.findCoordinator, 0...4),
        (.joinGroup, 0...7),
        (.syncGroup, 0...5),
        (.heartbeat, 0...4),
        (.leaveGroup, 0...4),
        (.offsetCommit, 0...8),
        (.offsetFetch, 0...7),
        (.offsetDelete, 0...0),
        (.listGroups, 0...4),
        (.describeGroups, 0...5),
        (.deleteGroups, 0...2),
    ]

    static let all: [Golden] = advertised.flatMap { key, versions in
        versions.map { Golden(apiKey: key, version: $0) }
    }

    static let writing = ProcessInfo.processInfo.environment["PLEXUS_WRITE_GOLDEN"] == "1"

    @Test(arguments: all)
    func matchesTheGoldenFrame(_ golden: Golden) throws {
        let response = try #require(GoldenResponses.response(golden.apiKey, version: golden.version))
        #expect(response.message.fieldsNotRepresentable(at: golden.version) == [])
        var frame = ByteBuffer()
        frame.writeKafkaResponseFrame(response, for: golden.requestHeader)
        if Self.writing {
            let directory = golden.url.deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(frame.readableBytesView).write(to: golden.url)
        }
        let fixture = ByteBuffer(bytes: try Data(contentsOf: golden.url))
        #expect(
            frame == fixture,
            "\(golden): \(Self.firstDifference(frame, fixture)); PLEXUS_WRITE_GOLDEN=1 rewrites the file"
        )

        var bytes = fixture
        var decoder = KafkaFrameDecoder()
        var body = try #require(try decoder.decode(buffer: &bytes))
        #expect(bytes.readableBytes == 0)
        let headerVersion = golden.apiKey.responseHeaderVersion(for: golden.version)
        #expect(try ResponseHeader(from: &body, version: headerVersion).correlationId == golden.correlationId)
        let decoded = try AnyKafkaResponse(apiKey: golden.apiKey, version: golden.version, from: &body)
        #expect(body.readableBytes == 0, "decoder left \(body.readableBytes) bytes")
        #expect(decoded == response)
    }

    /// Every schema version of the advertised APIs, including those above what the broker advertises.
    static let schemaVersions: [Golden] = advertised.flatMap { key, _ in
        (key.responseType?.validVersions ?? 0...0).map { Golden(apiKey: key, version: $0) }
    }

    /// The builders are ready for a wider advertised range: their values survive write → read unchanged at
    /// every version the schema has.
    @Test(arguments: schemaVersions)
    func buildersRoundTripAtEverySchemaVersion(_ golden: Golden) throws {
        let response = try #require(GoldenResponses.response(golden.apiKey, version: golden.version))
        #expect(response.message.fieldsNotRepresentable(at: golden.version) == [])
        var body = ByteBuffer()
        response.write(to: &body, version: golden.version)
        #expect(try AnyKafkaResponse(apiKey: golden.apiKey, version: golden.version, from: &body) == response)
        #expect(body.readableBytes == 0)
    }

    @Test func advertisedRangesMatchTheBroker() throws {
        let repository = KafkaFixtures.root.deletingLastPathComponent().deletingLastPathComponent()
        let source = try String(
            contentsOf: repository.appendingPathComponent("Sources/PlexusKafka/KafkaSupportedApis.swift"),
            encoding: .utf8
        )
        let broker = source.matches(of: #/\(\.(\w+), (\d+)\.\.\.(\d+)\)/#).map { "\($0.1) \($0.2)...\($0.3)" }
        let ours = Self.advertised.map { key, versions in
            let name = key.name ?? ""
            return "\(name.prefix(1).lowercased())\(name.dropFirst()) \(versions.lowerBound)...\(versions.upperBound)"
        }
        #expect(broker == ours)
    }

    @Test(.disabled(if: writing, "the files are being rewritten"))
    func everyFixtureIsAGoldenResponse() throws {
        let directory = KafkaFixtures.root.appendingPathComponent("kafka-responses")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".bin") }
        #expect(Set(files) == Set(Self.all.map(\.fileName)))
    }

    /// Where two frames first differ, for the failure message.
    static func firstDifference(_ actual: ByteBuffer, _ expected: ByteBuffer) -> String {
        let a = Array(actual.readableBytesView)
        let e = Array(expected.readableBytesView)
        guard let index = (0..<min(a.count, e.count)).first(where: { a[$0] != e[$0] }) else {
            return a.count == e.count ? "equal" : "lengths \(a.count) and \(e.count) differ after the common prefix"
        }
        return "first difference at byte \(index): \(a[index]) instead of \(e[index])"
    }
}
