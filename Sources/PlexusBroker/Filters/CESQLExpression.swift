public import PlexusModel

/// A parsed CESQL v1.0.0 expression (CloudEvents SQL, `cesql/spec.md`), ready to evaluate against
/// events many times.
///
/// Evaluation is total: it always yields a value, plus the errors raised on the way (§3.3). A subexpression
/// whose operand raised an error yields the zero value of its own type (so `missing * 5` is `0` and
/// `true AND (missing = "")` is `false`, each with a MissingAttributeError). A failed implicit cast
/// yields the zero value of the target type and evaluation goes on (`NOT 10` is `true` plus a CastError,
/// as in the TCK: operators do not cast Integer to Boolean implicitly; `BOOL(10)` does). `AND`/`OR`
/// short-circuit; Integer overflow gives the nearest 32-bit value plus a MathError.
public struct CESQLExpression: Hashable, Sendable, CustomStringConvertible {
    /// The expression as written.
    public let source: String
    /// The syntax tree.
    public let root: CESQLNode

    /// Parses `source`.
    /// - Throws: ``CESQLError`` of kind ``CESQLError/Kind/parse`` with the offset of the offending token.
    public init(_ source: String) throws(CESQLError) {
        self.source = source
        self.root = try CESQLParser.parse(source)
    }

    /// Evaluates the expression against `event`.
    public func evaluate(_ event: CloudEvent) -> CESQLResult {
        var errors: [CESQLError] = []
        let value = CESQLEvaluator(event: event).evaluate(root, &errors)
        return CESQLResult(value: value, errors: errors)
    }

    /// Whether `event` passes the expression as a filter: the value is `true` and no error was raised.
    public func matches(_ event: CloudEvent) -> Bool {
        var errors: [CESQLError] = []
        let value = CESQLEvaluator(event: event).evaluate(root, &errors)
        return errors.isEmpty && value == .boolean(true)
    }

    public var description: String { source }

    public static func == (lhs: CESQLExpression, rhs: CESQLExpression) -> Bool { lhs.source == rhs.source }
    public func hash(into hasher: inout Hasher) { hasher.combine(source) }
}

extension CESQLExpression: Codable {
    /// Decodes the expression from a string and parses it.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            try self.init(text)
        } catch {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "invalid CESQL expression: \(error)"
            )
        }
    }

    /// Encodes the expression as its source string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(source)
    }
}

/// Walks a ``CESQLNode`` tree for one event.
struct CESQLEvaluator {
    let event: CloudEvent

    func evaluate(_ node: CESQLNode, _ errors: inout [CESQLError]) -> CESQLValue {
        let before = errors.count
        switch node.kind {
        case .literal(let value):
            return value
        case .attribute(let name):
            guard let value = event[attribute: name] else {
                errors.append(
                    CESQLError(.missingAttribute, "the event has no attribute '\(name)'", offset: node.offset)
                )
                return .boolean(false)
            }
            return CESQLValue(value)
        case .exists(let name):
            return .boolean(event[attribute: name] != nil)
        case .not(let child):
            let value = evaluate(child, &errors)
            if errors.count > before { return .boolean(false) }
            return .boolean(!Self.toBool(value, at: child.offset, &errors))
        case .negate(let child):
            let value = evaluate(child, &errors)
            if errors.count > before { return .integer(0) }
            let number = Self.toInt(value, at: child.offset, &errors)
            if number == .min {
                errors.append(CESQLError(.math, "-(\(number)) overflows a 32-bit integer", offset: node.offset))
                return .integer(.max)
            }
            return .integer(-number)
        case .binary(let op, let left, let right):
            return binary(op, left, right, node, before, &errors)
        case .like(let child, let pattern, let negated):
            let value = evaluate(child, &errors)
            if errors.count > before { return .boolean(false) }
            let matched: Bool
            if case .string(let text) = value {
                matched = pattern.matches(text)
            } else {
                matched = pattern.matches(value.description)
            }
            return .boolean(matched != negated)
        case .in(let child, let set, let negated):
            let value = evaluate(child, &errors)
            if errors.count > before { return .boolean(false) }
            let target = value.type
            for element in set {
                let candidate = evaluate(element, &errors)
                if errors.count > before { return .boolean(false) }
                if Self.cast(candidate, to: target, at: element.offset, &errors) == value {
                    return .boolean(!negated)
                }
            }
            return .boolean(negated)
        case .call(let function, let args):
            return call(function, args, node, before, &errors)
        case .unknownFunction(let name, let args):
            errors.append(
                CESQLError(
                    .missingFunction,
                    "no function \(name) taking \(args.count) argument\(args.count == 1 ? "" : "s")",
                    offset: node.offset
                )
            )
            return .boolean(false)
        }
    }

    private func binary(
        _ op: CESQLBinaryOperator,
        _ left: CESQLNode,
        _ right: CESQLNode,
        _ node: CESQLNode,
        _ before: Int,
        _ errors: inout [CESQLError]
    ) -> CESQLValue {
        switch op {
        case .and, .or, .xor:
            let leftValue = evaluate(left, &errors)
            if errors.count > before { return .boolean(false) }
            let x = Self.toBool(leftValue, at: left.offset, &errors)
            if op == .and, !x { return .boolean(false) }
            if op == .or, x { return .boolean(true) }
            let rightValue = evaluate(right, &errors)
            if errors.count > before { return .boolean(false) }
            let y = Self.toBool(rightValue, at: right.offset, &errors)
            return .boolean(op == .xor ? x != y : y)
        case .equal, .notEqual:
            let leftValue = evaluate(left, &errors)
            if errors.count > before { return .boolean(false) }
            let rightValue = evaluate(right, &errors)
            if errors.count > before { return .boolean(false) }
            let equal = Self.cast(leftValue, to: rightValue.type, at: left.offset, &errors) == rightValue
            return .boolean(equal == (op == .equal))
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let leftValue = evaluate(left, &errors)
            if errors.count > before { return .boolean(false) }
            let rightValue = evaluate(right, &errors)
            if errors.count > before { return .boolean(false) }
            let x = Self.toInt(leftValue, at: left.offset, &errors)
            let y = Self.toInt(rightValue, at: right.offset, &errors)
            switch op {
            case .less: return .boolean(x < y)
            case .lessOrEqual: return .boolean(x <= y)
            case .greater: return .boolean(x > y)
            default: return .boolean(x >= y)
            }
        case .add, .subtract, .multiply, .divide, .modulo:
            let leftValue = evaluate(left, &errors)
            if errors.count > before { return .integer(0) }
            let rightValue = evaluate(right, &errors)
            if errors.count > before { return .integer(0) }
            let x = Self.toInt(leftValue, at: left.offset, &errors)
            let y = Self.toInt(rightValue, at: right.offset, &errors)
            let result: (partialValue: Int32, overflow: Bool)
            switch op {
            case .add: result = x.addingReportingOverflow(y)
            case .subtract: result = x.subtractingReportingOverflow(y)
            case .multiply: result = x.multipliedReportingOverflow(by: y)
            default:
                if y == 0 {
                    errors.append(
                        CESQLError(.math, op == .divide ? "division by zero" : "modulo by zero", offset: node.offset)
                    )
                    return .integer(0)
                }
                result =
                    op == .divide ? x.dividedReportingOverflow(by: y) : x.remainderReportingOverflow(dividingBy: y)
            }
            if result.overflow {
                errors.append(
                    CESQLError(.math, "\(x) \(op.rawValue) \(y) overflows a 32-bit integer", offset: node.offset)
                )
                let wide: Int64
                switch op {
                case .add: wide = Int64(x) + Int64(y)
                case .subtract: wide = Int64(x) - Int64(y)
                case .multiply: wide = Int64(x) * Int64(y)
                case .divide: wide = Int64(x) / Int64(y)
                default: wide = 0
                }
                return .integer(Int32(clamping: wide))
            }
            return .integer(result.partialValue)
        }
    }

    private func call(
        _ function: CESQLFunction,
        _ args: [CESQLNode],
        _ node: CESQLNode,
        _ before: Int,
        _ errors: inout [CESQLError]
    ) -> CESQLValue {
        let zero = function.resultType.zero
        func failed() -> Bool { errors.count > before }
        func argument(_ index: Int, _ errors: inout [CESQLError]) -> CESQLValue {
            evaluate(args[index], &errors)
        }
        func functionError(_ message: String, _ errors: inout [CESQLError]) {
            errors.append(CESQLError(.functionEvaluation, "\(function.rawValue): \(message)", offset: node.offset))
        }
        switch function {
        case .abs:
            let value = argument(0, &errors)
            if failed() { return zero }
            let number = Self.toInt(value, at: args[0].offset, &errors)
            if number == .min {
                errors.append(CESQLError(.math, "ABS(\(number)) overflows a 32-bit integer", offset: node.offset))
                return .integer(.max)
            }
            return .integer(Swift.abs(number))
        case .length:
            let value = argument(0, &errors)
            if failed() { return zero }
            return .integer(Int32(clamping: Self.toString(value).unicodeScalars.count))
        case .concat, .concatWS:
            var separator = ""
            var out = ""
            for (index, arg) in args.enumerated() {
                let value = evaluate(arg, &errors)
                if failed() { return zero }
                if function == .concatWS {
                    if index == 0 {
                        separator = Self.toString(value)
                        continue
                    }
                    if index > 1 { out += separator }
                }
                out += Self.toString(value)
            }
            return .string(out)
        case .lower, .upper, .trim:
            let value = argument(0, &errors)
            if failed() { return zero }
            let text = Self.toString(value)
            switch function {
            case .lower: return .string(text.lowercased())
            case .upper: return .string(text.uppercased())
            default:
                let scalars = text.unicodeScalars
                guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else {
                    return .string("")
                }
                let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) ?? first
                return .string(String(scalars[first...last]))
            }
        case .left, .right:
            let value = argument(0, &errors)
            if failed() { return zero }
            let countValue = argument(1, &errors)
            if failed() { return zero }
            let text = Self.toString(value)
            let count = Self.toInt(countValue, at: args[1].offset, &errors)
            if count < 0 {
                functionError("the length \(count) is negative", &errors)
                return .string(text)
            }
            let scalars = text.unicodeScalars
            if function == .left {
                return .string(String(String.UnicodeScalarView(scalars.prefix(Int(count)))))
            }
            return .string(String(String.UnicodeScalarView(scalars.suffix(Int(count)))))
        case .substring:
            let value = argument(0, &errors)
            if failed() { return zero }
            let positionValue = argument(1, &errors)
            if failed() { return zero }
            var lengthValue: CESQLValue?
            if args.count == 3 {
                lengthValue = argument(2, &errors)
                if failed() { return zero }
            }
            let text = Self.toString(value)
            let position = Int(Self.toInt(positionValue, at: args[1].offset, &errors))
            let length = lengthValue.map { Int(Self.toInt($0, at: args[2].offset, &errors)) }
            let scalars = text.unicodeScalars
            let total = scalars.count
            if position > total || position < -total {
                functionError("position \(position) is outside a string of length \(total)", &errors)
                return .string("")
            }
            if let length, length < 0 {
                functionError("the length \(length) is negative", &errors)
                return .string("")
            }
            if position == 0 { return .string("") }
            let start = position > 0 ? position - 1 : total + position
            let available = total - start
            let take = min(length ?? available, available)
            let from = scalars.index(scalars.startIndex, offsetBy: start)
            let to = scalars.index(from, offsetBy: take)
            return .string(String(scalars[from..<to]))
        case .int, .bool, .string, .isBool, .isInt:
            let value = argument(0, &errors)
            if failed() { return zero }
            switch function {
            case .int: return .integer(Self.toInt(value, at: args[0].offset, &errors))
            case .bool: return .boolean(Self.toBool(value, explicit: true, at: args[0].offset, &errors))
            case .string: return .string(Self.toString(value))
            case .isBool:
                var scratch: [CESQLError] = []
                _ = Self.toBool(value, explicit: true, at: 0, &scratch)
                return .boolean(scratch.isEmpty)
            default:
                var scratch: [CESQLError] = []
                _ = Self.toInt(value, at: 0, &scratch)
                return .boolean(scratch.isEmpty)
            }
        }
    }

    // MARK: Casts (§3.7)

    static func cast(
        _ value: CESQLValue,
        to type: CESQLType,
        at offset: Int,
        _ errors: inout [CESQLError]
    ) -> CESQLValue {
        switch type {
        case .boolean: .boolean(toBool(value, at: offset, &errors))
        case .integer: .integer(toInt(value, at: offset, &errors))
        case .string: .string(toString(value))
        }
    }

    static func toString(_ value: CESQLValue) -> String {
        if case .string(let text) = value { return text }
        return value.description
    }

    static func toInt(_ value: CESQLValue, at offset: Int, _ errors: inout [CESQLError]) -> Int32 {
        switch value {
        case .integer(let number): return number
        case .boolean(let flag): return flag ? 1 : 0
        case .string(let text):
            if let number = Int32(text) { return number }
            errors.append(
                CESQLError(.cast, "cannot cast the String '\(text.prefix(100))' to Integer", offset: offset)
            )
            return 0
        }
    }

    /// Integer → Boolean is an explicit cast only (`BOOL(x)`); operators raise a CastError (TCK).
    static func toBool(
        _ value: CESQLValue,
        explicit: Bool = false,
        at offset: Int,
        _ errors: inout [CESQLError]
    ) -> Bool {
        switch value {
        case .boolean(let flag): return flag
        case .integer(let number):
            if explicit { return number != 0 }
            errors.append(CESQLError(.cast, "cannot implicitly cast the Integer \(number) to Boolean", offset: offset))
            return false
        case .string(let text):
            if text.utf8.count == 4, text.lowercased() == "true" { return true }
            if text.utf8.count == 5, text.lowercased() == "false" { return false }
            errors.append(
                CESQLError(.cast, "cannot cast the String '\(text.prefix(100))' to Boolean", offset: offset)
            )
            return false
        }
    }
}
