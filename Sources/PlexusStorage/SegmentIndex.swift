import PlexusModel

/// The sparse offset index and time index of one segment, held in memory and persisted beside the
/// segment as `.index` and `.timeindex` files.
///
/// An offset entry maps a batch's offset (relative to the segment base) to its byte position; one is
/// added every `indexIntervalBytes`. A time entry `(t, o)` says that no batch before the one holding
/// offset `o` has a timestamp above `t`; entries are added when the running maximum grows.
///
/// Index files are written whole (temp file, fsync, rename) only after the segment's bytes they cover
/// are fsynced, so a file either is complete for `coveredBytes` or is absent. Each file starts with a
/// header: magic `PXIX`, version, kind, covered bytes, last offset, max timestamp, entry count and the
/// CRC-32C of the entries.
struct SegmentIndex: Hashable, Sendable {
    struct OffsetEntry: Hashable, Sendable {
        var relativeOffset: UInt32
        var position: UInt32
    }
    struct TimeEntry: Hashable, Sendable {
        var timestamp: Int64
        var relativeOffset: UInt32
    }

    var offsets: [OffsetEntry] = []
    var times: [TimeEntry] = []
    /// Bytes of the segment file these entries describe.
    var coveredBytes: Int64 = 0
    /// The last offset in the covered bytes, or base - 1 when empty.
    var lastOffset: Int64
    /// The largest batch maxTimestamp in the covered bytes (-1 when empty).
    var maxTimestamp: Int64 = -1
    /// The base offset of the batch holding `maxTimestamp`.
    var offsetOfMaxTimestamp: Int64
    /// Bytes appended since the last offset entry.
    var bytesSinceEntry: Int = Int.max / 2

    init(baseOffset: Int64) {
        self.lastOffset = baseOffset - 1
        self.offsetOfMaxTimestamp = baseOffset
    }

    /// Records a batch of `size` bytes at `position`.
    mutating func add(
        baseOffset segmentBase: Int64,
        batchBase: Int64,
        lastOffset: Int64,
        maxTimestamp: Int64,
        position: Int64,
        size: Int,
        interval: Int
    ) {
        if bytesSinceEntry >= interval {
            offsets.append(OffsetEntry(relativeOffset: UInt32(batchBase - segmentBase), position: UInt32(position)))
            bytesSinceEntry = 0
            if self.maxTimestamp >= 0, times.last.map({ $0.timestamp < self.maxTimestamp }) ?? true {
                times.append(
                    TimeEntry(
                        timestamp: self.maxTimestamp,
                        relativeOffset: UInt32(offsetOfMaxTimestamp - segmentBase)
                    )
                )
            }
        }
        bytesSinceEntry += size
        if maxTimestamp > self.maxTimestamp {
            self.maxTimestamp = maxTimestamp
            offsetOfMaxTimestamp = batchBase
        }
        self.lastOffset = lastOffset
        coveredBytes = position + Int64(size)
    }

    /// The position of the last indexed batch at or before `offset` (0 when none).
    func floorPosition(for offset: Int64, base: Int64) -> Int64 {
        let relative = offset - base
        guard relative >= 0, let first = offsets.first, Int64(first.relativeOffset) <= relative else { return 0 }
        var low = 0
        var high = offsets.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if Int64(offsets[mid].relativeOffset) <= relative { low = mid } else { high = mid - 1 }
        }
        return Int64(offsets[low].position)
    }

    /// The offset from which to scan for the first batch with a timestamp at or above `timestamp`.
    func scanStart(for timestamp: Int64, base: Int64) -> Int64 {
        var low = 0
        var high = times.count
        while low < high {  // first entry with timestamp >= target
            let mid = (low + high) / 2
            if times[mid].timestamp < timestamp { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? base : base + Int64(times[low - 1].relativeOffset)
    }

    // MARK: Files

    static let magic: [UInt8] = Array("PXIX".utf8)
    static let version: UInt8 = 2
    static let headerSize = 44

    private func header(kind: UInt8, count: Int, entries: [UInt8]) -> [UInt8] {
        var bytes = Self.magic
        bytes.append(Self.version)
        bytes.append(kind)
        bytes.append(contentsOf: [0, 0])
        bytes.appendBigEndian(UInt64(bitPattern: coveredBytes))
        bytes.appendBigEndian(UInt64(bitPattern: lastOffset))
        bytes.appendBigEndian(UInt64(bitPattern: maxTimestamp))
        bytes.appendBigEndian(UInt32(count))
        bytes.appendBigEndian(UInt32(0))  // reserved
        bytes.appendBigEndian(CRC32C.checksum(bytes + entries))  // covers the header's first 40 bytes too
        return bytes
    }

    /// The `.index` file's bytes.
    func offsetFileBytes() -> [UInt8] {
        var entries: [UInt8] = []
        entries.reserveCapacity(offsets.count * 8)
        for entry in offsets {
            entries.appendBigEndian(entry.relativeOffset)
            entries.appendBigEndian(entry.position)
        }
        return header(kind: 1, count: offsets.count, entries: entries) + entries
    }

    /// The `.timeindex` file's bytes (with a final entry for the segment's maximum).
    func timeFileBytes(base: Int64) -> [UInt8] {
        var all = times
        if maxTimestamp >= 0, all.last.map({ $0.timestamp < maxTimestamp }) ?? true {
            all.append(TimeEntry(timestamp: maxTimestamp, relativeOffset: UInt32(offsetOfMaxTimestamp - base)))
        }
        var entries: [UInt8] = []
        entries.reserveCapacity(all.count * 12)
        for entry in all {
            entries.appendBigEndian(UInt64(bitPattern: entry.timestamp))
            entries.appendBigEndian(entry.relativeOffset)
        }
        return header(kind: 2, count: all.count, entries: entries) + entries
    }

    /// Loads both files; nil when either is missing, damaged or disagrees with the other.
    static func load(offsetFile: [UInt8], timeFile: [UInt8], base: Int64) -> SegmentIndex? {
        guard let offsetHeader = parseHeader(offsetFile, kind: 1, entrySize: 8),
            let timeHeader = parseHeader(timeFile, kind: 2, entrySize: 12),
            offsetHeader.covered == timeHeader.covered, offsetHeader.lastOffset == timeHeader.lastOffset,
            offsetHeader.maxTimestamp == timeHeader.maxTimestamp, offsetHeader.lastOffset >= base - 1
        else { return nil }
        var index = SegmentIndex(baseOffset: base)
        index.coveredBytes = offsetHeader.covered
        index.lastOffset = offsetHeader.lastOffset
        index.maxTimestamp = offsetHeader.maxTimestamp
        var at = headerSize
        var previous: OffsetEntry?
        for _ in 0..<offsetHeader.count {
            let entry = OffsetEntry(
                relativeOffset: offsetFile.readBigEndian(at: at),
                position: offsetFile.readBigEndian(at: at + 4)
            )
            at += 8
            if let previous, entry.relativeOffset <= previous.relativeOffset || entry.position <= previous.position {
                return nil
            }
            guard Int64(entry.position) < index.coveredBytes else { return nil }
            index.offsets.append(entry)
            previous = entry
        }
        at = headerSize
        for _ in 0..<timeHeader.count {
            let timestamp = Int64(bitPattern: timeFile.readBigEndian(at: at) as UInt64)
            let entry = TimeEntry(timestamp: timestamp, relativeOffset: timeFile.readBigEndian(at: at + 8))
            at += 12
            if let last = index.times.last, entry.timestamp <= last.timestamp { return nil }
            index.times.append(entry)
        }
        if let last = index.times.last {
            index.offsetOfMaxTimestamp = base + Int64(last.relativeOffset)
        }
        index.bytesSinceEntry = 0
        return index
    }

    private static func parseHeader(_ bytes: [UInt8], kind: UInt8, entrySize: Int)
        -> (covered: Int64, lastOffset: Int64, maxTimestamp: Int64, count: Int)?
    {
        guard bytes.count >= headerSize, Array(bytes[0..<4]) == magic, bytes[4] == version, bytes[5] == kind
        else { return nil }
        let covered = Int64(bitPattern: bytes.readBigEndian(at: 8) as UInt64)
        let lastOffset = Int64(bitPattern: bytes.readBigEndian(at: 16) as UInt64)
        let maxTimestamp = Int64(bitPattern: bytes.readBigEndian(at: 24) as UInt64)
        let count = Int(bytes.readBigEndian(at: 32) as UInt32)
        let crc: UInt32 = bytes.readBigEndian(at: 40)
        guard bytes.count == headerSize + count * entrySize,
            CRC32C.checksum(Array(bytes[0..<40]) + bytes[headerSize...]) == crc
        else { return nil }
        return (covered, lastOffset, maxTimestamp, count)
    }
}

extension [UInt8] {
    mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    func readBigEndian<T: FixedWidthInteger>(at index: Int) -> T {
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size { value = (value << 8) | T(self[index + i]) }
        return value
    }
}
