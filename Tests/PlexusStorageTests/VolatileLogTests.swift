import Foundation
import Logging
import NIOCore
import PlexusModel
import PlexusStorage
import PlexusTestSupport
import Testing

@Suite struct VolatileLogTests {
    private func files(under path: String) -> [String] {
        (FileManager.default.enumerator(atPath: path)?.allObjects as? [String]) ?? []
    }

    @Test func aVolatileTopicWritesNothingToDiskKeepsABoundedRingAndStartsEmptyAfterARestart() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let topic = try TopicName("ticks")
        var manager: LogManager? = try LogManager(dataDirectory: dir.path, logger: Logger(label: "test"))
        _ = try manager!.createTopic(
            topic,
            partitions: 2,
            config: ["delivery.mode": "volatile", "retention.bytes": "20000", "segment.bytes": "5000"]
        )
        let before = Set(files(under: dir.path + "/logs"))
        #expect(before.isEmpty, "no partition directory for a volatile topic: \(before)")
        let log = try #require(manager!.partition(topic, PartitionID(0)))
        #expect(log.isVolatile)
        var sent: [RecordBatch] = []
        for seed in 0..<200 {
            let batch = TestBatches.make(seed: UInt64(seed), count: 2, valueSize: 200)
            _ = try await log.append(batch.bytes)
            sent.append(batch)
        }
        #expect(log.offsets.highWatermark == Offset(400))
        // The ring: at most retention.bytes plus the active segment, the oldest records dropped.
        #expect(log.sizeInBytes <= 20000 + 5000 + 600)
        #expect(log.offsets.logStart.rawValue > 0)
        let start = log.offsets.logStart
        var batches: [RecordBatch] = []
        var next = start.rawValue
        while next < 400 {
            let read = try log.readBatches(from: Offset(next), maxBytes: 1 << 20)
            let last = try #require(read.last)
            batches += read
            next = last.header.baseOffset + Int64(last.header.lastOffsetDelta) + 1
        }
        #expect(batches.count == (400 - Int(start.rawValue)) / 2)
        // What is kept reads back byte for byte (past the base offset, length and leader epoch the broker
        // rewrites); batch n holds offsets 2n and 2n+1.
        for read in batches {
            let original = sent[Int(read.header.baseOffset / 2)]
            #expect(
                Array(read.bytes.readableBytesView.dropFirst(16))
                    == Array(original.bytes.readableBytesView.dropFirst(16))
            )
        }
        // A Kafka fetch's slice points into the memory file and reads the same bytes.
        let slice = try #require(try log.read(from: start, maxBytes: 1 << 20).slice)
        #expect(slice.file.path.hasPrefix("memory:"))
        #expect(try slice.readBytes().readableBytes == slice.length)
        #expect(files(under: dir.path + "/logs").isEmpty, "still nothing on disk after appends and rolls")
        // delivery.mode is fixed at creation.
        #expect(throws: PlexusError.self) { try manager!.alterConfig(topic, ["delivery.mode": "replayable"]) }
        manager!.close()
        manager = nil
        let reopened = try LogManager(dataDirectory: dir.path, logger: Logger(label: "test"))
        defer { reopened.close() }
        let again = try #require(reopened.partition(topic, PartitionID(0)))
        #expect(again.isVolatile)
        #expect(again.offsets.highWatermark == Offset(0), "a volatile stream starts empty")
        #expect(files(under: dir.path + "/logs").isEmpty)
    }

    @Test func aVolatileStreamMustBeBounded() throws {
        #expect(throws: PlexusError.self) {
            try LogConfig().applying(["delivery.mode": "volatile", "retention.bytes": "-1"])
        }
        let defaults = try LogConfig().applying(["delivery.mode": "volatile"])
        #expect(defaults.retentionBytes == LogConfig.volatileRetentionBytes)
        #expect(throws: PlexusError.self) { try LogConfig().applying(["delivery.mode": "sometimes"]) }
        // At most 1 GiB of ring per partition, and never a segment larger than the ring.
        #expect(throws: PlexusError.self) {
            try LogConfig().applying(["delivery.mode": "volatile", "retention.bytes": String(2 << 30)])
        }
        let small = try LogConfig().applying([
            "delivery.mode": "volatile", "retention.bytes": "100000", "segment.bytes": "5000000",
        ])
        #expect(small.segmentBytes == 100_000)
    }
}
