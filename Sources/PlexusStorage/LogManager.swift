import Foundation
public import Logging
import NIOConcurrencyHelpers
public import PlexusModel

#if canImport(Glibc)
    import Glibc
#endif

/// A topic as persisted in the data directory.
public struct TopicMetadata: Hashable, Sendable, Codable {
    public var name: TopicName
    /// A stable id (Kafka topic id), 16 bytes as 32 hex digits.
    public var id: String
    public var partitionCount: Int32
    /// Config overrides given at creation or later; unset keys use the defaults.
    public var configOverrides: [String: String]
}

/// Owns the data directory: topic metadata and the partition logs of every topic.
///
/// Layout: `DATA/meta/topics.json` (written atomically and fsynced), `DATA/logs/TOPIC-P/` per partition,
/// `DATA/.lock` held with `flock` while open. Orphan partition directories (a crash between writing the
/// metadata and creating or removing directories) are removed on open.
///
/// Admin methods block (file IO) and are serialized; call them off event loops.
public final class LogManager: Sendable {
    public let dataDirectory: String
    public let defaults: LogConfig
    public let flushPolicy: FlushPolicy
    /// A stable id of this data directory (Kafka's cluster id), created on first open.
    public let clusterID: String
    let executor: StorageExecutor
    let logger: Logger
    let clock: @Sendable () -> Int64
    private let lockFD: Int32
    private let state: NIOLockedValueBox<State>
    private let admin = NIOLock()
    private let producerIDs = NIOLockedValueBox<(next: Int64, reservedUntil: Int64)>((0, 0))
    private let stopFlusher = ConditionLock(value: 0)

    struct State: Sendable {
        var topics: [TopicName: TopicMetadata] = [:]
        var logs: [TopicName: [PartitionLog]] = [:]
        var closed = false
    }

    struct MetadataFile: Codable {
        var version: Int
        var topics: [TopicMetadata]
    }

    /// Opens `dataDirectory` (creating it), recovers every partition log, and starts the interval flusher
    /// when the policy asks for one. Blocks.
    /// - Throws: ``PlexusError/Code/storage`` when the directory is unusable or used by another process.
    public init(
        dataDirectory: String,
        defaults: LogConfig = LogConfig(),
        flushPolicy: FlushPolicy = .always,
        ioThreads: Int = 8,
        logger: Logger,
        clock: @escaping @Sendable () -> Int64 = PartitionLog.wallClockMilliseconds
    ) throws {
        self.dataDirectory = dataDirectory
        self.defaults = defaults
        self.flushPolicy = flushPolicy
        self.logger = logger
        self.clock = clock
        try FileIO.makeDirectories(dataDirectory + "/meta")
        try FileIO.makeDirectories(dataDirectory + "/logs")
        try FileIO.syncDirectory(dataDirectory)
        let lockPath = dataDirectory + "/.lock"
        let fd = try FileIO.open(lockPath, flags: O_RDWR | O_CREAT)
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            Glibc.close(fd)
            throw PlexusError(.storage, "data directory \(dataDirectory) is in use by another process")
        }
        self.lockFD = fd
        let idPath = dataDirectory + "/meta/cluster-id"
        if let existing = try? FileIO.readWhole(idPath), !existing.isEmpty {
            self.clusterID = String(decoding: existing, as: UTF8.self)
        } else {
            let id = "plexus-" + Self.randomTopicID().prefix(16)
            do { try FileIO.writeAtomically(Array(id.utf8), to: idPath) } catch {
                Glibc.close(fd)
                throw error
            }
            self.clusterID = id
        }
        self.executor = StorageExecutor(threadCount: ioThreads)
        self.state = NIOLockedValueBox(State())
        do {
            try load()
        } catch {
            executor.shutdown()
            Glibc.close(fd)
            throw error
        }
        if case .interval(let ms) = flushPolicy { startFlusher(everyMilliseconds: ms) }
    }

    deinit { Glibc.close(lockFD) }

    private var metadataPath: String { dataDirectory + "/meta/topics.json" }

    private func partitionDirectory(_ topic: TopicName, _ partition: Int32) -> String {
        "\(dataDirectory)/logs/\(topic.rawValue)-\(partition)"
    }

    /// Creates an empty partition log, removing any leftover directory of the same name first.
    private func makeFreshPartition(_ name: TopicName, _ partition: Int32, config: LogConfig) throws -> PartitionLog {
        let directory = partitionDirectory(name, partition)
        try FileIO.removeTree(directory)
        return try PartitionLog(
            directory: directory,
            config: config,
            flushPolicy: flushPolicy,
            executor: executor,
            logger: logger,
            clock: clock,
            volatile: config.isVolatile
        )
    }

    private func load() throws {
        var topics: [TopicMetadata] = []
        if FileIO.exists(metadataPath) {
            let bytes = try FileIO.readWhole(metadataPath)
            do {
                topics = try JSONDecoder().decode(MetadataFile.self, from: Data(bytes)).topics
            } catch {
                throw PlexusError(.storage, "cannot read \(metadataPath)", underlying: "\(error)")
            }
        }
        var expected = Set<String>()
        for topic in topics {
            for p in 0..<topic.partitionCount { expected.insert("\(topic.name.rawValue)-\(p)") }
        }
        for name in try FileIO.listDirectory(dataDirectory + "/logs") where !expected.contains(name) {
            logger.warning("removing orphan partition directory", metadata: ["directory": "\(name)"])
            try FileIO.removeTree(dataDirectory + "/logs/" + name)
        }
        var logs: [TopicName: [PartitionLog]] = [:]
        for topic in topics {
            let config = try defaults.applying(topic.configOverrides)
            logs[topic.name] = try (0..<topic.partitionCount).map { p in
                try PartitionLog(
                    directory: partitionDirectory(topic.name, p),
                    config: config,
                    flushPolicy: flushPolicy,
                    executor: executor,
                    logger: logger,
                    clock: clock,
                    volatile: config.isVolatile
                )
            }
        }
        state.withLockedValue { state in
            state.topics = Dictionary(uniqueKeysWithValues: topics.map { ($0.name, $0) })
            state.logs = logs
        }
        logger.info("opened data directory", metadata: ["dataDir": "\(dataDirectory)", "topics": "\(topics.count)"])
    }

    private func saveMetadata(_ topics: [TopicName: TopicMetadata]) throws {
        let file = MetadataFile(version: 1, topics: topics.values.sorted { $0.name < $1.name })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(file) } catch {
            throw PlexusError(.storage, "cannot encode topic metadata", underlying: "\(error)")
        }
        try FileIO.writeAtomically(Array(data), to: metadataPath)
    }

    private func ensureOpen() throws {
        if state.withLockedValue({ $0.closed }) { throw PlexusError(.shuttingDown, "the log manager is closed") }
    }

    // MARK: Topics

    /// All topics, sorted by name.
    public func topics() -> [TopicMetadata] {
        state.withLockedValue { $0.topics.values.sorted { $0.name < $1.name } }
    }

    /// One topic's metadata, or nil.
    public func topic(_ name: TopicName) -> TopicMetadata? { state.withLockedValue { $0.topics[name] } }

    /// The log of one partition, or nil when the topic or partition does not exist.
    public func partition(_ topic: TopicName, _ partition: PartitionID) -> PartitionLog? {
        state.withLockedValue { state in
            guard let logs = state.logs[topic], partition.rawValue >= 0, Int(partition.rawValue) < logs.count
            else { return nil }
            return logs[Int(partition.rawValue)]
        }
    }

    /// Creates a topic with `partitions` partitions and config overrides. Blocks.
    /// - Throws: `topicAlreadyExists`, `invalidPartitions`, `invalidConfig`, `storage`.
    @discardableResult
    public func createTopic(_ name: TopicName, partitions: Int32, config overrides: [String: String] = [:]) throws
        -> TopicMetadata
    {
        try admin.withLock {
            try ensureOpen()
            guard partitions >= 1, partitions <= Self.maxPartitionsPerTopic else {
                throw PlexusError(
                    .invalidPartitions,
                    "partition count \(partitions) must be in 1...\(Self.maxPartitionsPerTopic)"
                )
            }
            if state.withLockedValue({ $0.topics[name] != nil }) {
                throw PlexusError(.topicAlreadyExists, "topic '\(name)' already exists")
            }
            let config = try defaults.applying(overrides)
            // Directories first: a crash before the metadata is written leaves orphans that open removes.
            let logs = try (0..<partitions).map { try makeFreshPartition(name, $0, config: config) }
            try FileIO.syncDirectory(dataDirectory + "/logs")
            let metadata = TopicMetadata(
                name: name,
                id: Self.randomTopicID(),
                partitionCount: partitions,
                configOverrides: overrides
            )
            var topics = state.withLockedValue { $0.topics }
            topics[name] = metadata
            try saveMetadata(topics)
            state.withLockedValue { state in
                state.topics[name] = metadata
                state.logs[name] = logs
            }
            logger.info("created topic", metadata: ["topic": "\(name)", "partitions": "\(partitions)"])
            return metadata
        }
    }

    /// Deletes a topic and its data. Blocks.
    public func deleteTopic(_ name: TopicName) throws {
        try admin.withLock {
            try ensureOpen()
            var topics = state.withLockedValue { $0.topics }
            guard topics[name] != nil else {
                throw PlexusError(.unknownTopicOrPartition, "topic '\(name)' does not exist")
            }
            topics[name] = nil
            try saveMetadata(topics)  // metadata first: a crash after it leaves orphan directories
            let logs = state.withLockedValue { state in
                state.topics[name] = nil
                return state.logs.removeValue(forKey: name) ?? []
            }
            for (p, log) in logs.enumerated() {
                try? log.close()
                try FileIO.removeTree(partitionDirectory(name, Int32(p)))
            }
            try FileIO.syncDirectory(dataDirectory + "/logs")
            logger.info("deleted topic", metadata: ["topic": "\(name)"])
        }
    }

    /// The most partitions a topic may have: each holds open files and is created, fsynced and closed one
    /// by one, so a bound keeps one admin request (and shutdown) short and file descriptors in check.
    public static let maxPartitionsPerTopic: Int32 = 1024

    /// Raises a topic's partition count. Blocks.
    public func addPartitions(_ name: TopicName, totalCount: Int32) throws {
        try admin.withLock {
            try ensureOpen()
            guard var metadata = state.withLockedValue({ $0.topics[name] }) else {
                throw PlexusError(.unknownTopicOrPartition, "topic '\(name)' does not exist")
            }
            guard totalCount > metadata.partitionCount, totalCount <= Self.maxPartitionsPerTopic else {
                throw PlexusError(
                    .invalidPartitions,
                    "topic '\(name)' has \(metadata.partitionCount) partitions; the new count must be larger and at most \(Self.maxPartitionsPerTopic)"
                )
            }
            let config = try defaults.applying(metadata.configOverrides)
            let added = try (metadata.partitionCount..<totalCount).map {
                try makeFreshPartition(name, $0, config: config)
            }
            try FileIO.syncDirectory(dataDirectory + "/logs")
            metadata.partitionCount = totalCount
            var topics = state.withLockedValue { $0.topics }
            topics[name] = metadata
            try saveMetadata(topics)
            state.withLockedValue { state in
                state.topics[name] = metadata
                state.logs[name, default: []].append(contentsOf: added)
            }
        }
    }

    /// Sets (value) or removes (nil) config overrides of a topic. Blocks.
    public func alterConfig(_ name: TopicName, _ changes: [String: String?]) throws {
        try admin.withLock {
            try ensureOpen()
            guard var metadata = state.withLockedValue({ $0.topics[name] }) else {
                throw PlexusError(.unknownTopicOrPartition, "topic '\(name)' does not exist")
            }
            for (key, value) in changes {
                guard LogConfig.knownKeys.contains(key) else {
                    throw PlexusError(.invalidConfig, "unknown topic config '\(key)'")
                }
                if key == "delivery.mode", (value ?? "replayable") != (metadata.configOverrides[key] ?? "replayable") {
                    throw PlexusError(.invalidConfig, "delivery.mode is fixed when a topic is created")
                }
                metadata.configOverrides[key] = value
            }
            let config = try defaults.applying(metadata.configOverrides)
            var topics = state.withLockedValue { $0.topics }
            topics[name] = metadata
            try saveMetadata(topics)
            let logs = state.withLockedValue { state in
                state.topics[name] = metadata
                return state.logs[name] ?? []
            }
            for log in logs { log.update(config: config) }
        }
    }

    /// A new idempotent-producer id, never handed out before by this data directory. Ids are reserved in
    /// blocks of 1000 recorded durably in `meta/producer-ids`, so a restart skips the rest of a block. Blocks.
    public func allocateProducerID() throws -> Int64 {
        try producerIDs.withLockedValue { ids in
            if ids.next >= ids.reservedUntil {
                let path = dataDirectory + "/meta/producer-ids"
                var start = ids.next
                if ids.reservedUntil == 0, let text = try? FileIO.readWhole(path),
                    let stored = Int64(String(decoding: text, as: UTF8.self))
                {
                    start = stored
                }
                let until = start + 1000
                try FileIO.writeAtomically(Array(String(until).utf8), to: path)
                ids = (start, until)
            }
            defer { ids.next += 1 }
            return ids.next
        }
    }

    /// Runs retention on every partition; returns the number of segments deleted. Blocks.
    @discardableResult
    public func enforceRetention(floor: (TopicName, PartitionID) -> Offset? = { _, _ in nil }) -> Int {
        let logs = state.withLockedValue { state in
            state.logs.flatMap { topic, logs in
                logs.enumerated().map { (topic, PartitionID(Int32($0.offset)), $0.element) }
            }
        }
        var deleted = 0
        for (topic, partition, log) in logs {
            do { deleted += try log.enforceRetention(floor: floor(topic, partition)) } catch {
                logger.error("retention failed", metadata: ["log": "\(log.directory)", "error": "\(error)"])
            }
        }
        return deleted
    }

    /// Closes every log (fsync, index files), stops the storage threads and releases the directory. Blocks.
    public func close() {
        let logs = state.withLockedValue { state -> [PartitionLog] in
            if state.closed { return [] }
            state.closed = true
            return state.logs.values.flatMap { $0 }
        }
        stopFlusher.lock()
        stopFlusher.unlock(withValue: 1)
        for log in logs {
            do { try log.close() } catch {
                logger.error("closing a log failed", metadata: ["log": "\(log.directory)", "error": "\(error)"])
            }
        }
        executor.shutdown()
        flock(lockFD, LOCK_UN)
    }

    private func startFlusher(everyMilliseconds ms: Int) {
        let thread = Thread { [self] in
            while true {
                if stopFlusher.lock(whenValue: 1, timeoutSeconds: Double(ms) / 1000) {
                    stopFlusher.unlock()
                    return
                }
                let logs = state.withLockedValue { $0.logs.values.flatMap { $0 } }
                for log in logs { log.flushAsync() }
            }
        }
        thread.name = "plexus-flusher"
        thread.start()
    }

    static func randomTopicID() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255, using: &generator)
            return String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined()
    }
}
