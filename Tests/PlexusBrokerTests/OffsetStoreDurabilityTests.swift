import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PlexusBroker
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

/// Copies a directory tree file by file while it may change; files that vanish meanwhile are skipped.
/// A process crash leaves what the page cache holds, and so does this copy.
private func copyTree(_ from: String, _ to: String) throws {
    let files = FileManager.default
    try files.createDirectory(atPath: to, withIntermediateDirectories: true)
    guard let names = try? files.contentsOfDirectory(atPath: from) else { return }
    for name in names {
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: from + "/" + name, isDirectory: &isDirectory) else { continue }
        if isDirectory.boolValue {
            try copyTree(from + "/" + name, to + "/" + name)
        } else if let data = files.contents(atPath: from + "/" + name) {
            _ = files.createFile(atPath: to + "/" + name, contents: data)
        }
    }
}

/// The key bytes of the documented record format (version 0).
private func keyBytes(group: String, topic: String, partition: Int32) -> [UInt8] {
    var buffer = ByteBuffer()
    buffer.writeInteger(Int16(0))
    buffer.writeInteger(Int16(group.utf8.count))
    buffer.writeString(group)
    buffer.writeInteger(Int16(topic.utf8.count))
    buffer.writeString(topic)
    buffer.writeInteger(partition)
    return Array(buffer.readableBytesView)
}

/// The value bytes of the documented record format (version 0).
private func valueBytes(offset: Int64, epoch: Int32, timestamp: Int64, metadata: String?) -> [UInt8] {
    var buffer = ByteBuffer()
    buffer.writeInteger(Int16(0))
    buffer.writeInteger(offset)
    buffer.writeInteger(epoch)
    buffer.writeInteger(timestamp)
    if let metadata {
        buffer.writeInteger(Int16(metadata.utf8.count))
        buffer.writeString(metadata)
    } else {
        buffer.writeInteger(Int16(-1))
    }
    return Array(buffer.readableBytesView)
}

private func generations(in directory: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
}

private func withRawLog<T>(_ directory: String, _ body: (PartitionLog) throws -> T) throws -> T {
    let executor = StorageExecutor(threadCount: 1)
    defer { executor.shutdown() }
    let log = try PartitionLog(
        directory: directory,
        config: LogConfig(),
        flushPolicy: .always,
        executor: executor,
        logger: offsetTestLogger
    )
    defer { try? log.close() }
    return try body(log)
}

@Suite struct OffsetStoreDurabilityTests {
    @Test func recordsFollowTheDocumentedFormat() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try openStore(dir.path)
        _ = await store.commit(group: "g", offsets: [commit("t", 3, 42, epoch: 7, metadata: "m")], now: 1_000)
        _ = await store.commit(group: "g", offsets: [commit("t", 4, 43)], now: 1_001)
        try await store.delete(group: "g", partitions: [tp("t", 3)])
        store.close()
        #expect(generations(in: dir.path) == ["log-0"])
        let records = try withRawLog(dir.path + "/log-0") { try $0.readRecords(from: Offset(0), maxBytes: 1 << 20) }
        #expect(records.count == 3)
        #expect(
            records.map { $0.record.key.map { Array($0.readableBytesView) } } == [
                keyBytes(group: "g", topic: "t", partition: 3), keyBytes(group: "g", topic: "t", partition: 4),
                keyBytes(group: "g", topic: "t", partition: 3),
            ]
        )
        #expect(
            records[0].record.value.map { Array($0.readableBytesView) }
                == valueBytes(offset: 42, epoch: 7, timestamp: 1_000, metadata: "m")
        )
        #expect(
            records[1].record.value.map { Array($0.readableBytesView) }
                == valueBytes(offset: 43, epoch: -1, timestamp: 1_001, metadata: nil)
        )
        #expect(records[2].record.value == nil)  // the tombstone
    }

    @Test func laterValueVersionsWithAppendedFieldsAndUnknownKeysAreReadAsDocumented() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(atPath: dir.path + "/log-0", withIntermediateDirectories: true)
        try withRawLog(dir.path + "/log-0") { log in
            var newer = valueBytes(offset: 5, epoch: 1, timestamp: 9, metadata: "x")
            newer[1] = 1  // value version 1 ...
            newer += [0xAB, 0xCD]  // ... with a field appended
            var unknownKey = keyBytes(group: "g", topic: "t", partition: 1)
            unknownKey[1] = 2  // a key version this reader does not know (e.g. group metadata)
            let records = [
                Record(
                    offsetDelta: 0,
                    key: ByteBuffer(bytes: keyBytes(group: "g", topic: "t", partition: 0)),
                    value: ByteBuffer(bytes: newer)
                ),
                Record(offsetDelta: 1, key: ByteBuffer(bytes: unknownKey), value: ByteBuffer(bytes: [1, 2, 3])),
            ]
            let done = NIOLockedValueBox<Result<AppendResult, PlexusError>?>(nil)
            log.append(RecordBatch.build(records: records, baseTimestamp: 1)) { result in
                done.withLockedValue { $0 = result }
            }
            try log.flush()
            _ = try #require(done.withLockedValue { $0 }).get()
        }
        let store = try openStore(dir.path)
        defer { store.close() }
        #expect(
            store.fetch(group: "g") == [
                tp("t", 0): OffsetStore.Committed(offset: 5, leaderEpoch: 1, metadata: "x", commitTimestamp: 9)
            ]
        )
    }

    /// Commits from several tasks while the store's directory is copied again and again; each copy, opened
    /// as a crashed store would be, holds every commit acknowledged before the copy began.
    @Test func everyAcknowledgedCommitSurvivesACrash() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let live = dir.path + "/live"
        let store = try openStore(live) {
            $0.segmentBytes = 1 << 16  // rolls happen during the copies
            $0.autoCompact = false
        }
        let acked = NIOLockedValueBox<[OffsetKeyName: Int64]>([:])
        let stop = NIOLockedValueBox(false)
        var snapshots: [[OffsetKeyName: Int64]] = []
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var n: Int64 = 0
                    while !stop.withLockedValue({ $0 }) {
                        n += 1
                        let key = OffsetKeyName(
                            group: "group-\(worker % 3)",
                            topic: "t\(worker)",
                            partition: Int32(n % 5)
                        )
                        let results = await store.commit(
                            group: key.group,
                            offsets: [commit(key.topic, key.partition, n, metadata: "w\(worker)-\(n)")],
                            now: n
                        )
                        guard results == [nil] else { throw PlexusError(.unknown, "commit failed: \(results)") }
                        acked.withLockedValue { $0[key] = n }
                    }
                }
            }
            for copy in 0..<6 {
                try await Task.sleep(for: .milliseconds(25))
                snapshots.append(acked.withLockedValue { $0 })
                try copyTree(live, dir.path + "/copy-\(copy)")
            }
            stop.withLockedValue { $0 = true }
            try await group.waitForAll()
        }
        store.close()
        #expect(snapshots.last!.count >= 8)
        for (copy, acknowledged) in snapshots.enumerated() {
            let reopened = try openStore(dir.path + "/copy-\(copy)")
            defer { reopened.close() }
            for (key, offset) in acknowledged {
                let found = reopened.fetch(group: key.group, partitions: [tp(key.topic, key.partition)])[
                    tp(key.topic, key.partition)
                ]!
                #expect(found.offset >= offset, "copy \(copy) lost \(key) at \(offset)")
                let worker = key.topic.dropFirst()
                #expect(found.metadata == "w\(worker)-\(found.offset)")
            }
        }
    }

    @Test func compactionKeepsExactlyTheLiveSetAcrossReopen() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try openStore(dir.path) { $0.autoCompact = false }
        for round in 0..<30 {
            let offsets = (0..<10).map { commit("t", Int32($0), Int64(round * 10 + $0), metadata: "r\(round)") }
            _ = await store.commit(group: "g-\(round % 3)", offsets: offsets, now: Int64(round))
        }
        try await store.delete(group: "g-0", partitions: [tp("t", 0), tp("t", 1)])
        try await store.deleteGroup("g-2")
        let before = snapshot(store)
        #expect(store.count == 18)
        #expect(store.logStatistics.records == 300 + 2 + 10)
        #expect(try store.compact())
        #expect(store.logStatistics.records == 18)
        #expect(store.logStatistics.generation == 1)
        #expect(generations(in: dir.path) == ["log-1"])
        #expect(snapshot(store) == before)
        // Writes after the compaction go to the new log.
        _ = await store.commit(group: "g-0", offsets: [commit("t", 0, 999)], now: 99)
        store.close()
        let reopened = try openStore(dir.path)
        defer { reopened.close() }
        var expected = before
        expected["g-0"]![tp("t", 0)] = OffsetStore.Committed(
            offset: 999,
            leaderEpoch: -1,
            metadata: nil,
            commitTimestamp: 99
        )
        #expect(snapshot(reopened) == expected)
        #expect(reopened.logStatistics.records == 19)
        // The rewritten log holds the live set once, in (group, topic, partition) order, plus the later commit.
        let keys = try withRawLog(dir.path + "/log-1") {
            try $0.readRecords(from: Offset(0), maxBytes: 1 << 20).map { Array($0.record.key!.readableBytesView) }
        }
        #expect(keys.count == 19)
        #expect(keys.first == keyBytes(group: "g-0", topic: "t", partition: 2))
    }

    @Test func commitsDuringCompactionsAreKeptInOrder() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try openStore(dir.path) { $0.autoCompact = false }
        let last = NIOLockedValueBox<[OffsetKeyName: Int64]>([:])
        let stop = NIOLockedValueBox(false)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<6 {
                group.addTask {
                    var n: Int64 = 0
                    while !stop.withLockedValue({ $0 }) {
                        n += 1
                        let key = OffsetKeyName(group: "g\(worker % 2)", topic: "t", partition: Int32(worker))
                        let results = await store.commit(
                            group: key.group,
                            offsets: [commit("t", key.partition, n)],
                            now: n
                        )
                        guard results == [nil] else { throw PlexusError(.unknown, "commit failed: \(results)") }
                        last.withLockedValue { $0[key] = n }
                    }
                }
            }
            for _ in 0..<5 {
                try await Task.sleep(for: .milliseconds(10))
                #expect(try store.compact())
            }
            stop.withLockedValue { $0 = true }
            try await group.waitForAll()
        }
        #expect(store.logStatistics.generation == 5)
        let expected = last.withLockedValue { $0 }
        func check(_ store: OffsetStore) {
            for (key, offset) in expected {
                #expect(store.fetch(group: key.group)[tp(key.topic, key.partition)]?.offset == offset)
            }
            #expect(store.count == 6)
        }
        check(store)
        store.close()
        let reopened = try openStore(dir.path)
        defer { reopened.close() }
        check(reopened)
        #expect(generations(in: dir.path) == ["log-5"])
    }

    @Test func compactionRunsByItselfWhenDeadRecordsDominate() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let store = try openStore(dir.path) { $0.compactionMinBytes = 4096 }
        defer { store.close() }
        for round in 0..<200 {
            _ = await store.commit(group: "g", offsets: [commit("t", Int32(round % 4), Int64(round))], now: 1)
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while store.logStatistics.generation == 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(store.logStatistics.generation >= 1)
        #expect(store.logStatistics.records < 200)
        #expect(
            store.fetch(group: "g").mapValues(\.offset) == [
                tp("t", 0): 196, tp("t", 1): 197, tp("t", 2): 198, tp("t", 3): 199,
            ]
        )
    }

    @Test func aCrashDuringCompactionLeavesTheOldLogInForce() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var store = try openStore(dir.path)
        _ = await store.commit(group: "g", offsets: [commit("t", 0, 10), commit("t", 1, 11)], now: 1)
        store.close()
        // A half-written rewrite: conflicting values and no index files, as a crash mid-compaction leaves it.
        let partial = dir.path + "/log-1.compacting"
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        try withRawLog(partial) { log in
            let record = Record(
                offsetDelta: 0,
                key: ByteBuffer(bytes: keyBytes(group: "g", topic: "t", partition: 0)),
                value: ByteBuffer(bytes: valueBytes(offset: 999, epoch: 0, timestamp: 1, metadata: nil))
            )
            log.append(RecordBatch.build(records: [record], baseTimestamp: 1)) { _ in }
            try log.flush()
        }
        store = try openStore(dir.path)
        defer { store.close() }
        #expect(store.fetch(group: "g").mapValues(\.offset) == [tp("t", 0): 10, tp("t", 1): 11])
        #expect(generations(in: dir.path) == ["log-0"])
        // The next compaction reuses the name and works.
        #expect(try store.compact())
        #expect(generations(in: dir.path) == ["log-1"])
        #expect(store.fetch(group: "g").mapValues(\.offset) == [tp("t", 0): 10, tp("t", 1): 11])
    }

    @Test func aCrashAfterTheSwapKeepsTheNewGenerationAndDropsTheOld() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var store = try openStore(dir.path)
        _ = await store.commit(group: "g", offsets: [commit("t", 0, 1), commit("t", 1, 1)], now: 1)
        store.close()
        try copyTree(dir.path + "/log-0", dir.path + "/stale-log-0")  // the old generation as the swap leaves it
        store = try openStore(dir.path)
        _ = await store.commit(group: "g", offsets: [commit("t", 0, 2)], now: 2)
        try await store.delete(group: "g", partitions: [tp("t", 1)])
        #expect(try store.compact())
        store.close()
        // A crash after renaming log-1 into place but before removing log-0.
        try FileManager.default.moveItem(atPath: dir.path + "/stale-log-0", toPath: dir.path + "/log-0")
        #expect(generations(in: dir.path) == ["log-0", "log-1"])
        store = try openStore(dir.path)
        defer { store.close() }
        #expect(store.fetch(group: "g").mapValues(\.offset) == [tp("t", 0): 2])
        #expect(generations(in: dir.path) == ["log-1"])
    }
}

/// A (group, topic, partition) as plain values, for the tests' bookkeeping.
struct OffsetKeyName: Hashable, Sendable, CustomStringConvertible {
    var group: String
    var topic: String
    var partition: Int32
    var description: String { "\(group)/\(topic)-\(partition)" }
}
