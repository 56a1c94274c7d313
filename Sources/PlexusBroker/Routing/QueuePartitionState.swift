/// The share-group state of one queue on one partition — pure, so leases, settling and persistence are
/// tested without IO or clocks.
///
/// Offsets below `watermark` are settled. Offsets in `watermark..<cursor` were read into the window: those
/// in `entries` are unsettled (available, leased or exhausted), the others are settled (acknowledged,
/// dead-lettered or filtered out). At most ``window`` offsets lie between the watermark and the cursor, so
/// memory and the persisted form stay bounded whatever receivers do.
public struct QueuePartitionState: Hashable, Sendable {
    /// One unsettled record.
    public struct Entry: Hashable, Sendable {
        /// Times it was handed out.
        public var deliveries: Int
        /// Until when (ms since the epoch) a receiver holds it; nil when nobody does.
        public var leasedUntil: Int64?
        /// When it may be handed out (its not-before time, or a delayed release).
        public var availableAt: Int64
        /// Rejected by a receiver: goes to the dead-letter stream.
        public var rejected: Bool
    }

    /// What became of a receipt.
    public enum ReceiptStatus: String, Hashable, Sendable {
        /// Acknowledged, released or rejected as asked.
        case ok
        /// The record was handed out again since (the receipt's lease expired and another receiver has it).
        case stale
        /// No unsettled record matches (already settled, or never handed out).
        case unknown
    }

    /// The widest span of offsets between the watermark and the cursor.
    public static let window: Int64 = 1000

    public private(set) var watermark: Int64
    public private(set) var cursor: Int64
    public private(set) var entries: [Int64: Entry] = [:]

    /// A partition where everything before `start` is settled.
    public init(start: Int64) {
        watermark = start
        cursor = start
    }

    /// How many more offsets may be read into the window.
    public var room: Int64 { max(0, Self.window - (cursor - watermark)) }

    /// Records that were read (the cursor moves past `offset`); a record that `matches` the queue's filter
    /// becomes available at `availableAt`, any other is settled at once. Offsets below the cursor are ignored.
    public mutating func admit(offset: Int64, matches: Bool, availableAt: Int64) {
        guard offset >= cursor else { return }
        if matches {
            entries[offset] = Entry(deliveries: 0, leasedUntil: nil, availableAt: availableAt, rejected: false)
        }
        cursor = offset + 1
        advance()
    }

    /// Moves the cursor to `offset` over offsets that hold no record (gaps); unsettled entries stay.
    public mutating func pass(to offset: Int64) {
        guard offset > cursor else { return }
        cursor = min(offset, watermark + Self.window)
        advance()
    }

    /// Moves the cursor to `offset` when records before it no longer exist (retention passed them): entries
    /// before it are dropped.
    public mutating func skip(to offset: Int64) {
        guard offset > cursor else { return }
        for key in entries.keys where key < offset { entries[key] = nil }
        cursor = offset
        advance()
    }

    /// Ends leases that ran out by `now`; returns how many.
    @discardableResult
    public mutating func expireLeases(now: Int64) -> Int {
        var count = 0
        for (offset, entry) in entries {
            if let until = entry.leasedUntil, until <= now {
                entries[offset]!.leasedUntil = nil
                entries[offset]!.availableAt = now
                count += 1
            }
        }
        return count
    }

    /// Leases up to `max` available records (lowest offsets first) until `now + leaseMs`; returns each
    /// one's offset and its delivery count (this delivery included). Exhausted records are not handed out.
    public mutating func lease(max: Int, now: Int64, leaseMs: Int64, maxDeliveries: Int) -> [(
        offset: Int64, deliveries: Int
    )] {
        guard max > 0 else { return [] }
        let candidates = entries.filter { _, entry in
            entry.leasedUntil == nil && !entry.rejected && entry.deliveries < maxDeliveries && entry.availableAt <= now
        }.keys.sorted().prefix(max)
        var leased: [(Int64, Int)] = []
        for offset in candidates {
            entries[offset]!.deliveries += 1
            entries[offset]!.leasedUntil = now + leaseMs
            leased.append((offset, entries[offset]!.deliveries))
        }
        return leased
    }

    /// How many records ``lease(max:now:leaseMs:maxDeliveries:)`` could hand out now.
    public func availableCount(now: Int64, maxDeliveries: Int) -> Int {
        entries.values.reduce(0) { count, entry in
            let ready =
                entry.leasedUntil == nil && !entry.rejected && entry.deliveries < maxDeliveries
                && entry.availableAt <= now
            return ready ? count + 1 : count
        }
    }

    /// The earliest time a record not yet available becomes so (a delayed or not-before record), if any.
    public var nextAvailability: Int64? {
        entries.values.filter { $0.leasedUntil == nil && !$0.rejected }.map(\.availableAt).min()
    }

    /// Records that go to the dead-letter stream: rejected, or handed out `maxDeliveries` times and not
    /// held by anyone now.
    public func exhausted(maxDeliveries: Int) -> [Int64] {
        entries.filter { _, entry in entry.leasedUntil == nil && (entry.rejected || entry.deliveries >= maxDeliveries) }
            .keys.sorted()
    }

    /// Acknowledges delivery `deliveries` of `offset`: the record is settled. A lease that ran out still
    /// counts while nobody else received the record since.
    public mutating func acknowledge(offset: Int64, deliveries: Int) -> ReceiptStatus {
        let status = check(offset: offset, deliveries: deliveries)
        if status == .ok { settle(offset) }
        return status
    }

    /// Gives delivery `deliveries` of `offset` back: available again at `availableAt` (or dead-lettered
    /// once it has been handed out `maxDeliveries` times — see ``exhausted(maxDeliveries:)``).
    public mutating func release(offset: Int64, deliveries: Int, availableAt: Int64) -> ReceiptStatus {
        let status = check(offset: offset, deliveries: deliveries)
        if status == .ok {
            entries[offset]!.leasedUntil = nil
            entries[offset]!.availableAt = availableAt
        }
        return status
    }

    /// Rejects delivery `deliveries` of `offset`: it goes to the dead-letter stream.
    public mutating func reject(offset: Int64, deliveries: Int) -> ReceiptStatus {
        let status = check(offset: offset, deliveries: deliveries)
        if status == .ok {
            entries[offset]!.leasedUntil = nil
            entries[offset]!.rejected = true
        }
        return status
    }

    /// Takes back a lease just handed out for a record that is not due yet (its not-before time is
    /// `until`): the delivery is not counted.
    public mutating func postpone(offset: Int64, until: Int64) {
        guard var entry = entries[offset], entry.leasedUntil != nil else { return }
        entry.deliveries = max(0, entry.deliveries - 1)
        entry.leasedUntil = nil
        entry.availableAt = until
        entries[offset] = entry
    }

    /// Settles `offset` (acknowledged or dead-lettered).
    public mutating func settle(_ offset: Int64) {
        entries[offset] = nil
        advance()
    }

    private func check(offset: Int64, deliveries: Int) -> ReceiptStatus {
        guard let entry = entries[offset], entry.deliveries > 0, !entry.rejected else { return .unknown }
        return entry.deliveries == deliveries ? .ok : .stale
    }

    private mutating func advance() {
        watermark = entries.keys.min() ?? cursor
    }

    // MARK: Persistence

    /// The state as stored with the watermark: `c=<cursor−watermark>` then `;<delta>:<deliveries>[r]` per
    /// unsettled record (leases are not kept: after a restart leased records are available again, their
    /// delivery counts kept). At most ``window`` entries of a few bytes each.
    public var persisted: String {
        var text = "c=\(cursor - watermark)"
        for offset in entries.keys.sorted() {
            let entry = entries[offset]!
            text += ";\(offset - watermark):\(entry.deliveries)"
            if entry.rejected { text += "r" }
        }
        return text
    }

    /// Restores a partition from its watermark and ``persisted`` text; nil when the text is malformed.
    public init?(watermark: Int64, persisted text: String, now: Int64) {
        var parts = text.split(separator: ";")
        guard let first = parts.first, first.hasPrefix("c="), let span = Int64(first.dropFirst(2)), span >= 0,
            span <= Self.window
        else { return nil }
        parts.removeFirst()
        self.watermark = watermark
        self.cursor = watermark + span
        for part in parts {
            let pair = part.split(separator: ":")
            guard pair.count == 2, let delta = Int64(pair[0]), delta >= 0, delta < span else { return nil }
            var countText = pair[1]
            let rejected = countText.hasSuffix("r")
            if rejected { countText = countText.dropLast() }
            guard let deliveries = Int(countText), deliveries >= 0 else { return nil }
            entries[watermark + delta] = Entry(
                deliveries: deliveries,
                leasedUntil: nil,
                availableAt: now,
                rejected: rejected
            )
        }
        advance()
    }
}
