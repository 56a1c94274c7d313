import NIOConcurrencyHelpers
import NIOCore
public import PlexusModel
import PlexusStorage

extension Broker {
    /// Publishes records (CloudEvents already in the Kafka binding, or records copied from a stream) to
    /// `topic`, creating it when allowed, and returns each one's partition and offset once all are
    /// acknowledged under the flush policy.
    ///
    /// A record with a key goes where Kafka's default partitioner puts it (murmur2 of the key), so Kafka
    /// producers and every other front end agree; records without a key go round-robin. Each partition's
    /// records are one batch; every batch is checked against `max.message.bytes` before any is enqueued, so
    /// a request that is too large stores nothing. (Storage failing mid-way — busy, a disk error — can still
    /// leave other partitions' batches stored: a batch is atomic, a call is not.)
    public func publish(
        _ messages: [CloudEventKafkaBinding.Message],
        to topic: TopicName
    ) async throws(PlexusError) -> [(partition: Int32, offset: Int64)] {
        guard !messages.isEmpty else { return [] }
        guard let metadata = try await self.topic(topic, create: true) else {
            throw PlexusError(.unknownTopicOrPartition, "topic '\(topic)' does not exist")
        }
        var byPartition: [Int32: [(index: Int, record: Record)]] = [:]
        for (index, message) in messages.enumerated() {
            let partition = choosePartition(key: message.key, topic: topic, partitions: metadata.partitionCount)
            let offsetDelta = Int32(byPartition[partition]?.count ?? 0)
            let record = Record(
                offsetDelta: offsetDelta,
                timestampDelta: 0,
                key: message.key,
                value: message.value,
                headers: message.headers
            )
            byPartition[partition, default: []].append((index, record))
        }
        let now = PartitionLog.wallClockMilliseconds()
        var batches: [(partition: Int32, indexes: [Int], batch: RecordBatch)] = []
        for (partition, entries) in byPartition.sorted(by: { $0.key < $1.key }) {
            let batch = RecordBatch.build(records: entries.map(\.record), baseTimestamp: now)
            let limit = logs.partition(topic, PartitionID(partition))?.config.maxMessageBytes ?? Int.max
            guard batch.bytes.readableBytes <= limit else {
                throw PlexusError(
                    .messageTooLarge,
                    "the events for partition \(partition) take \(batch.bytes.readableBytes) bytes; max.message.bytes is \(limit)"
                )
            }
            batches.append((partition, entries.map(\.index), batch))
        }
        // Enqueued without suspending (offsets assigned in order), then one wait for all acknowledgements.
        let results = await withCheckedContinuation {
            (continuation: CheckedContinuation<[Result<AppendResult, PlexusError>], Never>) in
            let collected = NIOLockedValueBox<(results: [Result<AppendResult, PlexusError>?], left: Int)>(
                (Array(repeating: nil, count: batches.count), batches.count)
            )
            for (i, entry) in batches.enumerated() {
                do {
                    try produce(topic: topic, partition: PartitionID(entry.partition), batch: entry.batch.bytes) {
                        result in
                        let done = collected.withLockedValue { state -> [Result<AppendResult, PlexusError>]? in
                            state.results[i] = result
                            state.left -= 1
                            return state.left == 0 ? state.results.map { $0! } : nil
                        }
                        if let done { continuation.resume(returning: done) }
                    }
                } catch {
                    // Nothing after this batch was enqueued; those before it will still complete.
                    let done = collected.withLockedValue { state -> [Result<AppendResult, PlexusError>]? in
                        for j in i..<batches.count { state.results[j] = .failure(PlexusError.wrapping(error)) }
                        state.left -= batches.count - i
                        return state.left == 0 ? state.results.map { $0! } : nil
                    }
                    if let done { continuation.resume(returning: done) }
                    return
                }
            }
        }
        var placements = [(partition: Int32, offset: Int64)](repeating: (-1, -1), count: messages.count)
        for (entry, result) in zip(batches, results) {
            let appended = try result.get()
            for (delta, index) in entry.indexes.enumerated() {
                placements[index] = (entry.partition, appended.baseOffset.rawValue + Int64(delta))
            }
        }
        return placements
    }

    /// Kafka's default partitioner for keyed records (murmur2 of the key); round-robin without a key.
    func choosePartition(key: ByteBuffer?, topic: TopicName, partitions: Int32) -> Int32 {
        let count = max(1, partitions)
        if let key {
            return Int32(Int(Murmur2.hash(key.readableBytesView) & 0x7fff_ffff) % Int(count))
        }
        return roundRobin.withLockedValue { positions in
            let next = positions[topic, default: 0]
            positions[topic] = next &+ 1
            return Int32(next % Int(count))
        }
    }
}

/// Kafka's murmur2 (`org.apache.kafka.common.utils.Utils.murmur2`), used by its default partitioner.
public enum Murmur2 {
    /// The 32-bit hash of `bytes`.
    public static func hash(_ bytes: some Collection<UInt8>) -> UInt32 {
        let data = Array(bytes)
        let seed: UInt32 = 0x9747_b28c
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        var h: UInt32 = seed ^ UInt32(truncatingIfNeeded: data.count)
        let length4 = data.count / 4
        for i in 0..<length4 {
            let i4 = i * 4
            var k =
                UInt32(data[i4]) | (UInt32(data[i4 + 1]) << 8) | (UInt32(data[i4 + 2]) << 16)
                | (UInt32(data[i4 + 3]) << 24)
            k = k &* m
            k ^= k >> r
            k = k &* m
            h = h &* m
            h ^= k
        }
        let tail = length4 * 4
        switch data.count % 4 {
        case 3:
            h ^= UInt32(data[tail + 2]) << 16
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 2:
            h ^= UInt32(data[tail + 1]) << 8
            h ^= UInt32(data[tail])
            h = h &* m
        case 1:
            h ^= UInt32(data[tail])
            h = h &* m
        default:
            break
        }
        h ^= h >> 13
        h = h &* m
        h ^= h >> 15
        return h
    }
}
