import ArgumentParser
import Foundation
import Logging
import PlexusModel
import PlexusServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a Plexus node.",
        discussion: """
            Settings come from defaults, then the YAML --config file, then PLEXUS_* environment variables, \
            then flags. Listeners not yet available in this build are off unless asked for; asking for one \
            is an error.
            """
    )

    @Option(name: .customLong("data-dir"), help: "Where logs and metadata live (default ./plexus-data).")
    var dataDir: String?
    @Option(help: "YAML config file; flags and environment override it.")
    var config: String?
    @Option(help: "Kafka listener HOST:PORT, or off.") var kafka: String?
    @Option(help: "HTTP listener HOST:PORT, or off.") var http: String?
    @Option(help: "MQTT listener HOST:PORT, or off.") var mqtt: String?
    @Option(help: "AMQP 1.0 listener HOST:PORT, or off.") var amqp: String?
    @Option(name: .customLong("advertised-host"), help: "Host returned to Kafka clients in Metadata.")
    var advertisedHost: String?
    @Option(name: .customLong("default-partitions"), help: "Partitions of auto-created topics (default 1).")
    var defaultPartitions: String?
    @Option(name: .customLong("auto-create-topics"), help: "Create a topic on first use (default true).")
    var autoCreateTopics: String?
    @Option(help: "always (ack after fsync, group commit; default), interval:MS, or none.")
    var flush: String?
    @Option(name: .customLong("log-level"), help: "trace, debug, info (default), notice, warning, error, critical.")
    var logLevel: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        var flags: [String: String] = [:]
        let given: [(String, String?)] = [
            ("data-dir", dataDir), ("kafka", kafka), ("http", http), ("mqtt", mqtt), ("amqp", amqp),
            ("advertised-host", advertisedHost), ("default-partitions", defaultPartitions),
            ("auto-create-topics", autoCreateTopics), ("flush", flush), ("log-level", logLevel),
        ]
        for (key, value) in given { if let value { flags[key] = value } }
        let configuration: ServerConfiguration
        do {
            var yaml: String?
            if let path = config ?? environment["PLEXUS_CONFIG"] {
                do { yaml = try String(contentsOfFile: path, encoding: .utf8) } catch {
                    throw PlexusError(.configuration, "cannot read config file \(path)", underlying: "\(error)")
                }
            }
            configuration = try ServerConfiguration.resolve(yaml: yaml, environment: environment, flags: flags)
        } catch let error as PlexusError {
            FileHandle.standardError.write(Data("plexus: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "plexus")
        let node = PlexusNode(configuration: configuration, logger: logger)
        do {
            try await node.run { line in
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        } catch let error as PlexusError {
            logger.critical("plexus stopped: \(error)")
            throw ExitCode(1)
        }
        logger.info("plexus stopped")
    }
}
