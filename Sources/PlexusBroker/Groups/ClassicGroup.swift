import NIOCore
public import PlexusModel

/// The membership state machine of one consumer group under Kafka's classic group protocol
/// (JoinGroup/SyncGroup/Heartbeat/LeaveGroup), as a pure value type.
///
/// It follows Apache Kafka's `GroupCoordinator`/`GroupMetadata` (the classic coordinator), with no wire
/// protocol, no threads and no timers of its own:
/// - every event takes the caller's current time `now` in milliseconds (any monotonic clock; never
///   decreasing) and returns ``GroupActions``: the JoinGroup/SyncGroup responses that became ready (each
///   tagged with the ``GroupRequestToken`` the caller gave its request, possibly the event's own request)
///   and the ``GroupActions/nextDeadline`` at which the caller must call ``tick(now:)``;
/// - timeouts that are due are applied at the start of every event, so a late ``tick(now:)`` never lets a
///   request see state that should already have expired.
///
/// Semantics (Kafka's): states Empty → PreparingRebalance → CompletingRebalance → Stable (and Dead once
/// deleted); the first joiner leads, and the leader stays leader while it rejoins; the protocol is the
/// one every member supports that most members list first; a JoinGroup v4+ without member id gets
/// MEMBER_ID_REQUIRED and a new id; members that do not rejoin within the rebalance timeout are dropped
/// (static members are kept); members without a heartbeat for their session timeout are dropped; a
/// known follower rejoining a Stable group with unchanged metadata just gets the current generation back,
/// while the leader or changed metadata starts a rebalance; a static member (group instance id) rejoining
/// with a new id takes over the old member, fencing the old id with FENCED_INSTANCE_ID.
///
/// One deviation from Kafka: a static member that rejoins a Stable group with *changed* metadata starts
/// a rebalance (Kafka only checks whether the selected protocol would change), so a restarted static
/// consumer with a new subscription is not ignored.
///
/// Not thread-safe by itself (a value type); ``GroupCoordinator`` wraps groups behind a lock.
public struct ClassicGroup: Sendable {
    struct Member: Sendable {
        var memberID: String
        var groupInstanceID: String?
        var clientID: String
        var clientHost: String
        var sessionTimeoutMs: Int32
        var rebalanceTimeoutMs: Int32
        var protocolType: String
        var protocols: [GroupProtocol]
        var assignment = ByteBuffer()
        /// The JoinGroup request waiting for the rebalance to complete.
        var awaitingJoin: GroupRequestToken?
        /// The SyncGroup request waiting for the leader's assignment.
        var awaitingSync: GroupRequestToken?
        /// Joined but not yet part of a generation.
        var isNew: Bool
        /// When the member is dropped unless it heartbeats (or is waiting in a rebalance); nil = never.
        var expiresAt: Int64?

        func metadata(for protocolName: String?) -> ByteBuffer {
            protocols.first { $0.name == protocolName }?.metadata ?? ByteBuffer()
        }

        func supports(_ protocolName: String) -> Bool {
            protocols.contains { $0.name == protocolName }
        }
    }

    /// The rebalance timer: Kafka's `InitialDelayedJoin` when `initialRemainingMs` is set, else `DelayedJoin`.
    struct JoinTimer: Sendable {
        var deadline: Int64
        var initialRemainingMs: Int64?
    }

    /// Members that have not sent SyncGroup by `deadline` are dropped (Kafka's `DelayedSync`).
    struct SyncTimer: Sendable {
        var deadline: Int64
        var generationID: Int32
    }

    private enum Due {
        case join
        case sync
        case member(String)
        case pending(String)
    }

    /// The group id.
    public let groupID: String
    /// The limits this group enforces.
    public private(set) var configuration: GroupConfiguration
    /// The current state.
    public private(set) var state: GroupState = .empty
    /// The current generation; 0 before the first rebalance, incremented by every completed join phase.
    public private(set) var generationID: Int32 = 0
    /// The protocol type of the members ("consumer"), nil before anyone joined.
    public private(set) var protocolType: String?
    /// The protocol selected for the current generation.
    public private(set) var protocolName: String?
    /// The leader's member id.
    public private(set) var leaderID: String?

    private var memberIDs: MemberIDGenerator
    private var members: [String: Member] = [:]
    private var memberOrder: [String] = []
    private var staticMembers: [String: String] = [:]
    /// Members given an id with MEMBER_ID_REQUIRED that have not rejoined yet, with their expiry.
    private var pendingMembers: [String: Int64] = [:]
    private var pendingSyncMembers: Set<String> = []
    private var newMemberAdded = false
    private var joinTimer: JoinTimer?
    private var syncTimer: SyncTimer?
    /// What the current event produced so far.
    private var output = GroupActions()

    /// An empty group.
    public init(groupID: String, configuration: GroupConfiguration = .init(), memberIDs: MemberIDGenerator = .random) {
        self.groupID = groupID
        self.configuration = configuration
        self.memberIDs = memberIDs
    }

    // MARK: Queries

    /// The member ids, in the order they joined.
    public var memberIDsInJoinOrder: [String] { memberOrder }

    /// Whether the group has no members (pending MEMBER_ID_REQUIRED members do not count).
    public var hasNoMembers: Bool { members.isEmpty }

    /// Whether `memberID` is a member.
    public func hasMember(_ memberID: String) -> Bool { members[memberID] != nil }

    /// Whether `memberID` was handed out with MEMBER_ID_REQUIRED and has not rejoined yet.
    public func isPendingMember(_ memberID: String) -> Bool { pendingMembers[memberID] != nil }

    /// The earliest time a timeout of this group fires, or nil if none is pending.
    public var nextDeadline: Int64? {
        var earliest: Int64?
        func consider(_ time: Int64?) {
            guard let time else { return }
            if earliest.map({ time < $0 }) ?? true { earliest = time }
        }
        consider(joinTimer?.deadline)
        consider(syncTimer?.deadline)
        for member in members.values { consider(member.expiresAt) }
        for expiry in pendingMembers.values { consider(expiry) }
        return earliest
    }

    /// The group as DescribeGroups shows it: metadata, assignments and the protocol name only when Stable.
    public func describe() -> GroupDescription {
        let stable = state == .stable
        return GroupDescription(
            groupID: groupID,
            state: state,
            protocolType: protocolType ?? "",
            protocolName: stable ? (protocolName ?? "") : "",
            generationID: generationID,
            leaderID: leaderID,
            members: memberOrder.compactMap { id in
                guard let member = members[id] else { return nil }
                return GroupMemberDescription(
                    memberID: member.memberID,
                    groupInstanceID: member.groupInstanceID,
                    clientID: member.clientID,
                    clientHost: member.clientHost,
                    metadata: stable ? member.metadata(for: protocolName) : ByteBuffer(),
                    assignment: stable ? member.assignment : ByteBuffer()
                )
            }
        )
    }

    /// The group as ListGroups shows it.
    public var listing: GroupListing {
        GroupListing(groupID: groupID, protocolType: protocolType ?? "", state: state)
    }

    /// INVALID_SESSION_TIMEOUT when `sessionTimeoutMs` is outside the configured bounds, else nil.
    public static func sessionTimeoutError(
        _ sessionTimeoutMs: Int32,
        configuration: GroupConfiguration
    ) -> PlexusError.Code? {
        if sessionTimeoutMs < configuration.minSessionTimeoutMs || sessionTimeoutMs > configuration.maxSessionTimeoutMs
        {
            return .invalidSessionTimeout
        }
        return nil
    }

    // MARK: Events

    /// A JoinGroup request. Its response is in the returned actions when it is ready at once (errors,
    /// MEMBER_ID_REQUIRED, a follower rejoining a Stable group), or in the actions of a later event when the
    /// rebalance completes.
    /// - Parameters:
    ///   - request: the member's request.
    ///   - token: the caller's id for this request, echoed in its ``GroupResponse``.
    ///   - now: the current time in milliseconds.
    public mutating func join(_ request: GroupJoinRequest, token: GroupRequestToken, now: Int64) -> GroupActions {
        begin(now)
        if let error = Self.sessionTimeoutError(request.sessionTimeoutMs, configuration: configuration) {
            respondJoin(token, .failure(error, memberID: request.memberID))
        } else if !acceptsJoiningMember(request.memberID) {
            removeMemberAnsweringItsRequests(request.memberID, error: .groupMaxSizeReached)
            respondJoin(token, .failure(.groupMaxSizeReached, memberID: ""))
        } else if request.memberID.isEmpty {
            joinNewMember(request, token: token, now: now)
        } else {
            joinCurrentMember(request, token: token, now: now)
        }
        if state == .preparingRebalance { tryCompleteJoin(now) }
        return finish(now)
    }

    /// A SyncGroup request. Followers that sync before the leader wait; the leader's assignment answers
    /// every waiting member; in a Stable group the member gets its assignment at once.
    /// - Parameters:
    ///   - request: the member's request (the leader's carries the assignments).
    ///   - token: the caller's id for this request, echoed in its ``GroupResponse``.
    ///   - now: the current time in milliseconds.
    public mutating func sync(_ request: GroupSyncRequest, token: GroupRequestToken, now: Int64) -> GroupActions {
        begin(now)
        if let error = syncValidationError(request) {
            respondSync(token, .failure(error))
            return finish(now)
        }
        let memberID = request.memberID
        switch state {
        case .empty, .dead:
            respondSync(token, .failure(.unknownMemberID))
        case .preparingRebalance:
            respondSync(token, .failure(.rebalanceInProgress))
        case .completingRebalance:
            if let superseded = members[memberID]?.awaitingSync {
                respondSync(superseded, .failure(.rebalanceInProgress))
            }
            members[memberID]?.awaitingSync = token
            removePendingSyncMember(memberID)
            if memberID == leaderID {
                for id in memberOrder {
                    members[id]?.assignment = request.assignments[id] ?? ByteBuffer()
                }
                propagateAssignment(error: nil, now: now)
                state = .stable
            }
        case .stable:
            removePendingSyncMember(memberID)
            let assignment = members[memberID]?.assignment ?? ByteBuffer()
            respondSync(
                token,
                GroupSyncResult(
                    error: nil,
                    protocolType: protocolType,
                    protocolName: protocolName,
                    assignment: assignment
                )
            )
            scheduleSessionExpiry(memberID, now: now)
        }
        return finish(now)
    }

    /// A Heartbeat: keeps the member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
    /// - Returns: the heartbeat's error (nil = NONE) and the actions of expired timeouts.
    public mutating func heartbeat(
        _ request: GroupHeartbeatRequest,
        now: Int64
    ) -> (error: PlexusError.Code?, actions: GroupActions) {
        begin(now)
        let error: PlexusError.Code?
        if state == .dead {
            error = .coordinatorNotAvailable
        } else if let memberError = validateCurrentMember(request.memberID, request.groupInstanceID) {
            error = memberError
        } else if request.generationID != generationID {
            error = .illegalGeneration
        } else {
            switch state {
            case .empty, .dead:
                error = .unknownMemberID
            case .completingRebalance, .stable:
                scheduleSessionExpiry(request.memberID, now: now)
                error = nil
            case .preparingRebalance:
                scheduleSessionExpiry(request.memberID, now: now)
                error = .rebalanceInProgress
            }
        }
        return (error, finish(now))
    }

    /// A LeaveGroup for one or more members (v0–2: one member id; v3+: a batch, where an empty member id
    /// with a group instance id removes that static member). Leaving starts a rebalance; when the last
    /// member leaves the group becomes Empty.
    /// - Returns: the per-member results and the actions (e.g. waiting requests answered).
    public mutating func leave(
        _ leaving: [GroupMemberIdentity],
        now: Int64
    ) -> (result: GroupLeaveResult, actions: GroupActions) {
        begin(now)
        guard state != .dead else {
            return (GroupLeaveResult(error: .coordinatorNotAvailable, members: []), finish(now))
        }
        var results: [GroupLeaveMemberResult] = []
        for identity in leaving {
            var error: PlexusError.Code?
            if identity.memberID.isEmpty {
                if let instanceID = identity.groupInstanceID, let current = staticMembers[instanceID] {
                    removeMemberAndUpdateGroup(current, now: now)
                } else {
                    error = .unknownMemberID
                }
            } else if pendingMembers[identity.memberID] != nil {
                pendingMembers[identity.memberID] = nil
                if state == .preparingRebalance { tryCompleteJoin(now) }
            } else if let memberError = validateCurrentMember(identity.memberID, identity.groupInstanceID) {
                error = memberError
            } else {
                removeMemberAndUpdateGroup(identity.memberID, now: now)
            }
            results.append(
                GroupLeaveMemberResult(
                    memberID: identity.memberID,
                    groupInstanceID: identity.groupInstanceID,
                    error: error
                )
            )
        }
        return (GroupLeaveResult(error: nil, members: results), finish(now))
    }

    /// Whether an OffsetCommit by this member may be stored (Kafka's `validateOffsetCommit`): generation
    /// -1 with an Empty group is accepted (admin and `assign()` commits); otherwise the member and
    /// generation must be current; REBALANCE_IN_PROGRESS while CompletingRebalance. A valid commit also
    /// counts as a heartbeat.
    /// - Returns: the error (nil = store the offsets) and the actions of expired timeouts.
    public mutating func validateOffsetCommit(
        memberID: String,
        groupInstanceID: String?,
        generationID requestGeneration: Int32,
        now: Int64
    ) -> (error: PlexusError.Code?, actions: GroupActions) {
        begin(now)
        var error: PlexusError.Code?
        if state == .dead {
            error = .coordinatorNotAvailable
        } else if requestGeneration < 0 && state == .empty {
            error = nil
        } else if requestGeneration >= 0 || !memberID.isEmpty || groupInstanceID != nil {
            if let memberError = validateCurrentMember(memberID, groupInstanceID) {
                error = memberError
            } else if requestGeneration != generationID {
                error = .illegalGeneration
            } else {
                switch state {
                case .empty, .dead:
                    error = nil
                case .stable, .preparingRebalance:
                    scheduleSessionExpiry(memberID, now: now)
                case .completingRebalance:
                    error = .rebalanceInProgress
                }
            }
        } else if state != .empty {
            error = .unknownMemberID
        }
        return (error, finish(now))
    }

    /// DeleteGroups: an Empty group becomes Dead (the caller then forgets it); NON_EMPTY_GROUP otherwise,
    /// GROUP_ID_NOT_FOUND when already Dead.
    public mutating func delete(now: Int64) -> (error: PlexusError.Code?, actions: GroupActions) {
        begin(now)
        let error: PlexusError.Code?
        switch state {
        case .dead:
            error = .groupIDNotFound
        case .empty:
            state = .dead
            pendingMembers = [:]
            joinTimer = nil
            syncTimer = nil
            error = nil
        case .preparingRebalance, .completingRebalance, .stable:
            error = .nonEmptyGroup
        }
        return (error, finish(now))
    }

    /// Applies every timeout due at `now`: session expiry, rebalance and sync timeouts, pending members.
    public mutating func tick(now: Int64) -> GroupActions {
        begin(now)
        return finish(now)
    }

    // MARK: Join

    /// Kafka's `acceptJoiningMember`: room for a new member, or an existing one that may stay.
    private func acceptsJoiningMember(_ memberID: String) -> Bool {
        switch state {
        case .empty, .dead:
            return true
        case .preparingRebalance:
            if let member = members[memberID], member.awaitingJoin != nil { return true }
            return members.values.count(where: { $0.awaitingJoin != nil }) < configuration.maxSize
        case .completingRebalance, .stable:
            return members[memberID] != nil || members.count < configuration.maxSize
        }
    }

    private mutating func joinNewMember(_ request: GroupJoinRequest, token: GroupRequestToken, now: Int64) {
        if state == .dead {
            respondJoin(token, .failure(.coordinatorNotAvailable, memberID: ""))
            return
        }
        guard supportsProtocols(request) else {
            respondJoin(token, .failure(.inconsistentGroupProtocol, memberID: ""))
            return
        }
        let newMemberID = memberIDs.next(prefix: request.groupInstanceID ?? request.clientID)
        if let instanceID = request.groupInstanceID {
            if let oldMemberID = staticMembers[instanceID] {
                replaceStaticMember(
                    instanceID: instanceID,
                    oldMemberID: oldMemberID,
                    newMemberID: newMemberID,
                    request: request,
                    token: token,
                    now: now
                )
            } else {
                addMemberAndRebalance(newMemberID, request: request, token: token, now: now)
            }
        } else if request.requiresKnownMemberID {
            pendingMembers[newMemberID] = now + Int64(request.sessionTimeoutMs)
            respondJoin(token, .failure(.memberIDRequired, memberID: newMemberID))
        } else {
            addMemberAndRebalance(newMemberID, request: request, token: token, now: now)
        }
    }

    private mutating func joinCurrentMember(_ request: GroupJoinRequest, token: GroupRequestToken, now: Int64) {
        let memberID = request.memberID
        if state == .dead {
            respondJoin(token, .failure(.coordinatorNotAvailable, memberID: memberID))
            return
        }
        guard supportsProtocols(request) else {
            respondJoin(token, .failure(.inconsistentGroupProtocol, memberID: memberID))
            return
        }
        if pendingMembers[memberID] != nil {
            // A pending member is always dynamic; a static id here is a confused client.
            guard request.groupInstanceID == nil else {
                respondJoin(token, .failure(.unknownMemberID, memberID: memberID))
                return
            }
            addMemberAndRebalance(memberID, request: request, token: token, now: now)
            return
        }
        if let error = validateCurrentMember(memberID, request.groupInstanceID) {
            respondJoin(token, .failure(error, memberID: memberID))
            return
        }
        guard let member = members[memberID] else { return }
        switch state {
        case .preparingRebalance:
            updateMemberAndRebalance(memberID, request: request, token: token, now: now)
        case .completingRebalance:
            if member.protocols == request.protocols {
                // It probably missed the JoinGroup response: send the current generation again.
                respondJoin(token, currentGenerationResult(for: memberID, includeMembers: memberID == leaderID))
            } else {
                updateMemberAndRebalance(memberID, request: request, token: token, now: now)
            }
        case .stable:
            if memberID == leaderID || member.protocols != request.protocols {
                // The leader rejoins to make the group reassign (e.g. topic metadata changed).
                updateMemberAndRebalance(memberID, request: request, token: token, now: now)
            } else {
                respondJoin(token, currentGenerationResult(for: memberID, includeMembers: false))
            }
        case .empty, .dead:
            respondJoin(token, .failure(.unknownMemberID, memberID: memberID))
        }
    }

    private mutating func addMemberAndRebalance(
        _ memberID: String,
        request: GroupJoinRequest,
        token: GroupRequestToken,
        now: Int64
    ) {
        let member = Member(
            memberID: memberID,
            groupInstanceID: request.groupInstanceID,
            clientID: request.clientID,
            clientHost: request.clientHost,
            sessionTimeoutMs: request.sessionTimeoutMs,
            rebalanceTimeoutMs: Self.rebalanceTimeout(of: request),
            protocolType: request.protocolType,
            protocols: request.protocols,
            awaitingJoin: token,
            isNew: true,
            // A new member cannot heartbeat before it has a generation; drop it if the join takes too long.
            expiresAt: now + configuration.newMemberJoinTimeoutMs
        )
        if state == .preparingRebalance && generationID == 0 { newMemberAdded = true }
        if let instanceID = member.groupInstanceID { staticMembers[instanceID] = memberID }
        if members.isEmpty { protocolType = member.protocolType }
        if leaderID == nil { leaderID = memberID }
        members[memberID] = member
        memberOrder.append(memberID)
        pendingMembers[memberID] = nil
        maybePrepareRebalance(now)
    }

    private mutating func updateMemberAndRebalance(
        _ memberID: String,
        request: GroupJoinRequest,
        token: GroupRequestToken,
        now: Int64
    ) {
        updateMember(memberID, request: request, token: token)
        maybePrepareRebalance(now)
    }

    private mutating func updateMember(_ memberID: String, request: GroupJoinRequest, token: GroupRequestToken) {
        guard var member = members[memberID] else { return }
        if let superseded = member.awaitingJoin {
            // A retried JoinGroup replaces the one still waiting; answer the old one so it does not hang.
            respondJoin(superseded, .failure(.rebalanceInProgress, memberID: memberID))
        }
        member.protocols = request.protocols
        member.rebalanceTimeoutMs = Self.rebalanceTimeout(of: request)
        member.sessionTimeoutMs = request.sessionTimeoutMs
        member.awaitingJoin = token
        members[memberID] = member
    }

    /// A static member rejoined without its member id: the new id takes over the old member.
    private mutating func replaceStaticMember(
        instanceID: String,
        oldMemberID: String,
        newMemberID: String,
        request: GroupJoinRequest,
        token: GroupRequestToken,
        now: Int64
    ) {
        guard var member = members.removeValue(forKey: oldMemberID) else { return }
        let currentLeader = leaderID
        let metadataUnchanged = member.protocols == request.protocols
        if let waiting = member.awaitingJoin {
            respondJoin(waiting, .failure(.fencedInstanceID, memberID: oldMemberID))
        }
        if let waiting = member.awaitingSync {
            respondSync(waiting, .failure(.fencedInstanceID))
        }
        member.awaitingJoin = nil
        member.awaitingSync = nil
        member.memberID = newMemberID
        member.clientID = request.clientID
        member.clientHost = request.clientHost
        members[newMemberID] = member
        if let index = memberOrder.firstIndex(of: oldMemberID) { memberOrder[index] = newMemberID }
        if leaderID == oldMemberID { leaderID = newMemberID }
        staticMembers[instanceID] = newMemberID
        if pendingSyncMembers.remove(oldMemberID) != nil { pendingSyncMembers.insert(newMemberID) }
        updateMember(newMemberID, request: request, token: token)
        scheduleSessionExpiry(newMemberID, now: now)

        switch state {
        case .stable:
            if metadataUnchanged && selectProtocol() == protocolName {
                // No rebalance. Return the old leader id so that a rejoining static leader does not run a
                // trivial assignment that a Stable group would ignore (Kafka does the same before v9).
                members[newMemberID]?.awaitingJoin = nil
                var result = currentGenerationResult(for: newMemberID, includeMembers: false)
                result.leaderID = currentLeader ?? ""
                respondJoin(token, result)
            } else {
                maybePrepareRebalance(now)
            }
        case .completingRebalance:
            // The leader may already have assigned to the old id; rebalance so the new id gets its share.
            prepareRebalance(now)
        case .preparingRebalance, .empty, .dead:
            break
        }
    }

    private func currentGenerationResult(for memberID: String, includeMembers: Bool) -> GroupJoinResult {
        GroupJoinResult(
            error: nil,
            generationID: generationID,
            protocolType: protocolType,
            protocolName: protocolName,
            leaderID: leaderID ?? "",
            memberID: memberID,
            members: includeMembers ? currentMemberMetadata() : []
        )
    }

    private func currentMemberMetadata() -> [GroupJoinMember] {
        memberOrder.compactMap { id in
            guard let member = members[id] else { return nil }
            return GroupJoinMember(
                memberID: id,
                groupInstanceID: member.groupInstanceID,
                metadata: member.metadata(for: protocolName)
            )
        }
    }

    // MARK: Rebalance

    private var rebalanceTimeoutMs: Int64 {
        Int64(members.values.map(\.rebalanceTimeoutMs).max() ?? 0)
    }

    private static func rebalanceTimeout(of request: GroupJoinRequest) -> Int32 {
        request.rebalanceTimeoutMs < 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs
    }

    private mutating func maybePrepareRebalance(_ now: Int64) {
        switch state {
        case .empty, .completingRebalance, .stable: prepareRebalance(now)
        case .preparingRebalance, .dead: break
        }
    }

    private mutating func prepareRebalance(_ now: Int64) {
        if state == .completingRebalance {
            for id in memberOrder { members[id]?.assignment = ByteBuffer() }
            propagateAssignment(error: .rebalanceInProgress, now: now)
        }
        pendingSyncMembers = []
        syncTimer = nil
        let timeout = rebalanceTimeoutMs
        if state == .empty {
            let delay = max(configuration.initialRebalanceDelayMs, 0)
            joinTimer = JoinTimer(deadline: now + delay, initialRemainingMs: max(timeout - delay, 0))
        } else {
            joinTimer = JoinTimer(deadline: now + timeout, initialRemainingMs: nil)
        }
        state = .preparingRebalance
    }

    private var hasAllMembersJoined: Bool {
        pendingMembers.isEmpty && members.values.allSatisfy { $0.awaitingJoin != nil }
    }

    /// Completes the join phase early once everyone rejoined (never during the initial delay).
    private mutating func tryCompleteJoin(_ now: Int64) {
        guard state == .preparingRebalance, let timer = joinTimer, timer.initialRemainingMs == nil,
            hasAllMembersJoined
        else { return }
        completeJoin(now)
    }

    /// Kafka's `onCompleteJoin`: drop dynamic members that did not rejoin, form the next generation and
    /// answer every waiting JoinGroup.
    private mutating func completeJoin(_ now: Int64) {
        joinTimer = nil
        for id in memberOrder {
            if let member = members[id], member.awaitingJoin == nil, member.groupInstanceID == nil {
                removeMember(id)
            }
        }
        guard state != .dead else { return }
        if !electJoinedLeader() && !members.isEmpty {
            // Only static members that have not rejoined are left: wait another rebalance timeout.
            joinTimer = JoinTimer(deadline: now + max(rebalanceTimeoutMs, 1), initialRemainingMs: nil)
            return
        }
        generationID &+= 1
        pendingSyncMembers = []
        syncTimer = nil
        newMemberAdded = false
        guard !members.isEmpty else {
            protocolName = nil
            state = .empty
            output.becameEmpty = true
            return
        }
        protocolName = selectProtocol()
        state = .completingRebalance
        for id in memberOrder {
            guard var member = members[id] else { continue }
            if let waiting = member.awaitingJoin {
                respondJoin(waiting, currentGenerationResult(for: id, includeMembers: id == leaderID))
                member.awaitingJoin = nil
            }
            member.isNew = false
            member.expiresAt = now + Int64(member.sessionTimeoutMs)
            members[id] = member
            pendingSyncMembers.insert(id)
        }
        syncTimer = SyncTimer(deadline: now + rebalanceTimeoutMs, generationID: generationID)
    }

    /// Keeps the leader if it rejoined, else promotes the first member that did.
    private mutating func electJoinedLeader() -> Bool {
        guard let leader = leaderID, let current = members[leader] else { return false }
        if current.awaitingJoin != nil { return true }
        guard let joined = memberOrder.first(where: { members[$0]?.awaitingJoin != nil }) else { return false }
        leaderID = joined
        return true
    }

    /// The protocol every member supports that most members list first; ties go to the leader's order.
    private func selectProtocol() -> String? {
        guard let reference = members[leaderID ?? ""] ?? memberOrder.first.flatMap({ members[$0] }) else {
            return nil
        }
        let candidates = reference.protocols.map(\.name).filter { name in
            members.values.allSatisfy { $0.supports(name) }
        }
        var votes: [String: Int] = [:]
        for member in members.values {
            if let vote = member.protocols.first(where: { candidates.contains($0.name) }) {
                votes[vote.name, default: 0] += 1
            }
        }
        var best: (name: String, votes: Int)?
        for name in candidates {
            let count = votes[name, default: 0]
            if count > (best?.votes ?? -1) { best = (name, count) }
        }
        return best?.name
    }

    private func supportsProtocols(_ request: GroupJoinRequest) -> Bool {
        if state == .empty { return !request.protocolType.isEmpty && !request.protocols.isEmpty }
        guard protocolType == request.protocolType else { return false }
        return request.protocols.contains { proposed in members.values.allSatisfy { $0.supports(proposed.name) } }
    }

    // MARK: Sync

    private func syncValidationError(_ request: GroupSyncRequest) -> PlexusError.Code? {
        if state == .dead { return .coordinatorNotAvailable }
        if let error = validateCurrentMember(request.memberID, request.groupInstanceID) { return error }
        if request.generationID != generationID { return .illegalGeneration }
        if let expected = request.protocolType, expected != protocolType { return .inconsistentGroupProtocol }
        if let expected = request.protocolName, expected != protocolName { return .inconsistentGroupProtocol }
        return nil
    }

    /// Answers every waiting SyncGroup with its assignment (or `error`) and restarts their sessions.
    private mutating func propagateAssignment(error: PlexusError.Code?, now: Int64) {
        for id in memberOrder {
            guard let member = members[id], let waiting = member.awaitingSync else { continue }
            if let error {
                respondSync(waiting, .failure(error))
            } else {
                respondSync(
                    waiting,
                    GroupSyncResult(
                        error: nil,
                        protocolType: protocolType,
                        protocolName: protocolName,
                        assignment: member.assignment
                    )
                )
            }
            members[id]?.awaitingSync = nil
            scheduleSessionExpiry(id, now: now)
        }
    }

    private mutating func removePendingSyncMember(_ memberID: String) {
        pendingSyncMembers.remove(memberID)
        if pendingSyncMembers.isEmpty { syncTimer = nil }
    }

    // MARK: Members

    /// Kafka's `validateCurrentMember`: a static id must map to this member id (else FENCED_INSTANCE_ID);
    /// the member must exist (else UNKNOWN_MEMBER_ID).
    private func validateCurrentMember(_ memberID: String, _ groupInstanceID: String?) -> PlexusError.Code? {
        if let groupInstanceID {
            guard let current = staticMembers[groupInstanceID] else { return .unknownMemberID }
            if current != memberID { return .fencedInstanceID }
        }
        return members[memberID] == nil ? .unknownMemberID : nil
    }

    private mutating func scheduleSessionExpiry(_ memberID: String, now: Int64) {
        guard let member = members[memberID] else { return }
        members[memberID]?.expiresAt = now + Int64(member.sessionTimeoutMs)
    }

    /// Removes a member (no rebalance), moving the leadership to the next member if it led.
    private mutating func removeMember(_ memberID: String) {
        if let member = members.removeValue(forKey: memberID) {
            memberOrder.removeAll { $0 == memberID }
            if let instanceID = member.groupInstanceID, staticMembers[instanceID] == memberID {
                staticMembers[instanceID] = nil
            }
            if leaderID == memberID { leaderID = memberOrder.first }
        }
        pendingMembers[memberID] = nil
        removePendingSyncMember(memberID)
    }

    /// Removes a member, answering any request of it still waiting, without a rebalance.
    private mutating func removeMemberAnsweringItsRequests(_ memberID: String, error: PlexusError.Code) {
        if let member = members[memberID] {
            if let waiting = member.awaitingJoin { respondJoin(waiting, .failure(error, memberID: "")) }
            if let waiting = member.awaitingSync { respondSync(waiting, .failure(error)) }
        }
        removeMember(memberID)
    }

    /// Kafka's `removeMemberAndUpdateGroup`: a member left or expired; rebalance (or finish the join
    /// phase if it was the last one missing).
    private mutating func removeMemberAndUpdateGroup(_ memberID: String, now: Int64) {
        removeMemberAnsweringItsRequests(memberID, error: .unknownMemberID)
        switch state {
        case .stable, .completingRebalance: maybePrepareRebalance(now)
        case .preparingRebalance: tryCompleteJoin(now)
        case .empty, .dead: break
        }
    }

    // MARK: Timeouts

    private mutating func begin(_ now: Int64) {
        output = GroupActions()
        expire(now)
    }

    private mutating func finish(_ now: Int64) -> GroupActions {
        expire(now)  // zero-length timers armed by this event (e.g. no initial rebalance delay)
        var actions = output
        actions.nextDeadline = nextDeadline
        output = GroupActions()
        return actions
    }

    private func earliestDue(_ now: Int64) -> Due? {
        var best: (time: Int64, due: Due)?
        func consider(_ time: Int64?, _ due: @autoclosure () -> Due) {
            guard let time, time <= now else { return }
            if best.map({ time < $0.time }) ?? true { best = (time, due()) }
        }
        consider(joinTimer?.deadline, .join)
        consider(syncTimer?.deadline, .sync)
        for id in memberOrder { consider(members[id]?.expiresAt, .member(id)) }
        for (id, expiry) in pendingMembers { consider(expiry, .pending(id)) }
        return best?.due
    }

    /// Applies, in deadline order, every timeout due at `now`.
    private mutating func expire(_ now: Int64) {
        while let due = earliestDue(now) {
            switch due {
            case .join:
                expireJoin(now)
            case .sync:
                expireSync(now)
            case .member(let id):
                guard let member = members[id] else { continue }
                if !member.isNew && (member.awaitingJoin != nil || member.awaitingSync != nil) {
                    // Waiting in a rebalance counts as alive; its session restarts when the rebalance ends.
                    members[id]?.expiresAt = nil
                } else {
                    removeMemberAndUpdateGroup(id, now: now)
                }
            case .pending(let id):
                pendingMembers[id] = nil
                if state == .preparingRebalance { tryCompleteJoin(now) }
            }
        }
    }

    private mutating func expireJoin(_ now: Int64) {
        guard let timer = joinTimer else { return }
        if let remaining = timer.initialRemainingMs, newMemberAdded, remaining > 0 {
            // New members keep arriving in the first rebalance: wait a little longer.
            newMemberAdded = false
            let delay = min(max(configuration.initialRebalanceDelayMs, 0), remaining)
            joinTimer = JoinTimer(
                deadline: timer.deadline + delay,
                initialRemainingMs: max(remaining - configuration.initialRebalanceDelayMs, 0)
            )
        } else {
            completeJoin(now)
        }
    }

    private mutating func expireSync(_ now: Int64) {
        guard let timer = syncTimer else { return }
        syncTimer = nil
        guard timer.generationID == generationID, state == .completingRebalance || state == .stable,
            !pendingSyncMembers.isEmpty
        else { return }
        for id in memberOrder where pendingSyncMembers.contains(id) {
            removeMemberAnsweringItsRequests(id, error: .unknownMemberID)
        }
        prepareRebalance(now)
    }

    // MARK: Output

    private mutating func respondJoin(_ token: GroupRequestToken, _ result: GroupJoinResult) {
        output.responses.append(.join(token, result))
    }

    private mutating func respondSync(_ token: GroupRequestToken, _ result: GroupSyncResult) {
        output.responses.append(.sync(token, result))
    }
}
