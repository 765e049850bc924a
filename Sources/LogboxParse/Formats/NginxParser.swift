public import LogboxCore

/// Parses nginx and apache access logs: the common and combined formats, and combined followed by
/// `"$http_x_forwarded_for"`, by `$request_time`, or by both in that order.
///
/// ```
/// 203.0.113.7 - alice [10/Oct/2000:13:55:36 -0700] "GET /a?b=1 HTTP/1.1" 200 2326 "https://r/" "curl/8.5.0" 0.004
/// ```
///
/// Fields: `message` (the whole line, so bare words search it), `client_ip` (IPv4, IPv6 or a host
/// name), `ident`, `user`, `method`, `path`, `protocol`, `status` (integer), `bytes` (integer),
/// `referrer`, `user_agent`, `x_forwarded_for` and `request_time` (integer or decimal, as
/// written: nginx seconds, apache `%D` microseconds). A `-` (or `"-"`) means absent: no field.
/// The time (`[10/Oct/2000:13:55:36 -0700]`) becomes the event timestamp.
///
/// The request is split into `method`, `path` and `protocol` only when it reads
/// `METHOD SP target SP HTTP/x` (method in capitals); anything else, such as TLS bytes sent to
/// a plain-HTTP port (`"\x16\x03\x01..."`) or an HTTP/0.9 `GET /`, is kept whole as `request`.
/// Quoted values are the bytes between the quotes; apache escapes `"` as `\"` and nginx as
/// `\x22`, so a value holding a backslash has kind `.jsonEscaped` (`\"`, `\\`, `\n`, `\t` decode,
/// `\xNN` stays as written) and one without has kind `.text`.
///
/// The layout is strict (no other trailing fields), so a line of another format fails rather
/// than yielding wrong fields. Errors, with the 1-based column:
/// - `.badHostname`: the client address holds a byte other than letters, digits, `.:-_%`;
/// - `.unrecognizedFormat`: an empty ident or user, or a field that is not quoted where the
///   combined format quotes it;
/// - `.badTimestamp`: no `[time]` after the user, or a time `TimestampParser.parseHTTPDate` rejects;
/// - `.badRequestLine`: the request is not quoted;
/// - `.unterminatedQuote`: a quoted field runs to the end of the line (column of its quote);
/// - `.badStatus`: the status is not three digits (column of its first byte);
/// - `.badNumber`: `bytes` or `request_time` is neither `-` nor a number;
/// - `.missingSpace`, `.trailingData`, `.unexpectedEnd` (column `line.count + 1`): layout breaks.
///   An empty line is `.emptyLine`.
public struct NginxParser: LogParser, Sendable {
    public var name: String { "nginx" }

    /// Access-log times carry their own offset, so the context is not needed; the initializer
    /// takes it to match every other parser.
    public init(context: ParseContext) {}

    /// - Complexity: O(n) in the line length, one pass; allocates nothing once the names
    ///   `request` and `x_forwarded_for` are interned.
    public mutating func parse(_ line: Span<UInt8>, into out: inout EventBatch) throws(ParseIssue) {
        let count = line.count
        guard count > 0 else { throw ParseIssue(.emptyLine, column: 1) }
        out.append(.message, .text, 0..<count)

        // client_ip
        var i = 0
        while i < count, Self.isAddressByte(line[i]) { i += 1 }
        guard i > 0, i < count, line[i] == UInt8(ascii: " ") else {
            throw ParseIssue(i > 0 && i == count ? .unexpectedEnd : .badHostname, column: i + 1)
        }
        Self.appendUnlessDash(.clientIP, .text, 0..<i, line, &out)
        i += 1

        // ident, user
        try Self.word(.ident, line, &i, &out)
        try Self.word(.user, line, &i, &out)

        // [time]
        guard i < count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
        guard line[i] == UInt8(ascii: "[") else { throw ParseIssue(.badTimestamp, column: i + 1) }
        guard let time = TimestampParser.parseHTTPDate(line, from: i + 1) else {
            throw ParseIssue(i + 1 == count ? .unexpectedEnd : .badTimestamp, column: i + 2)
        }
        i = time.end
        guard i < count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
        guard line[i] == UInt8(ascii: "]") else { throw ParseIssue(.badTimestamp, column: i + 1) }
        out.setTimestamp(time.value)
        i += 1
        try Self.space(line, &i)

        // "request"
        guard i < count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
        guard line[i] == UInt8(ascii: "\"") else { throw ParseIssue(.badRequestLine, column: i + 1) }
        let request = try Self.quoted(line, &i)
        Self.appendRequest(request.body, escaped: request.escaped, line, &out)
        try Self.space(line, &i)

        // status
        let statusStart = i
        guard i < count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
        var status: Int64 = 0
        while i < count, line[i] &- UInt8(ascii: "0") < 10, i - statusStart < 3 {
            status = status * 10 + Int64(line[i] &- UInt8(ascii: "0"))
            i += 1
        }
        guard i - statusStart == 3, status >= 100, i == count || line[i] == UInt8(ascii: " ") else {
            throw ParseIssue(.badStatus, column: statusStart + 1)
        }
        out.append(.status, .integer, statusStart..<i, payload: status)
        try Self.space(line, &i)

        // bytes
        let bytesStart = i
        while i < count, line[i] != UInt8(ascii: " ") { i += 1 }
        guard i > bytesStart else { throw ParseIssue(i == count ? .unexpectedEnd : .badNumber, column: i + 1) }
        if !Self.isDash(line, bytesStart..<i) {
            guard let bytes = NumberScanner.integer(line.extracting(bytesStart..<i)) else {
                throw ParseIssue(.badNumber, column: bytesStart + 1)
            }
            out.append(.bytes, .integer, bytesStart..<i, payload: bytes)
        }
        if i == count { return }  // common format
        i += 1

        // "referrer" "user_agent"
        try Self.optionalQuoted(.referrer, line, &i, &out)
        try Self.space(line, &i)
        try Self.optionalQuoted(.userAgent, line, &i, &out)
        if i == count { return }  // combined format
        i += 1

        // ["x_forwarded_for"] [request_time]
        guard i < count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
        if line[i] == UInt8(ascii: "\"") {
            let forwarded = try Self.quoted(line, &i)
            if !Self.isDash(line, forwarded.body) {
                let name = out.names.intern(Self.forwardedForName.span)
                out.append(name, forwarded.escaped ? .jsonEscaped : .text, forwarded.body)
            }
            if i == count { return }
            i += 1
        }
        let timeStart = i
        while i < count, line[i] != UInt8(ascii: " ") { i += 1 }
        guard i > timeStart else { throw ParseIssue(i == count ? .unexpectedEnd : .trailingData, column: i + 1) }
        if !Self.isDash(line, timeStart..<i) {
            let value = line.extracting(timeStart..<i)
            if let integer = NumberScanner.integer(value) {
                out.append(.requestTime, .integer, timeStart..<i, payload: integer)
            } else if let decimal = NumberScanner.decimal(value) {
                out.append(.requestTime, .decimal, timeStart..<i, payload: Int64(bitPattern: decimal.bitPattern))
            } else {
                throw ParseIssue(.badNumber, column: timeStart + 1)
            }
        }
        if i < count { throw ParseIssue(.trailingData, column: i + 1) }
    }

    private static let forwardedForName = Array("x_forwarded_for".utf8)
    private static let requestName = Array("request".utf8)

    /// Letters, digits and `. : - _ %`: IPv4, IPv6 (with a `%zone`) and host names.
    @inline(__always)
    private static func isAddressByte(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10 || (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "%")
    }

    @inline(__always)
    private static func isDash(_ line: Span<UInt8>, _ range: Range<Int>) -> Bool {
        range.count == 1 && line[range.lowerBound] == UInt8(ascii: "-")
    }

    private static func appendUnlessDash(
        _ name: FieldID,
        _ kind: ValueKind,
        _ range: Range<Int>,
        _ line: Span<UInt8>,
        _ out: inout EventBatch
    ) {
        if !Self.isDash(line, range) { out.append(name, kind, range) }
    }

    /// Reads `ident` or `user`: a run of bytes other than space, then the space after it.
    private static func word(
        _ name: FieldID,
        _ line: Span<UInt8>,
        _ i: inout Int,
        _ out: inout EventBatch
    ) throws(ParseIssue) {
        let start = i
        while i < line.count, line[i] != UInt8(ascii: " ") { i += 1 }
        guard i > start else {
            throw ParseIssue(i == line.count ? .unexpectedEnd : .unrecognizedFormat, column: i + 1)
        }
        Self.appendUnlessDash(name, .text, start..<i, line, &out)
        try Self.space(line, &i)
    }

    /// Steps over the one space that separates fields.
    @inline(__always)
    private static func space(_ line: Span<UInt8>, _ i: inout Int) throws(ParseIssue) {
        guard i < line.count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
        guard line[i] == UInt8(ascii: " ") else { throw ParseIssue(.missingSpace, column: i + 1) }
        i += 1
    }

    /// Reads a quoted field; `i` is at its opening quote and ends past the closing one, which must
    /// end the line or be followed by a space. A backslash escapes the byte after it.
    private static func quoted(_ line: Span<UInt8>, _ i: inout Int) throws(ParseIssue) -> Quoted {
        let open = i
        let count = line.count
        var escaped = false
        var j = i + 1
        while true {
            j = JSONByteSearch.stringStop(line, from: j, controls: false)
            if j >= count || line[j] == UInt8(ascii: "\"") { break }
            escaped = true  // a backslash: skip it and the byte it escapes
            j += 2
        }
        guard j < count else { throw ParseIssue(.unterminatedQuote, column: open + 1) }
        i = j + 1
        if i < count, line[i] != UInt8(ascii: " ") { throw ParseIssue(.missingSpace, column: i + 1) }
        return Quoted(body: open + 1..<j, escaped: escaped)
    }

    /// A quoted field's body (between the quotes) and whether it holds a backslash.
    private struct Quoted {
        var body: Range<Int>
        var escaped: Bool
    }

    /// A quoted `referrer` or `user_agent`; `"-"` is absent.
    private static func optionalQuoted(
        _ name: FieldID,
        _ line: Span<UInt8>,
        _ i: inout Int,
        _ out: inout EventBatch
    ) throws(ParseIssue) {
        guard i < line.count else { throw ParseIssue(.unexpectedEnd, column: i + 1) }
        guard line[i] == UInt8(ascii: "\"") else { throw ParseIssue(.unrecognizedFormat, column: i + 1) }
        let value = try Self.quoted(line, &i)
        Self.appendUnlessDash(name, value.escaped ? .jsonEscaped : .text, value.body, line, &out)
    }

    /// Splits `METHOD SP target SP HTTP/x` into `method`, `path` and `protocol`; keeps anything
    /// else whole as `request`. `-` and an empty request give no field.
    private static func appendRequest(_ body: Range<Int>, escaped: Bool, _ line: Span<UInt8>, _ out: inout EventBatch) {
        if body.isEmpty || Self.isDash(line, body) { return }
        var methodEnd = body.lowerBound
        while methodEnd < body.upperBound, line[methodEnd] &- UInt8(ascii: "A") < 26 { methodEnd += 1 }
        var protocolStart = body.upperBound
        while protocolStart > methodEnd, line[protocolStart - 1] != UInt8(ascii: " ") { protocolStart -= 1 }
        let pathStart = methodEnd + 1
        let pathEnd = protocolStart - 1
        guard methodEnd > body.lowerBound, methodEnd < body.upperBound, line[methodEnd] == UInt8(ascii: " "),
            pathEnd > pathStart, Self.isHTTPVersion(line, protocolStart..<body.upperBound)
        else {
            let name = out.names.intern(Self.requestName.span)
            out.append(name, escaped ? .jsonEscaped : .text, body)
            return
        }
        out.append(.method, .text, body.lowerBound..<methodEnd)
        out.append(.path, escaped ? .jsonEscaped : .text, pathStart..<pathEnd)
        out.append(.httpProtocol, .text, protocolStart..<body.upperBound)
    }

    /// `HTTP/` followed by digits and dots (`HTTP/1.1`, `HTTP/2.0`, `HTTP/3`).
    private static func isHTTPVersion(_ line: Span<UInt8>, _ range: Range<Int>) -> Bool {
        guard range.count >= 6 else { return false }
        let start = range.lowerBound
        guard line[start] == UInt8(ascii: "H"), line[start + 1] == UInt8(ascii: "T"),
            line[start + 2] == UInt8(ascii: "T"), line[start + 3] == UInt8(ascii: "P"),
            line[start + 4] == UInt8(ascii: "/"), line[start + 5] &- UInt8(ascii: "0") < 10
        else { return false }
        for k in (start + 6)..<range.upperBound {
            let byte = line[k]
            guard byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: ".") else { return false }
        }
        return true
    }
}
