import NIOConcurrencyHelpers
import NIOCore
import PlexusBroker
import PlexusModel
import Testing

/// A ``GroupClock`` that only moves when told to; sleepers wake when it passes their deadline.
final class ManualGroupClock: GroupClock {
    private struct Sleeper {
        var id: UInt64
        var deadline: Int64
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Int64 = 0
        var nextID: UInt64 = 0
        var sleepers: [Sleeper] = []
    }

    private let state = NIOLockedValueBox(State())

    var nowMilliseconds: Int64 { state.withLockedValue { $0.now } }

    /// How many tasks sleep on this clock.
    var sleeperCount: Int { state.withLockedValue { $0.sleepers.count } }

    func advance(by milliseconds: Int64) {
        let ready = state.withLockedValue { state -> [Sleeper] in
            state.now += milliseconds
            let now = state.now
            defer { state.sleepers.removeAll { $0.deadline <= now } }
            return state.sleepers.filter { $0.deadline <= now }
        }
        for sleeper in ready { sleeper.continuation.resume() }
    }

    func sleep(untilMilliseconds deadline: Int64) async throws {
        let id = state.withLockedValue { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = state.withLockedValue { state -> Bool? in
                    if Task.isCancelled { return false }
                    if deadline <= state.now { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                switch outcome {
                case true?: continuation.resume()
                case false?: continuation.resume(throwing: CancellationError())
                case nil: break
                }
            }
        } onCancel: {
            let sleeper = state.withLockedValue { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }
}

/// Collects the coordinator's events.
final class GroupEventLog: Sendable {
    private let box = NIOLockedValueBox<[GroupCoordinatorEvent]>([])
    var events: [GroupCoordinatorEvent] { box.withLockedValue { $0 } }
    func record(_ event: GroupCoordinatorEvent) { box.withLockedValue { $0.append(event) } }
}

@Suite struct GroupCoordinatorTests {
    static func makeCoordinator(
        initialDelay: Int64 = 0,
        clock: ManualGroupClock = ManualGroupClock(),
        events: GroupEventLog = GroupEventLog()
    ) -> GroupCoordinator {
        GroupCoordinator(
            configuration: GroupConfiguration(minSessionTimeoutMs: 1_000, initialRebalanceDelayMs: initialDelay),
            clock: clock,
            memberIDs: .sequential(),
            onEvent: { events.record($0) }
        )
    }

    static func request(memberID: String = "", client: String, instance: String? = nil) -> GroupJoinRequest {
        GroupJoinRequest(
            memberID: memberID,
            groupInstanceID: instance,
            clientID: client,
            sessionTimeoutMs: 10_000,
            rebalanceTimeoutMs: 30_000,
            protocols: [GroupProtocol(name: "range", metadata: ByteBuffer(string: client))],
            requiresKnownMemberID: instance == nil
        )
    }

    /// Waits (bounded) until `condition` holds, yielding to the tasks under test.
    static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<10_000 {
            if condition() { return true }
            await Task.yield()
        }
        return condition()
    }

    @Test func threeConcurrentJoinsCompleteTogetherWithOneGenerationAndOneLeader() async {
        let clock = ManualGroupClock()
        let coordinator = Self.makeCoordinator(initialDelay: 3_000, clock: clock)
        let timers = Task { await coordinator.run() }
        defer { timers.cancel() }

        var memberIDs: [String] = []
        for client in ["a", "b", "c"] {
            let first = await coordinator.join(groupID: "g", Self.request(client: client))
            #expect(first.error == .memberIDRequired)
            memberIDs.append(first.memberID)
        }
        let ids = memberIDs
        let results = await withTaskGroup(of: GroupJoinResult.self) { group in
            for (index, client) in ["a", "b", "c"].enumerated() {
                group.addTask {
                    await coordinator.join(groupID: "g", Self.request(memberID: ids[index], client: client))
                }
            }
            let joined = await Self.eventually { coordinator.describeGroup("g")?.members.count == 3 }
            #expect(joined)
            #expect(coordinator.describeGroup("g")?.state == .preparingRebalance)
            clock.advance(by: 6_000)  // the initial delay, extended once because b and c arrived during it
            var results: [GroupJoinResult] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(results.count == 3)
        #expect(Set(results.map(\.generationID)) == [1])
        #expect(Set(results.map(\.leaderID)).count == 1)
        #expect(Set(results.map(\.memberID)) == Set(ids))
        let leaders = results.filter { !$0.members.isEmpty }
        #expect(leaders.count == 1)
        #expect(leaders.first?.memberID == leaders.first?.leaderID)
        #expect(Set(leaders.first?.members.map(\.memberID) ?? []) == Set(ids))
        #expect(coordinator.describeGroup("g")?.state == .completingRebalance)
    }

    @Test func aFollowerSyncWaitsForTheLeadersAssignment() async {
        let coordinator = Self.makeCoordinator()
        let a = await coordinator.join(groupID: "g", Self.request(client: "a"))
        let aJoined = await coordinator.join(groupID: "g", Self.request(memberID: a.memberID, client: "a"))
        #expect(aJoined.generationID == 1)
        let aSynced = await coordinator.sync(
            groupID: "g",
            GroupSyncRequest(
                memberID: a.memberID,
                generationID: 1,
                assignments: [a.memberID: ByteBuffer(string: "all")]
            )
        )
        #expect(aSynced.assignment == ByteBuffer(string: "all"))

        // b joins a Stable group: a learns of the rebalance through its heartbeat and rejoins.
        let b = await coordinator.join(groupID: "g", Self.request(client: "b"))
        async let bJoin = coordinator.join(groupID: "g", Self.request(memberID: b.memberID, client: "b"))
        #expect(await Self.eventually { coordinator.describeGroup("g")?.state == .preparingRebalance })
        #expect(
            coordinator.heartbeat(groupID: "g", GroupHeartbeatRequest(memberID: a.memberID, generationID: 1))
                == .rebalanceInProgress
        )
        let aRejoined = await coordinator.join(groupID: "g", Self.request(memberID: a.memberID, client: "a"))
        let bJoined = await bJoin
        #expect(aRejoined.generationID == 2 && bJoined.generationID == 2)
        #expect(aRejoined.leaderID == a.memberID && bJoined.leaderID == a.memberID)

        let followerDone = NIOLockedValueBox(false)
        async let followerSync = { () async -> GroupSyncResult in
            let result = await coordinator.sync(groupID: "g", GroupSyncRequest(memberID: b.memberID, generationID: 2))
            followerDone.withLockedValue { $0 = true }
            return result
        }()
        for _ in 0..<1_000 { await Task.yield() }
        #expect(!followerDone.withLockedValue { $0 })
        let leaderSync = await coordinator.sync(
            groupID: "g",
            GroupSyncRequest(
                memberID: a.memberID,
                generationID: 2,
                assignments: [a.memberID: ByteBuffer(string: "p0"), b.memberID: ByteBuffer(string: "p1")]
            )
        )
        #expect(leaderSync.assignment == ByteBuffer(string: "p0"))
        #expect(await followerSync.assignment == ByteBuffer(string: "p1"))
        #expect(coordinator.describeGroup("g")?.state == .stable)
    }

    @Test func sessionExpiryEmptiesTheGroupAndReportsIt() async {
        let clock = ManualGroupClock()
        let events = GroupEventLog()
        let coordinator = Self.makeCoordinator(clock: clock, events: events)
        let first = await coordinator.join(groupID: "g", Self.request(client: "a"))
        _ = await coordinator.join(groupID: "g", Self.request(memberID: first.memberID, client: "a"))
        _ = await coordinator.sync(groupID: "g", GroupSyncRequest(memberID: first.memberID, generationID: 1))
        #expect(coordinator.tick() == 10_000)

        clock.advance(by: 9_999)
        #expect(coordinator.tick() == 10_000)
        #expect(coordinator.describeGroup("g")?.members.count == 1)
        clock.advance(by: 1)
        #expect(coordinator.tick() == nil)
        #expect(coordinator.describeGroup("g")?.state == .empty)
        #expect(events.events == [.becameEmpty(groupID: "g")])
        #expect(
            coordinator.heartbeat(groupID: "g", GroupHeartbeatRequest(memberID: first.memberID, generationID: 1))
                == .unknownMemberID
        )
    }

    @Test func theTimerLoopExpiresSessionsOnItsOwn() async {
        let clock = ManualGroupClock()
        let events = GroupEventLog()
        let coordinator = Self.makeCoordinator(clock: clock, events: events)
        let timers = Task { await coordinator.run() }
        defer { timers.cancel() }
        let first = await coordinator.join(groupID: "g", Self.request(client: "a"))
        _ = await coordinator.join(groupID: "g", Self.request(memberID: first.memberID, client: "a"))
        clock.advance(by: 60_000)
        #expect(await Self.eventually { events.events == [.becameEmpty(groupID: "g")] })
    }

    @Test func listDescribeAndDeleteGroups() async {
        let events = GroupEventLog()
        let coordinator = Self.makeCoordinator(events: events)
        let first = await coordinator.join(groupID: "busy", Self.request(client: "a"))
        _ = await coordinator.join(groupID: "busy", Self.request(memberID: first.memberID, client: "a"))
        #expect(
            coordinator.validateOffsetCommit(groupID: "simple", memberID: "", groupInstanceID: nil, generationID: -1)
                == nil
        )
        #expect(
            coordinator.validateOffsetCommit(groupID: "other", memberID: "m", groupInstanceID: nil, generationID: 3)
                == .illegalGeneration
        )

        #expect(
            coordinator.listGroups() == [
                GroupListing(groupID: "busy", protocolType: "consumer", state: .completingRebalance),
                GroupListing(groupID: "simple", protocolType: "", state: .empty),
            ]
        )
        #expect(coordinator.describeGroup("busy")?.members.map(\.memberID) == [first.memberID])
        #expect(coordinator.describeGroup("nope") == nil)

        #expect(
            coordinator.deleteGroups(["busy", "simple", "nope"]) == [
                GroupDeletionResult(groupID: "busy", error: .nonEmptyGroup),
                GroupDeletionResult(groupID: "simple", error: nil),
                GroupDeletionResult(groupID: "nope", error: .groupIDNotFound),
            ]
        )
        #expect(events.events == [.deleted(groupID: "simple")])
        #expect(coordinator.listGroups().map(\.groupID) == ["busy"])
    }

    @Test func requestsForMissingGroupsAndEmptyGroupIDs() async {
        let coordinator = Self.makeCoordinator()
        #expect(await coordinator.join(groupID: "", Self.request(client: "a")).error == .invalidGroupID)
        #expect(
            await coordinator.join(groupID: "g", Self.request(memberID: "old", client: "a")).error == .unknownMemberID
        )
        #expect(coordinator.listGroups().isEmpty)
        #expect(
            await coordinator.sync(groupID: "g", GroupSyncRequest(memberID: "m", generationID: 1)).error
                == .unknownMemberID
        )
        #expect(
            coordinator.heartbeat(groupID: "g", GroupHeartbeatRequest(memberID: "m", generationID: 1))
                == .unknownMemberID
        )
        #expect(
            coordinator.heartbeat(groupID: "", GroupHeartbeatRequest(memberID: "m", generationID: 1)) == .invalidGroupID
        )
        #expect(
            coordinator.leave(groupID: "g", members: [GroupMemberIdentity(memberID: "m")])
                == GroupLeaveResult(
                    error: nil,
                    members: [GroupLeaveMemberResult(memberID: "m", groupInstanceID: nil, error: .unknownMemberID)]
                )
        )
        var tooShort = Self.request(client: "a")
        tooShort.sessionTimeoutMs = 10
        #expect(await coordinator.join(groupID: "g", tooShort).error == .invalidSessionTimeout)
        #expect(coordinator.listGroups().isEmpty)
    }

    @Test func aCancelledJoinIsAnsweredAndForgotten() async {
        let coordinator = Self.makeCoordinator(initialDelay: 3_000)
        let first = await coordinator.join(groupID: "g", Self.request(client: "a"))
        let waiting = Task { await coordinator.join(groupID: "g", Self.request(memberID: first.memberID, client: "a")) }
        #expect(await Self.eventually { coordinator.describeGroup("g")?.members.count == 1 })
        waiting.cancel()
        #expect(await waiting.value.error == .coordinatorNotAvailable)
    }

    @Test func shutdownAnswersWaitingRequests() async {
        let coordinator = Self.makeCoordinator(initialDelay: 3_000)
        let first = await coordinator.join(groupID: "g", Self.request(client: "a"))
        let waiting = Task { await coordinator.join(groupID: "g", Self.request(memberID: first.memberID, client: "a")) }
        #expect(await Self.eventually { coordinator.describeGroup("g")?.members.count == 1 })
        coordinator.shutdown()
        #expect(await waiting.value.error == .coordinatorNotAvailable)
        #expect(await coordinator.join(groupID: "g", Self.request(client: "b")).error == .coordinatorNotAvailable)
        #expect(
            coordinator.heartbeat(groupID: "g", GroupHeartbeatRequest(memberID: "x", generationID: 0))
                == .coordinatorNotAvailable
        )
    }

    @Test func randomMemberIDsLookLikeKafkas() {
        var generator = MemberIDGenerator.random
        let id = generator.next(prefix: "rdkafka")
        #expect(id.hasPrefix("rdkafka-"))
        let uuid = id.dropFirst("rdkafka-".count)
        #expect(uuid.count == 36)
        #expect(uuid.split(separator: "-").map(\.count) == [8, 4, 4, 4, 12])
        #expect(generator.next(prefix: "rdkafka") != id)
    }
}
