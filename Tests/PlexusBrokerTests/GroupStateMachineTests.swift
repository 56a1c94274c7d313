import NIOCore
import PlexusBroker
import PlexusModel
import Testing

/// Drives one ``ClassicGroup`` with a hand-moved clock and records every response by its token.
struct GroupDriver {
    var group: ClassicGroup
    var now: Int64 = 0
    var answers: [GroupRequestToken: GroupResponse] = [:]
    var last = GroupActions()
    var becameEmptyCount = 0
    private var nextToken: UInt64 = 1

    static let session: Int32 = 10_000
    static let rebalance: Int32 = 30_000

    init(
        initialDelay: Int64 = 0,
        maxSize: Int = 10,
        minSession: Int32 = 1_000
    ) {
        let configuration = GroupConfiguration(
            minSessionTimeoutMs: minSession,
            maxSessionTimeoutMs: 60_000,
            maxSize: maxSize,
            initialRebalanceDelayMs: initialDelay
        )
        group = ClassicGroup(groupID: "g", configuration: configuration, memberIDs: .sequential())
    }

    static func protocols(_ names: String..., metadata: String = "sub") -> [GroupProtocol] {
        names.map { GroupProtocol(name: $0, metadata: ByteBuffer(string: "\(metadata):\($0)")) }
    }

    static func request(
        memberID: String = "",
        instance: String? = nil,
        client: String = "c",
        protocols: [GroupProtocol] = protocols("range"),
        protocolType: String = "consumer",
        session: Int32 = session,
        rebalance: Int32 = rebalance,
        requiresKnownMemberID: Bool = true
    ) -> GroupJoinRequest {
        GroupJoinRequest(
            memberID: memberID,
            groupInstanceID: instance,
            clientID: client,
            clientHost: "/10.0.0.1",
            sessionTimeoutMs: session,
            rebalanceTimeoutMs: rebalance,
            protocolType: protocolType,
            protocols: protocols,
            requiresKnownMemberID: instance == nil && requiresKnownMemberID
        )
    }

    private mutating func token() -> GroupRequestToken {
        defer { nextToken += 1 }
        return GroupRequestToken(nextToken)
    }

    private mutating func record(_ actions: GroupActions) {
        last = actions
        if actions.becameEmpty { becameEmptyCount += 1 }
        for response in actions.responses {
            #expect(answers[response.token] == nil, "\(response.token) answered twice")
            answers[response.token] = response
        }
        if let deadline = actions.nextDeadline { #expect(deadline > now, "a due deadline was left unprocessed") }
    }

    mutating func join(_ request: GroupJoinRequest) -> GroupRequestToken {
        let token = token()
        record(group.join(request, token: token, now: now))
        return token
    }

    mutating func sync(
        _ memberID: String,
        generation: Int32,
        instance: String? = nil,
        assignments: [String: String] = [:]
    ) -> GroupRequestToken {
        let token = token()
        let request = GroupSyncRequest(
            memberID: memberID,
            groupInstanceID: instance,
            generationID: generation,
            assignments: assignments.mapValues { ByteBuffer(string: $0) }
        )
        record(group.sync(request, token: token, now: now))
        return token
    }

    mutating func heartbeat(_ memberID: String, generation: Int32, instance: String? = nil) -> PlexusError.Code? {
        let (error, actions) = group.heartbeat(
            GroupHeartbeatRequest(memberID: memberID, groupInstanceID: instance, generationID: generation),
            now: now
        )
        record(actions)
        return error
    }

    mutating func leave(_ members: GroupMemberIdentity...) -> GroupLeaveResult {
        let (result, actions) = group.leave(members, now: now)
        record(actions)
        return result
    }

    mutating func advance(by milliseconds: Int64) {
        now += milliseconds
        record(group.tick(now: now))
    }

    func joinResult(_ token: GroupRequestToken) -> GroupJoinResult? {
        if case .join(_, let result)? = answers[token] { return result }
        return nil
    }

    func syncResult(_ token: GroupRequestToken) -> GroupSyncResult? {
        if case .sync(_, let result)? = answers[token] { return result }
        return nil
    }

    /// A new dynamic member: the MEMBER_ID_REQUIRED round trip, then the real join (token returned).
    mutating func joinNew(
        client: String,
        protocols: [GroupProtocol] = protocols("range")
    ) -> (memberID: String, token: GroupRequestToken) {
        let first = join(Self.request(client: client, protocols: protocols))
        let memberID = joinResult(first)?.memberID ?? ""
        #expect(joinResult(first)?.error == .memberIDRequired)
        let second = join(Self.request(memberID: memberID, client: client, protocols: protocols))
        return (memberID, second)
    }

    /// Advances in initial-delay steps until every token is answered (bounded).
    mutating func advanceUntilAnswered(_ tokens: [GroupRequestToken], step: Int64 = 100) {
        for _ in 0..<1_000 where !tokens.allSatisfy({ answers[$0] != nil }) {
            advance(by: step)
        }
    }

    /// Forms a Stable generation of dynamic members: joins (rejoining, as clients do, members whose
    /// generation a later join made stale), the leader's sync, the followers' syncs. Assignments are
    /// "A:<memberID>".
    mutating func formStableGroup(clients: [String]) -> (members: [String], generation: Int32, leader: String) {
        var members: [String] = []
        var tokens: [GroupRequestToken] = []
        for client in clients {
            let (memberID, token) = joinNew(client: client)
            members.append(memberID)
            tokens.append(token)
        }
        for _ in 0..<1_000 where !(group.state == .completingRebalance && tokens.allSatisfy({ answers[$0] != nil })) {
            if group.state == .preparingRebalance {
                for index in tokens.indices where answers[tokens[index]] != nil {
                    tokens[index] = join(Self.request(memberID: members[index], client: clients[index]))
                }
            }
            if !tokens.allSatisfy({ answers[$0] != nil }) { advance(by: 100) }
        }
        let results = tokens.compactMap { joinResult($0) }
        #expect(results.count == clients.count)
        let generation = results.first?.generationID ?? -1
        #expect(results.allSatisfy { $0.generationID == generation && $0.error == nil })
        let leader = results.first?.leaderID ?? ""
        var assignments: [String: String] = [:]
        for member in members { assignments[member] = "A:\(member)" }
        let leaderSync = sync(leader, generation: generation, assignments: assignments)
        #expect(syncResult(leaderSync)?.assignment == ByteBuffer(string: "A:\(leader)"))
        for member in members where member != leader {
            let token = sync(member, generation: generation)
            #expect(syncResult(token)?.assignment == ByteBuffer(string: "A:\(member)"))
        }
        #expect(group.state == .stable)
        return (members, generation, leader)
    }
}

@Suite struct GroupStateMachineTests {
    @Test func oneMemberFormsAGenerationAndGetsItsAssignment() {
        var driver = GroupDriver()
        let first = driver.join(GroupDriver.request(client: "rdkafka"))
        let required = driver.joinResult(first)
        #expect(required?.error == .memberIDRequired)
        #expect(required?.memberID == "rdkafka-1")
        #expect(required?.generationID == -1)
        #expect(driver.group.state == .empty)
        #expect(driver.group.isPendingMember("rdkafka-1"))

        let second = driver.join(GroupDriver.request(memberID: "rdkafka-1", client: "rdkafka"))
        let joined = driver.joinResult(second)
        #expect(joined?.error == nil)
        #expect(joined?.generationID == 1)
        #expect(joined?.leaderID == "rdkafka-1")
        #expect(joined?.memberID == "rdkafka-1")
        #expect(joined?.protocolType == "consumer")
        #expect(joined?.protocolName == "range")
        #expect(
            joined?.members == [
                GroupJoinMember(memberID: "rdkafka-1", groupInstanceID: nil, metadata: ByteBuffer(string: "sub:range"))
            ]
        )
        #expect(driver.group.state == .completingRebalance)

        let sync = driver.sync("rdkafka-1", generation: 1, assignments: ["rdkafka-1": "p0,p1"])
        #expect(
            driver.syncResult(sync)
                == GroupSyncResult(
                    error: nil,
                    protocolType: "consumer",
                    protocolName: "range",
                    assignment: ByteBuffer(string: "p0,p1")
                )
        )
        #expect(driver.group.state == .stable)
        #expect(driver.group.describe().members.first?.assignment == ByteBuffer(string: "p0,p1"))
        #expect(driver.last.nextDeadline == Int64(GroupDriver.session))
    }

    @Test func threeMembersJoinOneGenerationAfterTheInitialDelayWhichNewMembersExtend() {
        var driver = GroupDriver(initialDelay: 3_000)
        let a = driver.joinNew(client: "a")
        let b = driver.joinNew(client: "b")
        let c = driver.joinNew(client: "c")
        #expect(driver.group.state == .preparingRebalance)
        #expect(driver.answers[a.token] == nil && driver.answers[b.token] == nil && driver.answers[c.token] == nil)

        // b and c arrived during the first delay, so Kafka waits one more delay.
        driver.advance(by: 3_000)
        #expect(driver.answers[a.token] == nil)
        driver.advance(by: 2_999)
        #expect(driver.answers[a.token] == nil)
        driver.advance(by: 1)

        let results = [a.token, b.token, c.token].compactMap { driver.joinResult($0) }
        #expect(results.count == 3)
        #expect(results.allSatisfy { $0.error == nil && $0.generationID == 1 && $0.leaderID == a.memberID })
        #expect(results.map(\.memberID) == [a.memberID, b.memberID, c.memberID])
        #expect(results.filter { !$0.members.isEmpty }.map(\.memberID) == [a.memberID])
        #expect(results[0].members.map(\.memberID) == [a.memberID, b.memberID, c.memberID])
        #expect(driver.group.state == .completingRebalance)
    }

    @Test func aJoinWithAMemberIDThatWasNeverHandedOutIsUnknown() {
        var driver = GroupDriver()
        _ = driver.formStableGroup(clients: ["a"])
        let token = driver.join(GroupDriver.request(memberID: "made-up", client: "x"))
        #expect(driver.joinResult(token)?.error == .unknownMemberID)
        #expect(driver.joinResult(token)?.memberID == "made-up")
    }

    @Test func oldJoinGroupVersionsJoinWithoutTheMemberIDRoundTrip() {
        var driver = GroupDriver()
        let token = driver.join(GroupDriver.request(client: "v3", requiresKnownMemberID: false))
        #expect(driver.joinResult(token)?.error == nil)
        #expect(driver.joinResult(token)?.memberID == "v3-1")
        #expect(driver.joinResult(token)?.generationID == 1)
    }

    @Test func aPendingMemberThatNeverRejoinsExpiresAfterItsSessionTimeout() {
        var driver = GroupDriver()
        let first = driver.join(GroupDriver.request(client: "a"))
        let memberID = driver.joinResult(first)?.memberID ?? ""
        #expect(driver.last.nextDeadline == Int64(GroupDriver.session))
        driver.advance(by: Int64(GroupDriver.session))
        #expect(!driver.group.isPendingMember(memberID))
        let late = driver.join(GroupDriver.request(memberID: memberID, client: "a"))
        #expect(driver.joinResult(late)?.error == .unknownMemberID)
    }

    @Test func followersThatSyncBeforeTheLeaderWaitForItsAssignment() {
        var driver = GroupDriver(initialDelay: 100)
        let a = driver.joinNew(client: "a")
        let b = driver.joinNew(client: "b")
        let c = driver.joinNew(client: "c")
        driver.advanceUntilAnswered([a.token, b.token, c.token])
        #expect(driver.joinResult(a.token)?.leaderID == a.memberID)

        let bSync = driver.sync(b.memberID, generation: 1)
        let cSync = driver.sync(c.memberID, generation: 1)
        #expect(driver.answers[bSync] == nil && driver.answers[cSync] == nil)
        #expect(driver.group.state == .completingRebalance)
        #expect(driver.heartbeat(b.memberID, generation: 1) == nil)

        // The leader leaves c out: it gets an empty assignment.
        let aSync = driver.sync(a.memberID, generation: 1, assignments: [a.memberID: "t-0", b.memberID: "t-1"])
        #expect(driver.syncResult(aSync)?.assignment == ByteBuffer(string: "t-0"))
        #expect(driver.syncResult(bSync)?.assignment == ByteBuffer(string: "t-1"))
        #expect(driver.syncResult(cSync)?.error == nil)
        #expect(driver.syncResult(cSync)?.assignment.readableBytes == 0)
        #expect(driver.group.state == .stable)

        // In a Stable group a SyncGroup is answered at once with the stored assignment.
        let again = driver.sync(b.memberID, generation: 1)
        #expect(driver.syncResult(again)?.assignment == ByteBuffer(string: "t-1"))
    }

    @Test func heartbeatsDuringARebalanceTellMembersToRejoin() {
        var driver = GroupDriver()
        let stable = driver.formStableGroup(clients: ["a"])
        #expect(driver.heartbeat(stable.leader, generation: 1) == nil)

        let b = driver.joinNew(client: "b")
        #expect(driver.group.state == .preparingRebalance)
        #expect(driver.answers[b.token] == nil)
        #expect(driver.heartbeat(stable.leader, generation: 1) == .rebalanceInProgress)
        let syncDuring = driver.sync(stable.leader, generation: 1)
        #expect(driver.syncResult(syncDuring)?.error == .rebalanceInProgress)

        let rejoin = driver.join(GroupDriver.request(memberID: stable.leader, client: "a"))
        #expect(driver.joinResult(rejoin)?.generationID == 2)
        #expect(driver.joinResult(b.token)?.generationID == 2)
        #expect(driver.joinResult(rejoin)?.leaderID == stable.leader)
        #expect(driver.joinResult(rejoin)?.members.count == 2)
        #expect(driver.joinResult(b.token)?.members.isEmpty == true)
        #expect(driver.heartbeat(b.memberID, generation: 2) == nil)
    }

    @Test func staleGenerationsAndUnknownMembersAreFenced() {
        var driver = GroupDriver()
        let stable = driver.formStableGroup(clients: ["a", "b"])
        let follower = stable.members[1]
        #expect(driver.heartbeat(follower, generation: stable.generation - 1) == .illegalGeneration)
        let staleSync = driver.sync(follower, generation: stable.generation + 1)
        #expect(driver.syncResult(staleSync)?.error == .illegalGeneration)
        #expect(driver.heartbeat("nobody", generation: stable.generation) == .unknownMemberID)
        let unknownSync = driver.sync("nobody", generation: stable.generation)
        #expect(driver.syncResult(unknownSync)?.error == .unknownMemberID)
        #expect(driver.leave(GroupMemberIdentity(memberID: "nobody")).members.first?.error == .unknownMemberID)
        #expect(driver.group.state == .stable)
    }

    @Test func aSilentMemberExpiresAndTheOthersRebalanceWithoutIt() {
        var driver = GroupDriver()
        let stable = driver.formStableGroup(clients: ["a", "b"])
        let (a, b) = (stable.members[0], stable.members[1])
        for _ in 0..<3 {
            driver.advance(by: 3_000)
            #expect(driver.heartbeat(a, generation: stable.generation) == nil)
        }
        #expect(driver.group.hasMember(b))
        driver.advance(by: 1_000)  // 10 s since b's last sign of life
        #expect(!driver.group.hasMember(b))
        #expect(driver.group.state == .preparingRebalance)
        #expect(driver.heartbeat(b, generation: stable.generation) == .unknownMemberID)
        #expect(driver.heartbeat(a, generation: stable.generation) == .rebalanceInProgress)

        let rejoin = driver.join(GroupDriver.request(memberID: a, client: "a"))
        #expect(driver.joinResult(rejoin)?.generationID == stable.generation + 1)
        #expect(driver.joinResult(rejoin)?.members.map(\.memberID) == [a])
    }

    @Test func membersThatDoNotRejoinWithinTheRebalanceTimeoutAreDropped() {
        var driver = GroupDriver()
        // Rebalance timeout (5 s) shorter than the session (10 s): b keeps heartbeating but never rejoins.
        var members: [String] = []
        var tokens: [GroupRequestToken] = []
        for client in ["a", "b"] {
            let first = driver.join(GroupDriver.request(client: client, rebalance: 5_000))
            let id = driver.joinResult(first)?.memberID ?? ""
            members.append(id)
            tokens.append(driver.join(GroupDriver.request(memberID: id, client: client, rebalance: 5_000)))
        }
        // With no initial delay a formed generation 1 alone; b's join started generation 2's rebalance.
        let aRejoin = driver.join(GroupDriver.request(memberID: members[0], client: "a", rebalance: 5_000))
        #expect(driver.joinResult(aRejoin)?.generationID == 2)
        #expect(driver.joinResult(tokens[1])?.generationID == 2)
        _ = driver.sync(members[0], generation: 2, assignments: [:])
        _ = driver.sync(members[1], generation: 2)
        #expect(driver.group.state == .stable)

        let leaderRejoin = driver.join(GroupDriver.request(memberID: members[0], client: "a", rebalance: 5_000))
        #expect(driver.group.state == .preparingRebalance)
        #expect(driver.answers[leaderRejoin] == nil)
        driver.advance(by: 2_000)
        #expect(driver.heartbeat(members[1], generation: 2) == .rebalanceInProgress)
        driver.advance(by: 2_999)
        #expect(driver.answers[leaderRejoin] == nil)
        driver.advance(by: 1)
        let result = driver.joinResult(leaderRejoin)
        #expect(result?.generationID == 3)
        #expect(result?.members.map(\.memberID) == [members[0]])
        #expect(!driver.group.hasMember(members[1]))
        #expect(driver.heartbeat(members[1], generation: 3) == .unknownMemberID)
    }

    @Test func aMemberThatNeverSyncsIsDroppedAfterTheRebalanceTimeout() {
        var driver = GroupDriver(initialDelay: 100)
        let a = driver.joinNew(client: "a")
        let b = driver.joinNew(client: "b")
        driver.advanceUntilAnswered([a.token, b.token])
        let generation = driver.joinResult(a.token)?.generationID ?? -1
        _ = driver.sync(a.memberID, generation: generation, assignments: [:])
        #expect(driver.group.state == .stable)
        for _ in 0..<9 {
            driver.advance(by: 3_000)
            #expect(driver.heartbeat(a.memberID, generation: generation) == nil)
            #expect(driver.heartbeat(b.memberID, generation: generation) == nil)
        }
        #expect(driver.group.hasMember(b.memberID))
        driver.advance(by: 3_000)
        // 30 s (the rebalance timeout) after the join completed b still has not sent SyncGroup.
        #expect(!driver.group.hasMember(b.memberID))
        #expect(driver.group.state == .preparingRebalance)
    }

    @Test func leavingStartsARebalanceAndTheLastLeaveEmptiesTheGroup() {
        var driver = GroupDriver()
        let stable = driver.formStableGroup(clients: ["a", "b"])
        let (a, b) = (stable.members[0], stable.members[1])
        let left = driver.leave(GroupMemberIdentity(memberID: b))
        #expect(
            left
                == GroupLeaveResult(
                    error: nil,
                    members: [GroupLeaveMemberResult(memberID: b, groupInstanceID: nil, error: nil)]
                )
        )
        #expect(driver.group.state == .preparingRebalance)
        #expect(driver.heartbeat(a, generation: stable.generation) == .rebalanceInProgress)
        let rejoin = driver.join(GroupDriver.request(memberID: a, client: "a"))
        #expect(driver.joinResult(rejoin)?.generationID == stable.generation + 1)
        _ = driver.sync(a, generation: stable.generation + 1, assignments: [a: "all"])
        #expect(driver.becameEmptyCount == 0)

        _ = driver.leave(GroupMemberIdentity(memberID: a))
        #expect(driver.group.state == .empty)
        #expect(driver.group.generationID == stable.generation + 2)
        #expect(driver.becameEmptyCount == 1)
        #expect(driver.group.hasNoMembers)
        #expect(driver.group.leaderID == nil)
        #expect(driver.last.nextDeadline == nil)
    }

    @Test func leavingWhileWaitingToJoinAnswersTheWaitingJoin() {
        var driver = GroupDriver(initialDelay: 1_000)
        let a = driver.joinNew(client: "a")
        let b = driver.joinNew(client: "b")
        _ = driver.leave(GroupMemberIdentity(memberID: b.memberID))
        #expect(driver.joinResult(b.token)?.error == .unknownMemberID)
        driver.advanceUntilAnswered([a.token])
        #expect(driver.joinResult(a.token)?.members.map(\.memberID) == [a.memberID])
    }

    @Test func aStaticMemberRejoiningWithANewIDReplacesTheOldOneWithoutARebalance() {
        var driver = GroupDriver(initialDelay: 100)
        let staticJoin = driver.join(GroupDriver.request(instance: "i-1", client: "s"))
        let dynamic = driver.joinNew(client: "d")
        driver.advanceUntilAnswered([staticJoin, dynamic.token])
        let old = driver.joinResult(staticJoin)
        #expect(old?.error == nil)
        let oldID = old?.memberID ?? ""
        #expect(oldID == "i-1-1")
        #expect(old?.leaderID == oldID)
        _ = driver.sync(oldID, generation: 1, instance: "i-1", assignments: [oldID: "S", dynamic.memberID: "D"])
        _ = driver.sync(dynamic.memberID, generation: 1)
        #expect(driver.group.state == .stable)

        // The static member restarts: it has lost its member id but keeps its instance id.
        let restart = driver.join(GroupDriver.request(instance: "i-1", client: "s"))
        let replaced = driver.joinResult(restart)
        #expect(replaced?.error == nil)
        let newID = replaced?.memberID ?? ""
        #expect(newID != oldID && newID.hasPrefix("i-1-"))
        #expect(replaced?.generationID == 1)
        #expect(replaced?.leaderID == oldID)  // so it does not run a useless assignment
        #expect(driver.group.state == .stable)
        #expect(driver.group.leaderID == newID)

        #expect(driver.heartbeat(oldID, generation: 1, instance: "i-1") == .fencedInstanceID)
        #expect(driver.heartbeat(oldID, generation: 1) == .unknownMemberID)
        let staleSync = driver.sync(oldID, generation: 1, instance: "i-1")
        #expect(driver.syncResult(staleSync)?.error == .fencedInstanceID)
        let sync = driver.sync(newID, generation: 1, instance: "i-1")
        #expect(driver.syncResult(sync)?.assignment == ByteBuffer(string: "S"))
        #expect(driver.heartbeat(newID, generation: 1, instance: "i-1") == nil)
        #expect(driver.heartbeat(dynamic.memberID, generation: 1) == nil)
    }

    @Test func aStaticMemberRejoiningWithChangedMetadataStartsARebalance() {
        var driver = GroupDriver()
        let staticJoin = driver.join(GroupDriver.request(instance: "i-1", client: "s"))
        let oldID = driver.joinResult(staticJoin)?.memberID ?? ""
        _ = driver.sync(oldID, generation: 1, instance: "i-1", assignments: [oldID: "S"])
        #expect(driver.group.state == .stable)

        let restart = driver.join(
            GroupDriver.request(
                instance: "i-1",
                client: "s",
                protocols: GroupDriver.protocols("range", metadata: "new")
            )
        )
        // Alone in the group, it rejoined at once: a new generation, with it as the leader.
        let result = driver.joinResult(restart)
        #expect(result?.generationID == 2)
        #expect(result?.leaderID == result?.memberID)
        #expect(result?.members.first?.metadata == ByteBuffer(string: "new:range"))
    }

    @Test func aStaticMemberCanBeRemovedByItsInstanceID() {
        var driver = GroupDriver()
        let staticJoin = driver.join(GroupDriver.request(instance: "i-1", client: "s"))
        let id = driver.joinResult(staticJoin)?.memberID ?? ""
        let result = driver.leave(GroupMemberIdentity(memberID: "", groupInstanceID: "i-1"))
        #expect(result.members == [GroupLeaveMemberResult(memberID: "", groupInstanceID: "i-1", error: nil)])
        #expect(!driver.group.hasMember(id))
        #expect(driver.group.state == .empty)
        let again = driver.leave(GroupMemberIdentity(memberID: "", groupInstanceID: "i-1"))
        #expect(again.members.first?.error == .unknownMemberID)
    }

    @Test func aStableFollowerRejoiningWithTheSameMetadataGetsTheCurrentGenerationButTheLeaderRebalances() {
        var driver = GroupDriver()
        let stable = driver.formStableGroup(clients: ["a", "b"])
        let follower = stable.members[1]
        let rejoin = driver.join(GroupDriver.request(memberID: follower, client: "b"))
        #expect(driver.joinResult(rejoin)?.generationID == stable.generation)
        #expect(driver.joinResult(rejoin)?.leaderID == stable.leader)
        #expect(driver.joinResult(rejoin)?.members.isEmpty == true)
        #expect(driver.group.state == .stable)

        let changed = driver.join(
            GroupDriver.request(
                memberID: follower,
                client: "b",
                protocols: GroupDriver.protocols("range", metadata: "more")
            )
        )
        #expect(driver.answers[changed] == nil)
        #expect(driver.group.state == .preparingRebalance)
        let leaderRejoin = driver.join(GroupDriver.request(memberID: stable.leader, client: "a"))
        #expect(driver.joinResult(leaderRejoin)?.generationID == stable.generation + 1)
        #expect(driver.joinResult(changed)?.generationID == stable.generation + 1)

        _ = driver.sync(stable.leader, generation: stable.generation + 1, assignments: [:])
        _ = driver.sync(follower, generation: stable.generation + 1)
        #expect(driver.group.state == .stable)
        let leaderAgain = driver.join(GroupDriver.request(memberID: stable.leader, client: "a"))
        #expect(driver.answers[leaderAgain] == nil)
        #expect(driver.group.state == .preparingRebalance)
    }

    @Test func aRetriedJoinReplacesTheWaitingOneWhichIsAnswered() {
        var driver = GroupDriver(initialDelay: 1_000)
        let a = driver.joinNew(client: "a")
        let retry = driver.join(GroupDriver.request(memberID: a.memberID, client: "a"))
        #expect(driver.joinResult(a.token)?.error == .rebalanceInProgress)
        driver.advanceUntilAnswered([retry])
        #expect(driver.joinResult(retry)?.generationID == 1)
    }

    @Test func theProtocolIsOneEveryMemberSupportsChosenByVotes() {
        var driver = GroupDriver(initialDelay: 100)
        let a = driver.joinNew(client: "a", protocols: GroupDriver.protocols("range", "roundrobin"))
        let b = driver.joinNew(client: "b", protocols: GroupDriver.protocols("roundrobin", "range"))
        let c = driver.joinNew(client: "c", protocols: GroupDriver.protocols("sticky", "roundrobin", "range"))
        driver.advanceUntilAnswered([a.token, b.token, c.token])
        // range gets a's vote; roundrobin gets b's and c's.
        #expect(driver.joinResult(a.token)?.protocolName == "roundrobin")
        #expect(driver.joinResult(a.token)?.members.map(\.metadata.readableBytes).allSatisfy { $0 > 0 } == true)
        #expect(driver.joinResult(a.token)?.members[2].metadata == ByteBuffer(string: "sub:roundrobin"))
    }

    @Test func membersWithoutACommonProtocolOrWithAnotherProtocolTypeAreRejected() {
        var driver = GroupDriver()
        _ = driver.formStableGroup(clients: ["a"])
        let other = driver.join(GroupDriver.request(client: "b", protocols: GroupDriver.protocols("roundrobin")))
        #expect(driver.joinResult(other) == .failure(.inconsistentGroupProtocol, memberID: ""))
        let connect = driver.join(GroupDriver.request(client: "w", protocolType: "connect"))
        #expect(driver.joinResult(connect)?.error == .inconsistentGroupProtocol)
        let none = driver.join(GroupDriver.request(client: "n", protocols: []))
        #expect(driver.joinResult(none)?.error == .inconsistentGroupProtocol)
        #expect(driver.group.state == .stable)

        var empty = GroupDriver()
        let noType = empty.join(GroupDriver.request(client: "x", protocolType: ""))
        #expect(empty.joinResult(noType)?.error == .inconsistentGroupProtocol)
    }

    @Test func aFullGroupRejectsNewMembers() {
        var driver = GroupDriver(maxSize: 2)
        let stable = driver.formStableGroup(clients: ["a", "b"])
        let third = driver.join(GroupDriver.request(client: "c"))
        #expect(driver.joinResult(third) == .failure(.groupMaxSizeReached, memberID: ""))
        #expect(driver.group.state == .stable)
        // Existing members may still rejoin.
        let rejoin = driver.join(GroupDriver.request(memberID: stable.members[1], client: "b"))
        #expect(driver.joinResult(rejoin)?.error == nil)

        var preparing = GroupDriver(initialDelay: 1_000, maxSize: 1)
        _ = preparing.joinNew(client: "a")
        let first = preparing.join(GroupDriver.request(client: "b"))
        #expect(preparing.joinResult(first) == .failure(.groupMaxSizeReached, memberID: ""))
    }

    @Test func sessionTimeoutsOutsideTheBoundsAreRejected() {
        var driver = GroupDriver(minSession: 6_000)
        let short = driver.join(GroupDriver.request(client: "a", session: 5_999))
        #expect(driver.joinResult(short)?.error == .invalidSessionTimeout)
        let long = driver.join(GroupDriver.request(client: "a", session: 60_001))
        #expect(driver.joinResult(long)?.error == .invalidSessionTimeout)
        #expect(driver.group.state == .empty && !driver.group.isPendingMember("a-1"))
    }

    @Test func onlyAnEmptyGroupCanBeDeleted() {
        var driver = GroupDriver()
        let stable = driver.formStableGroup(clients: ["a"])
        #expect(driver.group.delete(now: driver.now).error == .nonEmptyGroup)
        _ = driver.leave(GroupMemberIdentity(memberID: stable.leader))
        #expect(driver.group.delete(now: driver.now).error == nil)
        #expect(driver.group.state == .dead)
        #expect(driver.group.delete(now: driver.now).error == .groupIDNotFound)
        let join = driver.join(GroupDriver.request(client: "a"))
        #expect(driver.joinResult(join)?.error == .coordinatorNotAvailable)
        #expect(driver.heartbeat(stable.leader, generation: 1) == .coordinatorNotAvailable)
    }

    @Test func offsetCommitsAreCheckedAgainstMembershipAndGeneration() {
        var driver = GroupDriver()
        func validate(_ member: String, _ generation: Int32, _ driver: inout GroupDriver) -> PlexusError.Code? {
            driver.group.validateOffsetCommit(
                memberID: member,
                groupInstanceID: nil,
                generationID: generation,
                now: driver.now
            ).error
        }
        #expect(validate("", -1, &driver) == nil)  // simple consumer / admin commit on an Empty group
        let a = driver.joinNew(client: "a")
        let generation = driver.joinResult(a.token)?.generationID ?? -1
        #expect(validate(a.memberID, generation, &driver) == .rebalanceInProgress)  // CompletingRebalance
        _ = driver.sync(a.memberID, generation: generation, assignments: [:])
        #expect(validate(a.memberID, generation, &driver) == nil)
        #expect(validate(a.memberID, generation - 1, &driver) == .illegalGeneration)
        #expect(validate("stranger", generation, &driver) == .unknownMemberID)
        #expect(validate("", -1, &driver) == .unknownMemberID)  // the group has members now
    }

    @Test func describeShowsMetadataAndAssignmentsOnlyWhenStable() {
        var driver = GroupDriver(initialDelay: 100)
        let a = driver.joinNew(client: "a")
        var description = driver.group.describe()
        #expect(description.state == .preparingRebalance)
        #expect(description.state.rawValue == "PreparingRebalance")
        #expect(description.protocolName == "")
        #expect(description.members.map(\.memberID) == [a.memberID])
        #expect(description.members.first?.metadata.readableBytes == 0)
        driver.advanceUntilAnswered([a.token])
        _ = driver.sync(a.memberID, generation: 1, assignments: [a.memberID: "x"])
        description = driver.group.describe()
        #expect(
            description
                == GroupDescription(
                    groupID: "g",
                    state: .stable,
                    protocolType: "consumer",
                    protocolName: "range",
                    generationID: 1,
                    leaderID: a.memberID,
                    members: [
                        GroupMemberDescription(
                            memberID: a.memberID,
                            groupInstanceID: nil,
                            clientID: "a",
                            clientHost: "/10.0.0.1",
                            metadata: ByteBuffer(string: "sub:range"),
                            assignment: ByteBuffer(string: "x")
                        )
                    ]
                )
        )
        #expect(driver.group.listing == GroupListing(groupID: "g", protocolType: "consumer", state: .stable))
        #expect(
            GroupState.allCases.map(\.rawValue) == [
                "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead",
            ]
        )
    }

    @Test func theLeaderRoleMovesToARejoinedMemberWhenTheLeaderDoesNotRejoin() {
        var driver = GroupDriver()
        let staticJoin = driver.join(GroupDriver.request(instance: "i-a", client: "a", rebalance: 5_000))
        let a = driver.joinResult(staticJoin)?.memberID ?? ""
        #expect(driver.group.leaderID == a)
        let first = driver.join(GroupDriver.request(client: "b", rebalance: 5_000))
        let b = driver.joinResult(first)?.memberID ?? ""
        let bJoin = driver.join(GroupDriver.request(memberID: b, client: "b", rebalance: 5_000))
        // a led generation 1; b's join started a rebalance in which only b rejoins.
        #expect(driver.group.state == .preparingRebalance)
        driver.advance(by: 4_999)
        #expect(driver.answers[bJoin] == nil)
        driver.advance(by: 1)
        let result = driver.joinResult(bJoin)
        #expect(result?.generationID == 2)
        #expect(result?.leaderID == b)
        // A static member that did not rejoin stays in the group (until its session expires).
        #expect(result?.members.map(\.memberID) == [a, b])
        #expect(driver.group.hasMember(a))
        let sync = driver.sync(b, generation: 2, assignments: [a: "A", b: "B"])
        #expect(driver.syncResult(sync)?.assignment == ByteBuffer(string: "B"))
        #expect(driver.group.state == .stable)
        driver.advance(by: 5_000)  // a has not sent SyncGroup within the rebalance timeout
        #expect(!driver.group.hasMember(a))
        #expect(driver.group.state == .preparingRebalance)
    }
}
