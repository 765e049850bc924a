import LogboxCore
import LogboxParse
import Testing

/// One line run through `BatchParser` with a `JSONLinesParser`, and ways to read its event.
private struct Parsed {
    var batch: EventBatch

    init(_ bytes: [UInt8], zone: TimeZoneRules = .utc) {
        var lines = LineBatch()
        lines.append(bytes, lineNumber: 1, sourceOffset: 0)
        let context = ParseContext(zone: zone, referenceTime: 1_793_491_200_000_000_000)
        var driver = BatchParser(parser: JSONLinesParser(context: context))
        self.batch = EventBatch()
        driver.parse(lines, into: &self.batch)
    }

    init(_ text: String, zone: TimeZoneRules = .utc) { self.init(Array(text.utf8), zone: zone) }

    var event: EventSlot { self.batch.events[0] }
    var issue: ParseIssue? { self.event.issue }
    var fields: [FieldSlot] { Array(self.batch.fields(of: 0)) }
    var names: [String] { self.fields.map { self.batch.names.name($0.name) } }
    func all(_ name: String) -> [FieldSlot] { self.fields.filter { self.batch.names.name($0.name) == name } }
    func field(_ name: String) -> FieldSlot? { self.all(name).first }
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

@Suite("JSON lines parser")
struct JSONLinesParserTests {
    @Test("a typical application line: fields in order, typed, with timestamp, message and level")
    func typicalLine() throws {
        let line =
            #"{"ts":"2026-11-01T00:00:00.019Z","level":"info","service":"auth","msg":"session refreshed","user_id":null,"latency_ms":0,"trace_id":"f9048473f1aa42ff817c52b80ee5c185"}"#
        let parsed = Parsed(line)
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["ts", "level", "service", "msg", "message", "user_id", "latency_ms", "trace_id"])
        #expect(parsed.event.timestamp == 1_793_491_200_019_000_000)
        #expect(parsed.event.timestampDigits == 3)
        #expect(parsed.string("ts") == "2026-11-01T00:00:00.019Z")
        let level = try #require(parsed.field("level"))
        #expect(level.kind == .level && level.payload == Int64(Level.info.rawValue))
        #expect(parsed.raw("level") == "info")
        #expect(parsed.string("message") == "session refreshed")
        #expect(parsed.field("message")?.range == parsed.field("msg")?.range)
        let userID = try #require(parsed.field("user_id"))
        #expect(userID.kind == .null)
        #expect(parsed.string("user_id") == "null")
        #expect(parsed.field("latency_ms")?.kind == .integer)
        #expect(parsed.field("trace_id")?.kind == .text)
    }

    @Test("leading and trailing whitespace is fine")
    func whitespace() {
        let parsed = Parsed(" \t{ \"a\" : 1 , \"b\" :\"x\" }\t ")
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["a", "b"])
        #expect(parsed.field("a")?.payload == 1)
    }

    @Test("nested objects flatten to dotted names; an empty one stays as `{}`")
    func nested() throws {
        let parsed = Parsed(
            #"{"http":{"status":200,"request":{"method":"GET","headers":{}}},"a":{"b":{"c":true}},"z":1}"#
        )
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["http.status", "http.request.method", "http.request.headers", "a.b.c", "z"])
        #expect(parsed.field("http.status")?.payload == 200)
        #expect(parsed.string("http.request.method") == "GET")
        let headers = try #require(parsed.field("http.request.headers"))
        #expect(headers.kind == .json)
        #expect(parsed.raw("http.request.headers") == "{}")
        #expect(parsed.field("a.b.c")?.kind == .boolean)
    }

    @Test("the same names in nested objects intern to the same ids, line after line")
    func internedNames() {
        var lines = LineBatch()
        for text in [#"{"a":{"b":1}}"#, #"{"a":{"b":2},"c":3}"#] {
            lines.append(Array(text.utf8), lineNumber: 1, sourceOffset: 0)
        }
        var batch = EventBatch()
        var driver = BatchParser(parser: JSONLinesParser(context: ParseContext(referenceTime: 0)))
        driver.parse(lines, into: &batch)
        let before = batch.names.count
        driver.parse(lines, into: &batch)
        #expect(batch.names.count == before)
        #expect(batch.fields(of: 0).first?.name == batch.fields(of: 1).first?.name)
    }

    @Test("arrays are kept as their validated JSON text")
    func arrays() throws {
        let parsed = Parsed(#"{"tags":["a", 1, {"b":[true,null]}, [] ],"empty":[],"n":2}"#)
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["tags", "empty", "n"])
        let tags = try #require(parsed.field("tags"))
        #expect(tags.kind == .json)
        #expect(parsed.raw("tags") == #"["a", 1, {"b":[true,null]}, [] ]"#)
        #expect(parsed.raw("empty") == "[]")
    }

    @Test("strings with escapes are .jsonEscaped, kept raw, and decoded only when read")
    func escapes() throws {
        let line = #"{"s":"q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 \ud800 x","plain":"caf\#u{E9}"}"#
        let parsed = Parsed(line)
        #expect(parsed.issue == nil)
        let s = try #require(parsed.field("s"))
        #expect(s.kind == .jsonEscaped)
        #expect(parsed.raw("s") == #"q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 \ud800 x"#)
        #expect(parsed.string("s") == "q\" b\\ s/ \u{8}\u{C}\n\r\t \u{E9} \u{1F600} \u{FFFD} x")
        #expect(parsed.field("plain")?.kind == .text)
        #expect(parsed.string("plain") == "caf\u{E9}")
    }

    @Test("an escaped key is decoded into its name")
    func escapedKey() {
        let parsed = Parsed(#"{"a\u0062":1,"o":{"\"q\"":2},"m\u0073g":"hi"}"#)
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["ab", "o.\"q\"", "msg", "message"])
    }

    @Test(
        "numbers are typed: integers within 64 bits, decimals otherwise",
        arguments: [
            ("42", ValueKind.integer, 42.0),
            ("-7", .integer, -7),
            ("0", .integer, 0),
            ("-0", .integer, 0),
            ("3.25", .decimal, 3.25),
            ("-0.5E-2", .decimal, -0.005),
            ("1e3", .decimal, 1000),
            ("2E+2", .decimal, 200),
            ("9223372036854775807", .integer, 9_223_372_036_854_775_807),
            ("-9223372036854775808", .integer, -9_223_372_036_854_775_808),
            ("9223372036854775808", .decimal, 9.223372036854775808e18),
            ("123456789012345678901234", .decimal, 1.23456789012345678901234e23),
            ("0.1000000000000000055511151231257827", .decimal, 0.1),
        ]
    )
    func numbers(text: String, kind: ValueKind, value: Double) throws {
        let parsed = Parsed(#"{"n":"# + text + "}")
        #expect(parsed.issue == nil)
        let field = try #require(parsed.field("n"))
        #expect(field.kind == kind)
        #expect(field.number == value)
        #expect(parsed.raw("n") == text)
        if kind == .integer { #expect(field.payload == Int64(text)) }
    }

    @Test("a number too large for a Double stays text")
    func hugeExponent() {
        let parsed = Parsed(#"{"n":1e400}"#)
        #expect(parsed.issue == nil)
        #expect(parsed.field("n")?.kind == .text)
        #expect(parsed.string("n") == "1e400")
    }

    @Test("true, false and null")
    func literals() {
        let parsed = Parsed(#"{"t":true,"f":false,"z":null}"#)
        #expect(parsed.fields.map(\.kind) == [.boolean, .boolean, .null])
        #expect(parsed.fields.map(\.payload) == [1, 0, 0])
        #expect(parsed.string("t") == "true" && parsed.string("f") == "false")
    }

    @Test("key order is kept and repeated keys are all kept")
    func orderAndDuplicates() {
        let parsed = Parsed(#"{"b":1,"a":2,"b":3,"c":{"x":1},"c":{"x":2}}"#)
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["b", "a", "b", "c.x", "c.x"])
        #expect(parsed.all("b").map(\.payload) == [1, 3])
    }

    @Test("an empty object is an event without fields")
    func emptyObject() {
        let parsed = Parsed("{}")
        #expect(parsed.issue == nil)
        #expect(parsed.fields.isEmpty)
        #expect(!parsed.event.hasTimestamp)
    }

    @Test(
        "invalid JSON gives the reason and column",
        arguments: [
            (#"{"a":1,}"#, ParseIssue.Reason.invalidJSON, 8),
            (#"{"a" 1}"#, .invalidJSON, 6),
            (#"{"a":01}"#, .invalidJSON, 7),
            (#"{"a":tru}"#, .invalidJSON, 9),
            (#"{"a":nul"#, .unexpectedEnd, 9),
            (#"{"a":1 "b":2}"#, .invalidJSON, 8),
            (#"{"a":-}"#, .invalidJSON, 7),
            (#"{"a":1.}"#, .invalidJSON, 8),
            (#"{"a":1e}"#, .invalidJSON, 8),
            (#"{"a":+1}"#, .invalidJSON, 6),
            (#"{"a":'x'}"#, .invalidJSON, 6),
            (#"{a:1}"#, .invalidJSON, 2),
            (#"{"a":[1,]}"#, .invalidJSON, 9),
            (#"{"a":[1 2]}"#, .invalidJSON, 9),
            (#"{"a":{"b" 1}}"#, .invalidJSON, 11),
            (#"{"a":"x\q"}"#, .badEscape, 8),
            (#"{"a":"\u12G4"}"#, .badEscape, 7),
            (#"{"a":"\u12"}"#, .badEscape, 7),
            ("{\"a\":\"tab\there\"}", .invalidJSON, 10),
            (#"{"a":"x"#, .unterminatedQuote, 6),
            (#"{"a":"x\"#, .unterminatedQuote, 6),
            (#"{"a":"\u00"#, .unterminatedQuote, 6),
            (#"{"a""#, .unexpectedEnd, 5),
            (#"{"a":1"#, .unexpectedEnd, 7),
            (#"{"a":"#, .unexpectedEnd, 6),
            (#"{"a":-"#, .unexpectedEnd, 7),
            (#"{"#, .unexpectedEnd, 2),
            (#"{"a":1}}"#, .trailingData, 8),
            (#"{"a":1} x"#, .trailingData, 9),
            (#"{"a":1}{"b":2}"#, .trailingData, 8),
            (#"[1,2]"#, .notAnObject, 1),
            (#"  "x""#, .notAnObject, 3),
            ("hello", .notAnObject, 1),
            ("", .emptyLine, 1),
            (" \t ", .emptyLine, 1),
        ]
    )
    func invalid(line: String, reason: ParseIssue.Reason, column: Int) {
        let parsed = Parsed(line)
        #expect(parsed.issue == ParseIssue(reason, column: column), "\(line)")
        #expect(parsed.names == ["message"])
    }

    /// `{"a":` repeated `depth - 1` times around `{}` closes: an object nested `depth` deep.
    private static func nestedObjects(_ depth: Int) -> String {
        String(repeating: #"{"a":"#, count: depth - 1) + "{}" + String(repeating: "}", count: depth - 1)
    }

    @Test("nesting up to 64 deep is fine; 65 is .tooDeep at the opening bracket")
    func depthLimit() {
        let deepest = Parsed(Self.nestedObjects(64))
        #expect(deepest.issue == nil)
        #expect(deepest.names == [Array(repeating: "a", count: 63).joined(separator: ".")])

        let tooDeep = Parsed(Self.nestedObjects(65))
        #expect(tooDeep.issue == ParseIssue(.tooDeep, column: 64 * 5 + 1))

        let arrays = Parsed(#"{"a":"# + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "}")
        #expect(arrays.issue == nil)
        let deepArrays = Parsed(#"{"a":"# + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "}")
        #expect(deepArrays.issue == ParseIssue(.tooDeep, column: 6 + 63))
        let mixed = Parsed(
            #"{"a":"# + String(repeating: #"[{"b":"#, count: 32) + "1" + String(repeating: "}]", count: 32) + "}"
        )
        #expect(mixed.issue == ParseIssue(.tooDeep, column: 6 + 31 * 6 + 1))
    }

    @Test("a 100,000-deep line fails without exhausting the stack")
    func veryDeep() {
        let parsed = Parsed(String(repeating: "[", count: 100_000))
        #expect(parsed.issue?.reason == .notAnObject)
        let objects = Parsed(String(repeating: #"{"a":"#, count: 100_000))
        #expect(objects.issue == ParseIssue(.tooDeep, column: 64 * 5 + 1))
    }

    @Test(
        "timestamps from the usual keys: RFC 3339, Unix time by digit count",
        arguments: [
            (#"{"ts":"2026-11-01T00:00:00.019Z"}"#, 1_793_491_200_019_000_000, 3),
            (#"{"time":"2026-11-01T05:30:00+05:30"}"#, 1_793_491_200_000_000_000, 0),
            (#"{"@timestamp":"2026-11-01T00:00:00.000123Z"}"#, 1_793_491_200_000_123_000, 6),
            (#"{"ts":1793491200019}"#, 1_793_491_200_019_000_000, 3),
            (#"{"ts":1793491200}"#, 1_793_491_200_000_000_000, 0),
            (#"{"ts":1793491200.5}"#, 1_793_491_200_500_000_000, 1),
            (#"{"ts":1793491200000000001}"#, 1_793_491_200_000_000_001, 9),
            (#"{"ts":"1793491200019"}"#, 1_793_491_200_019_000_000, 3),
            (#"{"Time":"01/Nov/2026:00:00:00 +0000"}"#, 1_793_491_200_000_000_000, 0),
        ] as [(String, Int64, Int8)]
    )
    func timestamps(line: String, nanoseconds: Int64, digits: Int8) {
        let parsed = Parsed(line)
        #expect(parsed.issue == nil)
        #expect(parsed.event.hasTimestamp)
        #expect(parsed.event.timestamp == nanoseconds)
        #expect(parsed.event.timestampDigits == digits)
        // The key stays as written.
        #expect(parsed.fields.count == 1)
    }

    @Test("a time without a zone is read in the context's zone")
    func localTime() {
        let parsed = Parsed(#"{"time":"2026-11-01 01:00:00,250"}"#, zone: TimeZoneRules(name: "X", fixedOffset: 3600))
        #expect(parsed.event.timestamp == 1_793_491_200_250_000_000)
    }

    @Test("the first usual key that reads as a time wins; nested and odd values are ignored")
    func timestampChoice() {
        let first = Parsed(
            #"{"ts":"soon","o":{"ts":1793491200},"time":"2026-11-01T00:00:01Z","@timestamp":1793491299}"#
        )
        #expect(first.event.timestamp == 1_793_491_201_000_000_000)
        #expect(first.names == ["ts", "o.ts", "time", "@timestamp"])
        let none = Parsed(#"{"ts":true,"time":"2026-11-01T00:00:01Z trailing","t":1793491200}"#)
        #expect(!none.event.hasTimestamp)
        let escaped = Parsed(#"{"ts":"2026-11-01T00:00:01\u005A"}"#)
        #expect(!escaped.event.hasTimestamp)
    }

    @Test("a `timestamp` key is the event timestamp itself, and wins over `ts`")
    func timestampKey() {
        let parsed = Parsed(#"{"ts":1793491200,"timestamp":"2026-11-01T00:00:09Z","x":1}"#)
        #expect(parsed.event.timestamp == 1_793_491_209_000_000_000)
        #expect(parsed.names == ["ts", "x"])
        let unreadable = Parsed(#"{"timestamp":"yesterday"}"#)
        #expect(!unreadable.event.hasTimestamp)
        #expect(unreadable.names == ["timestamp"])
    }

    @Test("message from msg, log or message; a `message` key is not duplicated")
    func message() throws {
        let fromLog = Parsed(#"{"log":"line\n","stream":"stdout"}"#)
        #expect(fromLog.names == ["log", "message", "stream"])
        #expect(fromLog.field("message")?.kind == .jsonEscaped)
        #expect(fromLog.string("message") == "line\n")

        let itself = Parsed(#"{"message":"hello","x":1}"#)
        #expect(itself.names == ["message", "x"])

        let both = Parsed(#"{"msg":"short","message":"long form","log":"other"}"#)
        #expect(both.names == ["msg", "message", "log"])
        #expect(both.string("message") == "long form")

        let notString = Parsed(#"{"msg":{"a":1},"log":42,"Message":"text"}"#)
        #expect(notString.names == ["msg.a", "log", "Message", "message"])
        #expect(notString.string("message") == "text")
    }

    @Test(
        "level words are normalized; a `level` key becomes the .level field itself",
        arguments: [
            (#"{"level":"warn"}"#, ["level"], Level.warning),
            (#"{"level":"WARNING"}"#, ["level"], .warning),
            (#"{"lvl":"E"}"#, ["lvl", "level"], .error),
            (#"{"severity":"CRITICAL"}"#, ["severity", "level"], .critical),
            (#"{"loglevel":"fatal"}"#, ["loglevel", "level"], .critical),
            (#"{"log.level":"panic"}"#, ["log.level", "level"], .emergency),
            (#"{"level":30}"#, ["level"], .info),
            (#"{"level":50,"pid":1}"#, ["level", "pid"], .error),
            (#"{"lvl":"debug","level":"info"}"#, ["lvl", "level"], .info),
            (#"{"level":"info","lvl":"debug"}"#, ["level", "lvl"], .info),
        ]
    )
    func levels(line: String, names: [String], level: Level) throws {
        let parsed = Parsed(line)
        #expect(parsed.issue == nil)
        #expect(parsed.names == names)
        let field = try #require(parsed.field("level"))
        #expect(field.kind == .level)
        #expect(field.payload == Int64(level.rawValue))
        #expect(parsed.string("level") == level.description)
    }

    @Test("an unknown level stays a plain field")
    func unknownLevel() {
        let parsed = Parsed(#"{"level":"verbose","lvl":33}"#)
        #expect(parsed.names == ["level", "lvl"])
        #expect(parsed.field("level")?.kind == .text)
        #expect(parsed.field("lvl")?.kind == .integer)
    }

    @Test("usual keys count only at the top level")
    func nestedUsualKeys() {
        let parsed = Parsed(#"{"o":{"msg":"x","level":"error","ts":1793491200}}"#)
        #expect(parsed.names == ["o.msg", "o.level", "o.ts"])
        #expect(!parsed.event.hasTimestamp)
    }

    @Test("the generated sample log matches its ground truth")
    func sampleTruth() throws {
        let options = SampleLogGenerator.Options(
            authLines: 0,
            nginxLines: 0,
            rfc5424Lines: 0,
            logfmtLines: 0,
            malformedRate: 0.01
        )
        let output = SampleLogGenerator(options: options).generateWithTruth()
        let file = output.files[2]
        let truth = output.truth.jsonLines
        var batch = EventBatch()
        let context = ParseContext(referenceTime: 0)
        var driver = BatchParser(parser: JSONLinesParser(context: context))
        driver.parse(lines(of: file), into: &batch)
        let userID = batch.names.intern("user_id")
        let service = batch.names.intern("service")

        let malformed = Set(file.malformedLines.map(\.line))
        #expect(!malformed.isEmpty)
        var parsed = 0
        var levelCounts: [String: Int] = [:]
        var nullUserIDs = 0
        var injected = 0
        var errorsInWindow = 0
        for event in 0..<batch.count {
            let slot = batch.events[event]
            if malformed.contains(Int(batch.lineSlot(of: event).lineNumber)) {
                #expect(slot.issue != nil)
                continue
            }
            #expect(slot.issue == nil, "line \(batch.lineSlot(of: event).lineNumber)")
            parsed += 1
            #expect(slot.hasTimestamp)
            let level = try #require(batch.field(.level, of: event))
            #expect(level.kind == .level)
            let levelWord = String(decoding: batch.rawBytes(level), as: UTF8.self)
            levelCounts[levelWord, default: 0] += 1
            if batch.field(userID, of: event)?.kind == .null { nullUserIDs += 1 }
            let message = try #require(batch.field(.message, of: event))
            if let burst = truth.errorBurst {
                if batch.string(message) == burst.message { injected += 1 }
                let millis = slot.timestamp / 1_000_000
                if levelWord == "error", batch.field(service, of: event).map({ batch.string($0) }) == burst.service,
                    millis >= burst.first, millis <= burst.last
                {
                    errorsInWindow += 1
                }
            }
        }
        #expect(parsed == truth.lines)
        #expect(levelCounts == truth.levelCounts)
        #expect(nullUserIDs == truth.nullUserIDs)
        #expect(injected == truth.errorBurst?.injected)
        #expect(errorsInWindow == truth.errorBurst?.errorsInWindow)
    }

    @Test("every prefix of a valid line fails cleanly")
    func truncatedLines() {
        let line = Array(
            #"{"ts":"2026-11-01T00:00:00.019Z","a":{"b":[1,-2.5e3,"x\"y",{"c":null}],"d":true},"msg":"h\u00e9"}"#.utf8
        )
        for length in 0..<line.count {
            let parsed = Parsed(Array(line[0..<length]))
            let issue = parsed.issue
            #expect(issue != nil, "prefix \(length)")
            #expect((issue?.column ?? 0) >= 1 && (issue?.column ?? 0) <= length + 1, "prefix \(length)")
        }
        #expect(Parsed(line).issue == nil)
    }

    @Test("random and mutated bytes never trap", arguments: [1, 2, 3])
    func randomBytes(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let valid = Array(#"{"ts":1793491200,"a":{"b":[1,"x\u00e9",{"c":null}]},"level":"warn","msg":"hi"}"#.utf8)
        let alphabet = Array(#"{}[]":,\ u0e-+.tfn1"#.utf8)
        for round in 0..<3000 {
            var bytes: [UInt8]
            switch round % 3 {
            case 0:
                bytes = (0..<random.int(in: 0...80)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            case 1:
                bytes = (0..<random.int(in: 0...80)).map { _ in alphabet[random.int(in: 0..<alphabet.count)] }
            default:
                bytes = valid
                for _ in 0..<random.int(in: 1...4) {
                    bytes[random.int(in: 0..<bytes.count)] = alphabet[random.int(in: 0..<alphabet.count)]
                }
            }
            let parsed = Parsed(bytes)
            #expect(parsed.batch.count == 1)
            for field in parsed.fields { #expect(field.range.upperBound <= bytes.count) }
            if let issue = parsed.issue { #expect(issue.column >= 1 && issue.column <= bytes.count + 1) }
        }
    }
}
