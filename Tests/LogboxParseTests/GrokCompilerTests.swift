import LogboxParse
import Testing

/// The text each field of `pattern` captured in `line`, by field name (first value wins).
private func captures(_ pattern: GrokPattern, _ line: String) -> [String: String]? {
    let bytes = Array(line.utf8)
    let matcher = PCRE2Matcher(pattern.regex)
    guard matcher.firstMatch(in: bytes.span) != nil else { return nil }
    var values: [String: String] = [:]
    for field in pattern.fields {
        guard values[field.name] == nil, let range = matcher.range(ofGroup: field.group) else { continue }
        values[field.name] = String(decoding: bytes[range], as: UTF8.self)
    }
    return values
}

@Suite("Grok compiler")
struct GrokCompilerTests {
    @Test("a COMBINEDAPACHELOG line is captured field by field")
    func combinedApacheLog() throws {
        let pattern = try GrokCompiler().compile("^%{COMBINEDAPACHELOG}$")
        #expect(pattern.regex.isJITCompiled)
        let line =
            #"203.0.113.9 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?x=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)""#
        let values = try #require(captures(pattern, line))
        #expect(
            values == [
                "client_ip": "203.0.113.9", "user": "frank", "timestamp": "10/Oct/2000:13:55:36 -0700",
                "method": "GET", "path": "/apache_pb.gif?x=1", "protocol": "HTTP/1.0", "status": "200",
                "bytes": "2326", "referrer": "http://www.example.com/start.html",
                "user_agent": "Mozilla/4.08 [en] (Win98; I ;Nav)",
            ]
        )
        let types = Dictionary(pattern.fields.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        #expect(types["status"] == .int)
        #expect(types["bytes"] == .int)
        #expect(types["path"] == .automatic)
    }

    @Test("dashes leave fields absent; escaped quotes, IPv6 clients and odd requests are kept")
    func combinedApacheLogEdges() throws {
        let pattern = try GrokCompiler().compile("^%{COMBINEDAPACHELOG}$")
        let dashes = try #require(
            captures(
                pattern,
                #"2001:db8::7 - - [01/Jan/2024:00:00:00 +0000] "POST /x HTTP/2.0" 404 - "-" "say \"hi\"""#
            )
        )
        #expect(dashes["client_ip"] == "2001:db8::7")
        #expect(dashes["ident"] == nil && dashes["user"] == nil && dashes["bytes"] == nil && dashes["referrer"] == nil)
        #expect(dashes["user_agent"] == #"say \"hi\""#)
        #expect(dashes["status"] == "404")
        let odd = try #require(
            captures(pattern, #"host.example - - [01/Jan/2024:00:00:00 +0000] "\x16\x03\x01" 400 0 "-" "-""#)
        )
        #expect(odd["client_ip"] == "host.example")
        #expect(odd["request"] == #"\x16\x03\x01"#)
        #expect(odd["method"] == nil)
        #expect(odd["user_agent"] == nil)
        let empty = try #require(captures(pattern, #"10.0.0.1 - - [01/Jan/2024:00:00:00 +0000] "" 400 0 "-" "-""#))
        #expect(empty["request"] == "")
        #expect(captures(pattern, "not an access log") == nil)
    }

    @Test("field names keep dots, @ and dashes; type hints are recorded")
    func fieldNamesAndTypes() throws {
        let pattern = try GrokCompiler().compile("%{INT:sd.req@32473.count-x:int} %{NUMBER:took:float} %{WORD:verb}")
        #expect(pattern.fields.map(\.name) == ["sd.req@32473.count-x", "took", "verb"])
        #expect(pattern.fields.map(\.type) == [.int, .float, .automatic])
        #expect(pattern.fields.map(\.group) == [1, 2, 3])
        #expect(captures(pattern, "n=12 0.25 ok") == ["sd.req@32473.count-x": "12", "took": "0.25", "verb": "ok"])
    }

    @Test("references without a field capture nothing")
    func unnamedReferences() throws {
        let pattern = try GrokCompiler().compile("%{IP} %{WORD:word}")
        #expect(pattern.fields.map(\.name) == ["word"])
        #expect(pattern.regex.captureCount == 1)
        #expect(captures(pattern, "10.0.0.1 hello") == ["word": "hello"])
    }

    @Test("raw named groups are fields too, and generated names avoid theirs")
    func rawNamedGroups() throws {
        let pattern = try GrokCompiler().compile(#"(?<g1>\d+) %{WORD:name} (?'g2'\w+) (?P<kind>[a-z]+)"#)
        #expect(pattern.fields.map(\.name) == ["g1", "name", "g2", "kind"])
        #expect(pattern.fields.map(\.type) == [.automatic, .automatic, .automatic, .automatic])
        #expect(captures(pattern, "42 alice b7 admin") == ["g1": "42", "name": "alice", "g2": "b7", "kind": "admin"])
        #expect(!pattern.expanded.contains("(?<g1>(?:"))
    }

    @Test("blocks nest: a definition's references and captures expand too")
    func nestedDefinitions() throws {
        let library = GrokLibrary.standard.adding([
            "SSHFAIL": "Failed password for %{SSHUSER:user} from %{IP:client_ip} port %{POSINT:port:int}",
            "SSHUSER": "(?:invalid user )?%{USERNAME}",
        ])
        let pattern = try GrokCompiler(library: library).compile("%{SYSLOGBASE} %{SSHFAIL}")
        let line =
            "Nov  1 00:02:41 web-1 sshd[4242]: Failed password for invalid user admin from 2001:db8::9 port 52211"
        let values = try #require(captures(pattern, line))
        #expect(values["timestamp"] == "Nov  1 00:02:41")
        #expect(values["host"] == "web-1")
        #expect(values["program"] == "sshd")
        #expect(values["pid"] == "4242")
        #expect(values["user"] == "invalid user admin")
        #expect(values["client_ip"] == "2001:db8::9")
        #expect(values["port"] == "52211")
    }

    @Test(
        "reports the column of an unknown block",
        arguments: [
            ("%{IP:ip} %{FOO}", 10, "FOO"),
            ("abc %{NOPE:x}", 5, "NOPE"),
            ("%{ip}", 1, "ip"),
        ]
    )
    func unknownBlock(pattern: String, column: Int, name: String) {
        let error = #expect(throws: RegexError.self) { try GrokCompiler().compile(pattern) }
        #expect(error?.column == column)
        #expect(error?.kind == .unknownBlock(name))
        #expect(error?.message.contains(name) == true)
    }

    @Test("an unknown block inside a definition points at the reference that used it")
    func unknownNestedBlock() {
        let library = GrokLibrary.standard.adding(["OUTER": "x%{INNER}", "INNER": "%{MISSING}"])
        let error = #expect(throws: RegexError.self) { try GrokCompiler(library: library).compile("ab %{OUTER:o}") }
        #expect(error?.column == 4)
        #expect(error?.kind == .unknownBlock("MISSING"))
        #expect(error?.message.contains("OUTER") == true)
    }

    @Test(
        "reports the column of a malformed reference",
        arguments: [
            ("x %{IP:ip", 3),
            ("%{", 1),
            ("%{}", 3),
            ("%{:x}", 3),
            ("%{IP:}", 6),
            ("%{IP:ip:double}", 9),
            ("%{IP:ip:}", 9),
            ("%{IP ip}", 5),
            ("%{IP:ip:int", 1),
            ("%{IP:prénom}", 8),
        ]
    )
    func malformedReference(pattern: String, column: Int) {
        let error = #expect(throws: RegexError.self) { try GrokCompiler().compile(pattern) }
        #expect(error?.column == column)
        #expect(error?.kind == .malformedReference)
    }

    @Test("a block that refers to itself is refused, directly or through others")
    func recursionGuard() {
        let library = GrokLibrary.standard.adding(["SELF": "a%{SELF}", "PING": "%{PONG}", "PONG": "x|%{PING:p}"])
        let direct = #expect(throws: RegexError.self) { try GrokCompiler(library: library).compile("%{SELF}") }
        #expect(direct?.kind == .recursiveBlock("SELF"))
        #expect(direct?.column == 1)
        let indirect = #expect(throws: RegexError.self) { try GrokCompiler(library: library).compile("- %{PING:x}") }
        #expect(indirect?.kind == .recursiveBlock("PING"))
        #expect(indirect?.column == 3)
        #expect(indirect?.message.contains("PING} → %{PONG} → %{PING") == true)
        // The same block used twice side by side is not recursion.
        #expect((try? GrokCompiler().compile("%{INT:a}-%{INT:b}")) != nil)
    }

    @Test("expansions that nest too deeply or grow too large are refused")
    func sizeLimits() {
        var deep: [String: String] = [:]
        for level in 0..<100 { deep["D\(level)"] = "%{D\(level + 1)}" }
        deep["D100"] = "x"
        let tooDeep = #expect(throws: RegexError.self) {
            try GrokCompiler(library: GrokLibrary(definitions: deep)).compile("%{D0}")
        }
        #expect(tooDeep?.kind == .tooComplex)

        var doubling: [String: String] = ["B0": "ab"]
        for level in 1...30 { doubling["B\(level)"] = "%{B\(level - 1)}%{B\(level - 1)}" }
        let tooLarge = #expect(throws: RegexError.self) {
            try GrokCompiler(library: GrokLibrary(definitions: doubling)).compile("x %{B30}")
        }
        #expect(tooLarge?.kind == .tooComplex)
        #expect(tooLarge?.column == 3)
    }

    @Test("PCRE2 errors point into the pattern as written")
    func syntaxErrorMapping() {
        let literal = #expect(throws: RegexError.self) { try GrokCompiler().compile("%{IP:ip} [z-a]") }
        #expect(literal?.column == 13)
        guard case .syntax? = literal?.kind else {
            Issue.record("expected a syntax error, got \(String(describing: literal))")
            return
        }
        let unclosed = #expect(throws: RegexError.self) { try GrokCompiler().compile("(%{IP:ip}") }
        #expect(unclosed?.column == 10)
        let library = GrokLibrary.standard.adding(["BAD": "(x"])
        let inBlock = #expect(throws: RegexError.self) { try GrokCompiler(library: library).compile("ok %{BAD}") }
        #expect(inBlock?.column == 4)
        #expect(inBlock?.message.contains("in %{BAD}") == true)
    }

    @Test("an escaped percent sign is literal")
    func escapedPercent() throws {
        let pattern = try GrokCompiler().compile(#"\%{IP} %{INT:n}"#)
        #expect(pattern.fields.map(\.name) == ["n"])
        #expect(captures(pattern, "%{IP} 7") == ["n": "7"])
    }

    @Test("random patterns never crash the compiler or the matcher")
    func randomPatterns() {
        var random = SeededRandom(seed: 0x6_0C)
        let pieces = [
            "%{", "}", ":", "IP", "INT", "WORD", "NOPE", ":int", ":float", ":x", "x", "(", ")", "(?<n>", "(?<g1>",
            "[", "]", "\\", "*", "+", "?", "|", ".", "%", "é", " ", "%{IP:ip}", "%{DATA:d}", "%{GREEDYDATA:rest}",
            "%{TIMESTAMP_ISO8601:timestamp}", "\u{0}",
        ]
        let library = GrokLibrary.standard.adding(["LOOP": "%{LOOP}", "BROKEN": "(?<"])
        let compiler = GrokCompiler(library: library)
        var compiled = 0
        for _ in 0..<1_000 {
            var pattern = ""
            for _ in 0..<random.int(in: 0...10) {
                pattern += random.pick(pieces)
            }
            switch random.int(in: 0..<40) {
            case 0: pattern += "%{LOOP}"
            case 1: pattern += "%{BROKEN:b}"
            default: break
            }
            do {
                let grok = try compiler.compile(pattern)
                compiled += 1
                let matcher = PCRE2Matcher(grok.regex)
                let subject = (0..<random.int(in: 0...60)).map { _ in
                    UInt8(random.int(in: 0...255))
                }
                if matcher.firstMatch(in: subject.span) != nil {
                    for field in grok.fields {
                        if let range = matcher.range(ofGroup: field.group) {
                            #expect(range.upperBound <= subject.count)
                        }
                    }
                }
            } catch {
                #expect(error.column >= 1 && error.column <= pattern.utf8.count + 1, "\(pattern): \(error)")
            }
        }
        #expect(compiled > 50)
    }
}
