public import LogboxCore

/// Parses BSD syslog lines (RFC 3164) in the shapes real senders and `/var/log` files use.
///
/// ```
/// <34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8
/// Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0
/// <13>2026-11-01T00:02:41.019+01:00 web-01 sshd[12]: Accepted publickey for deploy
/// ```
///
/// Layout: `[<PRI>]TIMESTAMP SP [HOSTNAME SP] [TAG[[PID]]: SP] MESSAGE`.
/// - PRI is optional; when present it gives `facility`, `severity` and `level`.
/// - TIMESTAMP is `Mmm dd hh:mm:ss` (day padded with a space or a zero, optional fraction) whose
///   year and zone come from the context (see `YearInference`), or an RFC 3339 time with its own
///   offset (rsyslog's high-precision format). It becomes the event timestamp.
/// - HOSTNAME (`host`) is the next word, unless that word already reads as a tag (`sshd[12]:` or
///   `su:`): senders that leave the hostname out are common.
/// - TAG (`program`) is the word up to `:` or `[`; it may hold parentheses, dots, slashes
///   (`sshd(pam_unix)`, `postfix/smtpd`). `PID` (`pid`) is typed as an integer when it reads as
///   one. A word followed by neither `[pid]:` nor `:` and a space (or the line end) is no tag, and
///   the rest of the line is the message, as RFC 3164 §5.4's relayed examples expect.
/// - MESSAGE (`message`) is the rest after one space; empty when the line ends first.
///
/// `last message repeated N times` (sysklogd; also FreeBSD's `--- ... ---` form) and rsyslog's
/// `message repeated N times: [ ... ]` keep the phrase as the message and add `repeated` (integer).
///
/// Errors: `.emptyLine`; `.badPriority` (see `SyslogPriority`); `.badTimestamp` at the column
/// where the timestamp should start when neither form reads there; `.missingSpace` when the
/// timestamp is followed by something other than a space.
public struct RFC3164Parser: LogParser, Sendable {
    public var name: String { "rfc3164" }

    /// The year and zone of BSD timestamps, with its per-year caches.
    public var yearInference: YearInference

    public init(context: ParseContext) {
        self.yearInference = context.yearInference
    }

    /// - Complexity: O(n) in the length of the header (timestamp, hostname, tag); the message is
    ///   not scanned. Allocates nothing once the name `repeated` is interned.
    public mutating func parse(_ line: Span<UInt8>, into out: inout EventBatch) throws(ParseIssue) {
        let count = line.count
        guard count > 0 else { throw ParseIssue(.emptyLine, column: 1) }
        var i = 0
        if let priority = try SyslogPriority.read(line, strict: false) {
            priority.append(into: &out)
            i = priority.end
        }

        let time: (value: TimestampValue, end: Int)?
        if i < count, line[i] &- UInt8(ascii: "0") < 10 {
            time = TimestampParser.parseRFC3339(line, from: i)
        } else {
            time = TimestampParser.parseBSD(line, from: i, inference: &self.yearInference)
        }
        guard let time else { throw ParseIssue(.badTimestamp, column: i + 1) }
        out.setTimestamp(time.value)
        i = time.end
        guard i < count else {
            out.append(.message, .text, count..<count)
            return
        }
        guard line[i] == UInt8(ascii: " ") else { throw ParseIssue(.missingSpace, column: i + 1) }
        i = Self.skipSpaces(line, i)

        if Self.repeatedPhrase(line, at: i, into: &out) { return }

        // The hostname, unless the sender left it out and this word is already the tag.
        var wordEnd = i
        while wordEnd < count, line[wordEnd] != UInt8(ascii: " ") { wordEnd += 1 }
        if wordEnd > i, Self.tag(line, at: i) == nil {
            out.append(.host, .text, i..<wordEnd)
            i = Self.skipSpaces(line, wordEnd)
            if Self.repeatedPhrase(line, at: i, into: &out) { return }
        }

        guard let tag = Self.tag(line, at: i) else {
            out.append(.message, .text, i..<count)
            return
        }
        out.append(.program, .text, tag.program)
        if let pid = tag.pid, !pid.isEmpty { out.appendTyped(.pid, pid, in: line) }
        out.append(.message, .text, tag.message..<count)
        if let times = Self.repeatCount(line, at: tag.message, prefix: Self.rsyslogRepeated, suffix: Self.timesColon) {
            let repeated = out.names.intern(Self.repeatedName.span)
            out.append(repeated, .integer, times.digits, payload: times.value)
        }
    }

    /// The index of the first byte at or after `i` that is not a space.
    private static func skipSpaces(_ line: Span<UInt8>, _ i: Int) -> Int {
        var i = i
        while i < line.count, line[i] == UInt8(ascii: " ") { i += 1 }
        return i
    }

    /// A tag at `i`: `program:` then a space or the line end, or `program[pid]:`.
    ///
    /// The program is one or more visible ASCII or UTF-8 bytes other than `:` and `[`; the pid is
    /// what the brackets hold (no spaces). Returns the ranges and where the message starts (after
    /// the one space, if any), or nil when the bytes at `i` are not a tag.
    private static func tag(_ line: Span<UInt8>, at i: Int) -> (program: Range<Int>, pid: Range<Int>?, message: Int)? {
        let count = line.count
        var j = i
        while j < count {
            let byte = line[j]
            if byte == UInt8(ascii: ":") || byte == UInt8(ascii: "[") { break }
            guard byte > 0x20, byte != 0x7F else { return nil }
            j += 1
        }
        guard j > i, j < count else { return nil }
        let program = i..<j
        var pid: Range<Int>?
        if line[j] == UInt8(ascii: "[") {
            var k = j + 1
            while k < count, line[k] != UInt8(ascii: "]") {
                guard line[k] > 0x20 else { return nil }
                k += 1
            }
            guard k + 1 < count, line[k + 1] == UInt8(ascii: ":") else { return nil }
            pid = j + 1..<k
            j = k + 1
        }
        // line[j] is the colon.
        j += 1
        if j == count { return (program, pid, count) }
        if line[j] == UInt8(ascii: " ") { return (program, pid, j + 1) }
        // `app[12]:text` is still a tag; `http://` or `10:30` is not.
        return pid == nil ? nil : (program, pid, j)
    }

    /// When `last message repeated N times` (or `--- last message repeated N times ---`) starts at
    /// `i`, appends it as the message with `repeated` and returns true.
    private static func repeatedPhrase(_ line: Span<UInt8>, at i: Int, into out: inout EventBatch) -> Bool {
        guard i < line.count, line[i] == UInt8(ascii: "l") || line[i] == UInt8(ascii: "-") else { return false }
        var start = i
        if Self.hasPrefix(line, at: i, Self.dashes) { start += Self.dashes.count }
        guard let times = Self.repeatCount(line, at: start, prefix: Self.sysklogdRepeated, suffix: Self.times) else {
            return false
        }
        out.append(.message, .text, i..<line.count)
        let repeated = out.names.intern(Self.repeatedName.span)
        out.append(repeated, .integer, times.digits, payload: times.value)
        return true
    }

    /// Reads `prefix`, a count and `suffix` at `i`; the count's digits and value, or nil.
    private static func repeatCount(
        _ line: Span<UInt8>,
        at i: Int,
        prefix: [UInt8],
        suffix: [UInt8]
    )
        -> (digits: Range<Int>, value: Int64)?
    {
        guard Self.hasPrefix(line, at: i, prefix) else { return nil }
        let start = i + prefix.count
        var j = start
        while j < line.count, j - start < 10, line[j] &- UInt8(ascii: "0") < 10 { j += 1 }
        guard j > start, Self.hasPrefix(line, at: j, suffix),
            let value = NumberScanner.integer(line.extracting(start..<j))
        else { return nil }
        return (start..<j, value)
    }

    private static func hasPrefix(_ line: Span<UInt8>, at i: Int, _ prefix: [UInt8]) -> Bool {
        guard i >= 0, line.count - i >= prefix.count else { return false }
        for k in 0..<prefix.count where line[i + k] != prefix[k] { return false }
        return true
    }

    private static let repeatedName: [UInt8] = Array("repeated".utf8)
    private static let sysklogdRepeated: [UInt8] = Array("last message repeated ".utf8)
    private static let rsyslogRepeated: [UInt8] = Array("message repeated ".utf8)
    private static let dashes: [UInt8] = Array("--- ".utf8)
    private static let times: [UInt8] = Array(" time".utf8)
    private static let timesColon: [UInt8] = Array(" times: [".utf8)
}
