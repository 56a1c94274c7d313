/// A node of a parsed CESQL expression, with where it starts in the source.
public struct CESQLNode: Hashable, Sendable {
    /// What the node computes.
    public indirect enum Kind: Hashable, Sendable {
        case literal(CESQLValue)
        /// A context attribute or extension, by its lowercased name.
        case attribute(String)
        /// `NOT x`.
        case not(CESQLNode)
        /// `-x`.
        case negate(CESQLNode)
        case binary(CESQLBinaryOperator, CESQLNode, CESQLNode)
        /// `x [NOT] LIKE 'pattern'`.
        case like(CESQLNode, CESQLLikePattern, negated: Bool)
        /// `EXISTS name`.
        case exists(String)
        /// `x [NOT] IN (y1, …)`; the set is never empty.
        case `in`(CESQLNode, [CESQLNode], negated: Bool)
        /// A built-in function resolved by name and arity.
        case call(CESQLFunction, [CESQLNode])
        /// A call no built-in matches (name uppercased); evaluates to `false` plus a MissingFunctionError.
        case unknownFunction(String, [CESQLNode])
    }

    public var kind: Kind
    /// The UTF-8 offset of the node's first token in the expression.
    public var offset: Int
    /// The height of the subtree (a leaf is 1).
    public var depth: Int

    public init(_ kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
        switch kind {
        case .literal, .attribute, .exists: depth = 1
        case .not(let child), .negate(let child), .like(let child, _, _): depth = child.depth + 1
        case .binary(_, let left, let right): depth = max(left.depth, right.depth) + 1
        case .in(let child, let set, _): depth = max(child.depth, set.map(\.depth).max() ?? 0) + 1
        case .call(_, let args), .unknownFunction(_, let args): depth = (args.map(\.depth).max() ?? 0) + 1
        }
    }

    /// The static type of the node's value, when known without an event (attributes are not).
    public var staticType: CESQLType? {
        switch kind {
        case .literal(let value): value.type
        case .attribute: nil
        case .not, .like, .exists, .in, .unknownFunction: .boolean
        case .negate: .integer
        case .binary(let op, _, _): op.resultType
        case .call(let function, _): function.resultType
        }
    }
}

/// The binary operators of CESQL (§3.4.2).
public enum CESQLBinaryOperator: String, Hashable, Sendable {
    case and = "AND"
    case or = "OR"
    case xor = "XOR"
    case equal = "="
    /// `!=` and `<>`.
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case modulo = "%"

    /// The type of the operator's result.
    public var resultType: CESQLType {
        switch self {
        case .add, .subtract, .multiply, .divide, .modulo: .integer
        default: .boolean
        }
    }
}

/// The built-in functions (§3.5), plus the SDKs' `IS_BOOL` and `IS_INT`.
public enum CESQLFunction: String, Hashable, Sendable, CaseIterable {
    case abs = "ABS"
    case length = "LENGTH"
    case concat = "CONCAT"
    case concatWS = "CONCAT_WS"
    case lower = "LOWER"
    case upper = "UPPER"
    case trim = "TRIM"
    case left = "LEFT"
    case right = "RIGHT"
    case substring = "SUBSTRING"
    case int = "INT"
    case bool = "BOOL"
    case string = "STRING"
    case isBool = "IS_BOOL"
    case isInt = "IS_INT"

    /// The type of the function's result.
    public var resultType: CESQLType {
        switch self {
        case .abs, .length, .int: .integer
        case .bool, .isBool, .isInt: .boolean
        case .concat, .concatWS, .lower, .upper, .trim, .left, .right, .substring, .string: .string
        }
    }

    /// Whether the function accepts `count` arguments.
    public func accepts(arity count: Int) -> Bool {
        switch self {
        case .concat: true
        case .concatWS: count >= 1
        case .left, .right: count == 2
        case .substring: count == 2 || count == 3
        default: count == 1
        }
    }

    /// The built-in named `name` (case-insensitive) taking `arity` arguments.
    public static func resolve(_ name: String, arity: Int) -> CESQLFunction? {
        guard let function = CESQLFunction(rawValue: name.uppercased()), function.accepts(arity: arity) else {
            return nil
        }
        return function
    }
}

/// A compiled `LIKE` pattern: `%` is any sequence, `_` one Unicode scalar, `\%` and `\_` are literal.
///
/// A backslash before any other character stands for itself.
public struct CESQLLikePattern: Hashable, Sendable, CustomStringConvertible {
    enum Element: Hashable, Sendable {
        case scalar(Unicode.Scalar)
        case one
        case many
    }

    /// The pattern as written (after string-literal unescaping).
    public let source: String
    let elements: [Element]

    public init(_ source: String) {
        self.source = source
        var elements: [Element] = []
        var scalars = source.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            switch scalar {
            case "%":
                if elements.last != .many { elements.append(.many) }
            case "_":
                elements.append(.one)
            case "\\":
                if let next = pending, next == "%" || next == "_" {
                    elements.append(.scalar(next))
                    pending = scalars.next()
                } else {
                    elements.append(.scalar(scalar))
                }
            default:
                elements.append(.scalar(scalar))
            }
        }
        self.elements = elements
    }

    /// Whether `text` matches the whole pattern (case-sensitive, by Unicode scalar).
    public func matches(_ text: String) -> Bool {
        let scalars = text.unicodeScalars
        var t = scalars.startIndex
        var p = 0
        var starP = -1
        var starT = t
        let count = elements.count
        while t < scalars.endIndex {
            if p < count {
                switch elements[p] {
                case .one:
                    t = scalars.index(after: t)
                    p += 1
                    continue
                case .scalar(let expected) where expected == scalars[t]:
                    t = scalars.index(after: t)
                    p += 1
                    continue
                case .many:
                    starP = p
                    starT = t
                    p += 1
                    continue
                default:
                    break
                }
            }
            guard starP >= 0 else { return false }
            p = starP + 1
            starT = scalars.index(after: starT)
            t = starT
        }
        while p < count, elements[p] == .many { p += 1 }
        return p == count
    }

    public var description: String { source }
}
