import LogboxCore
import LogboxParse
import Testing

/// 2026-11-15T00:00:00Z: BSD timestamps of the past year read as 2026.
private let reference = syslogInstant(2026, 11, 15, 0, 0, 0)

private func parse(_ text: String, reference: Int64 = reference, zone: TimeZoneRules = .utc) -> SyslogLine {
    SyslogLine(text, parser: RFC3164Parser(context: ParseContext(zone: zone, referenceTime: reference)))
}

private func parse(_ bytes: [UInt8]) -> SyslogLine {
    SyslogLine(bytes, parser: RFC3164Parser(context: ParseContext(referenceTime: reference)))
}

@Suite("RFC 3164 (BSD syslog) parser")
struct RFC3164ParserTests {
    // MARK: RFC 3164 §5.4 examples

    @Test("§5.4 example 1: PRI, timestamp, hostname, tag, message")
    func example1() {
        let line = parse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8")
        #expect(line.issue == nil)
        #expect(line.names == ["facility", "severity", "level", "host", "program", "message"])
        #expect(line.integer("facility") == 4)
        #expect(line.integer("severity") == 2)
        #expect(line.level == .critical)
        #expect(line.raw("facility") == "34")
        #expect(line.raw("level") == "")
        #expect(line.timestamp == TimestampValue(nanoseconds: syslogInstant(2026, 10, 11, 22, 14, 15)))
        #expect(line.string("host") == "mymachine")
        #expect(line.string("program") == "su")
        #expect(line.field("pid") == nil)
        #expect(line.string("message") == "'su root' failed for lonvick on /dev/pts/8")
    }

    @Test("§5.4 example 2: without PRI and timestamp the line is rejected at column 1")
    func example2Original() {
        let line = parse("Use the BFG!")
        #expect(line.issue == ParseIssue(.badTimestamp, column: 1))
        #expect(line.names == ["message"])
        #expect(line.string("message") == "Use the BFG!")
    }

    @Test("§5.4 example 2 as relayed: an IP address as hostname, no tag")
    func example2Relayed() {
        let line = parse("<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!")
        #expect(line.issue == nil)
        #expect(line.names == ["facility", "severity", "level", "host", "message"])
        #expect(line.integer("facility") == 1)
        #expect(line.integer("severity") == 5)
        #expect(line.level == .notice)
        #expect(line.timestamp == TimestampValue(nanoseconds: syslogInstant(2026, 2, 5, 17, 32, 18)))
        #expect(line.string("host") == "10.0.0.99")
        #expect(line.string("message") == "Use the BFG!")
    }

    @Test("§5.4 example 3: the zone after the time is read as the hostname, the rest as the message")
    func example3() {
        let content =
            "1987 mymachine myproc[10]: %% It's time to make the do-nuts.  %%  Ingredients: Mix=OK, Jelly=OK # "
            + "Devices: Mixer=OK, Jelly_Injector=OK, Frier=OK # Transport: Conveyer1=OK, Conveyer2=OK # %%"
        let line = parse("<165>Aug 24 05:34:00 CST " + content)
        #expect(line.issue == nil)
        #expect(line.names == ["facility", "severity", "level", "host", "message"])
        #expect(line.integer("facility") == 20)
        #expect(line.integer("severity") == 5)
        #expect(line.level == .notice)
        #expect(line.timestamp == TimestampValue(nanoseconds: syslogInstant(2026, 8, 24, 5, 34, 0)))
        #expect(line.string("host") == "CST")
        #expect(line.string("message") == content)
    }

    @Test("§5.4 example 4: a year before the month is no BSD timestamp")
    func example4Original() {
        let line = parse("<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!")
        #expect(line.issue == ParseIssue(.badTimestamp, column: 4))
        #expect(line.names == ["message"])
    }

    @Test("§5.4 example 4 as relayed: the relay's timestamp and hostname, the original as the message")
    func example4Relayed() {
        let content = "1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!"
        let line = parse("<0>Oct 22 10:52:12 scapegoat " + content)
        #expect(line.issue == nil)
        #expect(line.names == ["facility", "severity", "level", "host", "message"])
        #expect(line.integer("facility") == 0)
        #expect(line.integer("severity") == 0)
        #expect(line.level == .emergency)
        #expect(line.timestamp == TimestampValue(nanoseconds: syslogInstant(2026, 10, 22, 10, 52, 12)))
        #expect(line.string("host") == "scapegoat")
        #expect(line.string("message") == content)
    }

    // MARK: PRI

    @Test(
        "PRI gives facility, severity and level",
        arguments: [
            ("<0>", 0, 0, Level.emergency), ("<1>", 0, 1, .alert), ("<10>", 1, 2, .critical), ("<27>", 3, 3, .error),
            ("<36>", 4, 4, .warning), ("<13>", 1, 5, .notice), ("<86>", 10, 6, .info), ("<191>", 23, 7, .debug),
            ("<013>", 1, 5, .notice),
        ] as [(String, Int64, Int64, Level)]
    )
    func priority(pri: String, facility: Int64, severity: Int64, level: Level) {
        let line = parse(pri + "Nov  1 00:02:41 web-01 cron[1]: x")
        #expect(line.issue == nil)
        #expect(line.integer("facility") == facility)
        #expect(line.integer("severity") == severity)
        #expect(line.level == level)
        #expect(line.string("level") == level.description)
    }

    @Test(
        "a bad PRI is rejected at its column",
        arguments: [
            ("<192>Nov  1 00:02:41 h t: m", 2), ("<abc>Nov  1 00:02:41 h t: m", 2), ("<1", 3), ("<", 2), ("<>", 2),
            ("<1234>Nov  1 00:02:41 h t: m", 5), ("<13 Nov  1 00:02:41 h t: m", 4), ("<-1>Nov  1 00:02:41 h t: m", 2),
            ("<999>Nov  1 00:02:41 h t: m", 2),
        ]
    )
    func badPriority(text: String, column: Int) {
        let line = parse(text)
        #expect(line.issue == ParseIssue(.badPriority, column: column))
        #expect(line.names == ["message"])
        #expect(line.string("message") == text)
    }

    // MARK: Variants devices send

    @Test("no PRI: no facility, severity or level")
    func noPriority() {
        let line = parse("Nov  1 00:02:41 web-01 sshd[1234]: Accepted password for alice from 10.8.0.5 port 51234 ssh2")
        #expect(line.issue == nil)
        #expect(line.names == ["host", "program", "pid", "message"])
        #expect(line.string("host") == "web-01")
        #expect(line.string("program") == "sshd")
        #expect(line.integer("pid") == 1234)
        #expect(line.raw("pid") == "1234")
        #expect(line.string("message") == "Accepted password for alice from 10.8.0.5 port 51234 ssh2")
        #expect(line.timestamp == TimestampValue(nanoseconds: syslogInstant(2026, 11, 1, 0, 2, 41)))
    }

    @Test(
        "missing hostname: the word after the timestamp is already a tag",
        arguments: [
            ("<13>Nov  1 00:02:41 sshd[12]: msg here", "sshd", Int64(12), "msg here"),
            ("<13>Nov  1 00:02:41 su: msg here", "su", nil, "msg here"),
            ("Nov  1 00:02:41 kernel: [  12.345] usb 1-1: new device", "kernel", nil, "[  12.345] usb 1-1: new device"),
            ("Nov  1 00:02:41 postfix/smtpd[77]:", "postfix/smtpd", 77, ""),
            ("Nov  1 00:02:41 app[77]:no space", "app", 77, "no space"),
        ] as [(String, String, Int64?, String)]
    )
    func missingHostname(text: String, program: String, pid: Int64?, message: String) {
        let line = parse(text)
        #expect(line.issue == nil)
        #expect(line.field("host") == nil)
        #expect(line.string("program") == program)
        #expect(line.integer("pid") == pid)
        #expect(line.string("message") == message)
    }

    @Test(
        "no tag: the whole rest is the message",
        arguments: [
            ("Nov  1 00:02:41 web-01 just some words", "just some words"),
            ("Nov  1 00:02:41 web-01 http://example.com/ is down", "http://example.com/ is down"),
            ("Nov  1 00:02:41 web-01 syslogd 1.4.1: restart.", "syslogd 1.4.1: restart."),
            ("Nov  1 00:02:41 web-01 [12]: no program", "[12]: no program"),
            ("Nov  1 00:02:41 web-01 app[12] no colon", "app[12] no colon"),
            ("Nov  1 00:02:41 web-01 app[1 2]: space in pid", "app[1 2]: space in pid"),
            ("Nov  1 00:02:41 web-01 : empty tag", ": empty tag"),
            ("Nov  1 00:02:41 web-01 backup:done at 10:30", "backup:done at 10:30"),
        ]
    )
    func noTag(text: String, message: String) {
        let line = parse(text)
        #expect(line.issue == nil)
        #expect(line.names == ["host", "message"])
        #expect(line.string("host") == "web-01")
        #expect(line.string("message") == message)
    }

    @Test("an IPv6 hostname is not mistaken for a tag")
    func ipv6Host() {
        let line = parse("Nov  1 00:02:41 fe80::1 ntpd[9]: synced")
        #expect(line.issue == nil)
        #expect(line.string("host") == "fe80::1")
        #expect(line.string("program") == "ntpd")
        #expect(line.integer("pid") == 9)
        #expect(line.string("message") == "synced")
    }

    @Test("loghub's Linux variant: parentheses in the tag")
    func parenthesizedTag() {
        let line = parse(
            "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 "
        )
        #expect(line.issue == nil)
        #expect(line.names == ["host", "program", "pid", "message"])
        #expect(line.string("host") == "combo")
        #expect(line.string("program") == "sshd(pam_unix)")
        #expect(line.integer("pid") == 19939)
        #expect(
            line.string("message")
                == "authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 "
        )
        #expect(line.timestamp == TimestampValue(nanoseconds: syslogInstant(2026, 6, 14, 15, 16, 1)))
    }

    @Test(
        "pid: an integer when numeric, text otherwise, absent when empty",
        arguments: [
            ("app[4242]: m", ValueKind.integer, "4242"), ("app[abc]: m", .text, "abc"), ("app[007]: m", .text, "007"),
        ]
    )
    func pidKinds(tag: String, kind: ValueKind, raw: String) {
        let line = parse("Nov  1 00:02:41 h " + tag)
        #expect(line.issue == nil)
        #expect(line.field("pid")?.kind == kind)
        #expect(line.raw("pid") == raw)
        #expect(line.string("program") == "app")
        #expect(line.string("message") == "m")
    }

    @Test("empty brackets give no pid")
    func emptyPid() {
        let line = parse("Nov  1 00:02:41 h app[]: m")
        #expect(line.issue == nil)
        #expect(line.names == ["host", "program", "message"])
        #expect(line.string("message") == "m")
    }

    @Test("the message starts after one space; further spaces are kept")
    func messageSpacing() {
        let line = parse("Nov  1 00:02:41 h network: Setting network parameters:  succeeded ")
        #expect(line.string("message") == "Setting network parameters:  succeeded ")
        let twoSpaces = parse("Nov  1 00:02:41 h app:  indented")
        #expect(twoSpaces.string("message") == " indented")
    }

    @Test("extra spaces between header words are skipped")
    func extraSpaces() {
        let line = parse("Nov  1 00:02:41  h   app[3]: m")
        #expect(line.issue == nil)
        #expect(line.string("host") == "h")
        #expect(line.string("program") == "app")
        #expect(line.integer("pid") == 3)
        #expect(line.string("message") == "m")
    }

    @Test(
        "a line may end after the timestamp, the hostname or the tag",
        arguments: [
            ("Nov  1 00:02:41", nil, nil), ("Nov  1 00:02:41 ", nil, nil), ("Nov  1 00:02:41 web-01", "web-01", nil),
            ("Nov  1 00:02:41 web-01 su:", "web-01", "su"), ("Nov  1 00:02:41 web-01 su: ", "web-01", "su"),
        ] as [(String, String?, String?)]
    )
    func shortLines(text: String, host: String?, program: String?) {
        let line = parse(text)
        #expect(line.issue == nil)
        #expect(line.string("host") == host)
        #expect(line.string("program") == program)
        #expect(line.string("message") == "")
        #expect(line.timestamp == TimestampValue(nanoseconds: syslogInstant(2026, 11, 1, 0, 2, 41)))
    }

    // MARK: last message repeated

    @Test(
        "`last message repeated N times` keeps the phrase and adds `repeated`",
        arguments: [
            (
                "Nov  1 00:02:41 web-02 last message repeated 3 times", "web-02", "last message repeated 3 times",
                Int64(3)
            ),
            ("Nov  1 00:02:41 last message repeated 12 times", nil, "last message repeated 12 times", 12),
            (
                "<13>Nov  1 00:02:41 web-02 --- last message repeated 2 times ---", "web-02",
                "--- last message repeated 2 times ---", 2
            ),
        ] as [(String, String?, String, Int64)]
    )
    func lastMessageRepeated(text: String, host: String?, message: String, times: Int64) {
        let line = parse(text)
        #expect(line.issue == nil)
        #expect(line.string("host") == host)
        #expect(line.field("program") == nil)
        #expect(line.string("message") == message)
        #expect(line.integer("repeated") == times)
        #expect(line.raw("repeated") == String(times))
    }

    @Test("rsyslog's `message repeated N times: [ ... ]` after a tag adds `repeated` too")
    func rsyslogRepeated() {
        let line = parse("Nov  1 00:02:41 web-02 sshd[5]: message repeated 4 times: [ Failed password for root]")
        #expect(line.issue == nil)
        #expect(line.string("program") == "sshd")
        #expect(line.integer("pid") == 5)
        #expect(line.string("message") == "message repeated 4 times: [ Failed password for root]")
        #expect(line.integer("repeated") == 4)
    }

    @Test("a message that merely mentions repetition gets no `repeated`")
    func notRepeated() {
        let line = parse("Nov  1 00:02:41 web-02 last message repeated many times")
        #expect(line.field("repeated") == nil)
        #expect(line.string("host") == "web-02")
        #expect(line.string("message") == "last message repeated many times")
    }

    // MARK: Timestamps

    @Test(
        "BSD timestamp forms: padded, zero-padded and one-digit days, fractions",
        arguments: [
            ("Nov  1 00:02:41", Int64(0), Int8(0)), ("Nov 01 00:02:41", 0, 0), ("Nov 1 00:02:41", 0, 0),
            ("Nov  1 00:02:41.123", 123_000_000, 3), ("Nov  1 00:02:41.123456", 123_456_000, 6),
        ] as [(String, Int64, Int8)]
    )
    func bsdForms(stamp: String, nanoseconds: Int64, digits: Int8) {
        let line = parse("<13>" + stamp + " h app: m")
        #expect(line.issue == nil)
        #expect(
            line.timestamp
                == TimestampValue(
                    nanoseconds: syslogInstant(2026, 11, 1, 0, 2, 41, nanoseconds: nanoseconds),
                    fractionDigits: digits
                )
        )
        #expect(line.string("host") == "h")
        #expect(line.string("message") == "m")
    }

    @Test(
        "RFC 3339 timestamps (rsyslog high precision) with their own offset, to the nanosecond",
        arguments: [
            ("2026-11-01T00:02:41Z", syslogInstant(2026, 11, 1, 0, 2, 41), Int8(0)),
            ("2026-11-01T00:02:41.019+01:00", syslogInstant(2026, 10, 31, 23, 2, 41, nanoseconds: 19_000_000), 3),
            ("2026-11-01T00:02:41.123456-08:00", syslogInstant(2026, 11, 1, 8, 2, 41, nanoseconds: 123_456_000), 6),
            (
                "2026-11-01T00:02:41.123456789+05:30",
                syslogInstant(2026, 10, 31, 18, 32, 41, nanoseconds: 123_456_789), 9
            ),
        ] as [(String, Int64, Int8)]
    )
    func rfc3339Timestamps(stamp: String, nanoseconds: Int64, digits: Int8) {
        let line = parse("<13>" + stamp + " web-01 app[7]: hi")
        #expect(line.issue == nil)
        #expect(line.timestamp == TimestampValue(nanoseconds: nanoseconds, fractionDigits: digits))
        #expect(line.string("host") == "web-01")
        #expect(line.string("program") == "app")
        #expect(line.integer("pid") == 7)
        #expect(line.string("message") == "hi")
    }

    @Test("year inference across New Year, through the parser")
    func newYear() {
        let january = syslogInstant(2026, 1, 1, 0, 10, 0)
        let december = parse("<13>Dec 31 23:59:58 h app: m", reference: january)
        #expect(december.issue == nil)
        #expect(december.timestamp == TimestampValue(nanoseconds: syslogInstant(2025, 12, 31, 23, 59, 58)))
        let january1 = parse("<13>Jan  1 00:09:59 h app: m", reference: january)
        #expect(january1.timestamp == TimestampValue(nanoseconds: syslogInstant(2026, 1, 1, 0, 9, 59)))
        // A few minutes ahead of the reference (a fast clock) stays in the reference's year.
        let ahead = parse("<13>Jan  1 00:15:00 h app: m", reference: january)
        #expect(ahead.timestamp == TimestampValue(nanoseconds: syslogInstant(2026, 1, 1, 0, 15, 0)))
    }

    @Test("BSD timestamps are read in the context's zone (CET/CEST)")
    func nonUTCZone() throws {
        let zone = try TimeZoneRules(posix: "CET-1CEST,M3.5.0,M10.5.0/3")
        let summer = parse("<13>Jul 15 12:00:00 h app: m", zone: zone)
        #expect(summer.issue == nil)
        #expect(summer.timestamp == TimestampValue(nanoseconds: syslogInstant(2026, 7, 15, 10, 0, 0)))
        let winter = parse("<13>Jan 15 12:00:00.5 h app: m", zone: zone)
        #expect(
            winter.timestamp
                == TimestampValue(
                    nanoseconds: syslogInstant(2026, 1, 15, 11, 0, 0, nanoseconds: 500_000_000),
                    fractionDigits: 1
                )
        )
        // An RFC 3339 time keeps its own offset whatever the context's zone.
        let explicit = parse("<13>2026-07-15T12:00:00Z h app: m", zone: zone)
        #expect(explicit.timestamp == TimestampValue(nanoseconds: syslogInstant(2026, 7, 15, 12, 0, 0)))
    }

    @Test(
        "no readable timestamp: `.badTimestamp` at its column",
        arguments: [
            ("<13>Foo  1 00:02:41 h app: m", 5), ("<13>", 5), ("garbage", 1), ("Nov 31 00:02:41 h app: m", 1),
            ("<13>Nov  1 25:02:41 h app: m", 5), ("<13>2026-11-01T00:02:41 h app: m", 5), ("<13> Nov  1 00:02:41 h", 5),
            ("<13>1 2026-11-01T00:02:41Z h a - - - m", 5),
        ]
    )
    func badTimestamp(text: String, column: Int) {
        let line = parse(text)
        #expect(line.issue == ParseIssue(.badTimestamp, column: column))
        #expect(line.names == ["message"])
        #expect(line.string("message") == text)
        #expect(line.timestamp == nil)
    }

    @Test("a timestamp followed by something other than a space")
    func missingSpace() {
        let line = parse("<13>Nov  1 00:02:41x h app: m")
        #expect(line.issue == ParseIssue(.missingSpace, column: 20))
    }

    @Test("an empty line")
    func emptyLine() {
        #expect(parse("").issue == ParseIssue(.emptyLine, column: 1))
    }

    @Test("field ranges point into the line")
    func ranges() throws {
        let text = "<86>Nov  1 00:02:41 bastion-01 sudo[881]: alice : TTY=pts/0 ; COMMAND=/usr/bin/apt update"
        let line = parse(text)
        let bytes = Array(text.utf8)
        func offset(of needle: String) -> Int {
            let n = Array(needle.utf8)
            return (0...(bytes.count - n.count)).first { Array(bytes[$0..<$0 + n.count]) == n }!
        }
        let host = try #require(line.field("host"))
        #expect(host.range == offset(of: "bastion-01")..<offset(of: "bastion-01") + 10)
        let program = try #require(line.field("program"))
        #expect(program.range == offset(of: "sudo")..<offset(of: "sudo") + 4)
        let pid = try #require(line.field("pid"))
        #expect(pid.range == offset(of: "881")..<offset(of: "881") + 3)
        let message = try #require(line.field("message"))
        #expect(message.range == offset(of: "alice")..<bytes.count)
        #expect(line.field("facility")?.range == 1..<3)
    }

    @Test("UTF-8 in the tag and message; bad bytes are kept and flagged by the driver")
    func nonASCII() {
        let line = parse("Nov  1 00:02:41 h prögram[1]: grüße")
        #expect(line.issue == nil)
        #expect(line.string("program") == "prögram")
        #expect(line.string("message") == "grüße")
        let bad = parse(Array("Nov  1 00:02:41 h app: ".utf8) + [0xFF, 0x41])
        #expect(bad.issue == ParseIssue(.invalidUTF8, column: 24))
        #expect(bad.string("program") == "app")
    }
}
