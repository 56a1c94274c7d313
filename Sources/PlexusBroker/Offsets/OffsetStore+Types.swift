public import PlexusModel

extension OffsetStore {
    /// One partition of a topic: the unit offsets are committed for.
    public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var topic: TopicName
        public var partition: PartitionID

        public init(_ topic: TopicName, _ partition: PartitionID) {
            self.topic = topic
            self.partition = partition
        }

        public var description: String { "\(topic)-\(partition)" }

        public static func < (lhs: Self, rhs: Self) -> Bool {
            (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
        }
    }

    /// One offset to commit (an entry of an OffsetCommit request).
    public struct Commit: Hashable, Sendable {
        public var topic: TopicName
        public var partition: PartitionID
        /// The next offset the group will consume.
        public var offset: Int64
        /// The leader epoch of the last consumed record; -1 when unknown.
        public var leaderEpoch: Int32
        /// Free-form client metadata, at most ``Configuration/metadataMaxBytes`` UTF-8 bytes.
        public var metadata: String?

        public init(
            topic: TopicName,
            partition: PartitionID,
            offset: Int64,
            leaderEpoch: Int32 = -1,
            metadata: String? = nil
        ) {
            self.topic = topic
            self.partition = partition
            self.offset = offset
            self.leaderEpoch = leaderEpoch
            self.metadata = metadata
        }

        /// The partition this commit is for.
        public var topicPartition: TopicPartition { TopicPartition(topic, partition) }
    }

    /// A committed offset as stored; ``noOffset`` when nothing is committed.
    public struct Committed: Hashable, Sendable {
        /// The committed offset; -1 when none.
        public var offset: Int64
        /// The committed leader epoch; -1 when unknown or none.
        public var leaderEpoch: Int32
        /// The committed metadata (nil when committed as null or nothing is committed).
        public var metadata: String?
        /// When the commit was accepted, in milliseconds since the epoch; -1 when none.
        public var commitTimestamp: Int64

        public init(offset: Int64, leaderEpoch: Int32, metadata: String?, commitTimestamp: Int64) {
            self.offset = offset
            self.leaderEpoch = leaderEpoch
            self.metadata = metadata
            self.commitTimestamp = commitTimestamp
        }

        /// What a fetch returns for a partition without a committed offset.
        public static let noOffset = Committed(offset: -1, leaderEpoch: -1, metadata: nil, commitTimestamp: -1)
    }

    /// Why one entry of a commit was not stored.
    public enum CommitError: Error, Equatable, Sendable {
        /// The metadata is longer than ``Configuration/metadataMaxBytes`` (Kafka OFFSET_METADATA_TOO_LARGE, 12).
        /// The other entries of the request are still committed.
        case metadataTooLarge
        /// The group id is longer than 32767 UTF-8 bytes, which the record format cannot hold
        /// (Kafka INVALID_GROUP_ID, 24).
        case invalidGroupID
        /// The commit could not be made durable: the store is closed (`shuttingDown`), the log is over its
        /// pending-bytes limit (`busy`) or the disk failed (`storage`). Nothing of the request is acknowledged.
        case storage(PlexusError)
    }

    /// What the group coordinator knows about a group, which decides when its offsets expire.
    public enum GroupActivity: Hashable, Sendable {
        /// The group has members: its offsets do not expire.
        case active
        /// The group has had no members since this time (ms since the epoch): all its offsets expire together
        /// once the retention has passed since then (Kafka: the Empty state's timestamp).
        case emptySince(Int64)
        /// The coordinator holds no membership for the group (standalone consumers that only commit): each
        /// offset expires once the retention has passed since it was committed.
        case unknown
    }

    /// Settings of the offset store, named after Kafka's broker configs.
    public struct Configuration: Hashable, Sendable {
        /// `offsets.retention.minutes`: how long offsets of an empty group are kept (default 7 days).
        public var retentionMinutes: Int64 = 10_080
        /// `offset.metadata.max.bytes`: the longest metadata accepted, in UTF-8 bytes (at most 32767).
        public var metadataMaxBytes: Int = 4096
        /// `offsets.topic.segment.bytes`: the segment size of the offsets log.
        public var segmentBytes: Int = 100 << 20
        /// Compaction runs by itself when dead records outnumber live ones and the log is larger than this.
        public var compactionMinBytes: Int64 = 16 << 20
        /// Whether compaction runs by itself (``OffsetStore/compact()`` always works).
        public var autoCompact = true

        public init() {}

        /// The retention in milliseconds.
        public var retentionMs: Int64 {
            let (product, overflow) = retentionMinutes.multipliedReportingOverflow(by: 60_000)
            return overflow ? Int64.max : product
        }
    }
}

/// The identity of a stored offset: its group and partition (the record key).
struct OffsetKey: Hashable, Sendable, Comparable {
    var group: String
    var partition: OffsetStore.TopicPartition

    static func < (lhs: Self, rhs: Self) -> Bool { (lhs.group, lhs.partition) < (rhs.group, rhs.partition) }
}
