/// A topic (stream) name, valid under Kafka's rules: 1–249 characters of `[a-zA-Z0-9._-]`,
/// and neither `.` nor `..`.
public struct TopicName: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The longest name Kafka accepts.
    public static let maxLength = 249

    /// The name as text.
    public let rawValue: String

    /// Validates `rawValue`.
    /// - Throws: ``PlexusError`` with code ``PlexusError/Code/invalidTopic`` when the name breaks a rule.
    public init(_ rawValue: String) throws(PlexusError) {
        if let problem = TopicName.problem(with: rawValue) {
            throw PlexusError(.invalidTopic, "invalid topic name '\(rawValue.prefix(300))': \(problem)")
        }
        self.rawValue = rawValue
    }

    /// Why `name` is not a valid topic name, or nil when it is.
    public static func problem(with name: String) -> String? {
        if name.isEmpty { return "it is empty" }
        if name == "." || name == ".." { return "'.' and '..' are reserved" }
        let utf8 = name.utf8
        if utf8.count > maxLength { return "it is longer than \(maxLength) characters" }
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                continue
            default:
                return "only ASCII letters, digits, '.', '_' and '-' are allowed"
            }
        }
        return nil
    }

    public var description: String { rawValue }
    public static func < (lhs: TopicName, rhs: TopicName) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        try self.init(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A partition number within a topic (0-based).
public struct PartitionID: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public var rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public init(_ value: Int32) { self.rawValue = value }
    public var description: String { String(rawValue) }
    public static func < (lhs: PartitionID, rhs: PartitionID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A position in a partition log: the offset of one record.
public struct Offset: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ value: Int64) { self.rawValue = value }
    public var description: String { String(rawValue) }
    public static func < (lhs: Offset, rhs: Offset) -> Bool { lhs.rawValue < rhs.rawValue }
    public static func + (lhs: Offset, rhs: Int64) -> Offset { Offset(lhs.rawValue + rhs) }
    public static func - (lhs: Offset, rhs: Offset) -> Int64 { lhs.rawValue - rhs.rawValue }
}

/// Milliseconds since the Unix epoch, as Kafka timestamps are.
public struct Timestamp: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public var rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(milliseconds: Int64) { self.rawValue = milliseconds }
    /// Kafka's "no timestamp" value.
    public static let none = Timestamp(milliseconds: -1)
    public var milliseconds: Int64 { rawValue }
    public var description: String { String(rawValue) }
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.rawValue < rhs.rawValue }
}
