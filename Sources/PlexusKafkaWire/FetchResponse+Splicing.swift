public import NIOCore

/// A response frame whose record bytes are not in memory: `bytes` holds everything else, and each splice
/// names where in `bytes` its `length` bytes belong. A connection writes the pieces in order — the
/// spliced ones straight from a file (`sendfile`) — so a Kafka fetch is served without copying records.
public struct KafkaSplicedFrame<Splice> {
    /// The frame without the spliced bytes (the size prefix counts them).
    public var bytes: ByteBuffer
    /// The splices in ascending `offset` order; `offset` is an index into `bytes` (reader index 0).
    public var splices: [(offset: Int, length: Int, splice: Splice)]

    /// A frame of `bytes` with `splices` (ascending offsets into `bytes`).
    public init(bytes: ByteBuffer, splices: [(offset: Int, length: Int, splice: Splice)]) {
        self.bytes = bytes
        self.splices = splices
    }

    /// The frame as one buffer, with each splice's bytes produced by `read` (tests and non-socket users).
    public func materialized<E: Error>(_ read: (Splice) throws(E) -> ByteBuffer) throws(E) -> ByteBuffer {
        var out = ByteBuffer()
        out.reserveCapacity(bytes.readableBytes + splices.reduce(0) { $0 + $1.length })
        var from = bytes.readerIndex
        for splice in splices {
            out.writeImmutableBuffer(bytes.getSlice(at: from, length: bytes.readerIndex + splice.offset - from)!)
            out.writeImmutableBuffer(try read(splice.splice))
            from = bytes.readerIndex + splice.offset
        }
        out.writeImmutableBuffer(bytes.getSlice(at: from, length: bytes.writerIndex - from)!)
        return out
    }
}

extension KafkaSplicedFrame: Sendable where Splice: Sendable {}

extension FetchResponse {
    /// Encodes the complete response frame for `requestHeader`, taking the records of partition `p` of
    /// topic `t` from `splices[t][p]` when that is non-nil (the partition's own `records` are then ignored).
    /// The result is byte for byte what ``ByteBuffer/writeKafkaResponseFrame(_:for:)`` writes when every
    /// spliced partition's `records` holds the splice's bytes.
    public func splicedFrame<Splice>(
        for requestHeader: RequestHeader,
        splices: [[(length: Int, splice: Splice)?]]
    ) -> KafkaSplicedFrame<Splice> {
        let version = requestHeader.requestApiVersion
        let flexible = version >= 12
        var buffer = ByteBuffer()
        var placed: [(offset: Int, length: Int, splice: Splice)] = []
        buffer.writeInteger(0, as: Int32.self)
        ResponseHeader(correlationId: requestHeader.correlationId)
            .write(to: &buffer, version: KafkaApiKey.fetch.responseHeaderVersion(for: version))
        if version >= 1 { buffer.writeInteger(throttleTimeMs) }
        if version >= 7 {
            buffer.writeInteger(errorCode)
            buffer.writeInteger(sessionId)
        }
        buffer.writeKafkaLength(responses.count, compact: flexible, short: false)
        for (t, topic) in responses.enumerated() {
            if version <= 12 { buffer.writeKafkaString(topic.topic, compact: flexible) }
            if version >= 13 { buffer.writeKafkaUUID(topic.topicId) }
            buffer.writeKafkaLength(topic.partitions.count, compact: flexible, short: false)
            for (p, partition) in topic.partitions.enumerated() {
                let splice = t < splices.count && p < splices[t].count ? splices[t][p] : nil
                partition.writeSpliced(to: &buffer, version: version, splice: splice, placed: &placed)
            }
            if flexible { buffer.writeKafkaEmptyTaggedFields() }
        }
        if flexible {
            var tagged = KafkaTaggedFieldWriter()
            if version >= 16, nodeEndpoints != [] {
                tagged.add(0) { $0.writeKafkaArray(nodeEndpoints, version: version, compact: true) }
            }
            tagged.write(to: &buffer)
        }
        let size = buffer.writerIndex - 4 + placed.reduce(0) { $0 + $1.length }
        buffer.setInteger(Int32(truncatingIfNeeded: size), at: 0)
        return KafkaSplicedFrame(bytes: buffer, splices: placed)
    }
}

extension FetchResponse.PartitionData {
    /// The generated `write(to:version:)` with the records field optionally left as a splice.
    fileprivate func writeSpliced<Splice>(
        to buffer: inout ByteBuffer,
        version: Int16,
        splice: (length: Int, splice: Splice)?,
        placed: inout [(offset: Int, length: Int, splice: Splice)]
    ) {
        let flexible = version >= 12
        buffer.writeInteger(partitionIndex)
        buffer.writeInteger(errorCode)
        buffer.writeInteger(highWatermark)
        if version >= 4 { buffer.writeInteger(lastStableOffset) }
        if version >= 5 { buffer.writeInteger(logStartOffset) }
        if version >= 4 {
            buffer.writeKafkaNullableArray(abortedTransactions, version: version, compact: flexible, nullable: true)
        }
        if version >= 11 { buffer.writeInteger(preferredReadReplica) }
        if let splice {
            buffer.writeKafkaLength(splice.length, compact: flexible, short: false)
            placed.append((buffer.writerIndex, splice.length, splice.splice))
        } else {
            buffer.writeKafkaNullableBytes(records, compact: flexible, nullable: true)
        }
        if flexible {
            var tagged = KafkaTaggedFieldWriter()
            if divergingEpoch != FetchResponse.EpochEndOffset() {
                tagged.add(0) { divergingEpoch.write(to: &$0, version: version) }
            }
            if currentLeader != FetchResponse.LeaderIdAndEpoch() {
                tagged.add(1) { currentLeader.write(to: &$0, version: version) }
            }
            if snapshotId != FetchResponse.SnapshotId() {
                tagged.add(2) { snapshotId.write(to: &$0, version: version) }
            }
            tagged.write(to: &buffer)
        }
    }
}
