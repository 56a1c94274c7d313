import NIOCore
import PlexusModel

/// Reads a segment file batch by batch, validating framing, magic, CRC-32C and offset order, and
/// extends a ``SegmentIndex`` with every valid batch. Stops at the first invalid or torn batch:
/// everything before that point is valid, everything after it is to be cut.
struct SegmentScanner {
    /// Outcome of a scan.
    struct Result {
        var index: SegmentIndex
        /// Bytes from the start of the file that hold valid batches.
        var validBytes: Int64
        /// Why the scan stopped before the end of the file, if it did.
        var problem: String?
    }

    static let chunkSize = 1 << 20

    /// Scans `file` (of `fileSize` bytes) from `index.coveredBytes` on. A batch whose offsets reach
    /// `offsetLimit` (the next segment's base) counts as invalid, as does one past 4 GiB.
    static func scan(
        file: SegmentFile,
        fileSize: Int64,
        base: Int64,
        index start: SegmentIndex,
        indexInterval: Int,
        offsetLimit: Int64 = Int64.max,
        maxBatchSize: Int = Int(Int32.max)
    ) throws -> Result {
        var index = start
        var position = index.coveredBytes
        var buffer = ByteBufferAllocator().buffer(capacity: chunkSize)
        var bufferStart = position  // file position of buffer's reader index
        while position < fileSize {
            // Ensure the header (or the whole batch) is buffered.
            let at = buffer.readerIndex + Int(position - bufferStart)
            switch RecordBatch.framing(of: buffer, at: at, maxBatchSize: maxBatchSize) {
            case .incomplete(let needed):
                if position + Int64(needed) > fileSize {
                    return Result(
                        index: index,
                        validBytes: position,
                        problem: "torn batch at \(position): needs \(needed) bytes, file has \(fileSize - position)"
                    )
                }
                // Refill: drop consumed bytes, read enough for `needed` (at least a chunk).
                buffer.moveReaderIndex(to: at)
                buffer.discardReadBytes()
                bufferStart = position
                let want = max(needed, chunkSize) - buffer.readableBytes
                let toRead = Int(min(Int64(want), fileSize - (position + Int64(buffer.readableBytes))))
                let readFrom = position + Int64(buffer.readableBytes)
                let got = try file.read(into: &buffer, at: readFrom, count: toRead)
                if got == 0 {
                    return Result(index: index, validBytes: position, problem: "file ended early at \(readFrom)")
                }
                continue
            case .invalid(let why):
                return Result(index: index, validBytes: position, problem: "invalid batch at \(position): \(why)")
            case .batch(let size):
                guard let header = RecordBatchHeader(from: buffer, at: at) else {
                    return Result(index: index, validBytes: position, problem: "short header at \(position)")
                }
                let crc = RecordBatch.computeCRC(of: buffer, at: at, size: size)
                guard crc == header.crc else {
                    return Result(index: index, validBytes: position, problem: "CRC mismatch at \(position)")
                }
                guard header.baseOffset > index.lastOffset, header.lastOffsetDelta >= 0,
                    header.baseOffset <= Int64.max - Int64(Int32.max),
                    header.lastOffset - base <= Int64(UInt32.max), header.lastOffset < offsetLimit,
                    position + Int64(size) <= Int64(UInt32.max)
                else {
                    return Result(
                        index: index,
                        validBytes: position,
                        problem: "offset \(header.baseOffset) out of order at \(position) (last \(index.lastOffset))"
                    )
                }
                index.add(
                    baseOffset: base,
                    batchBase: header.baseOffset,
                    lastOffset: header.lastOffset,
                    maxTimestamp: header.maxTimestamp,
                    position: position,
                    size: size,
                    interval: indexInterval
                )
                position += Int64(size)
            }
        }
        return Result(index: index, validBytes: position, problem: nil)
    }
}
