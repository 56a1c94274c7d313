import NIOConcurrencyHelpers
public import PlexusModel

/// Something the offset store (or another observer) may want to act on.
public enum GroupCoordinatorEvent: Sendable, Hashable {
    /// The group lost its last member (leave, session expiry or rebalance timeout) and is now Empty;
    /// its committed offsets start to age (Kafka's `offsets.retention.minutes` counts from here).
    case becameEmpty(groupID: String)
    /// The group was deleted (DeleteGroups); its committed offsets should go too.
    case deleted(groupID: String)
}

/// All consumer groups of this broker, thread-safe, with async JoinGroup/SyncGroup that suspend until
/// their response is ready.
///
/// Each group is a ``ClassicGroup`` value behind one lock; every call computes the group's actions
/// under the lock, then resumes the waiting requests and reports ``GroupCoordinatorEvent``s outside it.
/// Timeouts (sessions, rebalances, the initial rebalance delay) fire from ``run()``, which sleeps on the
/// injected ``GroupClock`` until the earliest deadline of any group; ``tick()`` does one round of that by
/// hand. Protocol-neutral: the Kafka front end maps its requests to these calls.
///
/// A request whose task is cancelled (its connection closed) is answered COORDINATOR_NOT_AVAILABLE and
/// forgotten; the group still counts the member until it times out, as in Kafka.
public final class GroupCoordinator: Sendable {
    private enum Waiter: Sendable {
        /// A suspended request, and what to answer if it is cancelled or the coordinator shuts down.
        case waiting(CheckedContinuation<GroupResponse, Never>, fallback: GroupResponse)
        /// Cancelled before the request reached its group.
        case cancelled
    }

    private struct State: Sendable {
        var groups: [String: ClassicGroup] = [:]
        var waiters: [GroupRequestToken: Waiter] = [:]
        var nextToken: UInt64 = 1
        /// The deadline the timer loop sleeps until, nil when it has none.
        var timerDeadline: Int64?
        var lastNow: Int64 = .min
        var isShutDown = false
    }

    /// What to do once the lock is released.
    private struct Effects {
        var resumptions: [(CheckedContinuation<GroupResponse, Never>, GroupResponse)] = []
        var events: [GroupCoordinatorEvent] = []
        var wakeTimer = false
    }

    /// The limits every group enforces.
    public let configuration: GroupConfiguration
    private let clock: any GroupClock
    private let memberIDs: MemberIDGenerator
    private let onEvent: @Sendable (GroupCoordinatorEvent) -> Void
    private let state = NIOLockedValueBox(State())
    private let wake = WakeSignal()

    /// A coordinator with no groups.
    /// - Parameters:
    ///   - configuration: session-timeout bounds, max group size, initial rebalance delay.
    ///   - clock: the time source; ``SystemGroupClock`` unless testing.
    ///   - memberIDs: how new member ids are made (``MemberIDGenerator/random`` as in Kafka).
    ///   - onEvent: called (outside the lock, on the calling thread) when a group becomes empty or is deleted.
    public init(
        configuration: GroupConfiguration = .init(),
        clock: any GroupClock = SystemGroupClock(),
        memberIDs: MemberIDGenerator = .random,
        onEvent: @escaping @Sendable (GroupCoordinatorEvent) -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.clock = clock
        self.memberIDs = memberIDs
        self.onEvent = onEvent
    }

    // MARK: Membership

    /// JoinGroup: returns when the response is ready, which for a (re)joining member is when the rebalance
    /// completes. An empty `groupID` gets INVALID_GROUP_ID; a group that does not exist is created only
    /// for a member without member id (else UNKNOWN_MEMBER_ID).
    public func join(groupID: String, _ request: GroupJoinRequest) async -> GroupJoinResult {
        guard !groupID.isEmpty else { return .failure(.invalidGroupID, memberID: request.memberID) }
        let token = allocateToken()
        let fallback = GroupResponse.join(token, .failure(.coordinatorNotAvailable, memberID: request.memberID))
        let configuration = self.configuration
        let memberIDs = self.memberIDs
        let response = await suspend(token: token, groupID: groupID, fallback: fallback) { groups, now in
            if let error = ClassicGroup.sessionTimeoutError(request.sessionTimeoutMs, configuration: configuration) {
                return GroupActions(responses: [.join(token, .failure(error, memberID: request.memberID))])
            }
            if groups[groupID] == nil {
                guard request.memberID.isEmpty else {
                    return GroupActions(responses: [
                        .join(token, .failure(.unknownMemberID, memberID: request.memberID))
                    ])
                }
                groups[groupID] = ClassicGroup(groupID: groupID, configuration: configuration, memberIDs: memberIDs)
            }
            return groups[groupID]!.join(request, token: token, now: now)
        }
        guard case .join(_, let result) = response else { preconditionFailure("JoinGroup answered with \(response)") }
        return result
    }

    /// SyncGroup: returns when the member's assignment is known (followers wait for the leader's SyncGroup).
    public func sync(groupID: String, _ request: GroupSyncRequest) async -> GroupSyncResult {
        guard !groupID.isEmpty else { return .failure(.invalidGroupID) }
        let token = allocateToken()
        let fallback = GroupResponse.sync(token, .failure(.coordinatorNotAvailable))
        let response = await suspend(token: token, groupID: groupID, fallback: fallback) { groups, now in
            guard groups[groupID] != nil else {
                return GroupActions(responses: [.sync(token, .failure(.unknownMemberID))])
            }
            return groups[groupID]!.sync(request, token: token, now: now)
        }
        guard case .sync(_, let result) = response else { preconditionFailure("SyncGroup answered with \(response)") }
        return result
    }

    /// Heartbeat: nil (NONE), REBALANCE_IN_PROGRESS (rejoin), ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID,
    /// FENCED_INSTANCE_ID, INVALID_GROUP_ID or COORDINATOR_NOT_AVAILABLE.
    public func heartbeat(groupID: String, _ request: GroupHeartbeatRequest) -> PlexusError.Code? {
        guard !groupID.isEmpty else { return .invalidGroupID }
        return withGroup(groupID, missing: .unknownMemberID, shutDown: .coordinatorNotAvailable) { group, now in
            group.heartbeat(request, now: now)
        }
    }

    /// LeaveGroup for one member (v0–2) or a batch (v3+); see ``ClassicGroup/leave(_:now:)``.
    public func leave(groupID: String, members leaving: [GroupMemberIdentity]) -> GroupLeaveResult {
        guard !groupID.isEmpty else { return GroupLeaveResult(error: .invalidGroupID, members: []) }
        let missing = GroupLeaveResult(
            error: nil,
            members: leaving.map {
                GroupLeaveMemberResult(
                    memberID: $0.memberID,
                    groupInstanceID: $0.groupInstanceID,
                    error: .unknownMemberID
                )
            }
        )
        let shutDown = GroupLeaveResult(error: .coordinatorNotAvailable, members: [])
        return withGroup(groupID, missing: missing, shutDown: shutDown) { group, now in group.leave(leaving, now: now) }
    }

    /// Whether an OffsetCommit may be stored; nil means yes. A commit with generation -1 to a group that
    /// does not exist creates it (Empty), as Kafka does for `assign()`-style and admin commits; a commit
    /// with a generation to an unknown group gets ILLEGAL_GENERATION.
    public func validateOffsetCommit(
        groupID: String,
        memberID: String,
        groupInstanceID: String?,
        generationID: Int32
    ) -> PlexusError.Code? {
        var effects = Effects()
        let error = state.withLockedValue { state -> PlexusError.Code? in
            if state.isShutDown { return .coordinatorNotAvailable }
            let now = Self.now(&state, clock)
            if state.groups[groupID] == nil {
                guard generationID < 0 else { return .illegalGeneration }
                state.groups[groupID] = ClassicGroup(
                    groupID: groupID,
                    configuration: configuration,
                    memberIDs: memberIDs
                )
            }
            let (error, actions) = state.groups[groupID]!.validateOffsetCommit(
                memberID: memberID,
                groupInstanceID: groupInstanceID,
                generationID: generationID,
                now: now
            )
            Self.apply(actions, groupID: groupID, to: &state, effects: &effects)
            return error
        }
        perform(effects)
        return error
    }

    // MARK: Admin

    /// Every group (ListGroups), by group id.
    public func listGroups() -> [GroupListing] {
        state.withLockedValue { state in state.groups.values.map(\.listing) }.sorted { $0.groupID < $1.groupID }
    }

    /// One group (DescribeGroups), or nil when it does not exist (Kafka answers state "Dead", and
    /// GROUP_ID_NOT_FOUND from DescribeGroups v6).
    public func describeGroup(_ groupID: String) -> GroupDescription? {
        state.withLockedValue { state in state.groups[groupID]?.describe() }
    }

    /// DeleteGroups: deletes each Empty group (reporting ``GroupCoordinatorEvent/deleted(groupID:)``);
    /// NON_EMPTY_GROUP for groups with members, GROUP_ID_NOT_FOUND for unknown ones.
    public func deleteGroups(_ groupIDs: [String]) -> [GroupDeletionResult] {
        var effects = Effects()
        let results = state.withLockedValue { state -> [GroupDeletionResult] in
            let now = Self.now(&state, clock)
            return groupIDs.map { groupID in
                if state.isShutDown { return GroupDeletionResult(groupID: groupID, error: .coordinatorNotAvailable) }
                guard state.groups[groupID] != nil else {
                    return GroupDeletionResult(groupID: groupID, error: .groupIDNotFound)
                }
                let (error, actions) = state.groups[groupID]!.delete(now: now)
                Self.apply(actions, groupID: groupID, to: &state, effects: &effects)
                if error == nil {
                    state.groups[groupID] = nil
                    effects.events.append(.deleted(groupID: groupID))
                }
                return GroupDeletionResult(groupID: groupID, error: error)
            }
        }
        perform(effects)
        return results
    }

    // MARK: Timers and lifecycle

    /// Applies every timeout that is due now, in every group.
    /// - Returns: the earliest deadline still pending, or nil when there is none.
    @discardableResult
    public func tick() -> Int64? {
        var effects = Effects()
        let next = state.withLockedValue { state -> Int64? in
            let now = Self.now(&state, clock)
            var earliest: Int64?
            for groupID in Array(state.groups.keys) {
                if let deadline = state.groups[groupID]?.nextDeadline, deadline <= now {
                    let actions = state.groups[groupID]!.tick(now: now)
                    Self.apply(actions, groupID: groupID, to: &state, effects: &effects)
                }
                if let deadline = state.groups[groupID]?.nextDeadline, earliest.map({ deadline < $0 }) ?? true {
                    earliest = deadline
                }
            }
            state.timerDeadline = earliest
            return earliest
        }
        effects.wakeTimer = false
        perform(effects)
        return next
    }

    /// The timer loop: ticks whenever the earliest deadline of any group is reached, until the task is
    /// cancelled. Run exactly one of these per coordinator (e.g. as a service of the server).
    public func run() async {
        while !Task.isCancelled {
            let next = tick()
            await withTaskGroup(of: Void.self) { group in
                if let next {
                    group.addTask { try? await self.clock.sleep(untilMilliseconds: next) }
                }
                group.addTask { await self.wake.wait() }
                _ = await group.next()
                group.cancelAll()
            }
        }
        state.withLockedValue { $0.timerDeadline = nil }
    }

    /// Answers every waiting request COORDINATOR_NOT_AVAILABLE and refuses new ones the same way.
    public func shutdown() {
        let waiters = state.withLockedValue { state -> [Waiter] in
            state.isShutDown = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for case .waiting(let continuation, let fallback) in waiters { continuation.resume(returning: fallback) }
    }

    // MARK: Plumbing

    private func allocateToken() -> GroupRequestToken {
        state.withLockedValue { state in
            defer { state.nextToken &+= 1 }
            return GroupRequestToken(state.nextToken)
        }
    }

    private static func now(_ state: inout State, _ clock: any GroupClock) -> Int64 {
        state.lastNow = max(state.lastNow, clock.nowMilliseconds)
        return state.lastNow
    }

    /// Runs a request that may have to wait: registers its continuation under `token`, runs `operation`
    /// on the groups, and resumes whoever the resulting actions answer (this request included).
    private func suspend(
        token: GroupRequestToken,
        groupID: String,
        fallback: GroupResponse,
        _ operation: (inout [String: ClassicGroup], Int64) -> GroupActions
    ) async -> GroupResponse {
        let response = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<GroupResponse, Never>) in
                var effects = Effects()
                state.withLockedValue { state in
                    if case .cancelled = state.waiters[token] {
                        state.waiters[token] = nil
                        effects.resumptions.append((continuation, fallback))
                        return
                    }
                    if state.isShutDown {
                        effects.resumptions.append((continuation, fallback))
                        return
                    }
                    state.waiters[token] = .waiting(continuation, fallback: fallback)
                    let now = Self.now(&state, clock)
                    let actions = operation(&state.groups, now)
                    Self.apply(actions, groupID: groupID, to: &state, effects: &effects)
                }
                perform(effects)
            }
        } onCancel: {
            let waiter = state.withLockedValue { state -> Waiter? in
                let waiter = state.waiters[token]
                state.waiters[token] = waiter == nil ? .cancelled : nil
                return waiter
            }
            if case .waiting(let continuation, let fallback) = waiter { continuation.resume(returning: fallback) }
        }
        // A cancellation that raced with the answer leaves a marker behind; drop it.
        state.withLockedValue { state in
            if case .cancelled = state.waiters[token] { state.waiters[token] = nil }
        }
        return response
    }

    /// Runs an immediate request (heartbeat, leave) on one group; answers `missing` when there is no such
    /// group and `shutDown` after ``shutdown()``.
    private func withGroup<Result>(
        _ groupID: String,
        missing: Result,
        shutDown: Result,
        _ operation: (inout ClassicGroup, Int64) -> (Result, GroupActions)
    ) -> Result {
        var effects = Effects()
        let result = state.withLockedValue { state -> Result in
            if state.isShutDown { return shutDown }
            guard state.groups[groupID] != nil else { return missing }
            let now = Self.now(&state, clock)
            let (result, actions) = operation(&state.groups[groupID]!, now)
            Self.apply(actions, groupID: groupID, to: &state, effects: &effects)
            return result
        }
        perform(effects)
        return result
    }

    private static func apply(
        _ actions: GroupActions,
        groupID: String,
        to state: inout State,
        effects: inout Effects
    ) {
        for response in actions.responses {
            if case .waiting(let continuation, _) = state.waiters.removeValue(forKey: response.token) {
                effects.resumptions.append((continuation, response))
            }
        }
        if actions.becameEmpty { effects.events.append(.becameEmpty(groupID: groupID)) }
        if let deadline = actions.nextDeadline, state.timerDeadline.map({ deadline < $0 }) ?? true {
            effects.wakeTimer = true
        }
    }

    private func perform(_ effects: Effects) {
        for (continuation, response) in effects.resumptions { continuation.resume(returning: response) }
        for event in effects.events { onEvent(event) }
        if effects.wakeTimer { wake.signal() }
    }
}

/// Wakes the timer loop when a deadline earlier than the one it sleeps until appears.
private final class WakeSignal: Sendable {
    private struct State: Sendable {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = NIOLockedValueBox(State())

    func signal() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns at the next signal (or at once if one came since the last wait), or when cancelled.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
