import Foundation
public import PlexusBroker
public import PlexusModel
public import PlexusStorage
import Yams

/// Where a protocol listener binds, or that it is off.
public enum ListenerSetting: Hashable, Sendable, CustomStringConvertible {
    case off
    case address(host: String, port: Int)

    /// Parses `off` or `HOST:PORT` (IPv6 hosts in brackets: `[::1]:9092`).
    public init(parsing text: String, name: String) throws(PlexusError) {
        if text == "off" {
            self = .off
            return
        }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw PlexusError(.configuration, "--\(name) must be HOST:PORT or off, not '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw PlexusError(.configuration, "--\(name) needs a host in '\(text)'") }
        self = .address(host: host, port: port)
    }

    public var description: String {
        switch self {
        case .off: "off"
        case .address(let host, let port): host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        }
    }
}

/// Everything `plexus serve` is configured with, resolved from (lowest to highest precedence) defaults,
/// a YAML file, `PLEXUS_*` environment variables and command-line flags.
///
/// Keys are the flag names without dashes (`data-dir`, `kafka`, `flush`, …) in the YAML file too.
public struct ServerConfiguration: Hashable, Sendable {
    /// The protocol listeners, in ready-line order.
    public static let listenerNames = ["kafka", "http", "mqtt", "amqp"]
    /// Listeners this build can run. The others are off unless asked for, and asking for one is an error.
    public static let implementedListeners: Set<String> = ["kafka", "http"]
    static let defaultListeners = [
        "kafka": "127.0.0.1:9092", "http": "127.0.0.1:8080", "mqtt": "127.0.0.1:1883", "amqp": "127.0.0.1:5672",
    ]
    /// The keys understood in the YAML file, the environment (as `PLEXUS_KEY` with `_` for `-`) and flags.
    public static let keys = [
        "data-dir", "kafka", "http", "mqtt", "amqp", "advertised-host", "default-partitions",
        "auto-create-topics", "flush", "log-level", "retention-check-interval-ms", "io-threads",
        "group-initial-rebalance-delay-ms", "offsets-retention-minutes",
    ]
    /// YAML-only keys holding lists of routing definitions (the REST API's JSON shape).
    public static let definitionKeys = ["subscriptions", "queues"]
    static let environmentKeys: Set<String> = [
        "data-dir", "config", "kafka", "http", "mqtt", "amqp", "advertised-host", "log-level",
    ]

    public var dataDirectory = "./plexus-data"
    /// Enabled listeners by name.
    public var listeners: [String: ListenerSetting] = [:]
    public var advertisedHost: String?
    public var defaultPartitions: Int32 = 1
    public var autoCreateTopics = true
    public var flushPolicy: FlushPolicy = .always
    public var logLevel = "info"
    public var retentionCheckIntervalMs: Int64 = 300_000
    public var ioThreads = 8
    /// How long a new group's first rebalance waits for more members (Kafka's
    /// `group.initial.rebalance.delay.ms`).
    public var groupInitialRebalanceDelayMs: Int64 = 3000
    /// How long a consumer group without members keeps its committed offsets (Kafka's
    /// `offsets.retention.minutes`).
    public var offsetsRetentionMinutes: Int64 = 10_080
    /// Subscriptions declared in the config file: created at start, or replaced when they differ.
    public var subscriptions: [SubscriptionDefinition] = []
    /// Queues declared in the config file: created at start, or updated when they differ.
    public var queues: [QueueDefinition] = []

    public init() {}

    /// Resolves the configuration.
    /// - Parameters:
    ///   - yaml: the text of the `--config` file, if any.
    ///   - environment: the process environment (only `PLEXUS_*` keys are read).
    ///   - flags: values given on the command line, by key.
    /// - Throws: ``PlexusError/Code/configuration`` naming the bad key and where it came from.
    public static func resolve(yaml: String?, environment: [String: String], flags: [String: String])
        throws(PlexusError)
        -> ServerConfiguration
    {
        var values: [String: (value: String, source: String)] = [:]
        var definitions: [String: [UInt8]] = [:]
        if let yaml {
            let parsed: Any?
            do { parsed = try Yams.load(yaml: yaml) } catch {
                throw PlexusError(.configuration, "the config file is not valid YAML", underlying: "\(error)")
            }
            if let parsed {
                guard let map = parsed as? [String: Any] else {
                    throw PlexusError(.configuration, "the config file must be a mapping of keys to values")
                }
                for (key, value) in map {
                    if definitionKeys.contains(key) {
                        guard value is [Any], JSONSerialization.isValidJSONObject(value),
                            let json = try? JSONSerialization.data(withJSONObject: value)
                        else {
                            throw PlexusError(
                                .configuration,
                                "the config file's '\(key)' must be a list of definitions"
                            )
                        }
                        definitions[key] = Array(json)
                        continue
                    }
                    guard keys.contains(key) else {
                        throw PlexusError(
                            .configuration,
                            "unknown key '\(key)' in the config file; known keys: \(keys.joined(separator: ", "))"
                        )
                    }
                    values[key] = ("\(value)", "config file")
                }
            }
        }
        for key in environmentKeys {
            let name = "PLEXUS_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
            if let value = environment[name] { values[key] = (value, name) }
        }
        for (key, value) in flags { values[key] = (value, "--\(key)") }

        var config = ServerConfiguration()
        for key in definitionKeys {
            guard let json = definitions[key] else { continue }
            do {
                if key == "subscriptions" {
                    config.subscriptions = try RoutingJSON.decode([SubscriptionDefinition].self, from: json)
                } else {
                    config.queues = try RoutingJSON.decode([QueueDefinition].self, from: json)
                }
            } catch {
                throw PlexusError(.configuration, "config file: \(key): \(error.message)")
            }
        }
        func bad(_ key: String, _ why: String) -> PlexusError {
            PlexusError(.configuration, "\(values[key]!.source): \(key)=\(values[key]!.value) \(why)")
        }
        if let value = values["data-dir"]?.value {
            guard !value.isEmpty else { throw bad("data-dir", "must not be empty") }
            config.dataDirectory = value
        }
        for name in listenerNames {
            if let given = values[name] {
                let setting = try ListenerSetting(parsing: given.value, name: name)
                if setting != .off && !implementedListeners.contains(name) {
                    throw PlexusError(
                        .notImplemented,
                        "\(given.source): the \(name) listener is not available in this build yet; use --\(name) off"
                    )
                }
                config.listeners[name] = setting
            } else if implementedListeners.contains(name) {
                config.listeners[name] = try ListenerSetting(parsing: defaultListeners[name]!, name: name)
            } else {
                config.listeners[name] = .off
            }
        }
        config.advertisedHost = values["advertised-host"]?.value
        if let value = values["default-partitions"]?.value {
            guard let n = Int32(value), n >= 1 else { throw bad("default-partitions", "must be a whole number ≥ 1") }
            config.defaultPartitions = n
        }
        if let value = values["auto-create-topics"]?.value {
            switch value.lowercased() {
            case "true", "yes", "1", "on": config.autoCreateTopics = true
            case "false", "no", "0", "off": config.autoCreateTopics = false
            default: throw bad("auto-create-topics", "must be true or false")
            }
        }
        if let value = values["flush"]?.value {
            do { config.flushPolicy = try FlushPolicy(parsing: value) } catch {
                throw bad("flush", "is not always, interval:MS or none")
            }
        }
        if let value = values["log-level"]?.value {
            guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(value) else {
                throw bad("log-level", "must be trace, debug, info, notice, warning, error or critical")
            }
            config.logLevel = value
        }
        if let value = values["retention-check-interval-ms"]?.value {
            guard let n = Int64(value), n >= 10 else { throw bad("retention-check-interval-ms", "must be ≥ 10") }
            config.retentionCheckIntervalMs = n
        }
        if let value = values["group-initial-rebalance-delay-ms"]?.value {
            guard let n = Int64(value), (0...300_000).contains(n) else {
                throw bad("group-initial-rebalance-delay-ms", "must be in 0...300000")
            }
            config.groupInitialRebalanceDelayMs = n
        }
        if let value = values["offsets-retention-minutes"]?.value {
            guard let n = Int64(value), (1...5_256_000).contains(n) else {
                throw bad("offsets-retention-minutes", "must be in 1...5256000")
            }
            config.offsetsRetentionMinutes = n
        }
        if let value = values["io-threads"]?.value {
            guard let n = Int(value), (1...256).contains(n) else { throw bad("io-threads", "must be in 1...256") }
            config.ioThreads = n
        }
        return config
    }

    /// The enabled listeners in ready-line order.
    public var enabledListeners: [(name: String, setting: ListenerSetting)] {
        Self.listenerNames.compactMap { name in
            guard let setting = listeners[name], setting != .off else { return nil }
            return (name, setting)
        }
    }
}
