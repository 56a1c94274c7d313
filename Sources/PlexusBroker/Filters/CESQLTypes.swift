public import PlexusModel

/// A CESQL v1 type (`cesql/spec.md` §3.1): the three primitive types.
public enum CESQLType: String, Hashable, Sendable, CustomStringConvertible {
    case boolean = "Boolean"
    case integer = "Integer"
    case string = "String"

    /// The zero value of the type: `false`, `0` or `""`.
    public var zero: CESQLValue {
        switch self {
        case .boolean: .boolean(false)
        case .integer: .integer(0)
        case .string: .string("")
        }
    }

    public var description: String { rawValue }
}

/// A CESQL value: a Boolean, a 32-bit Integer or a String.
public enum CESQLValue: Hashable, Sendable, CustomStringConvertible {
    case boolean(Bool)
    case integer(Int32)
    case string(String)

    /// The type of the value.
    public var type: CESQLType {
        switch self {
        case .boolean: .boolean
        case .integer: .integer
        case .string: .string
        }
    }

    /// The value as CESQL's `STRING()` renders it.
    public var description: String {
        switch self {
        case .boolean(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .string(let text): text
        }
    }

    /// The value of a CloudEvent attribute: Boolean and Integer keep their type, everything else
    /// (String, URI, URI-reference, Timestamp, Binary) is its canonical String (§3.2).
    public init(_ attribute: CloudEventAttributeValue) {
        switch attribute {
        case .boolean(let value): self = .boolean(value)
        case .integer(let value): self = .integer(value)
        case .string(let text), .uri(let text), .uriReference(let text): self = .string(text)
        default: self = .string(attribute.canonicalString)
        }
    }
}

/// An error raised while parsing or evaluating a CESQL expression (§3.3).
public struct CESQLError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The spec's error types; the raw values are the names the TCK uses.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// The expression is not valid CESQL.
        case parse
        /// Division or modulo by zero, or an Integer overflow.
        case math
        /// An implicit or explicit cast failed.
        case cast
        /// The expression addressed an attribute the event does not have.
        case missingAttribute
        /// No function with this name and arity exists.
        case missingFunction
        /// A built-in function was called with arguments outside its domain.
        case functionEvaluation
        /// Any other error.
        case generic
    }

    public var kind: Kind
    /// A sentence for people.
    public var message: String
    /// The UTF-8 offset in the expression where the error was found (parse errors), or where the
    /// failing subexpression starts (evaluation errors).
    public var offset: Int

    public init(_ kind: Kind, _ message: String, offset: Int) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(kind.rawValue) error at offset \(offset): \(message)" }
}

/// The outcome of evaluating a CESQL expression: always a value, plus the errors raised on the way.
public struct CESQLResult: Hashable, Sendable {
    /// The value; the zero value of the failing subexpression's type where an error occurred.
    public var value: CESQLValue
    /// Every error raised, in evaluation order; empty when evaluation succeeded.
    public var errors: [CESQLError]

    public init(value: CESQLValue, errors: [CESQLError] = []) {
        self.value = value
        self.errors = errors
    }

    /// Whether the event passes a CESQL filter: the value is `true` and there were no errors (§1.2).
    public var passes: Bool { errors.isEmpty && value == .boolean(true) }
}
