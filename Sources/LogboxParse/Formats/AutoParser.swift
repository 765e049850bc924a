public import LogboxCore

/// Picks a parser per line from its first bytes (name "auto", the default).
///
/// `{` → JSON; `<PRI>1 ` → RFC 5424; `<PRI>` or a month name → RFC 3164; an address followed by
/// ` ` and ident/user then `[` → nginx/apache; `key=` in the first word → logfmt. When the first bytes
/// name a format and that parser rejects the line, the line keeps that parser's reason: a truncated
/// syslog line is reported as one. A line whose first bytes match no format is plain text: a leading
/// timestamp (RFC 3339, ISO 8601 without zone, BSD) and a level word are taken when present, the
/// rest is the message, and the line is not an error.
public struct AutoParser: LogParser {
    public let name = "auto"
    private var rfc3164: RFC3164Parser
    private var rfc5424: RFC5424Parser
    private var nginx: NginxParser
    private var json: JSONLinesParser
    private var logfmt: LogfmtParser
    private var plain: PlainTextParser

    public init(context: ParseContext) {
        self.rfc3164 = RFC3164Parser(context: context)
        self.rfc5424 = RFC5424Parser(context: context)
        self.nginx = NginxParser(context: context)
        self.json = JSONLinesParser(context: context)
        self.logfmt = LogfmtParser(context: context)
        self.plain = PlainTextParser(context: context)
    }

    public mutating func parse(_ line: Span<UInt8>, into out: inout EventBatch) throws(ParseIssue) {
        switch Self.guess(line) {
        case .json: try self.json.parse(line, into: &out)
        case .rfc5424: try self.rfc5424.parse(line, into: &out)
        case .rfc3164: try self.rfc3164.parse(line, into: &out)
        case .nginx:
            do {
                try self.nginx.parse(line, into: &out)
            } catch {
                // An address first is also how some plain application logs start.
                out.discardCurrentFields()
                try self.plain.parse(line, into: &out)
            }
        case .logfmt:
            do {
                try self.logfmt.parse(line, into: &out)
            } catch {
                out.discardCurrentFields()
                try self.plain.parse(line, into: &out)
            }
        case .plain: try self.plain.parse(line, into: &out)
        }
    }

    enum Guess { case json, rfc5424, rfc3164, nginx, logfmt, plain }

    /// Looks at no more than the first word or two.
    static func guess(_ line: Span<UInt8>) -> Guess {
        var start = 0
        while start < line.count, line[start] == UInt8(ascii: " ") || line[start] == 0x09 { start += 1 }
        guard start < line.count else { return .plain }
        let first = line[start]
        if first == UInt8(ascii: "{") { return .json }
        if first == UInt8(ascii: "<") {
            var i = start + 1
            while i < line.count, i - start <= 4, line[i] &- UInt8(ascii: "0") < 10 { i += 1 }
            if i + 2 < line.count, line[i] == UInt8(ascii: ">"), line[i + 1] == UInt8(ascii: "1"),
                line[i + 2] == UInt8(ascii: " ")
            {
                return .rfc5424
            }
            return .rfc3164
        }
        if Self.startsWithMonth(line, start) { return .rfc3164 }
        // The first word: an IP address followed by a space and a second word then ` [`? nginx.
        var end = start
        var sawEquals = false
        var addressLike = true
        while end < line.count, line[end] != UInt8(ascii: " ") {
            let byte = line[end]
            if byte == UInt8(ascii: "=") { sawEquals = true; break }
            let isHex = byte &- UInt8(ascii: "0") < 10 || (byte | 0x20) &- UInt8(ascii: "a") < 6
            if !(isHex || byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":")) { addressLike = false }
            end += 1
        }
        if sawEquals && end > start { return .logfmt }
        if addressLike && end > start && end < line.count {
            // `IP ident user [` : look for ` [` within the next two words.
            var spaces = 0
            var i = end
            while i + 1 < line.count, spaces <= 3 {
                if line[i] == UInt8(ascii: " ") {
                    spaces += 1
                    if line[i + 1] == UInt8(ascii: "[") { return spaces == 3 ? .nginx : .plain }
                }
                i += 1
            }
        }
        return .plain
    }

    static func startsWithMonth(_ line: Span<UInt8>, _ at: Int) -> Bool {
        guard at + 4 <= line.count, line[at + 3] == UInt8(ascii: " ") else { return false }
        let a = line[at] | 0x20
        let b = line[at + 1] | 0x20
        let c = line[at + 2] | 0x20
        let key = UInt32(a) << 16 | UInt32(b) << 8 | UInt32(c)
        return Self.months.contains(key)
    }

    /// Month names packed as three lower-case bytes; twelve compares beat hashing here.
    private static let months: [UInt32] =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"].map { name in
            name.utf8.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
}
