import LogboxCore
import Testing

@Suite("Escapes, byte checks and levels")
struct TextTests {
    private func json(_ text: String) -> String {
        var out: [UInt8] = []
        Escapes.decodeJSON(ArraySlice(text.utf8), into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test(
        "JSON escapes decode; invalid ones stay as written",
        arguments: [
            (#"a\"b"#, "a\"b"), (#"\\\/\n\t\r"#, "\\/\n\t\r"), (#"\u00e9"#, "é"),
            (#"\ud83d\ude00"#, "😀"), (#"\ud83d"#, "\u{FFFD}"), (#"\q"#, #"\q"#), (#"\u12"#, #"\u12"#),
            (#"end\"#, #"end\"#),
        ]
    )
    func jsonEscapes(raw: String, decoded: String) {
        #expect(self.json(raw) == decoded)
    }

    @Test("structured data escapes: only \\\", \\\\ and \\] lose their backslash")
    func structuredData() {
        var out: [UInt8] = []
        Escapes.decodeStructuredData(ArraySlice(#"a\"b\\c\]d\ne"#.utf8), into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"a"b\c]d\ne"#)
    }

    @Test(
        "byte checks find the first bad byte with its column",
        arguments: [
            ([UInt8]("plain ascii text, long enough for the fast path".utf8), nil),
            (Array("héllo wörld ✓ 😀".utf8), nil),
            ([0x61, 0x62, 0x00, 0x63], ParseIssue(.nulByte, column: 3)),
            ([0x61, 0xFF, 0x62], ParseIssue(.invalidUTF8, column: 2)),
            ([0x61, 0xC3], ParseIssue(.invalidUTF8, column: 2)),
            ([0xED, 0xA0, 0x80], ParseIssue(.invalidUTF8, column: 1)),  // a UTF-16 surrogate
            ([0xC0, 0x80], ParseIssue(.invalidUTF8, column: 1)),  // an overlong NUL
            (Array("0123456789abcdef\u{01}".utf8), ParseIssue(.binaryData, column: 17)),
            (Array("tab\tand \u{1B}[31mcolour".utf8), nil),
            (Array("a stray\rcarriage return".utf8), nil),
        ] as [([UInt8], ParseIssue?)]
    )
    func byteChecks(bytes: [UInt8], expected: ParseIssue?) {
        #expect(ByteCheck.firstProblem(bytes.span) == expected)
    }

    @Test("byte checks agree with the standard library's UTF-8 validation on random bytes")
    func byteChecksRandom() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let count = Int(state >> 58)
            var bytes: [UInt8] = []
            for _ in 0..<count {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let byte = UInt8(truncatingIfNeeded: state >> 33)
                bytes.append(byte < 0x20 ? byte | 0x40 : byte)  // keep control bytes out
            }
            let valid = String(validating: bytes, as: UTF8.self) != nil
            let problem = ByteCheck.firstProblem(bytes.span)
            #expect((problem == nil) == valid, "bytes \(bytes)")
        }
    }

    @Test(
        "level words normalize",
        arguments: [
            ("warn", Level.warning), ("WARNING", .warning), ("err", .error), ("E", .error), ("fatal", .critical),
            ("crit", .critical), ("panic", .emergency), ("emerg", .emergency), ("Info", .info),
            ("information", .info), ("DEBUG", .debug), ("trace", .trace), ("notice", .notice), ("alert", .alert),
        ]
    )
    func levels(word: String, level: Level) {
        let bytes = Array(word.utf8)
        #expect(Level(word: bytes.span) == level)
    }

    @Test("unknown level words are not levels", arguments: ["", "warnings", "errors", "ok", "42", "in fo"])
    func notLevels(word: String) {
        let bytes = Array(word.utf8)
        #expect(Level(word: bytes.span) == nil)
    }

    @Test("syslog severities map to levels")
    func severities() {
        #expect(Level(syslogSeverity: 0) == .emergency)
        #expect(Level(syslogSeverity: 3) == .error)
        #expect(Level(syslogSeverity: 7) == .debug)
        #expect(Level(syslogSeverity: 8) == nil)
    }
}
