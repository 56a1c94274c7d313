public import NIOCore
public import PlexusModel

/// The state of a classic consumer group, spelled as Kafka spells it in DescribeGroups and ListGroups.
///
/// `empty → preparingRebalance → completingRebalance → stable`, back to `preparingRebalance` on every
/// membership change, and `dead` once the group is deleted.
public enum GroupState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// No members (the group may still have committed offsets).
    case empty = "Empty"
    /// Waiting for members to (re)join.
    case preparingRebalance = "PreparingRebalance"
    /// A generation formed; waiting for the leader's assignment (SyncGroup).
    case completingRebalance = "CompletingRebalance"
    /// Every member has its assignment.
    case stable = "Stable"
    /// Deleted; requests get COORDINATOR_NOT_AVAILABLE.
    case dead = "Dead"

    public var description: String { rawValue }
}

/// Limits and delays of the group coordinator (Kafka's `group.*` broker settings).
public struct GroupConfiguration: Sendable, Equatable {
    /// `group.min.session.timeout.ms`: smaller session timeouts get INVALID_SESSION_TIMEOUT.
    public var minSessionTimeoutMs: Int32
    /// `group.max.session.timeout.ms`: larger session timeouts get INVALID_SESSION_TIMEOUT.
    public var maxSessionTimeoutMs: Int32
    /// `group.max.size`: members beyond this get GROUP_MAX_SIZE_REACHED (Kafka's default is unbounded).
    public var maxSize: Int
    /// `group.initial.rebalance.delay.ms`: how long the first rebalance of an empty group waits for more
    /// members (extended while new members keep arriving in generation 0, up to the rebalance timeout).
    public var initialRebalanceDelayMs: Int64
    /// How long a new member may wait in a rebalance before it is dropped (Kafka: 5 minutes).
    public var newMemberJoinTimeoutMs: Int64

    /// Kafka's defaults, except `maxSize`, which is bounded here.
    public init(
        minSessionTimeoutMs: Int32 = 6_000,
        maxSessionTimeoutMs: Int32 = 1_800_000,
        maxSize: Int = 1_000,
        initialRebalanceDelayMs: Int64 = 3_000,
        newMemberJoinTimeoutMs: Int64 = 300_000
    ) {
        self.minSessionTimeoutMs = minSessionTimeoutMs
        self.maxSessionTimeoutMs = maxSessionTimeoutMs
        self.maxSize = maxSize
        self.initialRebalanceDelayMs = initialRebalanceDelayMs
        self.newMemberJoinTimeoutMs = newMemberJoinTimeoutMs
    }
}

/// An opaque id the caller gives a JoinGroup or SyncGroup request, so that a response which becomes
/// ready later (when the rebalance completes) can be matched to the request waiting for it.
public struct GroupRequestToken: Hashable, Sendable, CustomStringConvertible {
    /// The caller's number for the request.
    public let rawValue: UInt64

    /// A token with the caller's number.
    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public var description: String { "#\(rawValue)" }
}

/// Makes member ids as Kafka does: `<client id or group instance id>-<suffix>`.
///
/// ``random`` uses a random UUID suffix (Kafka's behaviour; ids from before a restart never collide
/// with new ones); ``sequential(startingAt:)`` numbers them, for tests.
public struct MemberIDGenerator: Sendable, Equatable {
    private enum Kind: Sendable, Equatable {
        case random
        case sequential(next: UInt64)
    }

    private var kind: Kind

    /// `prefix-<random UUID>`, as Kafka does.
    public static let random = MemberIDGenerator(kind: .random)

    /// `prefix-1`, `prefix-2`, …: deterministic, for tests.
    public static func sequential(startingAt first: UInt64 = 1) -> MemberIDGenerator {
        MemberIDGenerator(kind: .sequential(next: first))
    }

    /// The next member id for a member whose client id (or group instance id, for static members) is `prefix`.
    public mutating func next(prefix: String) -> String {
        switch kind {
        case .random:
            return prefix + "-" + Self.randomUUID()
        case .sequential(let next):
            kind = .sequential(next: next &+ 1)
            return prefix + "-" + String(next)
        }
    }

    private static func randomUUID() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        let hex = PlexusError.hex(bytes)
        let characters = Array(hex)
        var out = ""
        for (index, character) in characters.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { out.append("-") }
            out.append(character)
        }
        return out
    }
}

/// One protocol (assignor) a member supports, with its opaque metadata (for consumers, the subscription).
public struct GroupProtocol: Sendable, Hashable {
    /// The protocol name, e.g. "range", "roundrobin", "cooperative-sticky".
    public var name: String
    /// The member's metadata for this protocol, handed as is to the leader.
    public var metadata: ByteBuffer

    /// A protocol with its metadata.
    public init(name: String, metadata: ByteBuffer) {
        self.name = name
        self.metadata = metadata
    }
}

/// A JoinGroup request, protocol-neutral.
public struct GroupJoinRequest: Sendable, Equatable {
    /// The member id; empty for a member joining for the first time.
    public var memberID: String
    /// The static member's `group.instance.id` (JoinGroup v5+), or nil for a dynamic member.
    public var groupInstanceID: String?
    /// The client id from the request header.
    public var clientID: String
    /// The client's address, for DescribeGroups.
    public var clientHost: String
    /// The member's session timeout; must be within the configured bounds.
    public var sessionTimeoutMs: Int32
    /// How long the coordinator waits for the member to rejoin in a rebalance. A negative value (JoinGroup
    /// v0 has no such field) means "the session timeout", as Kafka does.
    public var rebalanceTimeoutMs: Int32
    /// The protocol type, "consumer" for consumers; every member must use the same one.
    public var protocolType: String
    /// The protocols the member supports, in its order of preference.
    public var protocols: [GroupProtocol]
    /// Whether a member with an empty member id must first get MEMBER_ID_REQUIRED and rejoin with the
    /// id it was given: true for JoinGroup v4+ without a group instance id.
    public var requiresKnownMemberID: Bool

    /// A JoinGroup request.
    public init(
        memberID: String = "",
        groupInstanceID: String? = nil,
        clientID: String,
        clientHost: String = "",
        sessionTimeoutMs: Int32,
        rebalanceTimeoutMs: Int32 = -1,
        protocolType: String = "consumer",
        protocols: [GroupProtocol],
        requiresKnownMemberID: Bool = true
    ) {
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.clientID = clientID
        self.clientHost = clientHost
        self.sessionTimeoutMs = sessionTimeoutMs
        self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.protocolType = protocolType
        self.protocols = protocols
        self.requiresKnownMemberID = requiresKnownMemberID
    }
}

/// A member as the leader sees it in its JoinGroup response.
public struct GroupJoinMember: Sendable, Equatable {
    /// The member id.
    public var memberID: String
    /// The static member's group instance id.
    public var groupInstanceID: String?
    /// The member's metadata for the selected protocol.
    public var metadata: ByteBuffer

    /// A member of the leader's JoinGroup response.
    public init(memberID: String, groupInstanceID: String?, metadata: ByteBuffer) {
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.metadata = metadata
    }
}

/// The JoinGroup response.
public struct GroupJoinResult: Sendable, Equatable {
    /// nil on success; else the error (MEMBER_ID_REQUIRED comes with the new ``memberID``).
    public var error: PlexusError.Code?
    /// The generation formed, or -1 on error.
    public var generationID: Int32
    /// The group's protocol type (JoinGroup v7+ returns it).
    public var protocolType: String?
    /// The selected protocol, nil on error.
    public var protocolName: String?
    /// The leader's member id, "" on error.
    public var leaderID: String
    /// The member's id (the new one on MEMBER_ID_REQUIRED; "" for most errors of new members).
    public var memberID: String
    /// Every member with its metadata: only in the leader's response, else empty.
    public var members: [GroupJoinMember]

    /// A JoinGroup response.
    public init(
        error: PlexusError.Code?,
        generationID: Int32,
        protocolType: String?,
        protocolName: String?,
        leaderID: String,
        memberID: String,
        members: [GroupJoinMember]
    ) {
        self.error = error
        self.generationID = generationID
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.leaderID = leaderID
        self.memberID = memberID
        self.members = members
    }

    /// An error response (generation -1, no leader, no members).
    public static func failure(_ error: PlexusError.Code, memberID: String) -> GroupJoinResult {
        GroupJoinResult(
            error: error,
            generationID: -1,
            protocolType: nil,
            protocolName: nil,
            leaderID: "",
            memberID: memberID,
            members: []
        )
    }
}

/// A SyncGroup request, protocol-neutral.
public struct GroupSyncRequest: Sendable, Equatable {
    /// The member id.
    public var memberID: String
    /// The static member's group instance id.
    public var groupInstanceID: String?
    /// The generation the member joined.
    public var generationID: Int32
    /// The protocol type the member expects (SyncGroup v5+), checked when given.
    public var protocolType: String?
    /// The protocol name the member expects (SyncGroup v5+), checked when given.
    public var protocolName: String?
    /// The leader's assignment per member id; empty for followers.
    public var assignments: [String: ByteBuffer]

    /// A SyncGroup request.
    public init(
        memberID: String,
        groupInstanceID: String? = nil,
        generationID: Int32,
        protocolType: String? = nil,
        protocolName: String? = nil,
        assignments: [String: ByteBuffer] = [:]
    ) {
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.generationID = generationID
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.assignments = assignments
    }
}

/// The SyncGroup response.
public struct GroupSyncResult: Sendable, Equatable {
    /// nil on success.
    public var error: PlexusError.Code?
    /// The group's protocol type (SyncGroup v5+), nil on error.
    public var protocolType: String?
    /// The group's protocol name (SyncGroup v5+), nil on error.
    public var protocolName: String?
    /// The member's assignment; empty on error.
    public var assignment: ByteBuffer

    /// A SyncGroup response.
    public init(error: PlexusError.Code?, protocolType: String?, protocolName: String?, assignment: ByteBuffer) {
        self.error = error
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.assignment = assignment
    }

    /// An error response.
    public static func failure(_ error: PlexusError.Code) -> GroupSyncResult {
        GroupSyncResult(error: error, protocolType: nil, protocolName: nil, assignment: ByteBuffer())
    }
}

/// A Heartbeat request, protocol-neutral.
public struct GroupHeartbeatRequest: Sendable, Equatable {
    /// The member id.
    public var memberID: String
    /// The static member's group instance id.
    public var groupInstanceID: String?
    /// The generation the member is in.
    public var generationID: Int32

    /// A Heartbeat request.
    public init(memberID: String, groupInstanceID: String? = nil, generationID: Int32) {
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.generationID = generationID
    }
}

/// A member leaving: by member id (LeaveGroup v0–2, or v3+), or, with an empty member id, by group
/// instance id (v3+ administrative removal of a static member).
public struct GroupMemberIdentity: Sendable, Hashable {
    /// The member id, or "" to name a static member by its instance id.
    public var memberID: String
    /// The static member's group instance id.
    public var groupInstanceID: String?

    /// A leaving member.
    public init(memberID: String, groupInstanceID: String? = nil) {
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
    }
}

/// The outcome for one leaving member.
public struct GroupLeaveMemberResult: Sendable, Equatable {
    /// The member id as sent.
    public var memberID: String
    /// The group instance id as sent.
    public var groupInstanceID: String?
    /// nil when the member left.
    public var error: PlexusError.Code?

    /// One member's leave outcome.
    public init(memberID: String, groupInstanceID: String?, error: PlexusError.Code?) {
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.error = error
    }
}

/// The LeaveGroup response. For LeaveGroup v0–2 (one member, no per-member errors) answer with the
/// first member's error when ``error`` is nil.
public struct GroupLeaveResult: Sendable, Equatable {
    /// A group-level error (COORDINATOR_NOT_AVAILABLE, INVALID_GROUP_ID); nil otherwise.
    public var error: PlexusError.Code?
    /// One result per member asked for, in the request's order.
    public var members: [GroupLeaveMemberResult]

    /// A LeaveGroup response.
    public init(error: PlexusError.Code?, members: [GroupLeaveMemberResult]) {
        self.error = error
        self.members = members
    }
}

/// A member as DescribeGroups shows it.
public struct GroupMemberDescription: Sendable, Equatable {
    /// The member id.
    public var memberID: String
    /// The static member's group instance id.
    public var groupInstanceID: String?
    /// The client id it joined with.
    public var clientID: String
    /// The client's address.
    public var clientHost: String
    /// Its metadata for the selected protocol; empty unless the group is Stable (as in Kafka).
    public var metadata: ByteBuffer
    /// Its assignment; empty unless the group is Stable (as in Kafka).
    public var assignment: ByteBuffer

    /// A described member.
    public init(
        memberID: String,
        groupInstanceID: String?,
        clientID: String,
        clientHost: String,
        metadata: ByteBuffer,
        assignment: ByteBuffer
    ) {
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.clientID = clientID
        self.clientHost = clientHost
        self.metadata = metadata
        self.assignment = assignment
    }
}

/// A group as DescribeGroups shows it.
public struct GroupDescription: Sendable, Equatable {
    /// The group id.
    public var groupID: String
    /// The state; ``GroupState/rawValue`` is Kafka's spelling.
    public var state: GroupState
    /// The protocol type, "" when unknown.
    public var protocolType: String
    /// The selected protocol; "" unless the group is Stable (as in Kafka).
    public var protocolName: String
    /// The current generation.
    public var generationID: Int32
    /// The leader's member id, if any.
    public var leaderID: String?
    /// The members, in the order they joined.
    public var members: [GroupMemberDescription]

    /// A described group.
    public init(
        groupID: String,
        state: GroupState,
        protocolType: String,
        protocolName: String,
        generationID: Int32,
        leaderID: String?,
        members: [GroupMemberDescription]
    ) {
        self.groupID = groupID
        self.state = state
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.generationID = generationID
        self.leaderID = leaderID
        self.members = members
    }
}

/// A group as ListGroups shows it.
public struct GroupListing: Sendable, Hashable {
    /// The group id.
    public var groupID: String
    /// The protocol type, "" when unknown (e.g. a group that only committed offsets).
    public var protocolType: String
    /// The state.
    public var state: GroupState

    /// A listed group.
    public init(groupID: String, protocolType: String, state: GroupState) {
        self.groupID = groupID
        self.protocolType = protocolType
        self.state = state
    }
}

/// The outcome of deleting one group.
public struct GroupDeletionResult: Sendable, Equatable {
    /// The group id.
    public var groupID: String
    /// nil when deleted; NON_EMPTY_GROUP, GROUP_ID_NOT_FOUND or INVALID_GROUP_ID otherwise.
    public var error: PlexusError.Code?

    /// One group's deletion outcome.
    public init(groupID: String, error: PlexusError.Code?) {
        self.groupID = groupID
        self.error = error
    }
}

/// A response that became ready, for the request that carried `token`.
public enum GroupResponse: Sendable, Equatable {
    /// A JoinGroup response.
    case join(GroupRequestToken, GroupJoinResult)
    /// A SyncGroup response.
    case sync(GroupRequestToken, GroupSyncResult)

    /// The token of the request this answers.
    public var token: GroupRequestToken {
        switch self {
        case .join(let token, _), .sync(let token, _): token
        }
    }
}

/// What a group event produced: the responses that are now ready, whether the group just became
/// empty, and when the caller should next call ``ClassicGroup/tick(now:)``.
public struct GroupActions: Sendable, Equatable {
    /// Responses to send now, each for the request with its token (possibly the event's own request).
    public var responses: [GroupResponse]
    /// Whether the group went from having members to Empty during this event.
    public var becameEmpty: Bool
    /// The earliest time (ms, the caller's clock) a timeout of this group can fire, or nil if none.
    public var nextDeadline: Int64?

    /// Actions of one event.
    public init(responses: [GroupResponse] = [], becameEmpty: Bool = false, nextDeadline: Int64? = nil) {
        self.responses = responses
        self.becameEmpty = becameEmpty
        self.nextDeadline = nextDeadline
    }

    /// The JoinGroup response for `token`, if it is among ``responses``.
    public func joinResult(for token: GroupRequestToken) -> GroupJoinResult? {
        for case .join(let candidate, let result) in responses where candidate == token { return result }
        return nil
    }

    /// The SyncGroup response for `token`, if it is among ``responses``.
    public func syncResult(for token: GroupRequestToken) -> GroupSyncResult? {
        for case .sync(let candidate, let result) in responses where candidate == token { return result }
        return nil
    }
}
