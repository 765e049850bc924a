public import LogboxCore

/// Parses syslog of either RFC, told apart per line: `<PRI>1 ` opens RFC 5424, anything else is
/// read as RFC 3164.
///
/// A syslog listener receives both from different senders on one port, and files written by
/// relays may mix them; the fields are the same names either way (see `RFC3164Parser` and
/// `RFC5424Parser`).
public struct SyslogParser: LogParser, Sendable {
    public var name: String { "syslog" }

    public var rfc3164: RFC3164Parser
    public var rfc5424: RFC5424Parser

    public init(context: ParseContext) {
        self.rfc3164 = RFC3164Parser(context: context)
        self.rfc5424 = RFC5424Parser(context: context)
    }

    /// - Complexity: O(1) to choose, then as the chosen parser.
    public mutating func parse(_ line: Span<UInt8>, into out: inout EventBatch) throws(ParseIssue) {
        if Self.isRFC5424(line) {
            try self.rfc5424.parse(line, into: &out)
        } else {
            try self.rfc3164.parse(line, into: &out)
        }
    }

    /// Whether `line` opens like RFC 5424: `<`, one to three digits, `>`, `1`, a space.
    ///
    /// RFC 3164 timestamps start with a month name or (rsyslog's RFC 3339 form) a four-digit year,
    /// never with `1 `, so the two cannot be confused.
    /// - Complexity: O(1), at most seven bytes read.
    public static func isRFC5424(_ line: Span<UInt8>) -> Bool {
        guard line.count >= 5, line[0] == UInt8(ascii: "<") else { return false }
        var i = 1
        while i < line.count, i <= 3, line[i] &- UInt8(ascii: "0") < 10 { i += 1 }
        guard i > 1, i + 2 < line.count else { return false }
        return line[i] == UInt8(ascii: ">") && line[i + 1] == UInt8(ascii: "1") && line[i + 2] == UInt8(ascii: " ")
    }
}
