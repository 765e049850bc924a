import LogboxParse
import Testing

@Suite("PCRE2 matcher")
struct PCRE2MatcherTests {
    @Test("reports the match and each group as byte ranges")
    func groupRanges() throws {
        let matcher = PCRE2Matcher(try PCRE2Regex(#"(\w+)=(\d+)?(x)?"#))
        let line = Array("  key=42 rest".utf8)
        #expect(matcher.firstMatch(in: line.span) == 2..<8)
        #expect(matcher.range(ofGroup: 0) == 2..<8)
        #expect(matcher.range(ofGroup: 1) == 2..<5)
        #expect(matcher.range(ofGroup: 2) == 6..<8)
        #expect(matcher.range(ofGroup: 3) == nil)
        #expect(matcher.range(ofGroup: 4) == nil)
        #expect(matcher.range(ofGroup: -1) == nil)
    }

    @Test("an unset group in the middle is nil while later groups are set")
    func unsetMiddleGroup() throws {
        let matcher = PCRE2Matcher(try PCRE2Regex(#"(a)?(b)?(c)"#))
        let line = Array("ac".utf8)
        #expect(matcher.matches(line))
        #expect(matcher.range(ofGroup: 1) == 0..<1)
        #expect(matcher.range(ofGroup: 2) == nil)
        #expect(matcher.range(ofGroup: 3) == 1..<2)
    }

    @Test("a failed match clears the groups of the previous one")
    func missClearsGroups() throws {
        let matcher = PCRE2Matcher(try PCRE2Regex(#"(\d+)"#))
        #expect(matcher.matches(Array("a1".utf8)))
        #expect(matcher.range(ofGroup: 1) == 1..<2)
        #expect(!matcher.matches(Array("none".utf8)))
        #expect(matcher.range(ofGroup: 1) == nil)
        #expect(matcher.range(ofGroup: 0) == nil)
        #expect(matcher.lastError == nil)
    }

    @Test("searches from a start offset and refuses offsets outside the subject")
    func startOffset() throws {
        let matcher = PCRE2Matcher(try PCRE2Regex(#"\d+"#))
        let line = Array("1 22 333".utf8)
        #expect(matcher.firstMatch(in: line.span) == 0..<1)
        #expect(matcher.firstMatch(in: line.span, from: 1) == 2..<4)
        #expect(matcher.firstMatch(in: line.span, from: 5) == 5..<8)
        #expect(matcher.firstMatch(in: line.span, from: 8) == nil)
        #expect(matcher.firstMatch(in: line.span, from: 9) == nil)
        #expect(matcher.firstMatch(in: line.span, from: -1) == nil)
        #expect(matcher.lastError == nil)
    }

    @Test("matches subjects that are not valid UTF-8 byte by byte instead of failing")
    func invalidUTF8() throws {
        let letters = PCRE2Matcher(try PCRE2Regex("b+"))
        let line: [UInt8] = [0x61, 0xFF, 0x62, 0x62, 0xC3, 0x28, 0x62]
        #expect(letters.firstMatch(in: line.span) == 2..<4)
        #expect(letters.firstMatch(in: line.span, from: 4) == 6..<7)
        #expect(letters.lastError == nil)

        // A bad byte inside a value is part of the value, not the end of it.
        let value = PCRE2Matcher(try PCRE2Regex(#"user=(\S+)"#))
        let login: [UInt8] = Array("user=bob".utf8) + [0xFF] + Array("x ok".utf8)
        #expect(value.firstMatch(in: login.span) == 0..<10)
        #expect(value.range(ofGroup: 1) == 5..<10)

        let any = PCRE2Matcher(try PCRE2Regex(".+"))
        #expect(any.firstMatch(in: ([0xFF, 0xFE] as [UInt8]).span) == 0..<2)
        // Truncated and over-long sequences, surrogates and code points past U+10FFFF.
        for bad: [UInt8] in [[0xE2, 0x82], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80]] {
            let subject = [0x7A] + bad + [0x7A]
            #expect(any.firstMatch(in: subject.span) == 0..<subject.count)
            #expect(any.lastError == nil)
        }
    }

    @Test("valid UTF-8 is matched by characters")
    func validUTF8() throws {
        let one = PCRE2Matcher(try PCRE2Regex("^.$"))
        #expect(one.matches(Array("é".utf8)))
        #expect(one.matches(Array("😀".utf8)))
        // Negated escapes match non-ASCII characters (PCRE2 10.42's JIT gets these wrong
        // under PCRE2_MATCH_INVALID_UTF, which is why that mode is not used).
        for pattern in [#"\A\S+\z"#, #"\A\D+\z"#, #"\A\W+\z"#, #"\A[[:^alpha:]]+\z"#] {
            let matcher = PCRE2Matcher(try PCRE2Regex(pattern))
            #expect(matcher.matches(Array("€😀".utf8)), "\(pattern)")
        }
        let nonSpace = PCRE2Matcher(try PCRE2Regex(#"\S+"#))
        let word = Array(" ünï ".utf8)
        #expect(nonSpace.firstMatch(in: word.span) == 1..<6)
        // A start offset inside a character falls back to bytes rather than failing.
        #expect(nonSpace.firstMatch(in: word.span, from: 2) == 2..<6)
        #expect(nonSpace.lastError == nil)
    }

    @Test("a pattern that only compiles in UTF mode still matches invalid subjects")
    func utfOnlyPattern() throws {
        let matcher = PCRE2Matcher(try PCRE2Regex(#"\x{100}|b+"#))
        #expect(matcher.firstMatch(in: ([0xFF, 0x62, 0x62] as [UInt8]).span) == 1..<3)
        #expect(matcher.lastError == nil)
        #expect(matcher.firstMatch(in: Array("xĀ".utf8).span) == 1..<3)
    }

    @Test("the bytes option lets `.` match every byte")
    func bytesOption() throws {
        let matcher = PCRE2Matcher(try PCRE2Regex("a.+", options: .bytes))
        let line: [UInt8] = [0x61, 0xFF, 0x00, 0xC3, 0x62]
        #expect(matcher.firstMatch(in: line.span) == 0..<5)
    }

    @Test("NUL bytes are ordinary characters in subject and pattern")
    func nulBytes() throws {
        let matcher = PCRE2Matcher(try PCRE2Regex(#"a\x00b"#))
        let line: [UInt8] = [0x00, 0x61, 0x00, 0x62, 0x00]
        #expect(matcher.firstMatch(in: line.span) == 1..<4)
        let dot = PCRE2Matcher(try PCRE2Regex(".+"))
        #expect(dot.firstMatch(in: line.span) == 0..<5)
        let literal = PCRE2Matcher(try PCRE2Regex("x\u{0}y"))
        #expect(literal.matches(([0x78, 0x00, 0x79] as [UInt8])))
    }

    @Test("an empty subject can match")
    func emptySubject() throws {
        let matcher = PCRE2Matcher(try PCRE2Regex("^$"))
        let empty: [UInt8] = []
        #expect(matcher.firstMatch(in: empty.span) == 0..<0)
        let word = PCRE2Matcher(try PCRE2Regex(#"\w"#))
        #expect(word.firstMatch(in: empty.span) == nil)
    }

    @Test("a runaway pattern stops at the match limit and says so")
    func matchLimit() throws {
        let matcher = PCRE2Matcher(try PCRE2Regex("(a+)+$"))
        let line = Array(repeating: UInt8(ascii: "a"), count: 32) + [UInt8(ascii: "b")]
        #expect(matcher.firstMatch(in: line.span) == nil)
        let error = try #require(matcher.lastError)
        #expect(error.kind == .match(code: -47))
        #expect(error.message.contains("limit"))
        // The matcher stays usable.
        #expect(matcher.firstMatch(in: Array("aa".utf8).span) == 0..<2)
        #expect(matcher.lastError == nil)
    }

    @Test("a match too deep for the default JIT stack still succeeds")
    func deepMatch() throws {
        let matcher = PCRE2Matcher(try PCRE2Regex("(a|b)*c"))
        let line = Array(repeating: UInt8(ascii: "a"), count: 200_000) + [UInt8(ascii: "c")]
        #expect(matcher.firstMatch(in: line.span) == 0..<200_001)
        #expect(matcher.range(ofGroup: 1) == 199_999..<200_000)
    }

    @Test("random patterns over random bytes never crash")
    func randomPatterns() {
        var random = SeededRandom(seed: 0x5EED_1234)
        let pieces = [
            "a", "b", ".", "*", "+", "?", "(", ")", "[", "]", "^", "$", "|", "\\", "{", "}", "{2,3}", "(?<n>",
            "(?:", "\\d", "\\w", "\\s", "\\K", "(?=", "(?!", "(?<=", "\\1", "é", "\\x{FF}", "\\p{L}", "\u{0}", "-",
            "(*ACCEPT)", "(?R)", "\\C", "\\X", "(?i)", "#", "%{",
        ]
        var compiled = 0
        for _ in 0..<2_000 {
            var pattern = ""
            for _ in 0..<random.int(in: 0...12) { pattern += random.pick(pieces) }
            let options: PCRE2Regex.Options = random.chance(0.5) ? [] : [.bytes, .caseInsensitive]
            guard let regex = try? PCRE2Regex(pattern, options: options) else { continue }
            compiled += 1
            let matcher = PCRE2Matcher(regex)
            for _ in 0..<4 {
                let subject = (0..<random.int(in: 0...40)).map { _ in
                    UInt8(random.int(in: 0...255))
                }
                let start = random.int(in: -1...(subject.count + 1))
                if let range = matcher.firstMatch(in: subject.span, from: start) {
                    #expect(range.lowerBound >= 0 && range.upperBound <= subject.count)
                    for group in 0...regex.captureCount + 1 {
                        if let range = matcher.range(ofGroup: group) {
                            #expect(range.lowerBound >= 0 && range.upperBound <= subject.count)
                        }
                    }
                }
            }
        }
        #expect(compiled > 100)
    }
}

extension PCRE2Matcher {
    /// `matches(_:)` over an array, for `#expect`, which cannot take a span argument.
    func matches(_ bytes: [UInt8]) -> Bool {
        self.matches(bytes.span)
    }
}
