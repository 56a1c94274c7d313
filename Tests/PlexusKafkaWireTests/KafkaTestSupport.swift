import Foundation
import NIOCore
import PlexusKafkaWire

/// A generated message that can build a value with non-default data in every field present at a
/// version (the `sample(version:)` extensions are generated into `Generated/GeneratedSamples.swift`).
protocol KafkaSampleable {
    static func sample(version: Int16) -> Self
}

/// Golden request frames captured from real clients (Tests/Fixtures/README.md).
enum KafkaFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// Every `kafka-requests/*.bin` file name, sorted.
    static let requestNames: [String] = {
        let directory = root.appendingPathComponent("kafka-requests")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".bin") }.sorted()
    }()

    /// A whole request frame, including its 4-byte size prefix.
    static func request(_ name: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try Data(contentsOf: root.appendingPathComponent("kafka-requests/\(name)")))
    }

    /// One RecordBatch from `recordbatch/`.
    static func recordBatch(_ name: String) throws -> ByteBuffer {
        ByteBuffer(bytes: try Data(contentsOf: root.appendingPathComponent("recordbatch/\(name).bin")))
    }
}

/// One message type at one version, as a parameterized-test argument.
struct MessageVersion: Sendable, CustomStringConvertible {
    let type: any (KafkaMessage & KafkaSampleable).Type
    let version: Int16

    var description: String { "\(type) v\(version)" }

    /// Every generated message type with every version in its `validVersions`.
    static let all: [MessageVersion] = allGeneratedMessageTypes.flatMap { type in
        type.validVersions.map { MessageVersion(type: type, version: $0) }
    }
}
