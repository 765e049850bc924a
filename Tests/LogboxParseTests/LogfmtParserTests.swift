import LogboxCore
import LogboxParse
import Testing

/// One line run through `BatchParser` with a `LogfmtParser`, and ways to read its event.
private struct Parsed {
    var batch: EventBatch

    init(_ bytes: [UInt8]) {
        var lines = LineBatch()
        lines.append(bytes, lineNumber: 1, sourceOffset: 0)
        var driver = BatchParser(parser: LogfmtParser(context: ParseContext(referenceTime: 1_793_491_200_000_000_000)))
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

@Suite("logfmt parser")
struct LogfmtParserTests {
    @Test("a typical line: pairs in order, typed, with timestamp, message and level")
    func typicalLine() throws {
        let line =
            #"ts=2026-11-01T00:00:00.058Z level=error service=api caller=server.go:133 msg="request failed" status=500 took=0.25 err="pq: duplicate key \"orders_pkey\"" dry_run trace_id=e91d8b9d"#
        let parsed = Parsed(line)
        #expect(parsed.issue == nil)
        #expect(
            parsed.names == [
                "ts", "level", "service", "caller", "msg", "message", "status", "took", "err", "dry_run", "trace_id",
            ]
        )
        #expect(parsed.event.timestamp == 1_793_491_200_058_000_000)
        #expect(parsed.event.timestampDigits == 3)
        let level = try #require(parsed.field("level"))
        #expect(level.kind == .level && level.payload == Int64(Level.error.rawValue))
        #expect(parsed.raw("level") == "error")
        #expect(parsed.string("caller") == "server.go:133")
        #expect(parsed.string("msg") == "request failed")
        #expect(parsed.field("msg")?.kind == .text)
        #expect(parsed.string("message") == "request failed")
        #expect(parsed.field("status")?.kind == .integer && parsed.field("status")?.payload == 500)
        #expect(parsed.field("took")?.kind == .decimal && parsed.field("took")?.number == 0.25)
        #expect(parsed.field("err")?.kind == .jsonEscaped)
        #expect(parsed.string("err") == #"pq: duplicate key "orders_pkey""#)
        let flag = try #require(parsed.field("dry_run"))
        #expect(flag.kind == .boolean && flag.payload == 1)
        #expect(parsed.string("dry_run") == "true")
    }

    @Test("`key=` is an empty text value; a quoted value keeps `=` and spaces")
    func emptyAndQuoted() {
        let parsed = Parsed(#"error= a="x=1 y=2" b="" c=d"#)
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["error", "a", "b", "c"])
        #expect(parsed.field("error")?.kind == .text && parsed.raw("error") == "")
        #expect(parsed.string("a") == "x=1 y=2")
        #expect(parsed.string("b") == "")
        #expect(parsed.string("c") == "d")
    }

    @Test(
        "bare values are typed per DESIGN.md; quoted ones stay text",
        arguments: [
            ("42", ValueKind.integer), ("-7", .integer), ("0", .integer), ("007", .text), ("1.5", .decimal),
            ("-2e3", .decimal), ("1e400", .text), ("99999999999999999999", .text), ("true", .boolean),
            ("false", .boolean), ("True", .text), ("null", .text), ("12ab", .text), ("\"42\"", .text),
        ]
    )
    func typing(value: String, kind: ValueKind) {
        let parsed = Parsed("v=" + value)
        #expect(parsed.issue == nil)
        #expect(parsed.field("v")?.kind == kind)
    }

    @Test("non-ASCII values and tabs between pairs")
    func nonASCII() {
        let parsed = Parsed("city=Z\u{FC}rich\tname=\"J\u{F6}rg M\"")
        #expect(parsed.issue == nil)
        #expect(parsed.string("city") == "Z\u{FC}rich")
        #expect(parsed.string("name") == "J\u{F6}rg M")
    }

    @Test("`time`, `lvl` and `message` are usual keys too")
    func usualKeys() throws {
        let parsed = Parsed(#"time=1793491200123 lvl=WARN message="disk full" msg=short"#)
        #expect(parsed.event.timestamp == 1_793_491_200_123_000_000)
        #expect(parsed.names == ["time", "lvl", "level", "message", "msg"])
        #expect(parsed.string("level") == "warning")
        #expect(parsed.string("message") == "disk full")
    }

    @Test(
        "errors give the reason and column",
        arguments: [
            (#"a=1 msg="unterminated"#, ParseIssue.Reason.unterminatedQuote, 9),
            (#"a="x\""#, .unterminatedQuote, 3),
            (#"a="x"b=1"#, .missingSpace, 6),
            (#"a=1 =2"#, .noKeyValue, 5),
            (#"a=1 b"c=2"#, .noKeyValue, 6),
            ("just some words", .noKeyValue, 1),
            ("flag", .noKeyValue, 1),
            ("", .emptyLine, 1),
            ("   ", .emptyLine, 1),
        ]
    )
    func errors(line: String, reason: ParseIssue.Reason, column: Int) {
        let parsed = Parsed(line)
        #expect(parsed.issue == ParseIssue(reason, column: column), "\(line)")
        #expect(parsed.names == ["message"])
    }

    @Test("the generated sample log matches its ground truth")
    func sampleTruth() throws {
        let options = SampleLogGenerator.Options(
            authLines: 0,
            nginxLines: 0,
            jsonLines: 0,
            rfc5424Lines: 0,
            malformedRate: 0.01
        )
        let output = SampleLogGenerator(options: options).generateWithTruth()
        let file = output.files[4]
        let truth = output.truth.logfmt
        var batch = EventBatch()
        var driver = BatchParser(parser: LogfmtParser(context: ParseContext(referenceTime: 0)))
        driver.parse(lines(of: file), into: &batch)

        let malformed = Set(file.malformedLines.map(\.line))
        var parsed = 0
        var levelCounts: [String: Int] = [:]
        for event in 0..<batch.count where !malformed.contains(Int(batch.lineSlot(of: event).lineNumber)) {
            let slot = batch.events[event]
            #expect(slot.issue == nil, "line \(batch.lineSlot(of: event).lineNumber)")
            parsed += 1
            #expect(slot.hasTimestamp)
            let level = try #require(batch.field(.level, of: event))
            #expect(level.kind == .level)
            levelCounts[String(decoding: batch.rawBytes(level), as: UTF8.self), default: 0] += 1
            #expect(batch.field(.message, of: event) != nil)
        }
        #expect(parsed == truth.lines)
        #expect(levelCounts == truth.levelCounts)
    }

    @Test("every prefix of a valid line parses or fails cleanly")
    func truncatedLines() {
        let line = Array(#"ts=2026-11-01T00:00:00.058Z msg="a \"b\" c" n=5 flag"#.utf8)
        for length in 0...line.count {
            let parsed = Parsed(Array(line[0..<length]))
            if let issue = parsed.issue {
                #expect(issue.column >= 1 && issue.column <= length + 1, "prefix \(length)")
            } else {
                for field in parsed.fields { #expect(field.range.upperBound <= length) }
            }
        }
    }

    @Test("random and mutated bytes never trap", arguments: [1, 2, 3])
    func randomBytes(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let alphabet = Array(#"a= "\ 1.-ts"#.utf8) + [0x09, 0xFF]
        for round in 0..<3000 {
            let bytes: [UInt8] = (0..<random.int(in: 0...60)).map { _ in
                round % 2 == 0 ? UInt8(truncatingIfNeeded: random.next()) : alphabet[random.int(in: 0..<alphabet.count)]
            }
            let parsed = Parsed(bytes)
            #expect(parsed.batch.count == 1)
            for field in parsed.fields { #expect(field.range.upperBound <= bytes.count) }
        }
    }
}
