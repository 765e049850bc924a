import LogboxCore
import LogboxParse
import Testing

/// One line run through `BatchParser` with an `NginxParser`, and ways to read its event.
private struct Parsed {
    var batch: EventBatch

    init(_ bytes: [UInt8]) {
        var lines = LineBatch()
        lines.append(bytes, lineNumber: 1, sourceOffset: 0)
        var driver = BatchParser(parser: NginxParser(context: ParseContext(referenceTime: 0)))
        self.batch = EventBatch()
        driver.parse(lines, into: &self.batch)
    }

    init(_ text: String) { self.init(Array(text.utf8)) }

    var event: EventSlot { self.batch.events[0] }
    var issue: ParseIssue? { self.event.issue }
    var fields: [FieldSlot] { Array(self.batch.fields(of: 0)) }
    var names: [String] { self.fields.map { self.batch.names.name($0.name) } }
    func field(_ name: String) -> FieldSlot? { self.fields.first { self.batch.names.name($0.name) == name } }
    func string(_ name: String) -> String? { self.field(name).map { self.batch.string($0) } }
    func raw(_ name: String) -> String? {
        self.field(name).map { String(decoding: self.batch.rawBytes($0), as: UTF8.self) }
    }
}

/// The lines of a generated sample file, framed on `\n` as a file source would.
private func lines(of file: SampleFile) -> LineBatch {
    var batch = LineBatch(source: file.name)
    var start = 0
    var number: Int64 = 1
    for (index, byte) in file.bytes.enumerated() where byte == UInt8(ascii: "\n") {
        batch.append(file.bytes[start..<index], lineNumber: number, sourceOffset: Int64(start))
        start = index + 1
        number += 1
    }
    if start < file.bytes.count {
        batch.append(file.bytes[start...], lineNumber: number, sourceOffset: Int64(start))
    }
    return batch
}

private let combined =
    #"203.0.113.7 - alice [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#

@Suite("nginx/apache access log parser")
struct NginxParserTests {
    @Test("combined format: every field, typed, and the time")
    func combinedFormat() throws {
        let parsed = Parsed(combined)
        #expect(parsed.issue == nil)
        #expect(
            parsed.names == [
                "message", "client_ip", "user", "method", "path", "protocol", "status", "bytes", "referrer",
                "user_agent",
            ]
        )
        #expect(parsed.string("message") == combined)
        #expect(parsed.string("client_ip") == "203.0.113.7")
        #expect(parsed.string("user") == "alice")
        #expect(parsed.string("method") == "GET")
        #expect(parsed.string("path") == "/apache_pb.gif?x=1")
        #expect(parsed.string("protocol") == "HTTP/1.0")
        let status = try #require(parsed.field("status"))
        #expect(status.kind == .integer && status.payload == 200)
        let bytes = try #require(parsed.field("bytes"))
        #expect(bytes.kind == .integer && bytes.payload == 2326)
        #expect(parsed.string("referrer") == "http://www.example.com/start.html")
        #expect(parsed.field("referrer")?.kind == .text)
        #expect(parsed.string("user_agent") == "Mozilla/4.08 [en] (Win98; I ;Nav)")
        #expect(parsed.event.hasTimestamp)
        #expect(parsed.event.timestamp == 971_211_336_000_000_000)
        #expect(parsed.event.timestampDigits == 0)
    }

    @Test("common format ends after bytes")
    func commonFormat() throws {
        let parsed = Parsed(
            #"127.0.0.1 user-identifier frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#
        )
        #expect(parsed.issue == nil)
        #expect(parsed.string("ident") == "user-identifier")
        #expect(parsed.string("user") == "frank")
        #expect(parsed.field("bytes")?.payload == 2326)
        #expect(parsed.field("referrer") == nil && parsed.field("user_agent") == nil)
        #expect(parsed.event.timestamp == 971_211_336_000_000_000)
    }

    @Test(
        "combined with $request_time: decimal or integer",
        arguments: [("0.004", ValueKind.decimal, 0.004), ("1523", .integer, 1523), ("0.000", .decimal, 0)]
    )
    func requestTime(text: String, kind: ValueKind, value: Double) throws {
        let parsed = Parsed(combined + " " + text)
        #expect(parsed.issue == nil)
        let field = try #require(parsed.field("request_time"))
        #expect(field.kind == kind)
        #expect(field.number == value)
        #expect(parsed.raw("request_time") == text)
    }

    @Test("request_time `-` is absent")
    func requestTimeDash() {
        let parsed = Parsed(combined + " -")
        #expect(parsed.issue == nil)
        #expect(parsed.field("request_time") == nil)
    }

    @Test("combined with \"$http_x_forwarded_for\", alone and before $request_time")
    func forwardedFor() throws {
        let alone = Parsed(combined + #" "198.51.100.9, 10.0.0.1""#)
        #expect(alone.issue == nil)
        #expect(alone.string("x_forwarded_for") == "198.51.100.9, 10.0.0.1")
        #expect(alone.field("request_time") == nil)

        let both = Parsed(combined + #" "-" 0.250"#)
        #expect(both.issue == nil)
        #expect(both.field("x_forwarded_for") == nil)
        #expect(both.field("request_time")?.number == 0.25)
    }

    @Test("IPv6 client addresses", arguments: ["2001:db8:140:e4dd::336a", "::1", "fe80::1%eth0", "::ffff:192.0.2.1"])
    func ipv6(address: String) {
        let parsed = Parsed(address + #" - - [01/Nov/2026:00:00:00 +0000] "GET / HTTP/2.0" 200 6147 "-" "-" 0.001"#)
        #expect(parsed.issue == nil)
        #expect(parsed.string("client_ip") == address)
        #expect(parsed.string("protocol") == "HTTP/2.0")
    }

    @Test("`-` ident, user, bytes, referrer and user agent are absent")
    func dashFields() {
        let parsed = Parsed(#"10.0.0.2 - - [01/Nov/2026:00:00:00 +0000] "GET /healthz HTTP/1.1" 304 - "-" "-""#)
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["message", "client_ip", "method", "path", "protocol", "status"])
    }

    @Test("a \"-\" request has no method, path or protocol")
    func dashRequest() {
        let parsed = Parsed(#"177.150.68.233 - - [01/Nov/2026:00:02:05 +0000] "-" 400 0 "-" "-" 0.000"#)
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["message", "client_ip", "status", "bytes", "request_time"])
        #expect(parsed.field("status")?.payload == 400)
    }

    @Test("TLS bytes sent to a plain port stay whole under `request`")
    func garbageRequest() throws {
        let garbage = #"\x16\x03\x01\x02\x00\x01\x00\x01\xFC\x03\x03"#
        let parsed = Parsed(#"192.0.2.44 - - [01/Nov/2026:00:00:00 +0000] ""# + garbage + #"" 400 157 "-" "-" 0.012"#)
        #expect(parsed.issue == nil)
        let request = try #require(parsed.field("request"))
        #expect(request.kind == .jsonEscaped)
        // `\xNN` is no JSON escape: it reads back exactly as nginx wrote it.
        #expect(parsed.string("request") == garbage)
        #expect(parsed.field("method") == nil && parsed.field("path") == nil && parsed.field("protocol") == nil)
    }

    @Test(
        "requests that are not METHOD target HTTP/x are kept as `request`",
        arguments: ["GET /", "get / HTTP/1.1", "GET  HTTP/1.1", "GET / FTP/1.0", "GET / HTTP/", "PRI * HTTP/2.0 x"]
    )
    func otherRequests(request: String) {
        let parsed = Parsed(#"192.0.2.44 - - [01/Nov/2026:00:00:00 +0000] ""# + request + #"" 400 0"#)
        #expect(parsed.issue == nil)
        #expect(parsed.string("request") == request)
        #expect(parsed.field("method") == nil)
    }

    @Test("a path with spaces still splits at the first and last space")
    func pathWithSpace() {
        let parsed = Parsed(#"192.0.2.44 - - [01/Nov/2026:00:00:00 +0000] "GET /a b HTTP/1.1" 400 0"#)
        #expect(parsed.string("path") == "/a b")
        #expect(parsed.string("protocol") == "HTTP/1.1")
    }

    @Test("apache's \\\" in a user agent decodes; nginx's \\x22 stays as written")
    func escapedQuotes() throws {
        let apache = Parsed(#"1.2.3.4 - - [01/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "say \"hi\" \\o/""#)
        #expect(apache.issue == nil)
        #expect(apache.field("user_agent")?.kind == .jsonEscaped)
        #expect(apache.string("user_agent") == #"say "hi" \o/"#)
        #expect(apache.raw("user_agent") == #"say \"hi\" \\o/"#)

        let nginx = Parsed(
            #"75.77.65.33 - - [01/Nov/2026:00:00:00 +0000] "GET /x HTTP/1.1" 304 0 "-" "Mozilla/5.0 \x22quoted\x22 (X11)" 0.000"#
        )
        #expect(nginx.issue == nil)
        #expect(nginx.field("user_agent")?.kind == .jsonEscaped)
        #expect(nginx.string("user_agent") == #"Mozilla/5.0 \x22quoted\x22 (X11)"#)
        #expect(nginx.field("request_time")?.kind == .decimal)
    }

    @Test("an escaped quote in the request does not end it")
    func escapedQuoteInRequest() {
        let parsed = Parsed(#"1.2.3.4 - - [01/Nov/2026:00:00:00 +0000] "GET /a\"b HTTP/1.1" 200 1"#)
        #expect(parsed.issue == nil)
        #expect(parsed.string("path") == #"/a"b"#)
        #expect(parsed.field("path")?.kind == .jsonEscaped)
    }

    @Test("empty quoted fields: no request, empty referrer")
    func emptyQuoted() {
        let parsed = Parsed(#"1.2.3.4 - - [01/Nov/2026:00:00:00 +0000] "" 400 0 "" "-""#)
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["message", "client_ip", "status", "bytes", "referrer"])
        #expect(parsed.string("referrer") == "")
    }

    @Test(
        "errors carry the reason and column",
        arguments: [
            // The status starts at column 59.
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 2OO 12"#, ParseIssue.Reason.badStatus, 59),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 2000 12"#, .badStatus, 59),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 099 12"#, .badStatus, 59),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1x2"#, .badNumber, 63),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 12 "-" "-" fast"#, .badNumber, 74),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 12 "-" "-" 0.1 x"#, .trailingData, 77),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 12 "-""#, .unexpectedEnd, 69),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 12 - "-""#, .unrecognizedFormat, 66),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200"#, .unexpectedEnd, 62),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1"200 1"#, .missingSpace, 58),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1 200 1"#, .unterminatedQuote, 42),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] GET / HTTP/1.1 200 1"#, .badRequestLine, 42),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "a" "b"#, .unterminatedQuote, 69),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1 "a"x "b""#, .missingSpace, 68),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:99 -0700] "GET / HTTP/1.1" 200 1"#, .badTimestamp, 14),
            (#"1.2.3.4 - - [10/Oct/2000:13:55:36 -0700 "GET / HTTP/1.1" 200 1"#, .badTimestamp, 40),
            (#"1.2.3.4 - - 10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1"#, .badTimestamp, 13),
            (#"1.2.3.4 -  [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1"#, .unrecognizedFormat, 11),
            (#"1.2.3.4/8 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1"#, .badHostname, 8),
            (#" 1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1"#, .badHostname, 1),
            ("1.2.3.4", .unexpectedEnd, 8),
            ("", .emptyLine, 1),
            ("Nov  1 00:02:41 web-02 sshd[28022]: Failed password", .unrecognizedFormat, 5),
        ]
    )
    func errors(line: String, reason: ParseIssue.Reason, column: Int) {
        let parsed = Parsed(line)
        #expect(parsed.issue == ParseIssue(reason, column: column), "\(line)")
        // A failed line keeps only its raw message.
        #expect(parsed.names == ["message"])
    }

    @Test("the generated sample log matches its ground truth")
    func sampleTruth() throws {
        let options = SampleLogGenerator.Options(
            authLines: 0,
            jsonLines: 0,
            rfc5424Lines: 0,
            logfmtLines: 0,
            malformedRate: 0.01
        )
        let output = SampleLogGenerator(options: options).generateWithTruth()
        let file = output.files[1]
        let truth = output.truth.nginx
        var batch = EventBatch()
        var driver = BatchParser(parser: NginxParser(context: ParseContext(referenceTime: 0)))
        driver.parse(lines(of: file), into: &batch)

        let malformed = Set(file.malformedLines.map(\.line))
        #expect(!malformed.isEmpty)
        var statusCounts: [Int: Int] = [:]
        var floodRequests = 0
        var floodTooMany = 0
        var burstRequests = 0
        var burstErrors = 0
        let statusID = FieldID.status
        for event in 0..<batch.count {
            let slot = batch.events[event]
            if malformed.contains(Int(batch.lineSlot(of: event).lineNumber)) {
                #expect(slot.issue != nil)
                continue
            }
            #expect(slot.issue == nil, "line \(batch.lineSlot(of: event).lineNumber)")
            let status = Int(try #require(batch.field(statusID, of: event)).payload)
            statusCounts[status, default: 0] += 1
            if let flood = truth.flood, let client = batch.field(.clientIP, of: event),
                batch.string(client) == flood.ip
            {
                floodRequests += 1
                if status == 429 { floodTooMany += 1 }
                #expect(batch.field(.userAgent, of: event).map { batch.string($0) } == flood.userAgent)
                let second = slot.timestamp / 1_000_000_000
                #expect(second >= flood.first && second <= flood.last)
            }
            if let burst = truth.serverErrorBurst, (burst.start...burst.end).contains(slot.timestamp / 1_000_000_000) {
                burstRequests += 1
                if status >= 500 { burstErrors += 1 }
            }
        }
        #expect(statusCounts.values.reduce(0, +) == truth.requests)
        #expect(statusCounts == truth.statusCounts)
        #expect(floodRequests == truth.flood?.requests)
        #expect(floodTooMany == truth.flood?.tooManyRequests)
        #expect(burstRequests == truth.serverErrorBurst?.requests)
        #expect(burstErrors == truth.serverErrorBurst?.serverErrors)
    }

    @Test("every prefix of a valid line parses or fails cleanly")
    func truncatedLines() {
        let line = Array((combined + #" "10.0.0.1" 0.004"#).utf8)
        var accepted = 0
        for length in 0...line.count {
            let parsed = Parsed(Array(line[0..<length]))
            #expect(parsed.batch.count == 1)
            if let issue = parsed.issue {
                #expect(issue.column >= 1 && issue.column <= length + 1, "prefix \(length): \(issue)")
                #expect(parsed.names == ["message"])
            } else {
                accepted += 1
                for field in parsed.fields { #expect(field.range.upperBound <= length) }
            }
        }
        // `… 2`, `… 23`, `… 232`, `… 2326` (common), the combined and forwarded-for lines,
        // and request times `0`, `0.0`, `0.00`, `0.004`.
        #expect(accepted == 10)
    }

    @Test("random and mutated bytes never trap", arguments: [1, 2, 3])
    func randomBytes(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let valid = Array((combined + " 0.004").utf8)
        for round in 0..<2000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<random.int(in: 0...120)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            } else {
                bytes = valid
                for _ in 0..<random.int(in: 1...4) {
                    bytes[random.int(in: 0..<bytes.count)] = UInt8(truncatingIfNeeded: random.next())
                }
            }
            let parsed = Parsed(bytes)
            #expect(parsed.batch.count == 1)
            for field in parsed.fields { #expect(field.range.upperBound <= bytes.count) }
        }
    }
}
