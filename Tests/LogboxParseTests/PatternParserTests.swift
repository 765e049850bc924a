import LogboxCore
import LogboxParse
import Testing

/// 2024-11-02T00:00:00Z, so that `Nov  1` is read as 2024.
private let reference: Int64 = 1_730_505_600 * 1_000_000_000

/// Lines run through `BatchParser` with a `PatternParser`, and ways to read their events.
private struct Parsed {
    var batch: EventBatch

    init(_ pattern: String, _ lines: [[UInt8]]) throws {
        var batch = LineBatch()
        for (index, line) in lines.enumerated() {
            batch.append(line, lineNumber: Int64(index + 1), sourceOffset: 0)
        }
        let parser = try PatternParser(pattern: pattern, context: ParseContext(referenceTime: reference))
        var driver = BatchParser(parser: parser)
        self.batch = EventBatch()
        driver.parse(batch, into: &self.batch)
    }

    init(_ pattern: String, _ line: String) throws { try self.init(pattern, [Array(line.utf8)]) }

    var event: EventSlot { self.batch.events[0] }
    var issue: ParseIssue? { self.event.issue }
    var fields: [FieldSlot] { Array(self.batch.fields(of: 0)) }
    var names: [String] { self.fields.map { self.batch.names.name($0.name) } }
    func field(_ name: String) -> FieldSlot? { self.fields.first { self.batch.names.name($0.name) == name } }
    func all(_ name: String) -> [FieldSlot] { self.fields.filter { self.batch.names.name($0.name) == name } }
    func string(_ name: String) -> String? { self.field(name).map { self.batch.string($0) } }
}

private let sshd = "Nov  1 00:02:41 web-1 sshd[4242]: Failed password for root from 203.0.113.9 port 52211 ssh2"

@Suite("Pattern parser")
struct PatternParserTests {
    @Test("each capture becomes a typed field; the timestamp becomes the event time")
    func syslogLine() throws {
        let parsed = try Parsed(
            "^%{SYSLOGTIMESTAMP:timestamp} %{HOSTNAME:host} %{SYSLOGPROG}: Failed password for %{USERNAME:user} from %{IP:client_ip} port %{POSINT:port}",
            sshd
        )
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["message", "host", "program", "pid", "user", "client_ip", "port"])
        #expect(parsed.string("message") == sshd)
        #expect(parsed.string("host") == "web-1")
        #expect(parsed.string("program") == "sshd")
        #expect(parsed.field("pid")?.kind == .integer && parsed.field("pid")?.payload == 4242)
        #expect(parsed.field("port")?.kind == .integer && parsed.field("port")?.payload == 52211)
        #expect(parsed.string("user") == "root")
        #expect(parsed.field("user")?.kind == .text)
        #expect(parsed.string("client_ip") == "203.0.113.9")
        #expect(parsed.event.hasTimestamp)
        #expect(parsed.event.timestamp == 1_730_419_361 * 1_000_000_000)
        #expect(parsed.field("timestamp") == nil)
    }

    @Test("a message capture is the message, once")
    func messageCapture() throws {
        let parsed = try Parsed("%{SYSLOGLINE}", sshd)
        #expect(parsed.issue == nil)
        #expect(parsed.all("message").count == 1)
        #expect(parsed.names.first == "message")
        #expect(parsed.string("message") == "Failed password for root from 203.0.113.9 port 52211 ssh2")
        #expect(parsed.event.timestamp == 1_730_419_361 * 1_000_000_000)
    }

    @Test("a message capture that did not take part leaves the whole line as message")
    func optionalMessage() throws {
        let parsed = try Parsed(#"^%{WORD:verb}(?: -- %{GREEDYDATA:message})?$"#, "restart")
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["message", "verb"])
        #expect(parsed.string("message") == "restart")
    }

    @Test(
        "level words are normalized; unknown words stay text",
        arguments: [
            ("WARN", Level.warning), ("err", .error), ("Information", .info), ("FATAL", .critical),
            ("panic", .emergency),
        ]
    )
    func levels(word: String, level: Level) throws {
        let parsed = try Parsed(#"^\[%{WORD:level}\] %{GREEDYDATA:message}"#, "[\(word)] disk almost full")
        let field = try #require(parsed.field("level"))
        #expect(field.kind == .level)
        #expect(field.payload == Int64(level.rawValue))
        #expect(parsed.string("message") == "disk almost full")
        #expect(String(decoding: parsed.batch.rawBytes(field), as: UTF8.self) == word)
    }

    @Test("an unknown level word stays a text field")
    func unknownLevel() throws {
        let parsed = try Parsed(#"^\[%{WORD:level}\]"#, "[verbose] x")
        #expect(parsed.field("level")?.kind == .text)
        #expect(parsed.string("level") == "verbose")
    }

    @Test("type hints and plain numbers")
    func typing() throws {
        let parsed = try Parsed(
            #"^%{NOTSPACE:a:int} %{NOTSPACE:b:int} %{NOTSPACE:c:float} %{NOTSPACE:d:float} %{NOTSPACE:e} %{NOTSPACE:f} %{NOTSPACE:g} %{NOTSPACE:h:int}$"#,
            "007 12x 3 -0.25 42 007 0.5 -9223372036854775808"
        )
        #expect(parsed.issue == nil)
        #expect(parsed.field("a")?.kind == .integer && parsed.field("a")?.payload == 7)
        #expect(parsed.field("b")?.kind == .text)
        let c = try #require(parsed.field("c"))
        #expect(c.kind == .decimal && c.number == 3)
        #expect(parsed.field("d")?.number == -0.25)
        #expect(parsed.field("e")?.kind == .integer && parsed.field("e")?.payload == 42)
        #expect(parsed.field("f")?.kind == .text)
        #expect(parsed.field("g")?.kind == .decimal && parsed.field("g")?.number == 0.5)
        #expect(parsed.field("h")?.payload == Int64.min)
    }

    @Test("raw named groups and dotted field names")
    func rawGroups() throws {
        let parsed = try Parsed(#"user=(?<user>\w+) %{INT:sd.req@1.n}"#, "x user=alice 5")
        #expect(parsed.names == ["message", "user", "sd.req@1.n"])
        #expect(parsed.string("user") == "alice")
        #expect(parsed.field("sd.req@1.n")?.payload == 5)
    }

    @Test("a line that does not match is a parse failure at column 1")
    func mismatch() throws {
        let parsed = try Parsed("^%{IP:client_ip} ", "not an address")
        #expect(parsed.issue == ParseIssue(.patternMismatch, column: 1))
        #expect(parsed.issue?.description == "pattern did not match at column 1")
        #expect(parsed.names == ["message"])
        #expect(parsed.string("message") == "not an address")
    }

    @Test("a COMBINEDAPACHELOG line gives the access-log fields and time")
    func accessLog() throws {
        let line =
            #"203.0.113.7 - alice [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#
        let parsed = try Parsed("^%{COMBINEDAPACHELOG}$", line)
        #expect(parsed.issue == nil)
        #expect(
            parsed.names == [
                "message", "client_ip", "user", "method", "path", "protocol", "status", "bytes", "referrer",
                "user_agent",
            ]
        )
        #expect(parsed.string("message") == line)
        #expect(parsed.field("status")?.kind == .integer && parsed.field("status")?.payload == 200)
        #expect(parsed.field("bytes")?.payload == 2326)
        #expect(parsed.string("user_agent") == "Mozilla/4.08 [en] (Win98; I ;Nav)")
        #expect(parsed.event.timestamp == 971_211_336_000_000_000)
    }

    @Test("ISO 8601 timestamps, with and without a zone")
    func isoTimestamps() throws {
        let zoned = try Parsed(
            "^%{TIMESTAMP_ISO8601:timestamp} %{LOGLEVEL:level}",
            "2024-03-05T13:55:36.250+02:00 INFO up"
        )
        #expect(zoned.event.timestamp == 1_709_639_736 * 1_000_000_000 + 250_000_000)
        #expect(zoned.event.timestampDigits == 3)
        #expect(zoned.field("level")?.payload == Int64(Level.info.rawValue))
        let local = try Parsed("^%{TIMESTAMP_ISO8601:timestamp}", "2024-03-05 11:55:36 x")
        #expect(local.event.timestamp == 1_709_639_736 * 1_000_000_000)
    }

    @Test("a timestamp capture that is not a time stays a field")
    func unreadableTimestamp() throws {
        let parsed = try Parsed(#"^(?<timestamp>\S+) "#, "yesterday x")
        #expect(!parsed.event.hasTimestamp)
        #expect(parsed.string("timestamp") == "yesterday")
    }

    @Test("bytes that are not valid UTF-8 stay in the value")
    func invalidBytes() throws {
        let line: [UInt8] = Array("user=bob".utf8) + [0xFF, 0xFE] + Array(" ok".utf8)
        let parsed = try Parsed(#"user=%{NOTSPACE:user} %{WORD:word}"#, [line])
        #expect(parsed.issue?.reason == .invalidUTF8)
        let user = try #require(parsed.field("user"))
        #expect(Array(parsed.batch.rawBytes(user)) == Array("bob".utf8) + [0xFF, 0xFE])
        #expect(parsed.string("word") == "ok")
    }

    @Test("several lines reuse one matcher")
    func severalLines() throws {
        let lines = (0..<50).map { Array("id=\($0) \($0 % 3 == 0 ? "bad" : "ok")".utf8) }
        let parsed = try Parsed(#"^id=%{INT:id} ok$"#, lines)
        #expect(parsed.batch.count == 50)
        for index in 0..<50 {
            let event = parsed.batch.events[index]
            if index % 3 == 0 {
                #expect(event.issue?.reason == .patternMismatch)
            } else {
                let id = parsed.batch.fields(of: index).first { parsed.batch.names.name($0.name) == "id" }
                #expect(id?.payload == Int64(index))
            }
        }
    }

    @Test("a bad pattern is refused with its column")
    func badPattern() {
        let error = #expect(throws: RegexError.self) {
            try PatternParser(pattern: "%{IP:ip} %{NOPE:x}", context: ParseContext(referenceTime: 0))
        }
        #expect(error?.column == 10)
    }

    @Test("copies of one parser can run on separate tasks")
    func copiesOnTasks() async throws {
        let template = try PatternParser(pattern: #"n=%{INT:n}"#, context: ParseContext(referenceTime: 0))
        let sums = await withTaskGroup(of: Int64.self, returning: [Int64].self) { group in
            for task in 0..<8 {
                group.addTask {
                    var lines = LineBatch()
                    for index in 0..<500 {
                        lines.append(Array("n=\(task * 1000 + index)".utf8), lineNumber: 1, sourceOffset: 0)
                    }
                    var driver = BatchParser(parser: template)
                    var batch = EventBatch()
                    driver.parse(lines, into: &batch)
                    return batch.fields.reduce(0) { $0 + ($1.kind == .integer ? $1.payload : 0) }
                }
            }
            var all: [Int64] = []
            for await sum in group { all.append(sum) }
            return all.sorted()
        }
        // Task t parses n = 1000t ..< 1000t + 500, which sum to 500 * 1000t + 124_750.
        let expected: [Int64] = (0..<8).map { (task: Int) -> Int64 in Int64(500_000 * task + 124_750) }
        #expect(sums == expected)
    }

    @Test("random lines never crash the parser")
    func randomLines() throws {
        var random = SeededRandom(seed: 0xBADB_17E5)
        let lines = (0..<500).map { _ in
            (0..<random.int(in: 0...120)).map { _ in
                random.int(in: 0..<4) == 0
                    ? UInt8(random.int(in: 0...255))
                    : UInt8(ascii: " ") + UInt8(random.int(in: 0...90))
            }
        }
        for pattern in [
            "%{COMBINEDAPACHELOG}", "%{SYSLOGLINE}", #"%{DATA:a} %{GREEDYDATA:message}"#, "(?<timestamp>\\d+)",
        ] {
            let parsed = try Parsed(pattern, lines)
            #expect(parsed.batch.count == lines.count)
            for field in parsed.batch.fields {
                #expect(field.range.upperBound <= parsed.batch.lines.bytes.count)
            }
        }
    }
}
