import LogboxCore

/// The validating pieces of RFC 8259 that `JSONLinesParser` is built from, over line bytes.
///
/// Each function starts at index `i` of `line` and leaves `i` just past what it read, or throws
/// the reason with the 1-based column of the offending byte (`line.count + 1` when the line ends
/// early). Nothing is decoded or allocated: strings are checked, not unescaped.
enum JSONSyntax {
    /// The nesting a line may have (the top-level object counts as 1).
    static let maximumDepth = 64

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }

    @inline(__always)
    static func skipWhitespace(_ line: Span<UInt8>, _ i: inout Int) {
        while i < line.count, Self.isWhitespace(line[i]) { i += 1 }
    }

    /// The byte at `i`, or throws `.unexpectedEnd` at the end of the line.
    @inline(__always)
    static func byte(_ line: Span<UInt8>, _ i: Int) throws(ParseIssue) -> UInt8 {
        guard i < line.count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
        return line[i]
    }

    /// Reads a string; `i` is at its opening quote. Returns where the body ends (the closing quote)
    /// and whether it holds a backslash escape.
    ///
    /// - Throws: `.unterminatedQuote` at the opening quote when the line ends inside the string,
    ///   `.badEscape` at the backslash of an escape JSON does not have (`\x`, `\u12G4`),
    ///   `.invalidJSON` at a raw control byte (below 0x20).
    static func string(_ line: Span<UInt8>, _ i: inout Int) throws(ParseIssue) -> (end: Int, escaped: Bool) {
        let open = i
        var escaped = false
        var j = i + 1
        let count = line.count
        while true {
            j = JSONByteSearch.stringStop(line, from: j, controls: true)
            guard j < count else { break }
            let byte = line[j]
            if byte == UInt8(ascii: "\"") {
                i = j + 1
                return (j, escaped)
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                guard j + 1 < count else { break }
                switch line[j + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    j += 2
                case UInt8(ascii: "u"):
                    guard j + 6 <= count else {
                        // A truncated `\u` escape: the line ended, unless a non-hex byte shows first.
                        for k in (j + 2)..<count where !Self.isHex(line[k]) {
                            throw ParseIssue(.badEscape, column: j + 1)
                        }
                        throw ParseIssue(.unterminatedQuote, column: open + 1)
                    }
                    for k in (j + 2)..<(j + 6) where !Self.isHex(line[k]) {
                        throw ParseIssue(.badEscape, column: j + 1)
                    }
                    j += 6
                default:
                    throw ParseIssue(.badEscape, column: j + 1)
                }
                continue
            }
            throw ParseIssue(.invalidJSON, column: j + 1)  // a control byte
        }
        throw ParseIssue(.unterminatedQuote, column: open + 1)
    }

    @inline(__always)
    static func isHex(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10 || (byte | 0x20) &- UInt8(ascii: "a") < 6
    }

    @inline(__always)
    private static func isDigit(_ line: Span<UInt8>, _ i: Int) -> Bool {
        i < line.count && line[i] &- UInt8(ascii: "0") < 10
    }

    /// Reads a number (`-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`); `i` is at its first byte.
    /// Returns whether it is an integer (no fraction, no exponent).
    static func number(_ line: Span<UInt8>, _ i: inout Int) throws(ParseIssue) -> Bool {
        var j = i
        if j < line.count, line[j] == UInt8(ascii: "-") { j += 1 }
        guard Self.isDigit(line, j) else { throw Self.expected(line, j) }
        if line[j] == UInt8(ascii: "0") {
            j += 1
            // JSON has no leading zeros: `01` is `0` followed by garbage.
            if Self.isDigit(line, j) { throw ParseIssue(.invalidJSON, column: j + 1) }
        } else {
            while Self.isDigit(line, j) { j += 1 }
        }
        var integer = true
        if j < line.count, line[j] == UInt8(ascii: ".") {
            j += 1
            guard Self.isDigit(line, j) else { throw Self.expected(line, j) }
            while Self.isDigit(line, j) { j += 1 }
            integer = false
        }
        if j < line.count, line[j] | 0x20 == UInt8(ascii: "e") {
            j += 1
            if j < line.count, line[j] == UInt8(ascii: "+") || line[j] == UInt8(ascii: "-") { j += 1 }
            guard Self.isDigit(line, j) else { throw Self.expected(line, j) }
            while Self.isDigit(line, j) { j += 1 }
            integer = false
        }
        i = j
        return integer
    }

    /// Reads `true`, `false` or `null` (`word`); `i` is at its first byte.
    static func literal(_ line: Span<UInt8>, _ i: inout Int, _ word: StaticString) throws(ParseIssue) {
        let start = i
        let mismatch: Int? = word.withUTF8Buffer { bytes in
            for k in 0..<bytes.count {
                guard start + k < line.count else { return start + k }
                if line[start + k] != bytes[k] { return start + k }
            }
            return nil
        }
        if let mismatch { throw Self.expected(line, mismatch) }
        i = start + word.utf8CodeUnitCount
    }

    /// `.unexpectedEnd` past the end of the line, `.invalidJSON` at a byte that is there.
    @inline(__always)
    static func expected(_ line: Span<UInt8>, _ i: Int) -> ParseIssue {
        ParseIssue(i >= line.count ? .unexpectedEnd : .invalidJSON, column: i + 1)
    }

    /// Reads any value, checking it and everything inside it; `i` is at its first byte and the
    /// value sits at nesting `depth` (a container here would be `depth + 1`).
    ///
    /// Containers nest by recursion, at most `maximumDepth` deep.
    static func skipValue(_ line: Span<UInt8>, _ i: inout Int, depth: Int) throws(ParseIssue) {
        let first = try Self.byte(line, i)
        switch first {
        case UInt8(ascii: "\""):
            _ = try Self.string(line, &i)
        case UInt8(ascii: "{"):
            guard depth < Self.maximumDepth else { throw ParseIssue(.tooDeep, column: i + 1) }
            i += 1
            Self.skipWhitespace(line, &i)
            if try Self.byte(line, i) == UInt8(ascii: "}") {
                i += 1
                return
            }
            while true {
                guard try Self.byte(line, i) == UInt8(ascii: "\"") else { throw Self.expected(line, i) }
                _ = try Self.string(line, &i)
                Self.skipWhitespace(line, &i)
                guard try Self.byte(line, i) == UInt8(ascii: ":") else { throw Self.expected(line, i) }
                i += 1
                Self.skipWhitespace(line, &i)
                try Self.skipValue(line, &i, depth: depth + 1)
                Self.skipWhitespace(line, &i)
                let next = try Self.byte(line, i)
                i += 1
                if next == UInt8(ascii: "}") { return }
                guard next == UInt8(ascii: ",") else { throw ParseIssue(.invalidJSON, column: i) }
                Self.skipWhitespace(line, &i)
            }
        case UInt8(ascii: "["):
            guard depth < Self.maximumDepth else { throw ParseIssue(.tooDeep, column: i + 1) }
            i += 1
            Self.skipWhitespace(line, &i)
            if try Self.byte(line, i) == UInt8(ascii: "]") {
                i += 1
                return
            }
            while true {
                try Self.skipValue(line, &i, depth: depth + 1)
                Self.skipWhitespace(line, &i)
                let next = try Self.byte(line, i)
                i += 1
                if next == UInt8(ascii: "]") { return }
                guard next == UInt8(ascii: ",") else { throw ParseIssue(.invalidJSON, column: i) }
                Self.skipWhitespace(line, &i)
            }
        case UInt8(ascii: "t"):
            try Self.literal(line, &i, "true")
        case UInt8(ascii: "f"):
            try Self.literal(line, &i, "false")
        case UInt8(ascii: "n"):
            try Self.literal(line, &i, "null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try Self.number(line, &i)
        default:
            throw ParseIssue(.invalidJSON, column: i + 1)
        }
    }
}
