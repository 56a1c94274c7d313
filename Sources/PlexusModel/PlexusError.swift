/// The one error type of Plexus.
///
/// `code` says what went wrong in a way every front end can map to its own protocol
/// (``Code/kafkaErrorCode``, ``Code/httpStatus``); `message` is for people; decode errors keep
/// the offending bytes (hex, capped) for debugging.
public struct PlexusError: Error, Sendable, CustomStringConvertible, Equatable {
    /// An extensible error code: a name with its wire mappings. New codes never break the API.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// A stable name, used in logs and problem+json `type`.
        public let name: String
        /// The Kafka protocol error code (`Errors.java`).
        public let kafkaErrorCode: Int16
        /// The HTTP status for problem+json responses.
        public let httpStatus: Int
        /// Whether retrying the same request may succeed.
        public let isRetriable: Bool

        public init(name: String, kafkaErrorCode: Int16, httpStatus: Int, isRetriable: Bool = false) {
            self.name = name
            self.kafkaErrorCode = kafkaErrorCode
            self.httpStatus = httpStatus
            self.isRetriable = isRetriable
        }

        public var description: String { name }
        public static func == (lhs: Code, rhs: Code) -> Bool { lhs.name == rhs.name }
        public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    }

    public var code: Code
    public var message: String
    /// Hex of the offending bytes (at most 256 bytes' worth), for decode errors.
    public var offendingBytes: String?
    /// A description of the underlying cause (an errno text, a nested error).
    public var underlying: String?

    public init(_ code: Code, _ message: String, offendingBytes: String? = nil, underlying: String? = nil) {
        self.code = code
        self.message = message
        self.offendingBytes = offendingBytes
        self.underlying = underlying
    }

    public var isRetriable: Bool { code.isRetriable }

    /// `error` itself when it is a PlexusError, else an ``Code/unknown`` error describing it.
    public static func wrapping(_ error: any Error) -> PlexusError {
        if let error = error as? PlexusError { return error }
        return PlexusError(.unknown, "unexpected error", underlying: "\(error)")
    }

    public var description: String {
        var text = "\(code.name): \(message)"
        if let underlying { text += " (\(underlying))" }
        if let offendingBytes { text += " [bytes: \(offendingBytes)]" }
        return text
    }

    /// Hex of up to `limit` bytes, for ``offendingBytes``.
    public static func hex(_ bytes: some Collection<UInt8>, limit: Int = 256) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(min(bytes.count, limit) * 2 + 3)
        for byte in bytes.prefix(limit) {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0xF)])
        }
        if bytes.count > limit { out.append(contentsOf: "...".utf8) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// The catalog of client-visible codes. Add new ones here only, with all their mappings.
extension PlexusError.Code {
    public static let unknown = Self(name: "unknown", kafkaErrorCode: -1, httpStatus: 500)
    public static let offsetOutOfRange = Self(name: "offset-out-of-range", kafkaErrorCode: 1, httpStatus: 416)
    public static let corruptMessage = Self(name: "corrupt-message", kafkaErrorCode: 2, httpStatus: 400)
    public static let unknownTopicOrPartition = Self(
        name: "unknown-topic-or-partition",
        kafkaErrorCode: 3,
        httpStatus: 404,
        isRetriable: true
    )
    public static let messageTooLarge = Self(name: "message-too-large", kafkaErrorCode: 10, httpStatus: 413)
    public static let invalidTopic = Self(name: "invalid-topic", kafkaErrorCode: 17, httpStatus: 400)
    public static let recordListTooLarge = Self(name: "record-list-too-large", kafkaErrorCode: 18, httpStatus: 413)
    public static let invalidTimestamp = Self(name: "invalid-timestamp", kafkaErrorCode: 32, httpStatus: 400)
    public static let unsupportedVersion = Self(name: "unsupported-version", kafkaErrorCode: 35, httpStatus: 400)
    public static let topicAlreadyExists = Self(name: "topic-already-exists", kafkaErrorCode: 36, httpStatus: 409)
    public static let invalidPartitions = Self(name: "invalid-partitions", kafkaErrorCode: 37, httpStatus: 400)
    public static let invalidConfig = Self(name: "invalid-config", kafkaErrorCode: 40, httpStatus: 400)
    public static let invalidRequest = Self(name: "invalid-request", kafkaErrorCode: 42, httpStatus: 400)
    public static let unsupportedCompression = Self(
        name: "unsupported-compression-type",
        kafkaErrorCode: 76,
        httpStatus: 415
    )
    public static let invalidRecord = Self(name: "invalid-record", kafkaErrorCode: 87, httpStatus: 400)
    /// Storage failed to read or write (disk full, I/O error). Kafka clients see KAFKA_STORAGE_ERROR.
    public static let storage = Self(name: "storage-error", kafkaErrorCode: 56, httpStatus: 503, isRetriable: true)
    /// The log or broker is shutting down; try again elsewhere or later.
    public static let shuttingDown = Self(
        name: "shutting-down",
        kafkaErrorCode: 6,
        httpStatus: 503,
        isRetriable: true
    )
    /// Too much work is queued (e.g. bytes waiting for the disk); retry after a pause.
    public static let busy = Self(name: "busy", kafkaErrorCode: 7, httpStatus: 503, isRetriable: true)
    /// An idempotent producer's batch does not follow its previous one.
    public static let outOfOrderSequence = Self(name: "out-of-order-sequence", kafkaErrorCode: 45, httpStatus: 409)
    /// An idempotent producer used an epoch older than the latest one.
    public static let invalidProducerEpoch = Self(name: "invalid-producer-epoch", kafkaErrorCode: 47, httpStatus: 409)
    /// A configuration file or flag is wrong.
    public static let configuration = Self(name: "configuration", kafkaErrorCode: 40, httpStatus: 400)
    /// A feature asked for is not available in this build yet.
    public static let notImplemented = Self(name: "not-implemented", kafkaErrorCode: 35, httpStatus: 501)

    // MARK: Consumer groups (classic protocol)

    /// The group coordinator is not ready, shutting down, or the group was just removed; find it again.
    public static let coordinatorNotAvailable = Self(
        name: "coordinator-not-available",
        kafkaErrorCode: 15,
        httpStatus: 503,
        isRetriable: true
    )
    /// This node does not coordinate the group; find the coordinator again.
    public static let notCoordinator = Self(
        name: "not-coordinator",
        kafkaErrorCode: 16,
        httpStatus: 503,
        isRetriable: true
    )
    /// The member's generation is not the group's current one.
    public static let illegalGeneration = Self(name: "illegal-generation", kafkaErrorCode: 22, httpStatus: 409)
    /// The member's protocol type or protocols do not match the group's.
    public static let inconsistentGroupProtocol = Self(
        name: "inconsistent-group-protocol",
        kafkaErrorCode: 23,
        httpStatus: 409
    )
    /// The group id is empty or otherwise not allowed for this request.
    public static let invalidGroupID = Self(name: "invalid-group-id", kafkaErrorCode: 24, httpStatus: 400)
    /// The member id is not a member of the group (it may have been removed after a timeout).
    public static let unknownMemberID = Self(name: "unknown-member-id", kafkaErrorCode: 25, httpStatus: 404)
    /// The session timeout is outside the coordinator's configured bounds.
    public static let invalidSessionTimeout = Self(
        name: "invalid-session-timeout",
        kafkaErrorCode: 26,
        httpStatus: 400
    )
    /// The group is rebalancing; the member should rejoin.
    public static let rebalanceInProgress = Self(name: "rebalance-in-progress", kafkaErrorCode: 27, httpStatus: 409)
    /// The group still has members, so it cannot be deleted.
    public static let nonEmptyGroup = Self(name: "non-empty-group", kafkaErrorCode: 68, httpStatus: 409)
    /// The group does not exist.
    public static let groupIDNotFound = Self(name: "group-id-not-found", kafkaErrorCode: 69, httpStatus: 404)
    /// A new member must rejoin with the member id it was given (JoinGroup v4+).
    public static let memberIDRequired = Self(name: "member-id-required", kafkaErrorCode: 79, httpStatus: 409)
    /// The group already has its maximum number of members.
    public static let groupMaxSizeReached = Self(
        name: "group-max-size-reached",
        kafkaErrorCode: 81,
        httpStatus: 409
    )
    /// Another member with the same group instance id replaced this one (static membership).
    public static let fencedInstanceID = Self(name: "fenced-instance-id", kafkaErrorCode: 82, httpStatus: 409)
    /// Offsets of a partition have a pending transactional commit (OffsetFetch with RequireStable).
    public static let unstableOffsetCommit = Self(
        name: "unstable-offset-commit",
        kafkaErrorCode: 88,
        httpStatus: 409,
        isRetriable: true
    )

    // Routing (subscriptions, queues, request/reply); Kafka has no equivalents, so they map to INVALID_REQUEST.
    /// No subscription has that name.
    public static let subscriptionNotFound = Self(name: "subscription-not-found", kafkaErrorCode: 42, httpStatus: 404)
    /// No queue has that name.
    public static let queueNotFound = Self(name: "queue-not-found", kafkaErrorCode: 42, httpStatus: 404)
    /// A subscription or queue of that name exists already.
    public static let alreadyExists = Self(name: "already-exists", kafkaErrorCode: 42, httpStatus: 409)
    /// A subscription or queue definition breaks a rule (the message lists every problem).
    public static let invalidDefinition = Self(name: "invalid-definition", kafkaErrorCode: 42, httpStatus: 400)
    /// No reply arrived for a request within its timeout.
    public static let replyTimeout = Self(
        name: "reply-timeout",
        kafkaErrorCode: 7,
        httpStatus: 504,
        isRetriable: true
    )
}
