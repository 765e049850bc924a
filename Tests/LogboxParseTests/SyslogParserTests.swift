import LogboxCore
import LogboxParse
import Testing

/// One line run through `BatchParser` with a syslog parser, and ways to read its event.
///
/// Shared by the RFC 3164, RFC 5424 and syslog suites.
struct SyslogLine {
    var batch: EventBatch
    var lineLength: Int

    init(_ bytes: [UInt8], parser: some LogParser) {
        var lines = LineBatch()
        lines.append(bytes, lineNumber: 1, sourceOffset: 0)
        var driver = BatchParser(parser: parser)
        self.batch = EventBatch()
        self.lineLength = bytes.count
        driver.parse(lines, into: &self.batch)
    }

    init(_ text: String, parser: some LogParser) { self.init(Array(text.utf8), parser: parser) }

    var event: EventSlot { self.batch.events[0] }
    var issue: ParseIssue? { self.event.issue }
    var fields: [FieldSlot] { Array(self.batch.fields(of: 0)) }
    var names: [String] { self.fields.map { self.batch.names.name($0.name) } }
    func field(_ name: String) -> FieldSlot? { self.fields.first { self.batch.names.name($0.name) == name } }
    /// The value as text, escapes decoded.
    func string(_ name: String) -> String? { self.field(name).map { self.batch.string($0) } }
    /// The value's bytes as written in the line.
    func raw(_ name: String) -> String? {
        self.field(name).map { String(decoding: self.batch.rawBytes($0), as: UTF8.self) }
    }
    /// The value when it was typed as an integer.
    func integer(_ name: String) -> Int64? {
        guard let field = self.field(name), field.kind == .integer else { return nil }
        return field.payload
    }
    var level: Level? {
        guard let field = self.field("level"), field.kind == .level else { return nil }
        return Level(rawValue: UInt8(truncatingIfNeeded: field.payload))
    }
    var timestamp: TimestampValue? {
        self.event.hasTimestamp
            ? TimestampValue(nanoseconds: self.event.timestamp, fractionDigits: self.event.timestampDigits) : nil
    }
    /// Whether every field's range lies inside the line (the driver's line starts at offset 0).
    var rangesInsideLine: Bool {
        self.fields.allSatisfy { $0.start >= 0 && $0.length >= 0 && Int($0.start) + Int($0.length) <= self.lineLength }
    }
}

/// Nanoseconds since the epoch of a UTC date and time.
func syslogInstant(
    _ year: Int64,
    _ month: Int,
    _ day: Int,
    _ hour: Int,
    _ minute: Int,
    _ second: Int,
    nanoseconds: Int64 = 0
) -> Int64 {
    secondsFromCivil(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        * 1_000_000_000 + nanoseconds
}

@Suite("syslog parser (either RFC per line)")
struct SyslogParserTests {
    static let context = ParseContext(referenceTime: syslogInstant(2026, 11, 15, 0, 0, 0))

    @Test("the names config and the CLI use")
    func names() {
        #expect(SyslogParser(context: Self.context).name == "syslog")
        #expect(RFC3164Parser(context: Self.context).name == "rfc3164")
        #expect(RFC5424Parser(context: Self.context).name == "rfc5424")
    }

    @Test(
        "tells RFC 5424 from RFC 3164 by `<PRI>1 `",
        arguments: [
            ("<34>1 2003-10-11T22:14:15.003Z host su - ID47 - msg", true),
            ("<0>1 - - - - - -", true),
            ("<191>1 - - - - - -", true),
            ("<34>Oct 11 22:14:15 mymachine su: msg", false),
            ("<34>2026-11-01T00:02:41Z host su: msg", false),
            ("Oct 11 22:14:15 mymachine su: msg", false),
            ("<34>1", false),
            ("<34>10 x", false),
            ("<1234>1 x", false),
            ("<>1 x", false),
            ("", false),
        ]
    )
    func detection(text: String, isRFC5424: Bool) {
        let bytes = Array(text.utf8)
        #expect(SyslogParser.isRFC5424(bytes.span) == isRFC5424)
    }

    @Test("an RFC 5424 line goes to the RFC 5424 grammar")
    func rfc5424Line() {
        let line = SyslogLine(
            "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
            parser: SyslogParser(context: Self.context)
        )
        #expect(line.issue == nil)
        #expect(line.string("host") == "192.0.2.1")
        #expect(line.string("program") == "myproc")
        #expect(line.integer("pid") == 8710)
        #expect(line.string("message") == "%% It's time to make the do-nuts.")
        #expect(
            line.timestamp
                == TimestampValue(
                    nanoseconds: syslogInstant(2003, 8, 24, 12, 14, 15, nanoseconds: 3000),
                    fractionDigits: 6
                )
        )
    }

    @Test("an RFC 3164 line goes to the BSD parser, with the context's year")
    func rfc3164Line() {
        let line = SyslogLine(
            "<38>Nov  1 00:02:41 web-01 sshd[4242]: Accepted publickey for deploy",
            parser: SyslogParser(context: Self.context)
        )
        #expect(line.issue == nil)
        #expect(line.integer("facility") == 4)
        #expect(line.integer("severity") == 6)
        #expect(line.string("host") == "web-01")
        #expect(line.string("program") == "sshd")
        #expect(line.integer("pid") == 4242)
        #expect(line.string("message") == "Accepted publickey for deploy")
        #expect(line.timestamp == TimestampValue(nanoseconds: syslogInstant(2026, 11, 1, 0, 2, 41)))
    }

    @Test("mixed lines in one batch each take their own grammar")
    func mixedBatch() {
        var lines = LineBatch()
        let texts = [
            "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - hello",
            "<34>Oct 11 22:14:15 mymachine su: hello",
            "not syslog at all",
            "<13>1 2026-11-01T00:00:00Z h a - - [x y=\"1\"] bye",
        ]
        for (index, text) in texts.enumerated() {
            lines.append(Array(text.utf8), lineNumber: Int64(index + 1), sourceOffset: 0)
        }
        var driver = BatchParser(parser: SyslogParser(context: Self.context))
        var batch = EventBatch()
        driver.parse(lines, into: &batch)
        #expect(batch.count == 4)
        #expect(batch.events.map { $0.issue?.reason } == [nil, nil, .badTimestamp, nil])
        let messages = (0..<4).map { event in batch.field(.message, of: event).map { batch.string($0) } }
        #expect(messages == ["hello", "hello", "not syslog at all", "bye"])
        #expect(batch.field(.msgid, of: 0).map { batch.string($0) } == "ID47")
        #expect(batch.field(.msgid, of: 1) == nil)
        #expect(driver.stats.parsed == 3)
    }

    @Test("a 5424-looking line with a broken header is kept with the reason, not read as 3164")
    func brokenRFC5424() {
        let line = SyslogLine(
            "<34>1 2003-10-11T22:14:15.003Z host su - ID47 x msg",
            parser: SyslogParser(context: Self.context)
        )
        #expect(line.issue == ParseIssue(.badStructuredData, column: 47))
        #expect(line.names == ["message"])
    }
}
