public import LogboxCore

/// Parses RFC 5424 syslog lines by the full grammar of RFC 5424 §6.
///
/// ```
/// <165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"] An event
/// ```
///
/// Layout: `<PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]`.
/// Fields: `facility`, `severity`, `level` (from PRI); `host`, `program` (APP-NAME), `pid` (PROCID,
/// an integer when it reads as one, else text), `msgid`; `sd.ID.PARAM` for every structured-data
/// parameter (numbers typed as DESIGN.md says; a value with escapes is kind `.structuredDataEscaped`:
/// the bytes between the quotes, `\"`, `\\` and `\]` decoded only when read); `message`. The TIMESTAMP (RFC 3339, `T` between date and time, a
/// fraction of up to 9 digits where the RFC allows 6, `Z` or a numeric offset) becomes the event
/// timestamp. A NILVALUE `-` in a header field means the field is absent. An SD-ELEMENT without
/// parameters is valid and yields no field. A UTF-8 BOM at the start of MSG is skipped. A line
/// without MSG (it ends after STRUCTURED-DATA, or after it and one space) gets an empty `message`,
/// since every event has one.
///
/// Header fields are checked as the RFC defines them (PRINTUSASCII, at most 255 bytes for
/// HOSTNAME, 48 for APP-NAME, 128 for PROCID, 32 for MSGID and SD-NAMEs), so a line that breaks
/// the grammar is rejected, not half-parsed. Errors, with the 1-based column:
/// - `.emptyLine`; `.badPriority` (no `<`, or see `SyslogPriority`; leading zeros refused);
/// - `.badVersion`: VERSION is not `1` (column of its first byte);
/// - `.badTimestamp`: neither `-` nor a valid RFC 3339 time (column of its first byte);
/// - `.badHostname`, `.badAppName`, `.badProcessID`, `.badMessageID`: an empty field (two spaces;
///   its column), a byte outside PRINTUSASCII (its column) or a field too long (the column of the
///   first byte over the limit);
/// - `.badStructuredData`: anything in STRUCTURED-DATA that breaks its grammar, at the offending
///   byte; `.unterminatedQuote`: a PARAM-VALUE without its closing quote (column of the opening one);
/// - `.unexpectedEnd` (column `line.count + 1`): the line ends inside the header.
public struct RFC5424Parser: LogParser, Sendable {
    public var name: String { "rfc5424" }

    /// Holds `sd.ID.PARAM` while it is interned; reused, so a name seen before costs no allocation.
    /// SD-NAMEs have at most 32 bytes, so `sd.` + 32 + `.` + 32 always fits.
    private var nameScratch = [UInt8](repeating: 0, count: 68)

    /// RFC 5424 times carry their own offset, so the context is not needed; the initializer takes
    /// it to match every other parser.
    public init(context: ParseContext) {}

    /// - Complexity: O(n) in the length of the header and STRUCTURED-DATA; MSG is not scanned.
    ///   Allocates nothing once every `sd.ID.PARAM` name of the line has been interned.
    public mutating func parse(_ line: Span<UInt8>, into out: inout EventBatch) throws(ParseIssue) {
        let count = line.count
        guard count > 0 else { throw ParseIssue(.emptyLine, column: 1) }
        guard let priority = try SyslogPriority.read(line, strict: true) else {
            throw ParseIssue(.badPriority, column: 1)
        }
        priority.append(into: &out)
        var i = priority.end

        // VERSION: only 1 is defined.
        guard i < count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
        guard line[i] == UInt8(ascii: "1"), i + 1 < count, line[i + 1] == UInt8(ascii: " ") else {
            if i + 1 == count && line[i] == UInt8(ascii: "1") { throw ParseIssue(.unexpectedEnd, column: count + 1) }
            throw ParseIssue(.badVersion, column: i + 1)
        }
        i += 2

        // TIMESTAMP
        guard i < count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
        if line[i] == UInt8(ascii: "-"), i + 1 == count || line[i + 1] == UInt8(ascii: " ") {
            i += 1
        } else {
            guard i + 10 < count, line[i + 10] != UInt8(ascii: " "),
                let time = TimestampParser.parseRFC3339(line, from: i),
                time.end == count || line[time.end] == UInt8(ascii: " ")
            else { throw ParseIssue(.badTimestamp, column: i + 1) }
            out.setTimestamp(time.value)
            i = time.end
        }
        try Self.space(line, &i)

        // HOSTNAME APP-NAME PROCID MSGID
        if let host = try Self.headerField(line, &i, maxLength: 255, .badHostname) {
            out.append(.host, .text, host)
        }
        if let app = try Self.headerField(line, &i, maxLength: 48, .badAppName) {
            out.append(.program, .text, app)
        }
        if let pid = try Self.headerField(line, &i, maxLength: 128, .badProcessID) {
            out.appendTyped(.pid, pid, in: line)
        }
        if let msgid = try Self.headerField(line, &i, maxLength: 32, .badMessageID) {
            out.append(.msgid, .text, msgid)
        }

        // STRUCTURED-DATA
        guard i < count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
        if line[i] == UInt8(ascii: "-") {
            i += 1
        } else if line[i] == UInt8(ascii: "[") {
            while i < count, line[i] == UInt8(ascii: "[") {
                try self.element(line, &i, into: &out)
            }
        } else {
            throw ParseIssue(.badStructuredData, column: i + 1)
        }

        // [SP MSG]
        guard i < count else {
            out.append(.message, .text, count..<count)
            return
        }
        guard line[i] == UInt8(ascii: " ") else { throw ParseIssue(.badStructuredData, column: i + 1) }
        var start = i + 1
        if count - start >= 3, line[start] == 0xEF, line[start + 1] == 0xBB, line[start + 2] == 0xBF { start += 3 }
        out.append(.message, .text, start..<count)
    }

    /// One header field and the space after it; nil for NILVALUE.
    private static func headerField(
        _ line: Span<UInt8>,
        _ i: inout Int,
        maxLength: Int,
        _ reason: ParseIssue.Reason
    ) throws(ParseIssue) -> Range<Int>? {
        let count = line.count
        let start = i
        guard start < count else { throw ParseIssue(.unexpectedEnd, column: start + 1) }
        var j = start
        while j < count {
            let byte = line[j]
            if byte == UInt8(ascii: " ") { break }
            guard byte >= 33, byte <= 126 else { throw ParseIssue(reason, column: j + 1) }
            j += 1
        }
        guard j > start else { throw ParseIssue(reason, column: start + 1) }
        guard j - start <= maxLength else { throw ParseIssue(reason, column: start + maxLength + 1) }
        i = j
        try Self.space(line, &i)
        if j - start == 1 && line[start] == UInt8(ascii: "-") { return nil }
        return start..<j
    }

    /// Steps over the one space that must follow a header field.
    private static func space(_ line: Span<UInt8>, _ i: inout Int) throws(ParseIssue) {
        guard i < line.count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
        guard line[i] == UInt8(ascii: " ") else { throw ParseIssue(.missingSpace, column: i + 1) }
        i += 1
    }

    /// One SD-ELEMENT at `i` (which holds `[`): `[SD-ID *(SP PARAM-NAME="PARAM-VALUE")]`.
    private mutating func element(
        _ line: Span<UInt8>,
        _ i: inout Int,
        into out: inout EventBatch
    )
        throws(ParseIssue)
    {
        let count = line.count
        i += 1
        let id = try Self.sdName(line, &i)
        // "sd." ID "." — the prefix every parameter of this element shares.
        let prefixLength = 4 + id.count
        self.nameScratch.withUnsafeMutableBufferPointer { scratch in
            scratch[0] = UInt8(ascii: "s")
            scratch[1] = UInt8(ascii: "d")
            scratch[2] = UInt8(ascii: ".")
            for k in 0..<id.count { scratch[3 + k] = line[id.lowerBound + k] }
            scratch[3 + id.count] = UInt8(ascii: ".")
        }

        while true {
            guard i < count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
            if line[i] == UInt8(ascii: "]") {
                i += 1
                return
            }
            guard line[i] == UInt8(ascii: " ") else { throw ParseIssue(.badStructuredData, column: i + 1) }
            i += 1
            let param = try Self.sdName(line, &i)
            guard i < count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
            guard line[i] == UInt8(ascii: "=") else { throw ParseIssue(.badStructuredData, column: i + 1) }
            i += 1
            guard i < count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
            guard line[i] == UInt8(ascii: "\"") else { throw ParseIssue(.badStructuredData, column: i + 1) }
            let quote = i
            i += 1
            let valueStart = i
            var escaped = false
            // PARAM-VALUE: any UTF-8 up to an unescaped `"`; `\"`, `\\` and `\]` are escapes, any
            // other backslash is a literal one.
            while i < count {
                let byte = line[i]
                if byte == UInt8(ascii: "\"") { break }
                if byte == UInt8(ascii: "\\"), i + 1 < count {
                    let next = line[i + 1]
                    if next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\") || next == UInt8(ascii: "]") {
                        escaped = true
                        i += 2
                        continue
                    }
                }
                i += 1
            }
            guard i < count else { throw ParseIssue(.unterminatedQuote, column: quote + 1) }
            let value = valueStart..<i
            i += 1

            self.nameScratch.withUnsafeMutableBufferPointer { scratch in
                for k in 0..<param.count { scratch[prefixLength + k] = line[param.lowerBound + k] }
            }
            let name = out.names.intern(self.nameScratch.span.extracting(0..<prefixLength + param.count))
            // A value without escapes is typed like any other (`status="200"` is a number).
            if escaped {
                out.append(name, .structuredDataEscaped, value)
            } else {
                out.appendTyped(name, value, in: line)
            }
        }
    }

    /// An SD-NAME at `i`: 1 to 32 PRINTUSASCII bytes other than `=`, space, `]` and `"`.
    private static func sdName(_ line: Span<UInt8>, _ i: inout Int) throws(ParseIssue) -> Range<Int> {
        let count = line.count
        let start = i
        var j = start
        while j < count {
            let byte = line[j]
            if byte == UInt8(ascii: "=") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "]")
                || byte == UInt8(ascii: "\"")
            {
                break
            }
            guard byte >= 33, byte <= 126 else { throw ParseIssue(.badStructuredData, column: j + 1) }
            j += 1
        }
        guard j > start else {
            throw ParseIssue(j == count ? .unexpectedEnd : .badStructuredData, column: j + 1)
        }
        guard j - start <= 32 else { throw ParseIssue(.badStructuredData, column: start + 33) }
        i = j
        return start..<j
    }
}
