import LogboxCore
import LogboxParse
import Testing

/// One line run through `BatchParser` with a `KeyValueParser`, and ways to read its event.
private struct Parsed {
    var batch: EventBatch

    init(_ bytes: [UInt8]) {
        var lines = LineBatch()
        lines.append(bytes, lineNumber: 1, sourceOffset: 0)
        var driver = BatchParser(
            parser: KeyValueParser(context: ParseContext(referenceTime: 1_793_491_200_000_000_000))
        )
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
}

@Suite("key=value parser")
struct KeyValueParserTests {
    @Test("pairs anywhere in free text; the whole line is the message")
    func freeText() throws {
        let line = "Nov  1 00:02:41 web-1 app: user=alice action=login ok=true took=0.25 tries=3 then done"
        let parsed = Parsed(line)
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["message", "user", "action", "ok", "took", "tries"])
        #expect(parsed.string("message") == line)
        #expect(parsed.string("user") == "alice")
        #expect(parsed.field("ok")?.kind == .boolean && parsed.field("ok")?.payload == 1)
        #expect(parsed.field("took")?.kind == .decimal)
        #expect(parsed.field("tries")?.kind == .integer && parsed.field("tries")?.payload == 3)
        #expect(!parsed.event.hasTimestamp)
    }

    @Test("quoted values with \" (escapes) and ' (none)")
    func quoted() throws {
        let parsed = Parsed(#"a="x \"y\" z" b='it''s' c="" d="unclosed e=1"#)
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["message", "a", "b", "c", "d", "e"])
        #expect(parsed.field("a")?.kind == .jsonEscaped)
        #expect(parsed.string("a") == #"x "y" z"#)
        #expect(parsed.string("b") == "it")
        #expect(parsed.string("c") == "")
        // An unclosed quote reads bare, quote included.
        #expect(parsed.string("d") == "\"unclosed")
        #expect(parsed.field("e")?.payload == 1)
    }

    @Test("keys: letters, digits and _.@- after a start letter; only after a separator")
    func keys() {
        let parsed = Parsed("x.y@z-1=a _k=b 9x=c url=http://h/?p=1&q=2 k2==v, k3=w; (k4=no) ,k5=5")
        #expect(parsed.names == ["message", "x.y@z-1", "_k", "url", "k2", "k3", "k5"])
        #expect(parsed.string("url") == "http://h/?p=1&q=2")
        #expect(parsed.string("k2") == "=v")
        #expect(parsed.string("k3") == "w")
        #expect(parsed.field("k5")?.payload == 5)
    }

    @Test("`:` does not separate pairs")
    func colonIsNotASeparator() {
        let parsed = Parsed("host:web-1 port: 8080 at 13:55:36")
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["message"])
    }

    @Test("empty values, and a pair at the very end")
    func emptyValues() {
        let parsed = Parsed("a= b=2 c=")
        #expect(parsed.names == ["message", "a", "b", "c"])
        #expect(parsed.string("a") == "" && parsed.string("c") == "")
    }

    @Test("usual keys: time and level; a `message` pair replaces the whole line")
    func usualKeys() throws {
        let parsed = Parsed(#"[web] ts=2026-11-01T00:00:01Z level=warn msg=hi message="the text""#)
        #expect(parsed.event.timestamp == 1_793_491_201_000_000_000)
        #expect(parsed.names == ["message", "ts", "level", "msg"])
        #expect(parsed.string("message") == "the text")
        #expect(parsed.string("level") == "warning")
        #expect(parsed.field("level")?.kind == .level)
    }

    @Test("a line without pairs is just a message; an empty line is an error")
    func noPairs() {
        let parsed = Parsed("nothing to see here")
        #expect(parsed.issue == nil)
        #expect(parsed.names == ["message"])
        #expect(Parsed("").issue == ParseIssue(.emptyLine, column: 1))
    }

    @Test("random bytes never trap", arguments: [1, 2, 3])
    func randomBytes(seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let alphabet = Array(#"a=_ "'\,;1.k"#.utf8) + [0xFF]
        for round in 0..<3000 {
            let bytes: [UInt8] = (0..<random.int(in: 0...60)).map { _ in
                round % 2 == 0 ? UInt8(truncatingIfNeeded: random.next()) : alphabet[random.int(in: 0..<alphabet.count)]
            }
            let parsed = Parsed(bytes)
            #expect(parsed.batch.count == 1)
            for field in parsed.fields { #expect(field.range.upperBound <= bytes.count) }
            if !bytes.isEmpty { #expect(parsed.issue == nil || parsed.issue?.reason != .emptyLine) }
        }
    }
}
