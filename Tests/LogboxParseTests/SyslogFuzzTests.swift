import LogboxCore
import LogboxParse
import Testing

private let context = ParseContext(referenceTime: syslogInstant(2026, 11, 15, 0, 0, 0))

/// Valid lines of both RFCs, with the parts most likely to trip a parser when cut.
private let validLines: [String] = [
    "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
    "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0",
    "<13>Nov  1 00:02:41.123 sshd[12]: msg",
    "<13>2026-11-01T00:02:41.019+01:00 web-01 app[7]: hi",
    "Nov  1 00:02:41 web-02 last message repeated 3 times",
    "Nov  1 00:02:41 web-02 sshd[5]: message repeated 4 times: [ Failed password]",
    "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"][examplePriority@32473 class=\"high\"]",
    "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \u{FEFF}'su root' failed",
    #"<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - [audit@32473 cmd="grep \"E\\" p="[a-z\]+"] %% do-nuts."#,
    "<13>1 - - - - - [user@32473 name=\"José Müller\"] \u{FEFF}grüße",
]

/// Parses `lines` in one batch and returns the indices of events that break the invariants:
/// one event per line, exactly one `message`, every field range inside its own line.
private func violations(_ lines: [[UInt8]], parserNamed name: String) -> [Int] {
    let parser: any LogParser =
        switch name {
        case "rfc3164": RFC3164Parser(context: context)
        case "rfc5424": RFC5424Parser(context: context)
        default: SyslogParser(context: context)
        }
    var batch = LineBatch()
    for (index, line) in lines.enumerated() {
        batch.append(line, lineNumber: Int64(index + 1), sourceOffset: 0)
    }
    var driver = BatchParser(parser: parser)
    var events = EventBatch()
    driver.parse(batch, into: &events)
    guard events.count == lines.count else { return [-1] }
    var bad: [Int] = []
    for event in 0..<events.count {
        let line = events.lineSlot(of: event).range
        let fields = events.fields(of: event)
        let messages = fields.filter { $0.name == .message }.count
        let inside = fields.allSatisfy {
            $0.length >= 0 && $0.range.lowerBound >= line.lowerBound && $0.range.upperBound <= line.upperBound
        }
        if messages != 1 || !inside { bad.append(event) }
    }
    return bad
}

@Suite("syslog parsers on broken input")
struct SyslogFuzzTests {
    static let parsers = ["rfc3164", "rfc5424", "syslog"]

    @Test("every truncation of a valid line parses or throws, never traps", arguments: parsers)
    func truncations(parser: String) {
        for text in validLines {
            let bytes = Array(text.utf8)
            let prefixes = (0...bytes.count).map { Array(bytes[0..<$0]) }
            #expect(violations(prefixes, parserNamed: parser).isEmpty, "\(text)")
        }
    }

    @Test("the valid lines parse without an issue in their own grammar")
    func validLinesParse() {
        for text in validLines {
            let line = SyslogLine(text, parser: SyslogParser(context: context))
            #expect(line.issue == nil, "\(text)")
        }
    }

    @Test(
        "every prefix of an RFC 5424 line that ends inside the header is rejected",
        arguments: [(validLines[6], 71), (validLines[7], 63)]
    )
    func rfc5424Prefixes(text: String, headerEnd: Int) {
        let bytes = Array(text.utf8)
        for length in 0...headerEnd {
            let line = SyslogLine(Array(bytes[0..<length]), parser: RFC5424Parser(context: context))
            #expect(line.issue != nil, "length \(length)")
            #expect(line.names == ["message"])
        }
    }

    @Test("random bytes never trap", arguments: parsers)
    func randomBytes(parser: String) {
        var random = SeededRandom(seed: 5424, stream: parser)
        let alphabet =
            Array("<>[]=\"\\ -:.01234567890TZ+abcNovDecsdhx@".utf8) + [0xEF, 0xBB, 0xBF, 0xC3, 0xA9, 0x00, 0x09, 0xFF]
        var lines: [[UInt8]] = []
        for _ in 0..<3000 {
            let length = random.int(in: 0...120)
            lines.append(
                (0..<length).map { _ in
                    random.chance(0.1) ? UInt8(truncatingIfNeeded: random.next()) : random.pick(alphabet)
                }
            )
        }
        #expect(violations(lines, parserNamed: parser).isEmpty)
    }

    @Test("valid lines with random bytes changed, inserted or removed never trap", arguments: parsers)
    func mutations(parser: String) {
        var random = SeededRandom(seed: 3164, stream: parser)
        let interesting = Array("<>[]=\"\\ -:1".utf8) + [0xEF, 0xBB, 0xBF, 0xFF, 0x00]
        var lines: [[UInt8]] = []
        for text in validLines {
            let original = Array(text.utf8)
            for _ in 0..<300 {
                var bytes = original
                for _ in 0..<random.int(in: 1...3) {
                    let at = random.int(in: 0...bytes.count)
                    let byte = random.chance(0.5) ? random.pick(interesting) : UInt8(truncatingIfNeeded: random.next())
                    switch random.int(in: 0...2) {
                    case 0 where at < bytes.count: bytes[at] = byte
                    case 1 where at < bytes.count: bytes.remove(at: at)
                    default: bytes.insert(byte, at: at)
                    }
                }
                lines.append(bytes)
            }
        }
        #expect(violations(lines, parserNamed: parser).isEmpty)
    }
}
