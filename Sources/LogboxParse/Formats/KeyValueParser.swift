public import LogboxCore

/// Finds `key=value` pairs anywhere in a line of free text, keeping the whole line as `message`.
///
/// ```
/// Nov  1 00:02:41 web-1 app: user=alice action=login ok=true took=0.25 note="first try"
/// ```
///
/// - A key is `[A-Za-z_][A-Za-z0-9_.@-]*` directly followed by `=`, starting the line or after a
///   space, tab, `,` or `;` (so `a=1&b=2` inside a URL value is not split). Only `=` separates:
///   `:` is too common in times, ports, URLs and syslog tags to mean a pair.
/// - A value is quoted with `"` (a backslash escapes the byte after it; kind `.jsonEscaped` when
///   one occurs, else `.text`) or `'` (no escapes, `.text`), or runs to the next space or tab. A
///   bare value drops one trailing `,` or `;` (`user=alice, action=login`) and is typed: integer
///   or decimal as DESIGN.md says, `true`/`false` as `.boolean`, else `.text`. An unclosed quote
///   is not an error: the value is then read bare, quote included. `key=` is an empty value.
/// - Text between pairs is skipped. `message` comes first and is the whole line, unless the line
///   has a `message=` pair, whose value then is the message. `ts`/`time`/`timestamp` and
///   `level`/`lvl`/`severity` set the event timestamp and `level` as `JSONUsualKeys` describes.
///
/// A line without pairs is still an event (its `message`); only an empty line is an error
/// (`.emptyLine`), so the parser never fails on text.
public struct KeyValueParser: LogParser, Sendable {
    public var name: String { "kv" }

    private var inference: YearInference
    private var usualKeys = JSONUsualKeys()

    public init(context: ParseContext) {
        self.inference = context.yearInference
        self.usualKeys.messageFromAliases = false
    }

    /// - Complexity: O(n) in the line length, one pass; allocates only for names not seen before.
    public mutating func parse(_ line: Span<UInt8>, into out: inout EventBatch) throws(ParseIssue) {
        let count = line.count
        guard count > 0 else { throw ParseIssue(.emptyLine, column: 1) }
        self.usualKeys.reset()
        self.usualKeys.setDefaultMessage(at: out.fields.count)
        out.append(.message, .text, 0..<count)

        var i = 0
        while i < count {
            // A key starts the line or follows a separator.
            if i > 0, !Self.isSeparator(line[i - 1]) {
                i = Self.nextCandidate(line, after: i - 1)
                continue
            }
            guard Self.isKeyStart(line[i]) else {
                i = Self.nextCandidate(line, after: i)
                continue
            }
            let keyStart = i
            i += 1
            while i < count, Self.isKeyByte(line[i]) { i += 1 }
            guard i < count, line[i] == UInt8(ascii: "=") else {
                i = Self.nextCandidate(line, after: i - 1)
                continue
            }
            let key = line.extracting(keyStart..<i)
            i += 1

            var kind = ValueKind.text
            var payload: Int64 = 0
            var range = i..<i
            if i < count, line[i] == UInt8(ascii: "\"") || line[i] == UInt8(ascii: "'"),
                let quoted = Self.quoted(line, from: i)
            {
                range = i + 1..<quoted.close
                kind = quoted.escaped ? .jsonEscaped : .text
                i = quoted.close + 1
            } else {
                let start = i
                while i < count, !LogfmtParser.isSpace(line[i]) { i += 1 }
                var end = i
                if end > start, line[end - 1] == UInt8(ascii: ",") || line[end - 1] == UInt8(ascii: ";") { end -= 1 }
                range = start..<end
                (kind, payload) = LogfmtParser.typed(line.extracting(range))
            }

            let name = out.names.intern(key)
            let role = JSONUsualKeys.role(of: key)
            if role == .none {
                out.append(name, kind, range, payload: payload)
            } else {
                self.usualKeys.append(
                    name,
                    role: role,
                    kind,
                    range,
                    payload: payload,
                    line: line,
                    into: &out,
                    inference: &self.inference
                )
            }
        }
    }

    /// The first index after `i` that follows a separator (a possible key start), or the line's end.
    @inline(__always)
    private static func nextCandidate(_ line: Span<UInt8>, after i: Int) -> Int {
        var j = i + 1
        while j < line.count, !Self.isSeparator(line[j - 1]) { j += 1 }
        return j
    }

    @inline(__always)
    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: ",")
            || byte == UInt8(ascii: ";")
    }

    @inline(__always)
    private static func isKeyStart(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte == UInt8(ascii: "_")
    }

    @inline(__always)
    private static func isKeyByte(_ byte: UInt8) -> Bool {
        Self.isKeyStart(byte) || byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "@") || byte == UInt8(ascii: "-")
    }

    /// The closing quote of the value quoted at `open`, or nil when the line ends first.
    private static func quoted(_ line: Span<UInt8>, from open: Int) -> (close: Int, escaped: Bool)? {
        var j = open + 1
        if line[open] == UInt8(ascii: "'") {
            while j < line.count {
                if line[j] == UInt8(ascii: "'") { return (j, false) }
                j += 1
            }
            return nil
        }
        var escaped = false
        while true {
            j = JSONByteSearch.stringStop(line, from: j, controls: false)
            guard j < line.count else { return nil }
            if line[j] == UInt8(ascii: "\"") { return (j, escaped) }
            escaped = true  // a backslash: skip it and the byte it escapes
            j += 2
        }
    }
}
