import ArgumentParser
import Foundation
import PlexusKafka
import PlexusKafkaWire
import PlexusModel

/// `--server HOST:PORT` for commands that talk Kafka to a running node.
struct KafkaServerOption: ParsableArguments {
    @Option(help: "Kafka listener of a running node.") var server = "127.0.0.1:9092"

    func connect() async throws -> KafkaClient {
        guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]) else {
            throw ValidationError("--server must be HOST:PORT")
        }
        do {
            return try await KafkaClient.connect(host: String(server[..<colon]), port: port)
        } catch {
            throw CLIError("cannot reach \(server): \(error)")
        }
    }
}

/// An error the CLI prints as one line and exits 1 for.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Kafka error code → readable name for CLI messages.
func kafkaErrorName(_ code: Int16) -> String {
    let names: [Int16: String] = [
        1: "OFFSET_OUT_OF_RANGE", 2: "CORRUPT_MESSAGE", 3: "UNKNOWN_TOPIC_OR_PARTITION", 7: "REQUEST_TIMED_OUT",
        10: "MESSAGE_TOO_LARGE", 17: "INVALID_TOPIC_EXCEPTION", 36: "TOPIC_ALREADY_EXISTS", 37: "INVALID_PARTITIONS",
        38: "INVALID_REPLICATION_FACTOR", 40: "INVALID_CONFIG", 42: "INVALID_REQUEST", 56: "KAFKA_STORAGE_ERROR",
    ]
    return names[code] ?? "error \(code)"
}

/// Prints progress lines to stderr at most once a second.
struct ProgressReporter {
    let label: String
    let start = Date()
    var lastReport = Date()
    var count = 0
    var bytes = 0

    mutating func add(records: Int, bytes: Int) {
        count += records
        self.bytes += bytes
        if Date().timeIntervalSince(lastReport) >= 1 {
            lastReport = Date()
            report(final: false)
        }
    }

    func report(final: Bool) {
        let elapsed = max(Date().timeIntervalSince(start), 0.001)
        let line = String(
            format: "%@ %@ %d records, %.1f MB in %.1f s (%.0f records/s, %.1f MB/s)\n",
            label,
            final ? "done:" : "…",
            count,
            Double(bytes) / 1e6,
            elapsed,
            Double(count) / elapsed,
            Double(bytes) / 1e6 / elapsed
        )
        FileHandle.standardError.write(Data(line.utf8))
    }
}
