/// ISO-8601 durations as Knative's delivery spec writes them (`PT0.2S`, `PT1M30S`, `P1D`, `P2W`).
///
/// Accepted: `P[nW]` or `P[nD][T[nH][nM][n[.fraction]S]]`, at least one component, all non-negative.
/// Years and months are refused (their length varies). The value is kept in whole milliseconds; a
/// fraction finer than that is truncated.
public struct ISO8601Duration: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    /// The length in milliseconds.
    public let milliseconds: Int64
    /// The text it was written as (or made from).
    public let text: String

    /// A duration of `milliseconds`, written as `PTn.nnnS`.
    public init(milliseconds: Int64) {
        self.milliseconds = milliseconds
        let seconds = milliseconds / 1000
        let rest = milliseconds % 1000
        if rest == 0 {
            text = "PT\(seconds)S"
        } else {
            var fraction = String(rest)
            while fraction.count < 3 { fraction = "0" + fraction }
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text = "PT\(seconds).\(fraction)S"
        }
    }

    /// Parses `text`; nil when it is not an accepted ISO-8601 duration.
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count >= 3, bytes.count <= 64, bytes[0] == UInt8(ascii: "P") else { return nil }
        var index = 1
        var inTime = false
        var total: Int64 = 0
        var components = 0
        var lastUnitRank = -1  // W=0, D=1, H=2, M=3, S=4: each at most once, in order
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "T") {
                guard !inTime, index + 1 < bytes.count else { return nil }
                inTime = true
                index += 1
                continue
            }
            var whole: Int64 = 0
            var digits = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                guard digits < 11 else { return nil }
                whole = whole * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                digits += 1
                index += 1
            }
            var fractionMs: Int64 = 0
            var hasFraction = false
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                hasFraction = true
                index += 1
                var scale: Int64 = 100
                var fractionDigits = 0
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                    fractionMs += Int64(bytes[index] - UInt8(ascii: "0")) * scale
                    scale /= 10
                    fractionDigits += 1
                    index += 1
                }
                guard fractionDigits > 0 else { return nil }
            }
            guard digits > 0, index < bytes.count else { return nil }
            let unit = bytes[index]
            index += 1
            let rank: Int
            let factor: Int64
            switch (unit, inTime) {
            case (UInt8(ascii: "W"), false): (rank, factor) = (0, 604_800_000)
            case (UInt8(ascii: "D"), false): (rank, factor) = (1, 86_400_000)
            case (UInt8(ascii: "H"), true): (rank, factor) = (2, 3_600_000)
            case (UInt8(ascii: "M"), true): (rank, factor) = (3, 60_000)
            case (UInt8(ascii: "S"), true): (rank, factor) = (4, 1000)
            default: return nil
            }
            guard rank > lastUnitRank, !(hasFraction && rank != 4) else { return nil }
            lastUnitRank = rank
            components += 1
            let (scaled, overflow) = whole.multipliedReportingOverflow(by: factor)
            guard !overflow, scaled <= Int64.max / 4, total <= Int64.max / 4 else { return nil }
            total += scaled + fractionMs
        }
        guard components > 0, !(inTime && lastUnitRank < 2) else { return nil }
        self.milliseconds = total
        self.text = text
    }

    public var description: String { text }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.milliseconds < rhs.milliseconds }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.milliseconds == rhs.milliseconds }

    public func hash(into hasher: inout Hasher) { hasher.combine(milliseconds) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let parsed = ISO8601Duration(text) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "'\(text)' is not an ISO-8601 duration such as PT0.5S, PT1M or P1D"
                )
            )
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }
}
