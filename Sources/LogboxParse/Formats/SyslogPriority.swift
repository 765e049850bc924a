import LogboxCore

/// The `<PRI>` that opens a syslog line (RFC 3164 §4.1.1, RFC 5424 §6.2.1), read from bytes.
///
/// Both syslog parsers read it the same way and emit the same three fields from it, so it lives
/// here once: `facility` (PRI / 8) and `severity` (PRI % 8) as integers over the digits, and the
/// normalized `level` of the severity with an empty range (there is no level word in the line).
struct SyslogPriority {
    /// 0...191.
    var value: Int
    /// Where the digits are in the line.
    var digits: Range<Int>
    /// Index just past the closing `>`.
    var end: Int

    /// Reads `<PRI>` at the start of `line`; nil when the line does not start with `<`.
    ///
    /// `<` must be followed by one to three digits, their value at most 191, and `>`. With
    /// `strict` (RFC 5424) a leading zero is refused as the RFC demands; BSD senders are let off.
    /// - Throws: `.badPriority` at the first byte that breaks the rule: the first digit for a
    ///   value over 191 or a leading zero, the offending byte otherwise (the column just past the
    ///   line when it ends inside the PRI).
    /// - Complexity: O(1), at most five bytes read.
    static func read(_ line: Span<UInt8>, strict: Bool) throws(ParseIssue) -> SyslogPriority? {
        guard line.count > 0, line[0] == UInt8(ascii: "<") else { return nil }
        var i = 1
        var value = 0
        while i < line.count, i <= 3, line[i] &- UInt8(ascii: "0") < 10 {
            value = value * 10 + Int(line[i] &- UInt8(ascii: "0"))
            i += 1
        }
        guard i > 1 else { throw ParseIssue(.badPriority, column: 2) }
        guard i < line.count, line[i] == UInt8(ascii: ">") else { throw ParseIssue(.badPriority, column: i + 1) }
        guard value <= 191 else { throw ParseIssue(.badPriority, column: 2) }
        if strict && i > 2 && line[1] == UInt8(ascii: "0") { throw ParseIssue(.badPriority, column: 2) }
        return SyslogPriority(value: value, digits: 1..<i, end: i + 1)
    }

    /// Appends `facility`, `severity` and `level` to the current event.
    func append(into out: inout EventBatch) {
        let severity = self.value & 7
        out.append(.facility, .integer, self.digits, payload: Int64(self.value >> 3))
        out.append(.severity, .integer, self.digits, payload: Int64(severity))
        // Every severity 0...7 has a level.
        let level = Level(syslogSeverity: severity) ?? .info
        out.append(.level, .level, self.digits.lowerBound..<self.digits.lowerBound, payload: Int64(level.rawValue))
    }
}
