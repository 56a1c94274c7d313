public import NIOCore

/// A Kafka protocol message (request, response or header) generated from Apache Kafka's JSON schema.
///
/// Values are plain `Hashable` structs whose fields carry the schema defaults. Decoding and encoding
/// are version-aware: a field that does not exist in a version is skipped when writing and keeps its
/// default when reading.
public protocol KafkaMessage: Hashable, Sendable {
    /// The versions the schema defines (`validVersions`).
    static var validVersions: ClosedRange<Int16> { get }
    /// The first flexible (KIP-482) version, or nil when no version is flexible.
    static var flexibleVersionsStart: Int16? { get }

    /// Decodes the message body at `version`, consuming exactly its bytes from `buffer`.
    ///
    /// - Throws: ``KafkaWireError`` when the version is not in ``validVersions`` or the bytes are
    ///   truncated or malformed. It never traps on bad input.
    init(from buffer: inout ByteBuffer, version: Int16) throws(KafkaWireError)

    /// Encodes the message body at `version`, appending to `buffer`.
    func write(to buffer: inout ByteBuffer, version: Int16)

    /// Dotted paths of the fields whose values ``write(to:version:)`` cannot represent at `version`.
    ///
    /// Kafka refuses to serialize such a message (`UnsupportedVersionException`, or a null where the
    /// version has no null). `write` never traps: it drops absent fields and writes nil as empty, so
    /// callers that build values for several versions can use this to catch silent data loss.
    /// Fields marked `ignorable` in the schema are never reported.
    func fieldsNotRepresentable(at version: Int16) -> [String]
}

extension KafkaMessage {
    /// Default for messages whose every field is ignorable or present in every version: nothing is lost.
    public func fieldsNotRepresentable(at version: Int16) -> [String] {
        []
    }

    /// Whether `version` uses the flexible (compact + tagged fields) encoding.
    public static func isFlexible(version: Int16) -> Bool {
        guard let start = flexibleVersionsStart else { return false }
        return version >= start
    }
}
