import PlexusModel

/// When appended bytes are made durable.
public enum FlushPolicy: Hashable, Sendable, CustomStringConvertible {
    /// fdatasync before acknowledging; concurrent appends share one sync (group commit). The default.
    case always
    /// Acknowledge after the write; fdatasync every `milliseconds`.
    case interval(milliseconds: Int)
    /// Acknowledge after the write; leave syncing to the OS (and to segment roll and shutdown).
    case none

    /// Parses `always`, `interval:MS` or `none`.
    public init(parsing text: String) throws {
        switch text {
        case "always": self = .always
        case "none": self = .none
        default:
            if text.hasPrefix("interval:"), let ms = Int(text.dropFirst("interval:".count)), ms > 0 {
                self = .interval(milliseconds: ms)
            } else {
                throw PlexusError(
                    .configuration,
                    "flush policy '\(text)' is not one of always, interval:MS (MS > 0), none"
                )
            }
        }
    }

    public var description: String {
        switch self {
        case .always: "always"
        case .interval(let ms): "interval:\(ms)"
        case .none: "none"
        }
    }
}

/// Per-topic log settings, named and bounded as Kafka's topic configs are.
public struct LogConfig: Hashable, Sendable {
    /// Roll the active segment when it would grow past this (`segment.bytes`).
    public var segmentBytes: Int = 1 << 30
    /// Roll the active segment when its first batch is older than this (`segment.ms`).
    public var segmentMs: Int64 = 7 * 24 * 3_600_000
    /// Delete segments whose newest record is older than this; -1 keeps forever (`retention.ms`).
    public var retentionMs: Int64 = 7 * 24 * 3_600_000
    /// Delete oldest segments while the log is larger than this; -1 means no limit (`retention.bytes`).
    public var retentionBytes: Int64 = -1
    /// Largest batch accepted (`max.message.bytes`).
    public var maxMessageBytes: Int = 1_048_588
    /// `delete` or `compact` (compaction arrives later; `compact` logs are only retained by policy now).
    public var cleanupPolicy: String = "delete"
    /// Bytes between sparse index entries (`index.interval.bytes`).
    public var indexIntervalBytes: Int = 4096
    /// `CreateTime` or `LogAppendTime` (`message.timestamp.type`).
    public var timestampType: String = "CreateTime"
    /// `replayable` (a durable log, the default) or `volatile` (a bounded ring in memory, never on disk;
    /// fixed at creation) — `delivery.mode`.
    public var deliveryMode: String = "replayable"
    /// Write each new segment file in full (zeros, synced) before it is used, so appends overwrite blocks that
    /// exist and an fdatasync has no allocation or size to persist — about half the durable produce latency,
    /// for writing every segment twice (`preallocate`, Kafka's name; see docs/STORAGE.md). Volatile logs
    /// ignore it.
    public var preallocate = false

    /// Whether the topic is volatile.
    public var isVolatile: Bool { deliveryMode == "volatile" }

    /// A volatile stream's ring per partition unless `retention.bytes` says otherwise.
    public static let volatileRetentionBytes: Int64 = 16 << 20
    /// The largest `retention.bytes` of a volatile stream (memory per partition).
    public static let volatileMaxRetentionBytes: Int64 = 1 << 30
    /// A volatile stream's segment size unless `segment.bytes` says otherwise (never above its
    /// `retention.bytes`).
    public static let volatileSegmentBytes = 1 << 20

    public init() {}

    /// The config keys Plexus understands, with how to read them.
    public static let knownKeys = [
        "segment.bytes", "segment.ms", "retention.ms", "retention.bytes", "max.message.bytes",
        "cleanup.policy", "index.interval.bytes", "message.timestamp.type", "delivery.mode", "preallocate",
    ]

    /// This config with `overrides` applied.
    /// - Throws: ``PlexusError/Code/invalidConfig`` for an unknown key or a bad value.
    public func applying(_ overrides: [String: String]) throws -> LogConfig {
        var config = self
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) {
            func integer(_ range: ClosedRange<Int64>) throws -> Int64 {
                guard let number = Int64(value), range.contains(number) else {
                    throw PlexusError(
                        .invalidConfig,
                        "\(key)=\(value) must be an integer in \(range.lowerBound)...\(range.upperBound)"
                    )
                }
                return number
            }
            switch key {
            case "segment.bytes": config.segmentBytes = Int(try integer(14...Int64(Int32.max)))
            case "segment.ms": config.segmentMs = try integer(1...Int64.max)
            case "retention.ms": config.retentionMs = try integer(-1...Int64.max)
            case "retention.bytes": config.retentionBytes = try integer(-1...Int64.max)
            case "max.message.bytes": config.maxMessageBytes = Int(try integer(0...Int64(Int32.max)))
            case "index.interval.bytes": config.indexIntervalBytes = Int(try integer(0...Int64(Int32.max)))
            case "cleanup.policy":
                let parts = value.split(separator: ",").map { $0.trimmingCharacters() }
                guard !parts.isEmpty, parts.allSatisfy({ $0 == "delete" || $0 == "compact" }) else {
                    throw PlexusError(.invalidConfig, "cleanup.policy=\(value) must be delete, compact or both")
                }
                config.cleanupPolicy = parts.joined(separator: ",")
            case "message.timestamp.type":
                guard value == "CreateTime" || value == "LogAppendTime" else {
                    throw PlexusError(
                        .invalidConfig,
                        "message.timestamp.type=\(value) must be CreateTime or LogAppendTime"
                    )
                }
                config.timestampType = value
            case "delivery.mode":
                guard value == "replayable" || value == "volatile" else {
                    throw PlexusError(.invalidConfig, "delivery.mode=\(value) must be replayable or volatile")
                }
                config.deliveryMode = value
            case "preallocate":
                guard value == "true" || value == "false" else {
                    throw PlexusError(.invalidConfig, "preallocate=\(value) must be true or false")
                }
                config.preallocate = value == "true"
            default:
                throw PlexusError(.invalidConfig, "unknown topic config '\(key)'")
            }
        }
        if config.isVolatile {
            // A ring in memory is always bounded.
            if overrides["retention.bytes"] == nil { config.retentionBytes = Self.volatileRetentionBytes }
            if overrides["segment.bytes"] == nil { config.segmentBytes = Self.volatileSegmentBytes }
            guard config.retentionBytes >= 0 else {
                throw PlexusError(.invalidConfig, "a volatile stream must be bounded: retention.bytes cannot be -1")
            }
            guard config.retentionBytes <= Self.volatileMaxRetentionBytes else {
                throw PlexusError(
                    .invalidConfig,
                    "a volatile stream keeps at most \(Self.volatileMaxRetentionBytes) bytes per partition in memory"
                )
            }
            // The ring is trimmed when a segment rolls: a segment larger than the ring would hold more.
            config.segmentBytes = Int(min(Int64(config.segmentBytes), max(config.retentionBytes, 14)))
        }
        return config
    }

    /// Every setting as Kafka-style key/value text.
    public var entries: [String: String] {
        [
            "segment.bytes": String(segmentBytes), "segment.ms": String(segmentMs),
            "retention.ms": String(retentionMs), "retention.bytes": String(retentionBytes),
            "max.message.bytes": String(maxMessageBytes), "cleanup.policy": cleanupPolicy,
            "index.interval.bytes": String(indexIntervalBytes), "message.timestamp.type": timestampType,
            "delivery.mode": deliveryMode, "preallocate": String(preallocate),
        ]
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> String {
        String(self.drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
