import LogboxCore
import LogboxParse
import Testing

private let context = ParseContext(referenceTime: syslogInstant(2026, 11, 15, 0, 0, 0))
private let bom = "\u{FEFF}"

private func parse(_ text: String) -> SyslogLine {
    SyslogLine(text, parser: RFC5424Parser(context: context))
}

private func parse(_ bytes: [UInt8]) -> SyslogLine {
    SyslogLine(bytes, parser: RFC5424Parser(context: context))
}

/// A valid header up to MSGID, for tests about what follows.
private let head = "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "

@Suite("RFC 5424 syslog parser")
struct RFC5424ParserTests {
    // MARK: RFC 5424 §6.5 examples

    @Test("§6.5 example 1: no STRUCTURED-DATA, a BOM before MSG")
    func example1() {
        let line = parse(
            "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \(bom)'su root' failed for lonvick on /dev/pts/8"
        )
        #expect(line.issue == nil)
        #expect(line.names == ["facility", "severity", "level", "host", "program", "msgid", "message"])
        #expect(line.integer("facility") == 4)
        #expect(line.integer("severity") == 2)
        #expect(line.level == .critical)
        #expect(
            line.timestamp
                == TimestampValue(
                    nanoseconds: syslogInstant(2003, 10, 11, 22, 14, 15, nanoseconds: 3_000_000),
                    fractionDigits: 3
                )
        )
        #expect(line.string("host") == "mymachine.example.com")
        #expect(line.string("program") == "su")
        #expect(line.field("pid") == nil)
        #expect(line.string("msgid") == "ID47")
        #expect(line.string("message") == "'su root' failed for lonvick on /dev/pts/8")
    }

    @Test("§6.5 example 2: a numeric offset, six fraction digits, a numeric PROCID, NILVALUE MSGID and SD")
    func example2() {
        let line = parse(
            "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts."
        )
        #expect(line.issue == nil)
        #expect(line.names == ["facility", "severity", "level", "host", "program", "pid", "message"])
        #expect(line.integer("facility") == 20)
        #expect(line.integer("severity") == 5)
        #expect(line.level == .notice)
        #expect(
            line.timestamp
                == TimestampValue(
                    nanoseconds: syslogInstant(2003, 8, 24, 12, 14, 15, nanoseconds: 3_000),
                    fractionDigits: 6
                )
        )
        #expect(line.string("host") == "192.0.2.1")
        #expect(line.string("program") == "myproc")
        #expect(line.integer("pid") == 8710)
        #expect(line.field("msgid") == nil)
        #expect(line.string("message") == "%% It's time to make the do-nuts.")
    }

    @Test("§6.5 example 3: one SD-ELEMENT with three parameters, then a BOM and MSG")
    func example3() {
        let line = parse(
            head + #"[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] "# + bom
                + "An application event log entry..."
        )
        #expect(line.issue == nil)
        #expect(
            line.names == [
                "facility", "severity", "level", "host", "program", "msgid", "sd.exampleSDID@32473.iut",
                "sd.exampleSDID@32473.eventSource", "sd.exampleSDID@32473.eventID", "message",
            ]
        )
        #expect(line.integer("facility") == 20)
        #expect(line.integer("severity") == 5)
        #expect(line.level == .notice)
        #expect(
            line.timestamp
                == TimestampValue(
                    nanoseconds: syslogInstant(2003, 10, 11, 22, 14, 15, nanoseconds: 3_000_000),
                    fractionDigits: 3
                )
        )
        #expect(line.string("host") == "mymachine.example.com")
        #expect(line.string("program") == "evntslog")
        #expect(line.field("pid") == nil)
        #expect(line.string("msgid") == "ID47")
        #expect(line.string("sd.exampleSDID@32473.iut") == "3")
        #expect(line.field("sd.exampleSDID@32473.iut")?.kind == .integer)
        #expect(line.field("sd.exampleSDID@32473.iut")?.payload == 3)
        #expect(line.field("sd.exampleSDID@32473.eventSource")?.kind == .text)
        #expect(line.string("sd.exampleSDID@32473.eventSource") == "Application")
        #expect(line.string("sd.exampleSDID@32473.eventID") == "1011")
        #expect(line.string("message") == "An application event log entry...")
    }

    @Test("§6.5 example 4: two SD-ELEMENTs and no MSG")
    func example4() {
        let line = parse(
            head
                + #"[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]"#
        )
        #expect(line.issue == nil)
        #expect(
            line.names == [
                "facility", "severity", "level", "host", "program", "msgid", "sd.exampleSDID@32473.iut",
                "sd.exampleSDID@32473.eventSource", "sd.exampleSDID@32473.eventID", "sd.examplePriority@32473.class",
                "message",
            ]
        )
        #expect(line.integer("facility") == 20)
        #expect(line.integer("severity") == 5)
        #expect(line.string("host") == "mymachine.example.com")
        #expect(line.string("program") == "evntslog")
        #expect(line.string("msgid") == "ID47")
        #expect(line.string("sd.exampleSDID@32473.iut") == "3")
        #expect(line.string("sd.exampleSDID@32473.eventSource") == "Application")
        #expect(line.string("sd.exampleSDID@32473.eventID") == "1011")
        #expect(line.string("sd.examplePriority@32473.class") == "high")
        #expect(line.string("message") == "")
        #expect(line.timestamp?.fractionDigits == 3)
    }

    // MARK: PRI and VERSION

    @Test(
        "a bad PRI is rejected at its column",
        arguments: [
            ("<192>1 - - - - - -", 2), ("<abc>1 - - - - - -", 2), ("<1", 3), ("<034>1 - - - - - -", 2),
            ("<00>1 - - - - - -", 2), ("34>1 - - - - - -", 1), ("<1234>1 - - - - - -", 5), ("<>1 - - - - - -", 2),
        ]
    )
    func badPriority(text: String, column: Int) {
        let line = parse(text)
        #expect(line.issue == ParseIssue(.badPriority, column: column))
        #expect(line.names == ["message"])
    }

    @Test("PRI extremes", arguments: [("<0>", Int64(0), Int64(0), Level.emergency), ("<191>", 23, 7, .debug)])
    func priorityExtremes(pri: String, facility: Int64, severity: Int64, level: Level) {
        let line = parse(pri + "1 - - - - - -")
        #expect(line.issue == nil)
        #expect(line.integer("facility") == facility)
        #expect(line.integer("severity") == severity)
        #expect(line.level == level)
    }

    @Test(
        "a VERSION other than 1 is rejected at its column",
        arguments: [
            ("<34>2 - - - - - -", ParseIssue.Reason.badVersion, 5), ("<34>11 - - - - - -", .badVersion, 5),
            ("<34>0 - - - - - -", .badVersion, 5), ("<34>1x - - - - -", .badVersion, 5),
            ("<34> - - - - - -", .badVersion, 5), ("<34>", .unexpectedEnd, 5), ("<34>1", .unexpectedEnd, 6),
        ]
    )
    func badVersion(text: String, reason: ParseIssue.Reason, column: Int) {
        #expect(parse(text).issue == ParseIssue(reason, column: column))
    }

    // MARK: NILVALUE and header limits

    @Test(
        "NILVALUE in each header field leaves that field out",
        arguments: [
            (0, "timestamp"), (1, "host"), (2, "program"), (3, "pid"), (4, "msgid"),
        ]
    )
    func nilValue(index: Int, field: String) {
        var parts = ["2026-11-01T00:02:41Z", "web-01", "app", "42", "MSG1"]
        parts[index] = "-"
        let line = parse("<13>1 " + parts.joined(separator: " ") + " - text")
        #expect(line.issue == nil)
        let all: [(String, String)] = [("host", "web-01"), ("program", "app"), ("pid", "42"), ("msgid", "MSG1")]
        for (name, value) in all {
            #expect(line.string(name) == (name == field ? nil : value))
        }
        #expect((line.timestamp == nil) == (field == "timestamp"))
        #expect(line.string("message") == "text")
    }

    @Test("every header field NILVALUE, no SD, no MSG")
    func allNil() {
        let line = parse("<13>1 - - - - - -")
        #expect(line.issue == nil)
        #expect(line.names == ["facility", "severity", "level", "message"])
        #expect(line.string("message") == "")
        #expect(line.timestamp == nil)
    }

    @Test(
        "header fields up to their RFC lengths are accepted",
        arguments: [(0, 255), (1, 48), (2, 128), (3, 32)]
    )
    func maximumLengths(index: Int, length: Int) {
        var parts = ["h", "a", "p", "m"]
        parts[index] = String(repeating: "x", count: length)
        let line = parse("<13>1 - " + parts.joined(separator: " ") + " - m")
        #expect(line.issue == nil)
        let names = ["host", "program", "pid", "msgid"]
        #expect(line.string(names[index])?.utf8.count == length)
    }

    @Test(
        "header fields over their RFC lengths are rejected at the first byte over",
        arguments: [
            (0, 256, ParseIssue.Reason.badHostname), (1, 49, .badAppName), (2, 129, .badProcessID),
            (3, 33, .badMessageID),
        ]
    )
    func overLength(index: Int, length: Int, reason: ParseIssue.Reason) {
        var parts = ["h", "a", "p", "m"]
        parts[index] = String(repeating: "x", count: length)
        let prefix = "<13>1 - " + parts[0..<index].map { $0 + " " }.joined()
        let line = parse(prefix + parts[index...].joined(separator: " ") + " - m")
        #expect(line.issue == ParseIssue(reason, column: prefix.utf8.count + length))
        #expect(line.names == ["message"])
    }

    @Test(
        "a byte outside PRINTUSASCII in a header field is rejected at its column",
        arguments: [
            ("<13>1 - h\u{E9}st a p m - x", ParseIssue.Reason.badHostname, 10),
            ("<13>1 - h \u{7F}pp p m - x", .badAppName, 11),
            ("<13>1 - h a p\tq m - x", .badProcessID, 14),
            ("<13>1 - h a p m\u{A0}x - x", .badMessageID, 16),
        ]
    )
    func nonPrintable(text: String, reason: ParseIssue.Reason, column: Int) {
        #expect(parse(text).issue == ParseIssue(reason, column: column))
    }

    @Test(
        "an empty header field (two spaces) is rejected at its column",
        arguments: [
            ("<13>1 -  a p m - x", ParseIssue.Reason.badHostname, 9), ("<13>1 - h  p m - x", .badAppName, 11),
            ("<13>1 - h a  m - x", .badProcessID, 13), ("<13>1 - h a p  - x", .badMessageID, 15),
            ("<13>1  h a p m - x", .badTimestamp, 7),
        ]
    )
    func emptyField(text: String, reason: ParseIssue.Reason, column: Int) {
        #expect(parse(text).issue == ParseIssue(reason, column: column))
    }

    @Test(
        "the line ends inside the header",
        arguments: [
            "<13>1 -", "<13>1 - ", "<13>1 - h", "<13>1 - h a", "<13>1 - h a p", "<13>1 - h a p m", "<13>1 - h a p m ",
        ]
    )
    func truncatedHeader(text: String) {
        #expect(parse(text).issue == ParseIssue(.unexpectedEnd, column: text.utf8.count + 1))
    }

    @Test("a PROCID that is not a number stays text")
    func textPid() {
        let line = parse("<13>1 - h app worker-7 - - m")
        #expect(line.field("pid")?.kind == .text)
        #expect(line.string("pid") == "worker-7")
        let zero = parse("<13>1 - h app 0 - - m")
        #expect(zero.integer("pid") == 0)
    }

    // MARK: TIMESTAMP

    @Test(
        "fractions of 0 to 9 digits and offsets, to the nanosecond",
        arguments: [
            ("2026-11-01T00:02:41Z", syslogInstant(2026, 11, 1, 0, 2, 41), Int8(0)),
            ("2026-11-01T00:02:41.019Z", syslogInstant(2026, 11, 1, 0, 2, 41, nanoseconds: 19_000_000), 3),
            ("2026-11-01T00:02:41.019+05:30", syslogInstant(2026, 10, 31, 18, 32, 41, nanoseconds: 19_000_000), 3),
            ("2026-11-01T00:02:41.123456Z", syslogInstant(2026, 11, 1, 0, 2, 41, nanoseconds: 123_456_000), 6),
            ("2026-11-01T00:02:41.000001-08:00", syslogInstant(2026, 11, 1, 8, 2, 41, nanoseconds: 1_000), 6),
            (
                "2026-11-01T00:02:41.123456789+01:00",
                syslogInstant(2026, 10, 31, 23, 2, 41, nanoseconds: 123_456_789), 9
            ),
            ("1985-04-12T23:20:50.52Z", syslogInstant(1985, 4, 12, 23, 20, 50, nanoseconds: 520_000_000), 2),
            ("1985-04-12T19:20:50.52-04:00", syslogInstant(1985, 4, 12, 23, 20, 50, nanoseconds: 520_000_000), 2),
        ] as [(String, Int64, Int8)]
    )
    func timestamps(stamp: String, nanoseconds: Int64, digits: Int8) {
        let line = parse("<13>1 \(stamp) h a - - - m")
        #expect(line.issue == nil)
        #expect(line.timestamp == TimestampValue(nanoseconds: nanoseconds, fractionDigits: digits))
        #expect(line.string("host") == "h")
    }

    @Test(
        "a bad TIMESTAMP is rejected at its first byte",
        arguments: [
            "2026-11-01T00:02:41", "2026-11-01T00:02:41.1234567890Z", "2026-13-01T00:02:41Z", "2026-11-01 00:02:41Z",
            "2026-11-01T00:02:41Zx", "Nov  1 00:02:41", "-x", "2026-11-01T24:00:00Z", "2026-11-01",
        ]
    )
    func badTimestamp(stamp: String) {
        let line = parse("<13>1 \(stamp) h a - - - m")
        #expect(line.issue == ParseIssue(.badTimestamp, column: 7))
        #expect(line.timestamp == nil)
    }

    // MARK: STRUCTURED-DATA

    @Test("escaped `\\\"`, `\\\\` and `\\]` decode; other backslashes stay; the raw span is between the quotes")
    func escapes() throws {
        let sd =
            #"[audit@32473 cmd="grep \"ERROR\" /var/log/app.log" pattern="[a-z\]+" path="C:\\logs\\app" lit="a\nb"]"#
        let line = parse(head + sd + " done")
        #expect(line.issue == nil)
        #expect(line.string("sd.audit@32473.cmd") == #"grep "ERROR" /var/log/app.log"#)
        #expect(line.raw("sd.audit@32473.cmd") == #"grep \"ERROR\" /var/log/app.log"#)
        #expect(line.string("sd.audit@32473.pattern") == "[a-z]+")
        #expect(line.string("sd.audit@32473.path") == #"C:\logs\app"#)
        #expect(line.string("sd.audit@32473.lit") == #"a\nb"#)
        for name in ["cmd", "pattern", "path"] {
            #expect(line.field("sd.audit@32473." + name)?.kind == .structuredDataEscaped)
        }
        #expect(line.field("sd.audit@32473.lit")?.kind == .text)  // `\n` is no escape in RFC 5424
        #expect(line.string("message") == "done")
    }

    @Test("a value ending in an escaped backslash, and an empty value")
    func escapeAtEnd() {
        let line = parse(head + #"[test@32473 note="backslash \\" empty=""] m"#)
        #expect(line.issue == nil)
        #expect(line.string("sd.test@32473.note") == #"backslash \"#)
        #expect(line.string("sd.test@32473.empty") == "")
        #expect(line.field("sd.test@32473.empty")?.length == 0)
        #expect(line.string("message") == "m")
    }

    @Test("an SD-ELEMENT without parameters is valid and yields no field")
    func elementWithoutParameters() {
        let line = parse(head + #"[origin][meta sequenceId="7"][timeQuality] m"#)
        #expect(line.issue == nil)
        #expect(
            line.names == [
                "facility", "severity", "level", "host", "program", "msgid", "sd.meta.sequenceId", "message",
            ]
        )
        #expect(line.string("sd.meta.sequenceId") == "7")
        #expect(line.string("message") == "m")
    }

    @Test("non-ASCII UTF-8 in values")
    func nonASCIIValues() {
        let line = parse(head + #"[user@32473 name="José Müller" city="Zürich"] m"#)
        #expect(line.issue == nil)
        #expect(line.string("sd.user@32473.name") == "José Müller")
        #expect(line.string("sd.user@32473.city") == "Zürich")
    }

    @Test("an unescaped `]` inside quotes is read as part of the value")
    func bracketInValue() {
        let line = parse(head + #"[x a="b]c"] m"#)
        #expect(line.issue == nil)
        #expect(line.string("sd.x.a") == "b]c")
    }

    @Test("names are interned once: the same name in two events has one id")
    func interning() {
        var lines = LineBatch()
        let text = head + #"[exampleSDID@32473 iut="3"] m"#
        lines.append(Array(text.utf8), lineNumber: 1, sourceOffset: 0)
        lines.append(Array(text.utf8), lineNumber: 2, sourceOffset: 0)
        var driver = BatchParser(parser: RFC5424Parser(context: context))
        var batch = EventBatch()
        driver.parse(lines, into: &batch)
        let names = batch.names.count
        let first = batch.fields(of: 0).first { batch.names.name($0.name) == "sd.exampleSDID@32473.iut" }
        let second = batch.fields(of: 1).first { batch.names.name($0.name) == "sd.exampleSDID@32473.iut" }
        #expect(first != nil && first?.name == second?.name)
        driver.parse(lines, into: &batch)
        #expect(batch.names.count == names)
    }

    @Test(
        "STRUCTURED-DATA that breaks the grammar is rejected at the offending byte",
        arguments: [
            (#"x"#, ParseIssue.Reason.badStructuredData, 0),
            (#"[]"#, .badStructuredData, 1),
            (#"[ a="1"]"#, .badStructuredData, 1),
            (#"[id a=1]"#, .badStructuredData, 6),
            (#"[id a"1"]"#, .badStructuredData, 5),
            (#"[id a="1"x]"#, .badStructuredData, 9),
            (#"[id  a="1"]"#, .badStructuredData, 4),
            (#"[id a="1"]x"#, .badStructuredData, 10),
            (#"-x"#, .badStructuredData, 1),
            (#"[id ="1"]"#, .badStructuredData, 4),
            (#"[i"d a="1"]"#, .badStructuredData, 2),
            (#"[id a="1""#, .unexpectedEnd, 9),
            (#"[id"#, .unexpectedEnd, 3),
            (#"["#, .unexpectedEnd, 1),
            (#"[id a="1]"#, .unterminatedQuote, 6),
            (#"[id a="1\"]"#, .unterminatedQuote, 6),
            ("[id a\u{E9}=\"1\"]", .badStructuredData, 5),
            ("[" + String(repeating: "n", count: 33) + "]", .badStructuredData, 33),
            ("[id " + String(repeating: "p", count: 33) + "=\"1\"]", .badStructuredData, 36),
        ]
    )
    func badStructuredData(sd: String, reason: ParseIssue.Reason, offset: Int) {
        let line = parse(head + sd)
        #expect(line.issue == ParseIssue(reason, column: head.utf8.count + offset + 1))
        #expect(line.names == ["message"])
    }

    @Test("SD-NAMEs of 32 bytes are accepted")
    func longestNames() {
        let id = String(repeating: "i", count: 32)
        let param = String(repeating: "p", count: 32)
        let line = parse(head + "[\(id) \(param)=\"v\"]")
        #expect(line.issue == nil)
        #expect(line.string("sd.\(id).\(param)") == "v")
    }

    // MARK: MSG

    @Test(
        "no MSG: the line ends after STRUCTURED-DATA, or after it and one space",
        arguments: ["-", "- ", #"[a b="c"]"#, #"[a b="c"] "#]
    )
    func noMessage(sd: String) throws {
        let text = head + sd
        let line = parse(text)
        #expect(line.issue == nil)
        let message = try #require(line.field("message"))
        #expect(message.length == 0)
        #expect(message.range.lowerBound == text.utf8.count)
    }

    @Test("a BOM is skipped; one without text leaves an empty message; a BOM later on is kept")
    func byteOrderMark() throws {
        let only = parse(head + "- " + bom)
        #expect(only.issue == nil)
        #expect(only.string("message") == "")
        let twice = parse(head + "- " + bom + bom + "x")
        #expect(twice.string("message") == bom + "x")
        let partial = parse(Array((head + "- ").utf8) + [0xEF, 0xBB, 0x41])
        #expect(partial.issue == ParseIssue(.invalidUTF8, column: head.utf8.count + 3))
        #expect(partial.field("message")?.length == 3)
        let message = try #require(parse(head + "- " + bom + "hi").field("message"))
        #expect(message.range == head.utf8.count + 5..<head.utf8.count + 7)
    }

    @Test("MSG keeps every byte after the one space, spaces included")
    func messageBytes() {
        let line = parse(head + "-   spaced  out ")
        #expect(line.string("message") == "  spaced  out ")
    }

    @Test("field ranges point into the line")
    func ranges() throws {
        let line = parse("<13>1 2026-11-01T00:02:41Z web-01 app 42 MID [x y=\"val\"] msg")
        #expect(line.field("facility")?.range == 1..<3)
        #expect(line.field("host")?.range == 27..<33)
        #expect(line.field("program")?.range == 34..<37)
        #expect(line.field("pid")?.range == 38..<40)
        #expect(line.field("msgid")?.range == 41..<44)
        #expect(line.field("sd.x.y")?.range == 51..<54)
        #expect(line.field("message")?.range == 57..<60)
        #expect(line.rangesInsideLine)
    }

    @Test("an empty line")
    func emptyLine() {
        #expect(parse("").issue == ParseIssue(.emptyLine, column: 1))
    }
}
