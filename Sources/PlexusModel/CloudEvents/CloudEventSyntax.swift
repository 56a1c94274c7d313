/// Lexical rules of the CloudEvents type system and bindings: attribute names, the `String` character
/// set, RFC 3986 URIs, RFC 2046 media types, base64 (RFC 4648) and the HTTP header percent-encoding.
/// Everything works on UTF-8 bytes, without Foundation.
enum CloudEventSyntax {
    // MARK: Attribute names and String values

    /// Whether `name` follows the naming rule: one or more of `a`–`z` and `0`–`9`.
    static func isValidAttributeName(_ name: String) -> Bool {
        !name.isEmpty
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            }
    }

    /// The first character a CloudEvents `String` must not contain (controls U+0000–001F and
    /// U+007F–009F, noncharacters), or nil. Swift strings cannot hold unpaired surrogates.
    static func firstDisallowedScalar(in text: String) -> Unicode.Scalar? {
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value <= 0x1F || (0x7F...0x9F).contains(value) { return scalar }
            if (0xFDD0...0xFDEF).contains(value) || value & 0xFFFE == 0xFFFE { return scalar }
        }
        return nil
    }

    // MARK: URIs (RFC 3986)

    /// Whether `text` is a URI with a scheme (RFC 3986 §3; a fragment is accepted, see docs/CLOUDEVENTS.md).
    static func isAbsoluteURI(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let colon = schemeEnd(bytes) else { return false }
        return isValidRest(bytes[(colon + 1)...], relative: false)
    }

    /// Whether `text` is a URI-reference (RFC 3986 §4.1): a URI or a relative reference.
    static func isURIReference(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        if let colon = schemeEnd(bytes) { return isValidRest(bytes[(colon + 1)...], relative: false) }
        return isValidRest(bytes[...], relative: true)
    }

    /// The index of the `:` ending a valid scheme at the start of `bytes`, or nil.
    private static func schemeEnd(_ bytes: [UInt8]) -> Int? {
        guard let first = bytes.first, isAlpha(first) else { return nil }
        for (index, byte) in bytes.enumerated().dropFirst() {
            if byte == UInt8(ascii: ":") { return index }
            guard
                isAlpha(byte) || isDigit(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
                    || byte == UInt8(ascii: ".")
            else { return nil }
        }
        return nil
    }

    /// Checks hier-part (or relative-part) `[ "?" query ] [ "#" fragment ]`.
    private static func isValidRest(_ bytes: ArraySlice<UInt8>, relative: Bool) -> Bool {
        var rest = bytes
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) {
            guard isValidQueryOrFragment(rest[(hash + 1)...]) else { return false }
            rest = rest[..<hash]
        }
        if let question = rest.firstIndex(of: UInt8(ascii: "?")) {
            guard isValidQueryOrFragment(rest[(question + 1)...]) else { return false }
            rest = rest[..<question]
        }
        var path = rest
        if rest.starts(with: "//".utf8) {
            let authorityStart = rest.startIndex + 2
            let authorityEnd = rest[authorityStart...].firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            guard isValidAuthority(rest[authorityStart..<authorityEnd]) else { return false }
            path = rest[authorityEnd...]
        } else if relative {
            // path-noscheme: the first segment must not contain ":".
            let firstSegment = path.prefix { $0 != UInt8(ascii: "/") }
            if firstSegment.contains(UInt8(ascii: ":")) { return false }
        }
        return isValid(path) { isPChar($0) || $0 == UInt8(ascii: "/") }
    }

    private static func isValidQueryOrFragment(_ bytes: ArraySlice<UInt8>) -> Bool {
        isValid(bytes) { isPChar($0) || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }
    }

    private static func isValidAuthority(_ bytes: ArraySlice<UInt8>) -> Bool {
        var hostAndPort = bytes
        if let at = bytes.lastIndex(of: UInt8(ascii: "@")) {
            guard isValid(bytes[..<at], { isUnreserved($0) || isSubDelim($0) || $0 == UInt8(ascii: ":") })
            else { return false }
            hostAndPort = bytes[(at + 1)...]
        }
        var port: ArraySlice<UInt8> = []
        if hostAndPort.first == UInt8(ascii: "[") {
            guard let close = hostAndPort.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = hostAndPort[(hostAndPort.startIndex + 1)..<close]
            guard !literal.isEmpty,
                literal.allSatisfy({ isUnreserved($0) || isSubDelim($0) || $0 == UInt8(ascii: ":") })
            else { return false }
            let after = hostAndPort[(close + 1)...]
            if let first = after.first {
                guard first == UInt8(ascii: ":") else { return false }
                port = after.dropFirst()
            }
        } else {
            if let colon = hostAndPort.lastIndex(of: UInt8(ascii: ":")) {
                port = hostAndPort[(colon + 1)...]
                hostAndPort = hostAndPort[..<colon]
            }
            guard isValid(hostAndPort, { isUnreserved($0) || isSubDelim($0) }) else { return false }
        }
        return port.allSatisfy(isDigit)
    }

    /// Whether every byte is allowed by `allowed` or starts a `%XX` escape.
    private static func isValid(_ bytes: ArraySlice<UInt8>, _ allowed: (UInt8) -> Bool) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex, hexValue(bytes[index + 1]) != nil, hexValue(bytes[index + 2]) != nil
                else { return false }
                index += 3
            } else {
                guard allowed(byte) else { return false }
                index += 1
            }
        }
        return true
    }

    private static func isAlpha(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        isAlpha(byte) || isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "~")
    }

    private static func isSubDelim(_ byte: UInt8) -> Bool { "!$&'()*+,;=".utf8.contains(byte) }

    private static func isPChar(_ byte: UInt8) -> Bool {
        isUnreserved(byte) || isSubDelim(byte) || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "@")
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: Media types (RFC 2046, with RFC 7231 parameter syntax)

    private static func isTokenChar(_ byte: UInt8) -> Bool {
        isAlpha(byte) || isDigit(byte) || "!#$%&'*+-.^_`|~".utf8.contains(byte)
    }

    /// Whether `text` is `type "/" subtype *( OWS ";" OWS name "=" ( token / quoted-string ) )`.
    static func isValidMediaType(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        var index = 0
        func token() -> Bool {
            let start = index
            while index < bytes.count, isTokenChar(bytes[index]) { index += 1 }
            return index > start
        }
        func skipSpace() { while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 } }
        skipSpace()
        guard token(), index < bytes.count, bytes[index] == UInt8(ascii: "/") else { return false }
        index += 1
        guard token() else { return false }
        while true {
            skipSpace()
            if index == bytes.count { return true }
            guard bytes[index] == UInt8(ascii: ";") else { return false }
            index += 1
            skipSpace()
            guard token(), index < bytes.count, bytes[index] == UInt8(ascii: "=") else { return false }
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
                index += 1
                var closed = false
                while index < bytes.count {
                    if bytes[index] == UInt8(ascii: "\\") {
                        index += 2
                        continue
                    }
                    if bytes[index] == UInt8(ascii: "\"") {
                        closed = true
                        index += 1
                        break
                    }
                    index += 1
                }
                guard closed else { return false }
            } else {
                guard token() else { return false }
            }
        }
    }

    /// The media type without parameters, trimmed and lower-cased (`Application/JSON; x=y` → `application/json`).
    static func essence(ofMediaType text: String) -> String {
        let head = text.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(head.trimmingSpaces).lowercased()
    }

    /// The value of parameter `name` (case-insensitive), unquoted, or nil.
    static func parameter(_ name: String, ofMediaType text: String) -> String? {
        for part in text.split(separator: ";").dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingSpaces.lowercased() == name else { continue }
            var value = pair[1].trimmingSpaces
            if value.count >= 2, value.first == "\"", value.last == "\"" { value = value.dropFirst().dropLast() }
            return String(value)
        }
        return nil
    }

    /// Whether a `datacontenttype` declares JSON: `*/json` or `*/*+json` once parameters are stripped.
    static func isJSONMediaType(_ text: String) -> Bool {
        let essence = essence(ofMediaType: text)
        guard let slash = essence.firstIndex(of: "/") else { return false }
        let subtype = essence[essence.index(after: slash)...]
        return subtype == "json" || subtype.hasSuffix("+json")
    }

    /// Whether `text/*` data can be written as a JSON string: charset absent, UTF-8 or US-ASCII.
    static func isUTF8TextMediaType(_ text: String) -> Bool {
        guard essence(ofMediaType: text).hasPrefix("text/") else { return false }
        guard let charset = parameter("charset", ofMediaType: text)?.lowercased() else { return true }
        return charset == "utf-8" || charset == "utf8" || charset == "us-ascii"
    }

    // MARK: Base64 (RFC 4648 §4)

    private static let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding.
    static func base64Encode(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var iterator = bytes.makeIterator()
        while let first = iterator.next() {
            let second = iterator.next()
            let third = iterator.next()
            let group = UInt32(first) << 16 | UInt32(second ?? 0) << 8 | UInt32(third ?? 0)
            out.append(base64Alphabet[Int(group >> 18 & 0x3F)])
            out.append(base64Alphabet[Int(group >> 12 & 0x3F)])
            out.append(second == nil ? UInt8(ascii: "=") : base64Alphabet[Int(group >> 6 & 0x3F)])
            out.append(third == nil ? UInt8(ascii: "=") : base64Alphabet[Int(group & 0x3F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes standard base64; padding may be omitted. Nil on any other character or a bad length.
    static func base64Decode(_ text: String) -> [UInt8]? {
        var bytes = Array(text.utf8)
        var padding = 0
        while bytes.last == UInt8(ascii: "="), padding < 2 {
            bytes.removeLast()
            padding += 1
        }
        if padding > 0, (bytes.count + padding) % 4 != 0 { return nil }
        if bytes.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            let value: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = byte - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = byte - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = byte - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): value = 62
            case UInt8(ascii: "/"): value = 63
            default: return nil
            }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        // Leftover bits of the last character must be zero (canonical encoding).
        if bits > 0, accumulator & ((1 << UInt32(bits)) - 1) != 0 { return nil }
        return out
    }

    // MARK: HTTP header values (HTTP binding §3.1.3.2)

    /// Percent-encodes space, `"`, `%` and every byte outside U+0021–U+007E, with upper-case hex.
    static func percentEncode(_ text: String) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "%") {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0xF)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Why a header value cannot be decoded.
    enum HeaderValueError: Error, Equatable {
        case unterminatedQuotedString
        case badPercentEscape
        case invalidUTF8
    }

    /// Decodes a header value: surrounding whitespace is dropped, an RFC 7230 quoted-string is unquoted,
    /// then one round of percent-decoding is done and the bytes must be valid UTF-8 (no overlongs).
    static func decodeHeaderValue(_ raw: String) throws(HeaderValueError) -> String {
        var bytes = ArraySlice(raw.utf8)
        while let first = bytes.first, first == 0x20 || first == 0x09 { bytes.removeFirst() }
        while let last = bytes.last, last == 0x20 || last == 0x09 { bytes.removeLast() }
        if bytes.first == UInt8(ascii: "\"") {
            var unquoted: [UInt8] = []
            var index = bytes.startIndex + 1
            var closed = false
            while index < bytes.endIndex {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\\") {
                    guard index + 1 < bytes.endIndex else { break }
                    unquoted.append(bytes[index + 1])
                    index += 2
                } else if byte == UInt8(ascii: "\"") {
                    closed = index == bytes.endIndex - 1
                    break
                } else {
                    unquoted.append(byte)
                    index += 1
                }
            }
            guard closed else { throw .unterminatedQuotedString }
            bytes = ArraySlice(unquoted)
        }
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex,
                    let high = hexValue(bytes[index + 1]),
                    let low = hexValue(bytes[index + 2])
                else { throw .badPercentEscape }
                decoded.append(high << 4 | low)
                index += 3
            } else {
                decoded.append(byte)
                index += 1
            }
        }
        guard let text = String(validating: decoded, as: UTF8.self) else { throw .invalidUTF8 }
        return text
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
