public import LogboxCore

/// Parses lines with a user's pattern: a PCRE2 regular expression with grok blocks.
///
/// ```
/// %{SYSLOGBASE} Failed password for %{USERNAME:user} from %{IP:client_ip} port %{POSINT:port:int}
/// ```
///
/// The pattern is searched for anywhere in the line (write `^`/`$` to anchor it). Each capture
/// (`%{NAME:field}`, `%{NAME:field:int}`, `(?<field>...)`) that takes part in the match becomes a
/// field over the bytes it matched, named as written:
/// - `:int` types the value as an integer (sign and leading zeros allowed), `:float` as a
///   decimal; a value that does not read as one stays text. Without a hint, a value is typed as
///   DESIGN.md says (an integer without leading zeros, or a decimal), text otherwise.
/// - `timestamp`: the first one that reads whole as a time (`TimestampParser.parseAny`: RFC 3339,
///   ISO 8601 in the context's zone, HTTP date, BSD syslog with an inferred year, Unix time)
///   becomes the event timestamp and is not kept as a field; otherwise it stays a field.
/// - `message`: the first one is the event's message; without one (or when it did not take
///   part), the whole line is the message, so bare words still search it.
/// - `level`: the first one `Level(word:)` knows becomes a `.level` field over the word;
///   an unknown word stays a plain field.
/// - `host` is the host field, as text.
/// Captures that matched nothing are kept as empty values; a name captured more than once
/// (`%{WORD:tag} %{WORD:tag}`) yields one field per value.
///
/// A line the pattern does not match is a `.patternMismatch` ("pattern did not match") at
/// column 1. Bytes that are not valid UTF-8 do not fail the line: the regex then matches bytes
/// (see `PCRE2Regex`), so a bad byte inside a value stays in the value.
///
/// The parser owns a `PCRE2Matcher` (reusable match data). Copies of a parser share it until one
/// of them parses: `parse` first checks that its matcher is uniquely referenced and makes its own
/// otherwise, so each copy used on its own thread matches with its own data. That check is why
/// the `@unchecked Sendable` below is safe: a matcher is only used by the one parser value that
/// holds the sole reference to it.
public struct PatternParser: LogParser, @unchecked Sendable {
    public var name: String { "pattern" }

    /// The compiled pattern, with the field each group feeds.
    public let pattern: GrokPattern

    private var matcher: PCRE2Matcher
    private var inference: YearInference
    /// Per entry of `pattern.fields`: the name's bytes (interned into each batch's table) and
    /// what the field means.
    private let names: [[UInt8]]
    private let roles: [Role]
    /// Index in `pattern.fields` of each `message` capture, in group order.
    private let messageFields: [Int]

    /// What a capture's name makes of it.
    private enum Role {
        case plain(GrokField.ValueType)
        case timestamp, message, level, host
    }

    /// Compiles `pattern` with `library`'s grok blocks.
    ///
    /// - Throws: `RegexError` with the 1-based column in `pattern` (unknown block, malformed
    ///   `%{`, PCRE2 syntax error, ...).
    public init(
        pattern: String,
        context: ParseContext,
        library: GrokLibrary = .standard,
        options: PCRE2Regex.Options = []
    ) throws(RegexError) {
        let compiled = try GrokCompiler(library: library).compile(pattern, options: options)
        self.init(compiled: compiled, context: context)
    }

    /// A parser for a pattern compiled beforehand (shared by several pipelines, say).
    public init(compiled: GrokPattern, context: ParseContext) {
        self.pattern = compiled
        self.matcher = PCRE2Matcher(compiled.regex)
        self.inference = context.yearInference
        self.names = compiled.fields.map { Array($0.name.utf8) }
        let roles: [Role] = compiled.fields.map { field in
            switch field.name {
            case "timestamp": .timestamp
            case "message": .message
            case "level": .level
            case "host": .host
            default: .plain(field.type)
            }
        }
        self.roles = roles
        self.messageFields = roles.indices.filter {
            if case .message = roles[$0] { return true }
            return false
        }
    }

    /// - Complexity: the regex match (JIT, linear for the standard blocks on ordinary lines),
    ///   then O(captured bytes); allocates only for names not interned before.
    public mutating func parse(_ line: Span<UInt8>, into out: inout EventBatch) throws(ParseIssue) {
        if !isKnownUniquelyReferenced(&self.matcher) {
            self.matcher = PCRE2Matcher(self.pattern.regex)
        }
        guard self.matcher.firstMatch(in: line) != nil else {
            throw ParseIssue(.patternMismatch, column: 1)
        }
        let fields = self.pattern.fields

        // The message first: the first `message` capture that took part, else the whole line.
        var messageIndex = -1
        for index in self.messageFields {
            if let range = self.matcher.range(ofGroup: fields[index].group) {
                messageIndex = index
                out.append(.message, .text, range)
                break
            }
        }
        if messageIndex < 0 { out.append(.message, .text, 0..<line.count) }

        var levelFound = false
        for index in fields.indices where index != messageIndex {
            guard let range = self.matcher.range(ofGroup: fields[index].group) else { continue }
            let value = line.extracting(range)
            switch self.roles[index] {
            case .timestamp:
                if !out.currentHasTimestamp,
                    let time = TimestampParser.parseAny(value, from: 0, inference: &self.inference),
                    time.end == value.count
                {
                    out.setTimestamp(time.value)
                } else {
                    out.append(.timestamp, .text, range)
                }
            case .message:
                out.append(.message, .text, range)
            case .level:
                if !levelFound, let level = Level(word: value) {
                    levelFound = true
                    out.append(.level, .level, range, payload: Int64(level.rawValue))
                } else {
                    out.append(.level, .text, range)
                }
            case .host:
                out.append(.host, .text, range)
            case .plain(let type):
                let nameBytes = self.names[index]
                let name = out.names.intern(nameBytes.span)
                switch type {
                case .automatic:
                    out.appendTyped(name, range, in: line)
                case .int:
                    if let integer = Self.integer(value) {
                        out.append(name, .integer, range, payload: integer)
                    } else {
                        out.append(name, .text, range)
                    }
                case .float:
                    if let number = Self.integer(value).map(Double.init) ?? NumberScanner.decimal(value) {
                        out.append(name, .decimal, range, payload: Int64(bitPattern: number.bitPattern))
                    } else {
                        out.append(name, .text, range)
                    }
                }
            }
        }
    }

    /// An integer as an `:int` hint reads it: optional `+`/`-`, then 1...19 digits (leading
    /// zeros allowed), within `Int64`.
    static func integer(_ bytes: Span<UInt8>) -> Int64? {
        var i = 0
        var negative = false
        if bytes.count > 0, bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
        }
        // Leading zeros do not count against the 19-digit limit.
        while i < bytes.count - 1, bytes[i] == UInt8(ascii: "0") { i += 1 }
        let digits = bytes.count - i
        guard digits >= 1, digits <= 19 else { return nil }
        var magnitude: UInt64 = 0
        while i < bytes.count {
            let digit = bytes[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            // 19 digits fit in UInt64 (< 1e19 < 2^64), so this cannot overflow.
            magnitude = magnitude &* 10 &+ UInt64(digit)
            i += 1
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}
