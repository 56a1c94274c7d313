import Foundation
import PlexusModel

/// Idempotent-producer bookkeeping of one partition: for each producer id, its epoch and its last five
/// batches' sequence ranges with their offsets — what a retried batch is recognised by.
///
/// The log keeps two tables: one updated when offsets are assigned (checks see batches still being
/// written) and one updated when batches become durable (what snapshots persist). Snapshots are written
/// beside the segments as `OFFSET.snapshot` (the state of every batch below OFFSET) at roll and clean
/// shutdown; recovery loads the newest one not above the log end and replays the batches after it.
struct ProducerStateTable: Hashable, Sendable, Codable {
    struct BatchEntry: Hashable, Sendable, Codable {
        var firstSequence: Int32
        var lastSequence: Int32
        var baseOffset: Int64
        var lastOffset: Int64
    }

    struct Producer: Hashable, Sendable, Codable {
        var epoch: Int16
        var batches: [BatchEntry]
    }

    /// How many recent batches per producer are remembered (as Kafka does: max.in.flight is at most 5).
    static let remembered = 5

    var producers: [Int64: Producer] = [:]

    /// What an idempotent batch is, given what came before.
    enum Verdict: Equatable {
        /// New and in order: assign offsets and write it.
        case accept
        /// A retry of a batch already assigned these offsets.
        case duplicate(baseOffset: Int64, lastOffset: Int64)
        case reject(PlexusError)
    }

    /// The sequence number `delta` after `sequence`, wrapping past Int32.max to 0 as Kafka does.
    static func sequence(_ sequence: Int32, plus delta: Int32) -> Int32 {
        sequence > Int32.max - delta ? delta - (Int32.max - sequence) - 1 : sequence + delta
    }

    func verdict(for header: RecordBatchHeader) -> Verdict {
        guard header.producerId >= 0, header.baseSequence >= 0 else { return .accept }
        guard let producer = producers[header.producerId] else { return .accept }
        let first = header.baseSequence
        let last = Self.sequence(first, plus: header.lastOffsetDelta)
        if header.producerEpoch < producer.epoch {
            return .reject(
                PlexusError(
                    .invalidProducerEpoch,
                    "producer \(header.producerId) epoch \(header.producerEpoch) is older than \(producer.epoch)"
                )
            )
        }
        if header.producerEpoch > producer.epoch {
            return first == 0
                ? .accept
                : .reject(
                    PlexusError(.outOfOrderSequence, "a new producer epoch must start at sequence 0, not \(first)")
                )
        }
        if let seen = producer.batches.first(where: { $0.firstSequence == first && $0.lastSequence == last }) {
            return .duplicate(baseOffset: seen.baseOffset, lastOffset: seen.lastOffset)
        }
        if let previous = producer.batches.last {
            let expected = Self.sequence(previous.lastSequence, plus: 1)
            if first != expected {
                return .reject(
                    PlexusError(
                        .outOfOrderSequence,
                        "producer \(header.producerId) sent sequence \(first), expected \(expected)"
                    )
                )
            }
        }
        return .accept
    }

    /// Records an accepted idempotent batch at its offsets.
    mutating func record(_ header: RecordBatchHeader, baseOffset: Int64) {
        guard header.producerId >= 0, header.baseSequence >= 0 else { return }
        let entry = BatchEntry(
            firstSequence: header.baseSequence,
            lastSequence: Self.sequence(header.baseSequence, plus: header.lastOffsetDelta),
            baseOffset: baseOffset,
            lastOffset: baseOffset + Int64(header.lastOffsetDelta)
        )
        var producer = producers[header.producerId] ?? Producer(epoch: header.producerEpoch, batches: [])
        if header.producerEpoch != producer.epoch {
            producer = Producer(epoch: header.producerEpoch, batches: [])
        }
        producer.batches.append(entry)
        if producer.batches.count > Self.remembered { producer.batches.removeFirst() }
        producers[header.producerId] = producer
    }

    // MARK: Snapshots

    static func snapshotName(_ offset: Int64) -> String { PartitionLog.segmentName(offset) + ".snapshot" }

    func snapshotBytes() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = (try? encoder.encode(self)).map(Array.init) ?? Array("{}".utf8)
        var bytes: [UInt8] = []
        bytes.appendBigEndian(CRC32C.checksum(json))
        return bytes + json
    }

    static func load(snapshot bytes: [UInt8]) -> ProducerStateTable? {
        guard bytes.count > 4 else { return nil }
        let crc: UInt32 = bytes.readBigEndian(at: 0)
        let json = Array(bytes[4...])
        guard CRC32C.checksum(json) == crc else { return nil }
        return try? JSONDecoder().decode(ProducerStateTable.self, from: Data(json))
    }
}
