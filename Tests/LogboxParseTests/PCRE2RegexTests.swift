import LogboxParse
import Testing

@Suite("PCRE2 regex")
struct PCRE2RegexTests {
    @Test(
        "reports PCRE2's message and the 1-based column of a syntax error",
        arguments: [
            ("ab(c", 5, "missing closing parenthesis"),
            ("a)b", 2, "unmatched closing parenthesis"),
            ("[z-a]", 4, "range out of order"),
            ("x{2,1}", 6, "out of order"),
            ("(?<n>a)(?<n>b)", 13, "same name"),
        ]
    )
    func syntaxErrorColumn(pattern: String, column: Int, message: String) {
        let error = #expect(throws: RegexError.self) { try PCRE2Regex(pattern) }
        #expect(error?.column == column)
        #expect(error?.message.contains(message) == true)
        guard case .syntax(let code)? = error?.kind else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(code >= 100)  // PCRE2's compile error codes start at 101.
    }

    @Test("compiles with the JIT on this platform")
    func jitCompiled() throws {
        #expect(PCRE2Regex.isJITAvailable)
        let regex = try PCRE2Regex(#"\d+"#)
        #expect(regex.isJITCompiled)
        #expect(regex.pattern == #"\d+"#)
    }

    @Test("lists named groups with their numbers")
    func namedGroups() throws {
        let regex = try PCRE2Regex(#"(?<year>\d{4})-(\d\d)-(?<day>\d\d)"#)
        #expect(regex.captureCount == 3)
        #expect(regex.captureNames.map(\.name) == ["day", "year"])
        #expect(regex.captureNames.map(\.group) == [3, 1])
        #expect(regex.group(named: "year") == 1)
        #expect(regex.group(named: "day") == 3)
        #expect(regex.group(named: "month") == nil)
    }

    @Test("an empty pattern compiles and matches the empty string")
    func emptyPattern() throws {
        let regex = try PCRE2Regex("")
        let matcher = PCRE2Matcher(regex)
        let bytes: [UInt8] = []
        #expect(matcher.firstMatch(in: bytes.span) == 0..<0)
    }

    @Test("case-insensitive option")
    func caseInsensitive() throws {
        let strict = PCRE2Matcher(try PCRE2Regex("error"))
        let loose = PCRE2Matcher(try PCRE2Regex("error", options: .caseInsensitive))
        let line = Array("an ERROR here".utf8)
        #expect(!strict.matches(line))
        #expect(loose.firstMatch(in: line.span) == 3..<8)
        let unicode = PCRE2Matcher(try PCRE2Regex("ÉTÉ", options: .caseInsensitive))
        #expect(unicode.matches(Array("un été".utf8)))
    }

    @Test("anchored option matches only at the start offset")
    func anchored() throws {
        let matcher = PCRE2Matcher(try PCRE2Regex("b", options: .anchored))
        let line = Array("abc".utf8)
        #expect(matcher.firstMatch(in: line.span) == nil)
        #expect(matcher.firstMatch(in: line.span, from: 1) == 1..<2)
    }

    @Test("a regex is shared by concurrent tasks, each with its own matcher")
    func concurrentMatching() async throws {
        let regex = try PCRE2Regex(#"user=(?<user>\w+)"#)
        let found = await withTaskGroup(of: Bool.self, returning: Int.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let matcher = PCRE2Matcher(regex)
                    let line = Array("id=\(index) user=u\(index) ok".utf8)
                    var all = true
                    for _ in 0..<200 {
                        guard matcher.matches(line), let range = matcher.range(ofGroup: 1) else { return false }
                        all = all && Array(line[range]) == Array("u\(index)".utf8)
                    }
                    return all
                }
            }
            var count = 0
            for await ok in group where ok { count += 1 }
            return count
        }
        #expect(found == 16)
    }
}
