/// The live offsets: the latest value per key of the offsets log, tombstones applied. A plain value with
/// no IO; ``OffsetStore`` keeps it equal to a replay of the log's acknowledged prefix.
struct OffsetTable: Sendable {
    private(set) var groups: [String: [OffsetStore.TopicPartition: OffsetStore.Committed]] = [:]
    /// Number of live entries.
    private(set) var count = 0

    /// Stores `value` for `key`, or removes the key when `value` is nil (a tombstone).
    mutating func apply(_ key: OffsetKey, _ value: OffsetStore.Committed?) {
        if let value {
            if groups[key.group, default: [:]].updateValue(value, forKey: key.partition) == nil { count += 1 }
        } else if groups[key.group]?.removeValue(forKey: key.partition) != nil {
            count -= 1
            if groups[key.group]?.isEmpty == true { groups[key.group] = nil }
        }
    }

    subscript(key: OffsetKey) -> OffsetStore.Committed? { groups[key.group]?[key.partition] }

    /// Every live entry, ordered by group, topic and partition.
    func entries() -> [OffsetStore.Entry] {
        var out: [OffsetStore.Entry] = []
        out.reserveCapacity(count)
        for group in groups.keys.sorted() {
            for (partition, value) in groups[group]!.sorted(by: { $0.key < $1.key }) {
                out.append(OffsetStore.Entry(key: OffsetKey(group: group, partition: partition), value: value))
            }
        }
        return out
    }
}
