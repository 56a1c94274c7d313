/// Everything that can go wrong while framing, decoding or routing Kafka protocol bytes.
///
/// Decoding never traps on hostile input: every bounds problem surfaces as one of these cases.
/// Field-level cases carry a ``Location`` naming the message, API key, version and the field that
/// was being read when the bytes ran out or made no sense.
public enum KafkaWireError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where in a message a decode error happened.
    public struct Location: Hashable, Sendable, CustomStringConvertible {
        /// Dotted path of the field being read, e.g. `ProduceRequest.TopicData.PartitionData.Records`.
        public var field: String
        /// API key of the message, or nil for headers.
        public var apiKey: Int16?
        /// Version the message was being decoded at, once known.
        public var apiVersion: Int16?

        /// Creates a location for `field`; the API key and version are filled in by the message decoder.
        public init(field: String, apiKey: Int16? = nil, apiVersion: Int16? = nil) {
            self.field = field
            self.apiKey = apiKey
            self.apiVersion = apiVersion
        }

        public var description: String {
            var text = field
            if let apiKey { text += " (api key \(apiKey)" + (apiVersion.map { " v\($0))" } ?? ")") }
            return text
        }
    }

    /// A frame's size prefix is negative or above the configured maximum.
    case frameTooLarge(size: Int64, maxFrameSize: Int)
    /// The bytes ended before the field was complete.
    case truncated(Location)
    /// A length or count prefix is negative (other than the null marker) or larger than the remaining bytes.
    case invalidLength(Int64, Location)
    /// A null was encoded for a field that is not nullable in this version.
    case unexpectedNull(Location)
    /// An unsigned varint is longer than allowed.
    case invalidVarint(Location)
    /// The API key is known but this version is outside the generated `validVersions`.
    case unsupportedVersion(apiKey: Int16, version: Int16)
    /// The API key has no generated message type.
    case unknownApiKey(Int16)

    /// The location of a field-level error, if any.
    public var location: Location? {
        switch self {
        case .truncated(let location), .invalidLength(_, let location), .unexpectedNull(let location),
            .invalidVarint(let location):
            return location
        case .frameTooLarge, .unsupportedVersion, .unknownApiKey:
            return nil
        }
    }

    /// Returns a copy whose location carries `apiKey` and `version` (used by top-level message decoders).
    func locating(apiKey: Int16?, version: Int16) -> KafkaWireError {
        func update(_ location: Location) -> Location {
            var location = location
            location.apiKey = location.apiKey ?? apiKey
            location.apiVersion = location.apiVersion ?? version
            return location
        }
        switch self {
        case .truncated(let location): return .truncated(update(location))
        case .invalidLength(let length, let location): return .invalidLength(length, update(location))
        case .unexpectedNull(let location): return .unexpectedNull(update(location))
        case .invalidVarint(let location): return .invalidVarint(update(location))
        case .frameTooLarge, .unsupportedVersion, .unknownApiKey: return self
        }
    }

    public var description: String {
        switch self {
        case .frameTooLarge(let size, let maxFrameSize):
            return "Kafka frame size \(size) is negative or above the maximum \(maxFrameSize)"
        case .truncated(let location): return "truncated while reading \(location)"
        case .invalidLength(let length, let location): return "invalid length \(length) for \(location)"
        case .unexpectedNull(let location): return "null is not allowed for \(location)"
        case .invalidVarint(let location): return "malformed unsigned varint in \(location)"
        case .unsupportedVersion(let apiKey, let version):
            return "unsupported version \(version) for api key \(apiKey)"
        case .unknownApiKey(let apiKey): return "unknown api key \(apiKey)"
        }
    }
}
