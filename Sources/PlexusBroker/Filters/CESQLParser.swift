/// Turns CESQL v1.0.0 source text into a ``CESQLNode`` tree (`CESQLParser.g4`).
///
/// Precedence, high to low: function calls; `NOT` and unary `-`; `LIKE`, `IN`; `* / %`; `+ -`;
/// comparisons; `AND OR XOR` (one level, right-associative, as in the grammar). Keywords and function
/// names are case-insensitive; identifiers are lowercased. An integer literal may carry a sign written
/// directly before its digits, so `-2147483648` is a valid literal.
enum CESQLParser {
    /// Deeper trees are rejected, so that evaluation cannot exhaust the stack.
    static let maximumDepth = 256

    static func parse(_ text: String) throws(CESQLError) -> CESQLNode {
        var parser = Parser(tokens: try Lexer.tokenize(text))
        let node = try parser.parseExpression()
        guard case .end = parser.current.kind else {
            throw parser.unexpected("after the expression")
        }
        return node
    }

    struct Token {
        enum Kind: Equatable {
            case leftParen, rightParen, comma
            case star, slash, percent, plus, minus
            case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
            case string(String)
            /// Decimal digits.
            case integer(String)
            /// `[A-Za-z0-9_]+` that is not all digits: keyword, identifier or function name.
            case word(String)
            case end
        }

        var kind: Kind
        var offset: Int
        /// The offset just past the token.
        var endOffset: Int
    }

    enum Lexer {
        static func tokenize(_ text: String) throws(CESQLError) -> [Token] {
            let bytes = Array(text.utf8)
            var tokens: [Token] = []
            var i = 0
            func isWordByte(_ b: UInt8) -> Bool {
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
            }
            while i < bytes.count {
                let b = bytes[i]
                let start = i
                var kind: Token.Kind
                switch b {
                case 0x20, 0x09, 0x0A, 0x0D:
                    i += 1
                    continue
                case UInt8(ascii: "("): kind = .leftParen
                case UInt8(ascii: ")"): kind = .rightParen
                case UInt8(ascii: ","): kind = .comma
                case UInt8(ascii: "*"): kind = .star
                case UInt8(ascii: "/"): kind = .slash
                case UInt8(ascii: "%"): kind = .percent
                case UInt8(ascii: "+"): kind = .plus
                case UInt8(ascii: "-"): kind = .minus
                case UInt8(ascii: "="): kind = .equal
                case UInt8(ascii: "!"):
                    guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "=") else {
                        throw CESQLError(.parse, "'!' must be followed by '='", offset: i)
                    }
                    i += 1
                    kind = .notEqual
                case UInt8(ascii: "<"):
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "=") {
                        i += 1
                        kind = .lessOrEqual
                    } else if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ">") {
                        i += 1
                        kind = .notEqual
                    } else {
                        kind = .less
                    }
                case UInt8(ascii: ">"):
                    if i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "=") {
                        i += 1
                        kind = .greaterOrEqual
                    } else {
                        kind = .greater
                    }
                case UInt8(ascii: "'"), UInt8(ascii: "\""):
                    kind = .string(try stringLiteral(bytes, at: &i))
                    tokens.append(Token(kind: kind, offset: start, endOffset: i))
                    continue
                default:
                    guard isWordByte(b) else {
                        throw CESQLError(
                            .parse,
                            "unexpected character '\(String(decoding: bytes[i...].prefix(4), as: UTF8.self).prefix(1))'",
                            offset: i
                        )
                    }
                    var allDigits = true
                    while i < bytes.count, isWordByte(bytes[i]) {
                        if bytes[i] < 0x30 || bytes[i] > 0x39 { allDigits = false }
                        i += 1
                    }
                    let word = String(decoding: bytes[start..<i], as: UTF8.self)
                    tokens.append(Token(kind: allDigits ? .integer(word) : .word(word), offset: start, endOffset: i))
                    continue
                }
                i += 1
                tokens.append(Token(kind: kind, offset: start, endOffset: i))
            }
            tokens.append(Token(kind: .end, offset: bytes.count, endOffset: bytes.count))
            return tokens
        }

        /// Reads a `'…'` or `"…"` literal starting at `i`. `\q` and `qq` (q the delimiter) stand for q;
        /// any other backslash pair is kept as written (so LIKE patterns see `\%` and `\_`).
        static func stringLiteral(_ bytes: [UInt8], at i: inout Int) throws(CESQLError) -> String {
            let start = i
            let quote = bytes[i]
            var out: [UInt8] = []
            i += 1
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\\"), i + 1 < bytes.count {
                    if bytes[i + 1] == quote {
                        out.append(quote)
                    } else {
                        out.append(b)
                        out.append(bytes[i + 1])
                    }
                    i += 2
                } else if b == quote {
                    if i + 1 < bytes.count, bytes[i + 1] == quote {
                        out.append(quote)
                        i += 2
                    } else {
                        i += 1
                        return String(decoding: out, as: UTF8.self)
                    }
                } else {
                    out.append(b)
                    i += 1
                }
            }
            throw CESQLError(.parse, "unterminated string literal", offset: start)
        }
    }

    struct Parser {
        let tokens: [Token]
        var position = 0
        /// How many parentheses, unary operators and argument lists enclose the current token.
        var nesting = 0

        init(tokens: [Token]) { self.tokens = tokens }

        var current: Token { tokens[position] }
        var next: Token { tokens[min(position + 1, tokens.count - 1)] }

        mutating func advance() { if position < tokens.count - 1 { position += 1 } }

        func keyword(_ token: Token) -> String? {
            if case .word(let word) = token.kind { return word.uppercased() }
            return nil
        }

        func isKeyword(_ token: Token, _ name: String) -> Bool {
            guard case .word(let word) = token.kind, word.utf8.count == name.utf8.count else { return false }
            return word.uppercased() == name
        }

        func unexpected(_ context: String) -> CESQLError {
            let found: String
            switch current.kind {
            case .end: found = "end of expression"
            case .string: found = "a string literal"
            case .integer(let digits): found = "'\(digits)'"
            case .word(let word): found = "'\(word)'"
            default: found = "'\(Self.symbol(current.kind))'"
            }
            return CESQLError(.parse, "unexpected \(found) \(context)", offset: current.offset)
        }

        static func symbol(_ kind: Token.Kind) -> String {
            switch kind {
            case .leftParen: "("
            case .rightParen: ")"
            case .comma: ","
            case .star: "*"
            case .slash: "/"
            case .percent: "%"
            case .plus: "+"
            case .minus: "-"
            case .equal: "="
            case .notEqual: "!="
            case .less: "<"
            case .lessOrEqual: "<="
            case .greater: ">"
            case .greaterOrEqual: ">="
            default: ""
            }
        }

        func node(_ kind: CESQLNode.Kind, at offset: Int) throws(CESQLError) -> CESQLNode {
            let node = CESQLNode(kind, offset: offset)
            if node.depth > CESQLParser.maximumDepth {
                throw CESQLError(
                    .parse,
                    "expression nested deeper than \(CESQLParser.maximumDepth) levels",
                    offset: offset
                )
            }
            return node
        }

        mutating func expect(_ kind: Token.Kind, _ context: String) throws(CESQLError) {
            guard current.kind == kind else { throw unexpected(context) }
            advance()
        }

        mutating func parseExpression() throws(CESQLError) -> CESQLNode {
            nesting += 1
            defer { nesting -= 1 }
            if nesting > CESQLParser.maximumDepth {
                throw CESQLError(
                    .parse,
                    "expression nested deeper than \(CESQLParser.maximumDepth) levels",
                    offset: current.offset
                )
            }
            return try parseLogic()
        }

        mutating func parseLogic() throws(CESQLError) -> CESQLNode {
            let left = try parseComparison()
            let op: CESQLBinaryOperator
            switch keyword(current) {
            case "AND": op = .and
            case "OR": op = .or
            case "XOR": op = .xor
            default: return left
            }
            advance()
            let right = try parseLogic()
            return try node(.binary(op, left, right), at: left.offset)
        }

        mutating func parseComparison() throws(CESQLError) -> CESQLNode {
            var left = try parseAdditive()
            while true {
                let op: CESQLBinaryOperator
                switch current.kind {
                case .equal: op = .equal
                case .notEqual: op = .notEqual
                case .less: op = .less
                case .lessOrEqual: op = .lessOrEqual
                case .greater: op = .greater
                case .greaterOrEqual: op = .greaterOrEqual
                default: return left
                }
                advance()
                let right = try parseAdditive()
                left = try node(.binary(op, left, right), at: left.offset)
            }
        }

        mutating func parseAdditive() throws(CESQLError) -> CESQLNode {
            var left = try parseMultiplicative()
            while true {
                let op: CESQLBinaryOperator
                switch current.kind {
                case .plus: op = .add
                case .minus: op = .subtract
                default: return left
                }
                advance()
                let right = try parseMultiplicative()
                left = try node(.binary(op, left, right), at: left.offset)
            }
        }

        mutating func parseMultiplicative() throws(CESQLError) -> CESQLNode {
            var left = try parsePostfix()
            while true {
                let op: CESQLBinaryOperator
                switch current.kind {
                case .star: op = .multiply
                case .slash: op = .divide
                case .percent: op = .modulo
                default: return left
                }
                advance()
                let right = try parsePostfix()
                left = try node(.binary(op, left, right), at: left.offset)
            }
        }

        /// `x [NOT] LIKE 'p'` and `x [NOT] IN (…)`.
        mutating func parsePostfix() throws(CESQLError) -> CESQLNode {
            var left = try parseUnary()
            while true {
                var negated = false
                if isKeyword(current, "NOT"), isKeyword(next, "LIKE") || isKeyword(next, "IN") {
                    negated = true
                    advance()
                }
                if isKeyword(current, "LIKE") {
                    advance()
                    guard case .string(let pattern) = current.kind else {
                        throw unexpected("where the LIKE pattern (a string literal) is expected")
                    }
                    advance()
                    left = try node(.like(left, CESQLLikePattern(pattern), negated: negated), at: left.offset)
                } else if isKeyword(current, "IN") {
                    advance()
                    try expect(.leftParen, "where '(' starting the IN set is expected")
                    var set = [try parseExpression()]
                    while current.kind == .comma {
                        advance()
                        set.append(try parseExpression())
                    }
                    try expect(.rightParen, "where ',' or ')' is expected in the IN set")
                    left = try node(.in(left, set, negated: negated), at: left.offset)
                } else {
                    return left
                }
            }
        }

        mutating func parseUnary() throws(CESQLError) -> CESQLNode {
            let start = current
            nesting += 1
            defer { nesting -= 1 }
            if nesting > CESQLParser.maximumDepth {
                throw CESQLError(
                    .parse,
                    "expression nested deeper than \(CESQLParser.maximumDepth) levels",
                    offset: start.offset
                )
            }
            if isKeyword(start, "NOT") {
                advance()
                return try node(.not(try parseUnary()), at: start.offset)
            }
            if start.kind == .minus || start.kind == .plus {
                if case .integer(let digits) = next.kind, next.offset == start.endOffset {
                    advance()
                    advance()
                    return try integerLiteral((start.kind == .minus ? "-" : "+") + digits, at: start.offset)
                }
                guard start.kind == .minus else { throw unexpected("at the start of an operand") }
                advance()
                return try node(.negate(try parseUnary()), at: start.offset)
            }
            return try parsePrimary()
        }

        func integerLiteral(_ text: String, at offset: Int) throws(CESQLError) -> CESQLNode {
            guard let value = Int32(text) else {
                throw CESQLError(.parse, "integer literal \(text) does not fit in 32 bits", offset: offset)
            }
            return CESQLNode(.literal(.integer(value)), offset: offset)
        }

        mutating func parsePrimary() throws(CESQLError) -> CESQLNode {
            let start = current
            switch start.kind {
            case .leftParen:
                advance()
                let inner = try parseExpression()
                try expect(.rightParen, "where ')' is expected")
                return inner
            case .integer(let digits):
                advance()
                return try integerLiteral(digits, at: start.offset)
            case .string(let text):
                advance()
                return CESQLNode(.literal(.string(text)), offset: start.offset)
            case .word(let word):
                let upper = word.uppercased()
                if next.kind == .leftParen {
                    return try parseCall(name: word, upper: upper)
                }
                switch upper {
                case "TRUE", "FALSE":
                    advance()
                    return CESQLNode(.literal(.boolean(upper == "TRUE")), offset: start.offset)
                case "EXISTS":
                    advance()
                    let name = try identifier("after EXISTS")
                    return CESQLNode(.exists(name), offset: start.offset)
                default:
                    return CESQLNode(.attribute(try identifier("where an operand is expected")), offset: start.offset)
                }
            default:
                throw unexpected("where an operand is expected")
            }
        }

        static let reserved: Set<String> = ["AND", "OR", "XOR", "NOT", "LIKE", "IN", "EXISTS", "TRUE", "FALSE"]

        /// An attribute name: `[a-zA-Z0-9]+`, not a keyword; lowercased.
        mutating func identifier(_ context: String) throws(CESQLError) -> String {
            guard case .word(let word) = current.kind, !Self.reserved.contains(word.uppercased()),
                !word.utf8.contains(UInt8(ascii: "_"))
            else {
                throw unexpected(context)
            }
            advance()
            return word.lowercased()
        }

        mutating func parseCall(name: String, upper: String) throws(CESQLError) -> CESQLNode {
            let start = current
            guard let first = name.utf8.first, (first | 0x20) >= 0x61, (first | 0x20) <= 0x7A,
                !name.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }), !Self.reserved.contains(upper)
            else {
                throw CESQLError(.parse, "'\(name)' is not a function name", offset: start.offset)
            }
            advance()
            advance()
            var args: [CESQLNode] = []
            if current.kind != .rightParen {
                args.append(try parseExpression())
                while current.kind == .comma {
                    advance()
                    args.append(try parseExpression())
                }
            }
            try expect(.rightParen, "where ',' or ')' is expected in the argument list of \(upper)")
            if let function = CESQLFunction.resolve(upper, arity: args.count) {
                return try node(.call(function, args), at: start.offset)
            }
            return try node(.unknownFunction(upper, args), at: start.offset)
        }
    }
}
