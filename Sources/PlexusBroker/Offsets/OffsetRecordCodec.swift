import NIOCore
import PlexusModel

/// The records of the offsets log: one record per stored offset, keyed like a record of Kafka's compacted
/// `__consumer_offsets` topic by (group, topic, partition); a null value is a tombstone.
///
/// Integers are big-endian. A `string` is an int16 byte length and that many UTF-8 bytes; a nullable string
/// uses length -1 for null.
///
/// Key, version 0 (an offset commit key):
/// ```
/// int16   key version = 0
/// string  group id           (0...32767 bytes)
/// string  topic              (a valid topic name)
/// int32   partition
/// ```
/// Value, version 0:
/// ```
/// int16   value version = 0
/// int64   committed offset
/// int32   leader epoch       (-1 = unknown)
/// int64   commit timestamp   (ms since the epoch)
/// string? metadata           (nullable)
/// ```
/// Compatibility rules: a key is read exactly (no trailing bytes), and a record whose key version is not
/// known is skipped on replay (other key versions are reserved for other record kinds, e.g. group
/// metadata). A later value version may only append fields: a reader decodes the fields it knows and
/// ignores the rest.
enum OffsetRecordCodec {
    static let offsetKeyVersion: Int16 = 0
    static let valueVersion: Int16 = 0
    /// The longest string the format holds.
    static let maxStringBytes = Int(Int16.max)

    static func encodeKey(_ key: OffsetKey) -> ByteBuffer {
        let group = key.group.utf8.count
        let topic = key.partition.topic.rawValue.utf8.count
        var buffer = ByteBuffer()
        buffer.reserveCapacity(2 + 2 + group + 2 + topic + 4)
        buffer.writeInteger(offsetKeyVersion)
        writeString(key.group, to: &buffer)
        writeString(key.partition.topic.rawValue, to: &buffer)
        buffer.writeInteger(key.partition.partition.rawValue)
        return buffer
    }

    static func encodeValue(_ value: OffsetStore.Committed) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(2 + 8 + 4 + 8 + 2 + (value.metadata?.utf8.count ?? 0))
        buffer.writeInteger(valueVersion)
        buffer.writeInteger(value.offset)
        buffer.writeInteger(value.leaderEpoch)
        buffer.writeInteger(value.commitTimestamp)
        if let metadata = value.metadata {
            writeString(metadata, to: &buffer)
        } else {
            buffer.writeInteger(Int16(-1))
        }
        return buffer
    }

    /// The key, or nil when the bytes are not an offset commit key this version knows.
    static func decodeKey(_ bytes: ByteBuffer) -> OffsetKey? {
        var buffer = bytes
        guard buffer.readInteger(as: Int16.self) == offsetKeyVersion,
            let group = readString(&buffer),
            let topicText = readString(&buffer),
            let partition = buffer.readInteger(as: Int32.self),
            buffer.readableBytes == 0,
            let topic = try? TopicName(topicText)
        else { return nil }
        return OffsetKey(group: group, partition: OffsetStore.TopicPartition(topic, PartitionID(partition)))
    }

    /// The value, or nil when the bytes are not a value of a known layout.
    static func decodeValue(_ bytes: ByteBuffer) -> OffsetStore.Committed? {
        var buffer = bytes
        guard let version = buffer.readInteger(as: Int16.self), version >= valueVersion,
            let offset = buffer.readInteger(as: Int64.self),
            let epoch = buffer.readInteger(as: Int32.self),
            let timestamp = buffer.readInteger(as: Int64.self),
            let length = buffer.readInteger(as: Int16.self)
        else { return nil }
        var metadata: String?
        if length >= 0 {
            guard let text = buffer.readString(length: Int(length)) else { return nil }
            metadata = text
        } else if length != -1 {
            return nil
        }
        return OffsetStore.Committed(offset: offset, leaderEpoch: epoch, metadata: metadata, commitTimestamp: timestamp)
    }

    /// Builds one uncompressed batch holding `entries` in order (nil value = tombstone).
    static func batch(_ entries: [OffsetStore.Entry], timestamp: Int64) -> RecordBatch {
        var records: [Record] = []
        records.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            records.append(
                Record(
                    offsetDelta: Int32(index),
                    key: encodeKey(entry.key),
                    value: entry.value.map(encodeValue)
                )
            )
        }
        return RecordBatch.build(records: records, baseTimestamp: timestamp)
    }

    private static func writeString(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(Int16(text.utf8.count))
        buffer.writeString(text)
    }

    private static func readString(_ buffer: inout ByteBuffer) -> String? {
        guard let length = buffer.readInteger(as: Int16.self), length >= 0 else { return nil }
        return buffer.readString(length: Int(length))
    }
}
