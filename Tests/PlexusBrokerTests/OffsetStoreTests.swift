import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import PlexusBroker
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

let offsetTestLogger: Logger = {
    var logger = Logger(label: "plexus.test.offsets")
    logger.logLevel = .critical
    return logger
}()

typealias TP = OffsetStore.TopicPartition

func tp(_ topic: String, _ partition: Int32) -> TP { TP(try! TopicName(topic), PartitionID(partition)) }

func commit(
    _ topic: String,
    _ partition: Int32,
    _ offset: Int64,
    epoch: Int32 = -1,
    metadata: String? = nil
) -> OffsetStore.Commit {
    OffsetStore.Commit(
        topic: try! TopicName(topic),
        partition: PartitionID(partition),
        offset: offset,
        leaderEpoch: epoch,
        metadata: metadata
    )
}

func openStore(
    _ directory: String,
    flush: FlushPolicy = .always,
    configure: (inout OffsetStore.Configuration) -> Void = { _ in }
) throws -> OffsetStore {
    var configuration = OffsetStore.Configuration()
    configure(&configuration)
    return try OffsetStore(
        directory: directory,
        flushPolicy: flush,
        configuration: configuration,
        logger: offsetTestLogger
    )
}

/// Every stored offset of every group.
func snapshot(_ store: OffsetStore) -> [String: [TP: OffsetStore.Committed]] {
    var out: [String: [TP: OffsetStore.Committed]] = [:]
    for group in store.groups() { out[group] = store.fetch(group: group) }
    return out
}

@Suite struct OffsetStoreTests {
    @Test func commitThenFetch() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try openStore(dir.path)
        defer { store.close() }
        let results = await store.commit(
            group: "g",
            offsets: [commit("a", 0, 10, epoch: 3, metadata: "m0"), commit("a", 1, 20)],
            now: 1_000
        )
        #expect(results == [nil, nil])
        let fetched = store.fetch(group: "g", partitions: [tp("a", 0), tp("a", 1), tp("a", 2)])
        #expect(
            fetched[tp("a", 0)]
                == OffsetStore.Committed(offset: 10, leaderEpoch: 3, metadata: "m0", commitTimestamp: 1_000)
        )
        #expect(
            fetched[tp("a", 1)]
                == OffsetStore.Committed(offset: 20, leaderEpoch: -1, metadata: nil, commitTimestamp: 1_000)
        )
        #expect(fetched[tp("a", 2)] == .noOffset)
        #expect(fetched[tp("a", 2)]?.offset == -1)
        #expect(Set(store.fetch(group: "g").keys) == [tp("a", 0), tp("a", 1)])
        #expect(store.fetch(group: "other").isEmpty)
        #expect(store.fetch(group: "other", partitions: [tp("a", 0)])[tp("a", 0)] == .noOffset)
        #expect(store.groups() == ["g"])
    }

    @Test func theLatestCommitWins() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try openStore(dir.path)
        defer { store.close() }
        _ = await store.commit(group: "g", offsets: [commit("a", 0, 5, metadata: "first")], now: 1)
        _ = await store.commit(group: "g", offsets: [commit("a", 0, 9, metadata: "second")], now: 2)
        #expect(store.fetch(group: "g")[tp("a", 0)]?.offset == 9)
        #expect(store.fetch(group: "g")[tp("a", 0)]?.metadata == "second")
        // Within one request, the later entry for a partition wins.
        _ = await store.commit(group: "g", offsets: [commit("a", 0, 11), commit("a", 0, 7)], now: 3)
        #expect(store.fetch(group: "g")[tp("a", 0)]?.offset == 7)
        #expect(store.count == 1)
    }

    @Test func reopeningAfterCloseReturnsTheSameOffsets() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var store = try openStore(dir.path)
        for group in 0..<5 {
            let offsets = (0..<4).map { commit("topic-\($0 % 2)", Int32($0), Int64(group * 100 + $0), epoch: 2) }
            #expect(await store.commit(group: "group-\(group)", offsets: offsets, now: 77).allSatisfy { $0 == nil })
        }
        _ = await store.commit(group: "group-0", offsets: [commit("topic-0", 0, 1234, metadata: "ü-meta")], now: 99)
        let before = snapshot(store)
        store.close()
        store = try openStore(dir.path)
        defer { store.close() }
        #expect(snapshot(store) == before)
        #expect(store.groups() == (0..<5).map { "group-\($0)" })
        #expect(store.fetch(group: "group-0")[tp("topic-0", 0)]?.metadata == "ü-meta")
        #expect(store.count == 20)
    }

    @Test func deletesAndGroupDeletesSurviveReopen() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var store = try openStore(dir.path)
        _ = await store.commit(group: "g1", offsets: [commit("a", 0, 1), commit("a", 1, 2), commit("b", 0, 3)], now: 1)
        _ = await store.commit(group: "g2", offsets: [commit("a", 0, 4)], now: 1)
        _ = await store.commit(group: "g3", offsets: [commit("a", 0, 5)], now: 1)
        let removed = try await store.delete(group: "g1", partitions: [tp("a", 1), tp("a", 7)])
        #expect(removed == [tp("a", 1)])
        #expect(try await store.deleteGroup("g2") == 1)
        #expect(try await store.deleteGroup("nobody") == 0)
        store.close()
        store = try openStore(dir.path)
        defer { store.close() }
        #expect(store.groups() == ["g1", "g3"])
        #expect(Set(store.fetch(group: "g1").keys) == [tp("a", 0), tp("b", 0)])
        #expect(store.fetch(group: "g1", partitions: [tp("a", 1)])[tp("a", 1)] == .noOffset)
        #expect(store.fetch(group: "g2").isEmpty)
        // A commit after a delete brings the partition back.
        _ = await store.commit(group: "g2", offsets: [commit("a", 0, 6)], now: 2)
        #expect(store.fetch(group: "g2")[tp("a", 0)]?.offset == 6)
    }

    @Test func metadataLongerThanTheLimitIsRejectedAndTheRestCommitted() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var store = try openStore(dir.path)
        let results = await store.commit(
            group: "g",
            offsets: [
                commit("a", 0, 1, metadata: String(repeating: "x", count: 4096)),
                commit("a", 1, 2, metadata: String(repeating: "x", count: 4097)),
                commit("a", 2, 3, metadata: String(repeating: "é", count: 2049)),  // 4098 UTF-8 bytes
            ],
            now: 1
        )
        #expect(results == [nil, .metadataTooLarge, .metadataTooLarge])
        #expect(Set(store.fetch(group: "g").keys) == [tp("a", 0)])
        #expect(store.fetch(group: "g")[tp("a", 0)]?.metadata?.count == 4096)
        store.close()

        store = try openStore(dir.path) { $0.metadataMaxBytes = 3 }
        defer { store.close() }
        #expect(
            await store.commit(group: "g", offsets: [commit("a", 0, 1, metadata: "abcd")], now: 1) == [
                .metadataTooLarge
            ]
        )
        #expect(await store.commit(group: "g", offsets: [commit("a", 0, 1, metadata: "abc")], now: 1) == [nil])
        let tooLongGroup = String(repeating: "g", count: 32_768)
        #expect(await store.commit(group: tooLongGroup, offsets: [commit("a", 0, 1)], now: 1) == [.invalidGroupID])
    }

    @Test func aClosedStoreRejectsWrites() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try openStore(dir.path)
        store.close()
        let results = await store.commit(group: "g", offsets: [commit("a", 0, 1)], now: 1)
        guard case .storage(let error)? = results.first ?? nil else {
            Issue.record("expected a storage error, got \(results)")
            return
        }
        #expect(error.code == .shuttingDown)
        await #expect(throws: PlexusError.self) { try await store.deleteGroup("g") }
    }

    @Test func expiryRemovesOffsetsOfGroupsEmptyLongerThanTheRetention() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let minute: Int64 = 60_000
        var store = try openStore(dir.path) { $0.retentionMinutes = 60 }
        let now: Int64 = 1_000 * minute
        _ = await store.commit(group: "empty-long", offsets: [commit("a", 0, 1), commit("a", 1, 1)], now: now - 5)
        _ = await store.commit(group: "empty-short", offsets: [commit("a", 0, 1)], now: now - 500 * minute)
        _ = await store.commit(group: "active", offsets: [commit("a", 0, 1)], now: now - 500 * minute)
        _ = await store.commit(
            group: "standalone",
            offsets: [commit("a", 0, 1)],
            now: now - 60 * minute  // exactly the retention: expires
        )
        _ = await store.commit(group: "standalone", offsets: [commit("a", 1, 1)], now: now - 59 * minute)
        let expired = try await store.expire(now: now) { group in
            switch group {
            case "empty-long": .emptySince(now - 61 * minute)
            case "empty-short": .emptySince(now - 59 * minute)
            case "active": .active
            default: .unknown
            }
        }
        #expect(expired.mapValues { Set($0) } == ["empty-long": [tp("a", 0), tp("a", 1)], "standalone": [tp("a", 0)]])
        #expect(store.groups() == ["active", "empty-short", "standalone"])
        #expect(Set(store.fetch(group: "standalone").keys) == [tp("a", 1)])
        store.close()
        store = try openStore(dir.path) { $0.retentionMinutes = 60 }
        defer { store.close() }
        #expect(store.groups() == ["active", "empty-short", "standalone"])
        #expect(Set(store.fetch(group: "standalone").keys) == [tp("a", 1)])
        // Nothing more to expire: no write, empty answer.
        let again = try await store.expire(now: now) { _ in .active }
        #expect(again.isEmpty)
    }

    @Test func theDefaultRetentionIsSevenDays() {
        let configuration = OffsetStore.Configuration()
        #expect(configuration.retentionMinutes == 10_080)
        #expect(configuration.retentionMs == 7 * 24 * 3_600_000)
        #expect(configuration.metadataMaxBytes == 4096)
    }

    @Test func concurrentCommitsFromManyGroupsAreAllAcknowledgedAndStored() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try openStore(dir.path)
        await withTaskGroup(of: Void.self) { group in
            for g in 0..<50 {
                group.addTask {
                    for round in 0..<20 {
                        let results = await store.commit(
                            group: "group-\(g)",
                            offsets: [commit("t", Int32(round % 3), Int64(round))],
                            now: Int64(round)
                        )
                        #expect(results == [nil])
                    }
                }
            }
        }
        let expected = Dictionary(
            uniqueKeysWithValues: (0..<50).map { g in
                ("group-\(g)", [tp("t", 0): Int64(18), tp("t", 1): 19, tp("t", 2): 17])
            }
        )
        #expect(snapshot(store).mapValues { $0.mapValues(\.offset) } == expected)
        store.close()
        let reopened = try openStore(dir.path)
        defer { reopened.close() }
        #expect(snapshot(reopened).mapValues { $0.mapValues(\.offset) } == expected)
    }

    @Test(arguments: [FlushPolicy.interval(milliseconds: 5), .none])
    func otherFlushPoliciesAcknowledgeAndPersistOnClose(flush: FlushPolicy) async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var store = try openStore(dir.path, flush: flush)
        #expect(await store.commit(group: "g", offsets: [commit("a", 0, 3)], now: 1) == [nil])
        try await Task.sleep(for: .milliseconds(20))
        store.close()
        store = try openStore(dir.path, flush: flush)
        defer { store.close() }
        #expect(store.fetch(group: "g")[tp("a", 0)]?.offset == 3)
    }

    @Test func theStoreOfADataDirectoryStaysOutOfTopicListings() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var logs = try LogManager(dataDirectory: dir.path, ioThreads: 1, logger: offsetTestLogger)
        var store = try OffsetStore(logs: logs, logger: offsetTestLogger)
        #expect(store.directory == dir.path + "/internal/consumer-offsets")
        #expect(store.flushPolicy == logs.flushPolicy)
        _ = await store.commit(group: "g", offsets: [commit("a", 0, 8)], now: 1)
        #expect(logs.topics().isEmpty)
        store.close()
        logs.close()
        // Reopening the data directory (which removes orphan partition directories) keeps the offsets.
        logs = try LogManager(dataDirectory: dir.path, ioThreads: 1, logger: offsetTestLogger)
        defer { logs.close() }
        store = try OffsetStore(logs: logs, logger: offsetTestLogger)
        defer { store.close() }
        #expect(logs.topics().isEmpty)
        #expect(store.fetch(group: "g")[tp("a", 0)]?.offset == 8)
    }
}
