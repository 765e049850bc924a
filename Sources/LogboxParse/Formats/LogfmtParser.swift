public import LogboxCore

/// Parses logfmt lines: `key=value key="quoted value with \" escapes" bare_key empty=`.
///
/// - Pairs are separated by spaces or tabs. A key is a run of bytes other than space, tab, `=`
///   and `"`; its field is named as written (`caller`, `http.status`).
/// - `key=value`: a bare value runs to the next space or tab. It is typed as DESIGN.md says
///   (integer without leading zeros within 64 bits, or decimal), `true`/`false` become `.boolean`,
///   anything else `.text`.
/// - `key="..."`: the bytes between the quotes; a backslash escapes the byte after it. Kind
///   `.jsonEscaped` when the body holds a backslash (decoded as JSON escapes when read; an escape
///   JSON lacks stays as written), else `.text`. Quoted values are never typed as numbers: the
///   writer quoted them as text.
/// - `key=` is an empty `.text` value; a bare `key` is `.boolean` true (an empty range at the end
///   of the key).
/// - The usual keys (`ts`/`time`, `msg`, `level`/`lvl`, …) give the event's timestamp, `message`
///   and `level` as `JSONUsualKeys` describes.
///
/// Errors, with the 1-based column: `.emptyLine` for a line of only spaces; `.unterminatedQuote`
/// (at the opening quote) when a quoted value runs to the end; `.missingSpace` when a closing quote
/// is followed by something other than a space; `.noKeyValue` for an empty key (`=x`), a key
/// holding `"` (at that byte) and, at column 1, for a line without a single `key=value` pair.
public struct LogfmtParser: LogParser, Sendable {
    public var name: String { "logfmt" }

    private var inference: YearInference
    private var usualKeys = JSONUsualKeys()

    public init(context: ParseContext) {
        self.inference = context.yearInference
    }

    /// - Complexity: O(n) in the line length, one pass; allocates only for names not seen before.
    public mutating func parse(_ line: Span<UInt8>, into out: inout EventBatch) throws(ParseIssue) {
        let count = line.count
        self.usualKeys.reset()
        var pairs = 0
        var i = 0
        while true {
            while i < count, Self.isSpace(line[i]) { i += 1 }
            if i == count { break }
            let keyStart = i
            while i < count {
                let byte = line[i]
                if Self.isSpace(byte) || byte == UInt8(ascii: "=") { break }
                if byte == UInt8(ascii: "\"") { throw ParseIssue(.noKeyValue, column: i + 1) }
                i += 1
            }
            if i == keyStart { throw ParseIssue(.noKeyValue, column: i + 1) }
            let key = line.extracting(keyStart..<i)
            let name = out.names.intern(key)
            let role = JSONUsualKeys.role(of: key)

            guard i < count, line[i] == UInt8(ascii: "=") else {
                // A bare key: a flag that is set.
                self.append(name, role, .boolean, i..<i, 1, line, &out)
                continue
            }
            i += 1
            pairs += 1
            if i < count, line[i] == UInt8(ascii: "\"") {
                let open = i
                var escaped = false
                i += 1
                while true {
                    i = JSONByteSearch.stringStop(line, from: i, controls: false)
                    if i >= count || line[i] == UInt8(ascii: "\"") { break }
                    escaped = true  // a backslash: skip it and the byte it escapes
                    i += 2
                }
                guard i < count else { throw ParseIssue(.unterminatedQuote, column: open + 1) }
                i += 1
                if i < count, !Self.isSpace(line[i]) { throw ParseIssue(.missingSpace, column: i + 1) }
                self.append(name, role, escaped ? .jsonEscaped : .text, open + 1..<i - 1, 0, line, &out)
            } else {
                let valueStart = i
                while i < count, !Self.isSpace(line[i]) { i += 1 }
                let (kind, payload) = Self.typed(line.extracting(valueStart..<i))
                self.append(name, role, kind, valueStart..<i, payload, line, &out)
            }
        }
        if pairs == 0 {
            throw ParseIssue(out.currentFieldCount == 0 ? .emptyLine : .noKeyValue, column: 1)
        }
    }

    @inline(__always)
    private mutating func append(
        _ name: FieldID,
        _ role: JSONUsualKeys.Role,
        _ kind: ValueKind,
        _ range: Range<Int>,
        _ payload: Int64,
        _ line: Span<UInt8>,
        _ out: inout EventBatch
    ) {
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

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// The kind and payload of a bare value: a number, a boolean, or text.
    static func typed(_ value: Span<UInt8>) -> (ValueKind, Int64) {
        let count = value.count
        guard count > 0 else { return (.text, 0) }
        let first = value[0]
        if first &- UInt8(ascii: "0") < 10 || first == UInt8(ascii: "-") {
            if let integer = NumberScanner.integer(value) { return (.integer, integer) }
            if let decimal = NumberScanner.decimal(value), decimal.isFinite {
                return (.decimal, Int64(bitPattern: decimal.bitPattern))
            }
            return (.text, 0)
        }
        if count == 4, first == UInt8(ascii: "t"), value[1] == UInt8(ascii: "r"), value[2] == UInt8(ascii: "u"),
            value[3] == UInt8(ascii: "e")
        {
            return (.boolean, 1)
        }
        if count == 5, first == UInt8(ascii: "f"), value[1] == UInt8(ascii: "a"), value[2] == UInt8(ascii: "l"),
            value[3] == UInt8(ascii: "s"), value[4] == UInt8(ascii: "e")
        {
            return (.boolean, 0)
        }
        return (.text, 0)
    }
}
