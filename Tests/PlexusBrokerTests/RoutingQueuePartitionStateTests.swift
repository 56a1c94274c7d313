import PlexusBroker
import Testing

@Suite struct RoutingQueuePartitionStateTests {
    typealias State = QueuePartitionState

    /// Leases as `[offset, deliveries]` pairs, in the order handed out.
    func lease(
        _ state: inout State,
        max: Int = 100,
        now: Int64 = 0,
        leaseMs: Int64 = 1_000,
        maxDeliveries: Int = 5
    ) -> [[Int64]] {
        state.lease(max: max, now: now, leaseMs: leaseMs, maxDeliveries: maxDeliveries)
            .map { [$0.offset, Int64($0.deliveries)] }
    }

    /// A partition starting at `start` with `offsets` admitted as matching records available at 0.
    func admitted(_ offsets: ClosedRange<Int64>, start: Int64 = 0) -> State {
        var state = State(start: start)
        for offset in offsets { state.admit(offset: offset, matches: true, availableAt: 0) }
        return state
    }

    @Test func newPartitionIsEmptyAtItsStart() {
        var state = State(start: 42)
        #expect(state.watermark == 42)
        #expect(state.cursor == 42)
        #expect(state.entries.isEmpty)
        #expect(state.room == State.window)
        #expect(state.nextAvailability == nil)
        #expect(lease(&state).isEmpty)
    }

    @Test func admitLeaseAcknowledgeMovesTheWatermark() {
        var state = admitted(10...12, start: 10)
        #expect(state.watermark == 10)
        #expect(state.cursor == 13)
        #expect(lease(&state) == [[10, 1], [11, 1], [12, 1]])
        #expect(state.acknowledge(offset: 11, deliveries: 1) == .ok)
        #expect(state.watermark == 10, "an acknowledged record above an unsettled one does not move the watermark")
        #expect(state.acknowledge(offset: 10, deliveries: 1) == .ok)
        #expect(state.watermark == 12)
        #expect(state.acknowledge(offset: 12, deliveries: 1) == .ok)
        #expect(state.watermark == 13)
        #expect(state.cursor == 13)
        #expect(state.entries.isEmpty)
    }

    @Test func nonMatchingRecordsSettleAtOnce() {
        var state = State(start: 0)
        state.admit(offset: 0, matches: false, availableAt: 0)
        #expect(state.watermark == 1)
        #expect(state.cursor == 1)
        #expect(state.entries.isEmpty)
        state.admit(offset: 1, matches: true, availableAt: 0)
        state.admit(offset: 2, matches: false, availableAt: 0)
        #expect(state.watermark == 1)
        #expect(state.cursor == 3)
        #expect(Set(state.entries.keys) == [1])
        #expect(lease(&state) == [[1, 1]])
    }

    @Test func admitIgnoresOffsetsBelowTheCursorAndSkipsOverGaps() {
        var state = admitted(0...1)
        state.admit(offset: 0, matches: true, availableAt: 0)
        #expect(state.cursor == 2)
        #expect(state.entries.count == 2)
        state.admit(offset: 7, matches: false, availableAt: 0)
        #expect(state.cursor == 8)
        #expect(Set(state.entries.keys) == [0, 1])
    }

    @Test func leaseHandsOutLowestOffsetsFirstAndAtMostMax() {
        var state = admitted(0...9)
        #expect(lease(&state, max: 3) == [[0, 1], [1, 1], [2, 1]])
        #expect(lease(&state, max: 3) == [[3, 1], [4, 1], [5, 1]])
        #expect(lease(&state, max: 0).isEmpty)
        #expect(lease(&state, max: -1).isEmpty)
        #expect(lease(&state, max: 100).map { $0[0] } == [6, 7, 8, 9])
    }

    @Test func leaseSetsTheLeaseEndAndCountsTheDelivery() {
        var state = admitted(0...0)
        _ = lease(&state, now: 500, leaseMs: 250)
        #expect(state.entries[0]?.leasedUntil == 750)
        #expect(state.entries[0]?.deliveries == 1)
    }

    @Test func leasedRecordsAreNotHandedOutAgainUntilTheLeaseExpires() {
        var state = admitted(0...1)
        #expect(lease(&state, now: 0, leaseMs: 100).count == 2)
        #expect(lease(&state, now: 50).isEmpty)
        #expect(lease(&state, now: 10_000).isEmpty, "time alone does not end a lease; expireLeases does")
        #expect(state.expireLeases(now: 99) == 0)
        #expect(lease(&state, now: 99).isEmpty)
        #expect(state.expireLeases(now: 100) == 2)
        #expect(state.entries[0]?.leasedUntil == nil)
        #expect(state.entries[0]?.availableAt == 100)
        #expect(lease(&state, now: 100) == [[0, 2], [1, 2]])
    }

    @Test func acknowledgeAfterTheLeaseRanOutCountsUntilSomeoneElseReceivesIt() {
        var state = admitted(0...1)
        _ = lease(&state, now: 0, leaseMs: 100)
        state.expireLeases(now: 200)
        #expect(state.acknowledge(offset: 0, deliveries: 1) == .ok)
        _ = lease(&state, now: 200)
        #expect(state.acknowledge(offset: 1, deliveries: 1) == .stale)
        #expect(state.acknowledge(offset: 1, deliveries: 2) == .ok)
    }

    @Test func receiptWithAnOldDeliveryCountIsStale() {
        var state = admitted(0...0)
        _ = lease(&state, now: 0, leaseMs: 100)
        state.expireLeases(now: 100)
        #expect(lease(&state, now: 100) == [[0, 2]])
        #expect(state.acknowledge(offset: 0, deliveries: 1) == .stale)
        #expect(state.release(offset: 0, deliveries: 1, availableAt: 0) == .stale)
        #expect(state.reject(offset: 0, deliveries: 1) == .stale)
        #expect(state.entries[0]?.leasedUntil == 1_100, "a stale receipt changes nothing")
        #expect(state.entries[0]?.rejected == false)
        #expect(state.acknowledge(offset: 0, deliveries: 2) == .ok)
    }

    @Test func receiptForNoUnsettledRecordIsUnknown() {
        var state = admitted(0...1)
        #expect(state.acknowledge(offset: 0, deliveries: 0) == .unknown, "never handed out")
        #expect(state.acknowledge(offset: 0, deliveries: 1) == .unknown, "never handed out")
        _ = lease(&state)
        #expect(state.acknowledge(offset: 5, deliveries: 1) == .unknown)
        #expect(state.acknowledge(offset: -1, deliveries: 1) == .unknown)
        #expect(state.acknowledge(offset: 0, deliveries: 1) == .ok)
        #expect(state.acknowledge(offset: 0, deliveries: 1) == .unknown, "already settled")
        #expect(state.release(offset: 0, deliveries: 1, availableAt: 0) == .unknown)
        #expect(state.reject(offset: 0, deliveries: 1) == .unknown)
        #expect(state.reject(offset: 1, deliveries: 1) == .ok)
        #expect(state.reject(offset: 1, deliveries: 1) == .unknown, "already rejected")
        #expect(state.acknowledge(offset: 1, deliveries: 1) == .unknown, "already rejected")
    }

    @Test func releaseWithAFutureAvailableAtIsNotLeasedBeforeThen() {
        var state = admitted(0...0)
        _ = lease(&state, now: 0)
        #expect(state.release(offset: 0, deliveries: 1, availableAt: 500) == .ok)
        #expect(state.entries[0]?.leasedUntil == nil)
        #expect(state.nextAvailability == 500)
        #expect(lease(&state, now: 499).isEmpty)
        #expect(lease(&state, now: 500) == [[0, 2]])
        #expect(state.nextAvailability == nil)
    }

    @Test func releaseMakesTheRecordAvailableAgainAtOnce() {
        var state = admitted(0...1)
        _ = lease(&state, now: 0)
        #expect(state.release(offset: 1, deliveries: 1, availableAt: 0) == .ok)
        #expect(lease(&state, now: 0) == [[1, 2]])
    }

    @Test func admittedNotBeforeTimeDelaysTheFirstLease() {
        var state = State(start: 0)
        state.admit(offset: 0, matches: true, availableAt: 1_000)
        state.admit(offset: 1, matches: true, availableAt: 10)
        #expect(state.nextAvailability == 10)
        #expect(lease(&state, now: 10) == [[1, 1]])
        #expect(state.nextAvailability == 1_000)
        #expect(lease(&state, now: 999).isEmpty)
        #expect(lease(&state, now: 1_000) == [[0, 1]])
    }

    @Test func rejectedRecordsAreExhaustedAndNotHandedOutAgain() {
        var state = admitted(0...1)
        _ = lease(&state)
        #expect(state.reject(offset: 0, deliveries: 1) == .ok)
        #expect(state.entries[0]?.rejected == true)
        #expect(state.entries[0]?.leasedUntil == nil)
        #expect(state.exhausted(maxDeliveries: 5) == [0])
        state.expireLeases(now: 5_000)
        #expect(lease(&state, now: 5_000) == [[1, 2]])
        #expect(state.nextAvailability == nil, "a rejected record is never available again")
    }

    @Test func recordsHandedOutMaxDeliveriesTimesAreExhaustedOnceNobodyHoldsThem() {
        var state = admitted(0...1)
        _ = lease(&state, maxDeliveries: 2)
        #expect(state.release(offset: 0, deliveries: 1, availableAt: 0) == .ok)
        #expect(state.release(offset: 1, deliveries: 1, availableAt: 0) == .ok)
        #expect(state.exhausted(maxDeliveries: 2).isEmpty)
        #expect(lease(&state, maxDeliveries: 2) == [[0, 2], [1, 2]])
        #expect(state.exhausted(maxDeliveries: 2).isEmpty, "held records are not dead-lettered under a receiver")
        #expect(state.release(offset: 0, deliveries: 2, availableAt: 0) == .ok)
        #expect(state.exhausted(maxDeliveries: 2) == [0])
        #expect(lease(&state, maxDeliveries: 2).isEmpty, "an exhausted record is not handed out")
        state.expireLeases(now: 1_000)
        #expect(state.exhausted(maxDeliveries: 2) == [0, 1])
        // A higher limit makes them deliverable again.
        #expect(state.exhausted(maxDeliveries: 3).isEmpty)
    }

    @Test func settleRemovesTheEntryAndMovesTheWatermark() {
        var state = admitted(0...2)
        state.settle(1)
        #expect(state.watermark == 0)
        #expect(Set(state.entries.keys) == [0, 2])
        state.settle(0)
        #expect(state.watermark == 2)
        state.settle(2)
        #expect(state.watermark == 3)
        #expect(state.entries.isEmpty)
        state.settle(2)
        #expect(state.watermark == 3, "settling twice is harmless")
    }

    @Test func windowBoundsTheOffsetsBetweenWatermarkAndCursor() {
        #expect(State.window == 1_000)
        var state = State(start: 0)
        state.admit(offset: 0, matches: true, availableAt: 0)
        #expect(state.room == 999)
        for offset: Int64 in 1..<1_000 { state.admit(offset: offset, matches: true, availableAt: 0) }
        #expect(state.cursor == 1_000)
        #expect(state.room == 0)
        state.pass(to: 5_000)
        #expect(state.cursor == 1_000, "passing over gaps stops at the window")
        #expect(state.room == 0)
        state.settle(0)
        #expect(state.watermark == 1)
        #expect(state.room == 1)
        state.pass(to: 5_000)
        #expect(state.cursor == 1_001)
        #expect(state.room == 0)
    }

    @Test func windowWithNonMatchingRecordsDoesNotFill() {
        var state = State(start: 0)
        for offset: Int64 in 0..<5_000 { state.admit(offset: offset, matches: false, availableAt: 0) }
        #expect(state.watermark == 5_000)
        #expect(state.room == State.window)
    }

    @Test func passOverGapsKeepsUnsettledEntries() {
        var state = admitted(0...1)
        state.pass(to: 10)
        #expect(state.cursor == 10)
        #expect(state.watermark == 0)
        #expect(Set(state.entries.keys) == [0, 1])
        state.pass(to: 4)
        #expect(state.cursor == 10, "pass never moves the cursor back")
        _ = lease(&state)
        #expect(state.acknowledge(offset: 0, deliveries: 1) == .ok)
        #expect(state.acknowledge(offset: 1, deliveries: 1) == .ok)
        #expect(state.watermark == 10, "the gap counts as settled")
    }

    @Test func passOnAnEmptyPartitionMovesTheWatermarkToo() {
        var state = State(start: 3)
        state.pass(to: 8)
        #expect(state.cursor == 8)
        #expect(state.watermark == 8)
    }

    @Test func skipDropsEntriesBeforeTheOffset() {
        var state = admitted(0...2)
        _ = lease(&state, max: 1)
        state.pass(to: 6)
        state.skip(to: 9)
        #expect(state.entries.isEmpty)
        #expect(state.cursor == 9)
        #expect(state.watermark == 9)
        #expect(state.acknowledge(offset: 0, deliveries: 1) == .unknown)
        state.skip(to: 4)
        #expect(state.cursor == 9, "skip never moves the cursor back")
    }

    @Test func postponeUndoesALeaseWithoutCountingIt() {
        var state = admitted(0...0)
        #expect(lease(&state, now: 0) == [[0, 1]])
        state.postpone(offset: 0, until: 700)
        #expect(state.entries[0]?.deliveries == 0)
        #expect(state.entries[0]?.leasedUntil == nil)
        #expect(state.entries[0]?.availableAt == 700)
        #expect(state.acknowledge(offset: 0, deliveries: 1) == .unknown, "the postponed lease is void")
        #expect(lease(&state, now: 699).isEmpty)
        #expect(lease(&state, now: 700) == [[0, 1]])
    }

    @Test func postponeOfARecordNobodyHoldsChangesNothing() {
        var state = admitted(0...0)
        _ = lease(&state, now: 0)
        #expect(state.release(offset: 0, deliveries: 1, availableAt: 0) == .ok)
        let before = state
        state.postpone(offset: 0, until: 700)
        state.postpone(offset: 9, until: 700)
        #expect(state == before)
    }

    @Test func persistedTextListsEntriesRelativeToTheWatermark() {
        var state = State(start: 100)
        state.admit(offset: 100, matches: true, availableAt: 0)
        state.admit(offset: 101, matches: false, availableAt: 0)
        state.admit(offset: 102, matches: true, availableAt: 0)
        state.admit(offset: 103, matches: true, availableAt: 0)
        state.admit(offset: 104, matches: true, availableAt: 0)
        _ = lease(&state, now: 0)
        #expect(state.release(offset: 102, deliveries: 1, availableAt: 0) == .ok)
        #expect(lease(&state, now: 0) == [[102, 2]])
        #expect(state.reject(offset: 103, deliveries: 1) == .ok)
        #expect(state.persisted == "c=5;0:1;2:2;3:1r;4:1")
        #expect(State(start: 7).persisted == "c=0")
    }

    @Test func persistedRoundTripKeepsCountsAndRejectionsAndDropsLeases() throws {
        var state = State(start: 100)
        for offset: Int64 in 100...104 { state.admit(offset: offset, matches: offset != 101, availableAt: 0) }
        _ = lease(&state, now: 0, leaseMs: 60_000)
        #expect(state.release(offset: 102, deliveries: 1, availableAt: 0) == .ok)
        _ = lease(&state, now: 0, leaseMs: 60_000)
        #expect(state.reject(offset: 103, deliveries: 1) == .ok)

        let restored = try #require(State(watermark: state.watermark, persisted: state.persisted, now: 9_000))
        #expect(restored.watermark == 100)
        #expect(restored.cursor == 105)
        #expect(Set(restored.entries.keys) == [100, 102, 103, 104])
        #expect(restored.entries[100]?.deliveries == 1)
        #expect(restored.entries[102]?.deliveries == 2)
        #expect(restored.entries[103]?.rejected == true)
        #expect(restored.entries[104]?.rejected == false)
        #expect(restored.entries.values.allSatisfy { $0.leasedUntil == nil })
        #expect(restored.entries.values.allSatisfy { $0.availableAt == 9_000 })
        #expect(restored.persisted == state.persisted)
        #expect(restored.exhausted(maxDeliveries: 5) == [103])
        var next = restored
        #expect(lease(&next, now: 9_000) == [[100, 2], [102, 3], [104, 2]])
        // Receipts of deliveries before the restart are stale, not unknown.
        #expect(next.acknowledge(offset: 102, deliveries: 2) == .stale)
    }

    @Test func persistedRoundTripOfASettledWindowKeepsTheCursor() throws {
        var state = State(start: 10)
        state.admit(offset: 10, matches: false, availableAt: 0)
        state.pass(to: 15)
        let restored = try #require(State(watermark: state.watermark, persisted: state.persisted, now: 0))
        #expect(restored == state)
        let span = try #require(State(watermark: 50, persisted: "c=3", now: 0))
        #expect(span.cursor == 53)
        #expect(span.watermark == 53, "no unsettled entries: everything below the cursor is settled")
    }

    @Test(
        arguments: [
            "", "x", "c", "c=", "c=x", "c=-1", "c=1001", "d=5", " c=5",
            "c=5;9:1", "c=5;5:1", "c=5;-1:1", "c=5;1", "c=5;1:", "c=5;1:x", "c=5;1:-1",
            "c=5;1:2:3", "c=5;1:r", "c=5;:1", "c=5;1:1rr", "c=5;a:1",
        ]
    )
    func malformedPersistedTextGivesNil(_ text: String) {
        #expect(State(watermark: 0, persisted: text, now: 0) == nil, "'\(text)'")
    }

    @Test func persistedTextAtTheWindowLimitIsAccepted() throws {
        let restored = try #require(State(watermark: 0, persisted: "c=1000;999:3", now: 0))
        #expect(restored.cursor == 1_000)
        #expect(restored.watermark == 999)
        #expect(restored.entries[999]?.deliveries == 3)
    }
}
