public import LogboxCore

/// Parses JSON lines: one object per line, validated in full, its members as fields.
///
/// - Names: keys as written (escapes in a key decoded); members of nested objects flattened to
///   dotted names (`{"http":{"status":200}}` gives `http.status`). Names are built in a buffer the
///   parser keeps and interned, so a name seen before costs no allocation. An empty nested object
///   is kept as its key with kind `.json` (`{}`), so the key does not vanish.
/// - Values: strings are the bytes between the quotes, kind `.jsonEscaped` when they hold a
///   backslash (decoded only when read as a string), else `.text`; numbers are `.integer` when
///   written without fraction or exponent and within 64 bits, else `.decimal` (so integers beyond
///   `Int64` become decimals); JSON has no leading zeros, so DESIGN.md's leading-zero rule never
///   comes up. `true`/`false` are `.boolean` (payload 1/0), `null` is `.null`, arrays are kept as
///   their JSON text (`.json`, validated, the span from `[` to `]`). Members keep their order and
///   repeated keys are all kept.
/// - Usual keys (`ts`/`time`/`timestamp`/`@timestamp`, `msg`/`message`/`log`, `level`/`lvl`/
///   `severity`/`loglevel`) at the top level give the event's timestamp, `message` and `level` as
///   `JSONUsualKeys` describes. Numeric times are Unix time by digit count (s, ms, µs, ns).
/// - Errors (the column is 1-based; `line.count + 1` when the line ends early): leading and
///   trailing whitespace is fine; a line of only whitespace is `.emptyLine`; a first value that is
///   not an object `.notAnObject`; bytes after the object `.trailingData`; nesting deeper than 64
///   (the line's object counts) `.tooDeep`; an escape JSON lacks `.badEscape`; a string cut by the
///   end of the line `.unterminatedQuote` (at its opening quote); any other line end inside the
///   object `.unexpectedEnd`; anything else that is not JSON `.invalidJSON`.
///   Invalid UTF-8 inside strings is not an error here: the driver flags such lines and keeps them.
public struct JSONLinesParser: LogParser, Sendable {
    public var name: String { "json" }

    private var inference: YearInference
    private var usualKeys = JSONUsualKeys()
    /// The dotted name being built: the enclosing objects' keys, each followed by `.`.
    private var nameBuffer: [UInt8] = []
    /// An escaped key's bytes as written, before decoding into `nameBuffer`.
    private var escapedKey: [UInt8] = []

    public init(context: ParseContext) {
        self.inference = context.yearInference
        self.nameBuffer.reserveCapacity(256)
    }

    /// - Complexity: O(n) in the line length, one pass; allocates only for names not seen before
    ///   and for numbers that are neither `Int64` nor short decimals (rare: parsed via `Double`).
    public mutating func parse(_ line: Span<UInt8>, into out: inout EventBatch) throws(ParseIssue) {
        var i = 0
        JSONSyntax.skipWhitespace(line, &i)
        guard i < line.count else { throw ParseIssue(.emptyLine, column: 1) }
        guard line[i] == UInt8(ascii: "{") else { throw ParseIssue(.notAnObject, column: i + 1) }
        self.usualKeys.reset()
        self.nameBuffer.removeAll(keepingCapacity: true)
        _ = try self.members(line, &i, prefixLength: 0, depth: 1, into: &out)
        JSONSyntax.skipWhitespace(line, &i)
        if i < line.count { throw ParseIssue(.trailingData, column: i + 1) }
    }

    /// Reads the object at `i` (its `{`), whose members are named `nameBuffer[..<prefixLength]` +
    /// key, and appends their fields. Returns false for an empty object.
    private mutating func members(
        _ line: Span<UInt8>,
        _ i: inout Int,
        prefixLength: Int,
        depth: Int,
        into out: inout EventBatch
    ) throws(ParseIssue) -> Bool {
        i += 1
        JSONSyntax.skipWhitespace(line, &i)
        if try JSONSyntax.byte(line, i) == UInt8(ascii: "}") {
            i += 1
            return false
        }
        while true {
            guard try JSONSyntax.byte(line, i) == UInt8(ascii: "\"") else { throw JSONSyntax.expected(line, i) }
            let keyStart = i + 1
            let (keyEnd, keyEscaped) = try JSONSyntax.string(line, &i)
            JSONSyntax.skipWhitespace(line, &i)
            guard try JSONSyntax.byte(line, i) == UInt8(ascii: ":") else { throw JSONSyntax.expected(line, i) }
            i += 1
            JSONSyntax.skipWhitespace(line, &i)
            let valueStart = i
            let first = try JSONSyntax.byte(line, i)
            let key = keyStart..<keyEnd

            if first == UInt8(ascii: "{") {
                guard depth < JSONSyntax.maximumDepth else { throw ParseIssue(.tooDeep, column: i + 1) }
                self.buildName(line, key, escaped: keyEscaped, prefixLength: prefixLength)
                self.nameBuffer.append(UInt8(ascii: "."))
                let childPrefix = self.nameBuffer.count
                let hasMembers = try self.members(line, &i, prefixLength: childPrefix, depth: depth + 1, into: &out)
                if !hasMembers {
                    self.emit(line, key, keyEscaped, prefixLength, .json, valueStart..<i, 0, into: &out)
                }
            } else {
                var kind: ValueKind
                var payload: Int64 = 0
                var range: Range<Int>
                switch first {
                case UInt8(ascii: "\""):
                    let (end, escaped) = try JSONSyntax.string(line, &i)
                    kind = escaped ? .jsonEscaped : .text
                    range = valueStart + 1..<end
                case UInt8(ascii: "["):
                    try JSONSyntax.skipValue(line, &i, depth: depth)
                    kind = .json
                    range = valueStart..<i
                case UInt8(ascii: "t"):
                    try JSONSyntax.literal(line, &i, "true")
                    (kind, payload, range) = (.boolean, 1, valueStart..<i)
                case UInt8(ascii: "f"):
                    try JSONSyntax.literal(line, &i, "false")
                    (kind, payload, range) = (.boolean, 0, valueStart..<i)
                case UInt8(ascii: "n"):
                    try JSONSyntax.literal(line, &i, "null")
                    (kind, range) = (.null, valueStart..<i)
                case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    let integer = try JSONSyntax.number(line, &i)
                    range = valueStart..<i
                    (kind, payload) = Self.typedNumber(line.extracting(range), integer: integer)
                default:
                    throw ParseIssue(.invalidJSON, column: i + 1)
                }
                self.emit(line, key, keyEscaped, prefixLength, kind, range, payload, into: &out)
            }

            JSONSyntax.skipWhitespace(line, &i)
            let separator = try JSONSyntax.byte(line, i)
            i += 1
            if separator == UInt8(ascii: "}") { return true }
            guard separator == UInt8(ascii: ",") else { throw ParseIssue(.invalidJSON, column: i) }
            JSONSyntax.skipWhitespace(line, &i)
        }
    }

    /// Appends one member's field; top-level members go through the usual-key rules.
    private mutating func emit(
        _ line: Span<UInt8>,
        _ key: Range<Int>,
        _ keyEscaped: Bool,
        _ prefixLength: Int,
        _ kind: ValueKind,
        _ range: Range<Int>,
        _ payload: Int64,
        into out: inout EventBatch
    ) {
        let name: FieldID
        let role: JSONUsualKeys.Role
        if prefixLength == 0 && !keyEscaped {
            let keyBytes = line.extracting(key)
            name = out.names.intern(keyBytes)
            role = JSONUsualKeys.role(of: keyBytes)
        } else {
            self.buildName(line, key, escaped: keyEscaped, prefixLength: prefixLength)
            name = out.names.intern(self.nameBuffer.span)
            role = prefixLength == 0 ? JSONUsualKeys.role(of: self.nameBuffer.span) : .none
        }
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

    /// Sets `nameBuffer` to the first `prefixLength` bytes plus the key (decoded when escaped).
    private mutating func buildName(_ line: Span<UInt8>, _ key: Range<Int>, escaped: Bool, prefixLength: Int) {
        self.nameBuffer.removeSubrange(prefixLength...)
        if escaped {
            self.escapedKey.removeAll(keepingCapacity: true)
            for k in key { self.escapedKey.append(line[k]) }
            Escapes.decodeJSON(self.escapedKey[...], into: &self.nameBuffer)
        } else {
            for k in key { self.nameBuffer.append(line[k]) }
        }
    }

    /// The kind and payload of a validated JSON number.
    private static func typedNumber(_ value: Span<UInt8>, integer: Bool) -> (ValueKind, Int64) {
        if integer, let number = NumberScanner.integer(value) { return (.integer, number) }
        if !integer, let number = NumberScanner.decimal(value), number.isFinite {
            return (.decimal, Int64(bitPattern: number.bitPattern))
        }
        // Integers beyond 64 bits (and anything the fast scanner declines): the standard library's
        // correctly rounded parser. Rare, so the String it needs is acceptable.
        var text = ""
        text.reserveCapacity(value.count)
        for k in 0..<value.count { text.unicodeScalars.append(Unicode.Scalar(value[k])) }
        guard let number = Double(text), number.isFinite else { return (.text, 0) }
        return (.decimal, Int64(bitPattern: number.bitPattern))
    }
}
