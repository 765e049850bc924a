import LogboxParse
import Testing

@Suite("Grok library")
struct GrokLibraryTests {
    /// One block, values it must match whole, and values it must not match whole.
    struct Case: Sendable, CustomTestStringConvertible {
        var block: String
        var matches: [String]
        var rejects: [String]
        var testDescription: String { self.block }
    }

    static let cases: [Case] = [
        Case(block: "USERNAME", matches: ["root", "john.doe", "svc-backup_01"], rejects: ["john doe", "a@b", ""]),
        Case(block: "USER", matches: ["www-data", "x"], rejects: ["a b", "ü"]),
        Case(block: "INT", matches: ["0", "-12", "+7", "1234567890"], rejects: ["1.5", "abc", "--1", ""]),
        Case(
            block: "BASE10NUM",
            matches: ["0", "-1.5", "3.14", ".5", "1e10", "+2.5E-3", "007"],
            rejects: ["1.2.3", "abc", "1.", "-", "1e"]
        ),
        Case(block: "NUMBER", matches: ["42", "-0.25", "6.02e23"], rejects: ["4 2", "x1"]),
        Case(block: "BASE16NUM", matches: ["0x1F", "deadBEEF", "-0xff", "42"], rejects: ["0xZZ", "g1", "0x"]),
        Case(block: "POSINT", matches: ["1", "42", "1000"], rejects: ["0", "-1", "01", "1.5"]),
        Case(block: "NONNEGINT", matches: ["0", "42", "007"], rejects: ["-1", "1.0", "a"]),
        Case(block: "WORD", matches: ["hello", "foo_bar", "x1", "GET"], rejects: ["foo bar", "a-b", "", "é"]),
        Case(block: "NOTSPACE", matches: ["a", "/x?y=1", "ünï", "\"q\""], rejects: ["a b", "", "\t"]),
        Case(block: "SPACE", matches: ["", " ", " \t "], rejects: ["x", " x "]),
        Case(block: "DATA", matches: ["", "anything at all"], rejects: ["two\nlines"]),
        Case(block: "GREEDYDATA", matches: ["", "anything: at all!"], rejects: ["two\nlines"]),
        Case(
            block: "QUOTEDSTRING",
            matches: [#""hello world""#, "'single'", #""esc \" aped""#, "`tick`", #""""#, #""a\\""#],
            rejects: [#""unterminated"#, "noquotes", #""a"b""#, #""a\""#, #""mixed'"#]
        ),
        Case(
            block: "UUID",
            matches: ["123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-000000000000"],
            rejects: [
                "123e4567-e89b-12d3-a456-42661417400", "123e4567e89b12d3a456426614174000",
                "g23e4567-e89b-12d3-a456-426614174000",
            ]
        ),
        Case(
            block: "MAC",
            matches: ["00:1a:2B:3c:4D:5e", "00-1A-2B-3C-4D-5E", "001a.2b3c.4d5e"],
            rejects: ["00:1a:2b:3c:4d", "00:1a:2b:3c:4d:5e:6f", "zz:1a:2b:3c:4d:5e", "00:1a-2b:3c:4d:5e"]
        ),
        Case(
            block: "IPV4",
            matches: ["0.0.0.0", "10.0.0.1", "192.168.255.255", "255.255.255.255", "172.16.0.99"],
            rejects: ["256.1.1.1", "1.2.3", "1.2.3.04", "999.1.1.1", "1.1.1.256", "1.2.3.4.", "a.b.c.d"]
        ),
        Case(
            block: "IPV6",
            matches: [
                "2001:db8::1", "::1", "::", "fe80::1%eth0", "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
                "::ffff:10.0.0.1", "1:2:3:4:5:6:7::", "1::", "64:ff9b::192.0.2.33", "1:2:3:4:5:6:1.2.3.4",
                "FE80::0202:B3FF:FE1E:8329",
            ],
            rejects: [
                "1:2:3:4:5:6:7:8:9", "2001:db8:::1", "12345::1", "1.2.3.4", "13:55:36", "g::1", "1:2:3:4:5:6:7",
                "::ffff:256.0.0.1", "1::2::3",
            ]
        ),
        Case(
            block: "IP",
            matches: ["10.0.0.1", "2001:db8::1", "::ffff:10.0.0.1", "::1"],
            rejects: ["256.1.1.1", "example.com", "10.0.0"]
        ),
        Case(
            block: "HOSTNAME",
            matches: ["example.com", "web-01", "a.b.c.example.org", "host_1.local", "localhost"],
            rejects: ["-bad.com", "exa mple", ".com", "a..b"]
        ),
        Case(
            block: "IPORHOST",
            matches: ["10.0.0.1", "db01.internal", "::1", "2001:db8::1"],
            rejects: ["foo bar", "[::1]"]
        ),
        Case(
            block: "HOSTPORT",
            matches: ["example.com:8080", "10.0.0.1:22", "[2001:db8::1]:443"],
            rejects: ["example.com", "example.com:0", "example.com:abc"]
        ),
        Case(
            block: "UNIXPATH",
            matches: ["/var/log/auth.log", "/", "/usr/local/bin/", "/home/ünï/file.txt", #"/a\ b"#],
            rejects: ["var/log", "relative.txt", "/a b", "C:\\x"]
        ),
        Case(
            block: "PATH",
            matches: ["/var/log/syslog", #"C:\Windows\System32"#, #"\\server\share\file.txt"#],
            rejects: ["var/log", "", "C:"]
        ),
        Case(
            block: "URIPATH",
            matches: ["/", "/index.html", "/api/v1/users/42", "/a%20b/c;x=1"],
            rejects: ["index.html", "/a b", "/a?b"]
        ),
        Case(block: "URIPARAM", matches: ["?a=1&b=2", "?", "?q=%20x&r[]=1"], rejects: ["a=1", "?a b"]),
        Case(
            block: "URIPATHPARAM",
            matches: ["/search?q=logbox", "/a/b", "/x?"],
            rejects: ["search?q=1", "/a b"]
        ),
        Case(
            block: "URI",
            matches: [
                "https://example.com/a?b=c", "http://user:pw@10.0.0.1:8080/", "ftp://ftp.example.org",
                "http://[2001:db8::1]:80/x", "mailto://alice@example.com",
            ],
            rejects: ["example.com/a", "http//x", "://x"]
        ),
        Case(
            block: "MONTH",
            matches: ["Jan", "January", "sep", "Sept", "DEC", "May"],
            rejects: ["Janu", "Foo", "Mayo"]
        ),
        Case(block: "MONTHNUM", matches: ["1", "01", "9", "12"], rejects: ["0", "13", "00", "123"]),
        Case(block: "MONTHDAY", matches: ["1", "01", "15", "31"], rejects: ["0", "32", "00", "123"]),
        Case(block: "DAY", matches: ["Mon", "Tuesday", "tue", "Thurs", "SUN"], rejects: ["Mo", "Funday", "Mondays"]),
        Case(block: "YEAR", matches: ["2024", "99", "1970"], rejects: ["123", "20245", "1"]),
        Case(block: "HOUR", matches: ["0", "00", "9", "23"], rejects: ["24", "99", "123"]),
        Case(block: "MINUTE", matches: ["00", "59"], rejects: ["60", "5"]),
        Case(block: "SECOND", matches: ["00", "59", "60", "36.123", "07,5"], rejects: ["61", "99", "1.2.3"]),
        Case(
            block: "TIME",
            matches: ["13:55:36", "00:00:00", "23:59:60", "1:02:03", "12:00:00.123456"],
            rejects: ["24:00:00", "12:60:00", "12:00", "112:00:00"]
        ),
        Case(
            block: "DATE_US",
            matches: ["10/31/2024", "1-2-24", "12/25/1999"],
            rejects: ["13/01/2024", "31/10/2024"]
        ),
        Case(
            block: "DATE_EU",
            matches: ["31.10.2024", "1/2/24", "25-12-1999"],
            rejects: ["32.10.2024", "10.13.2024"]
        ),
        Case(block: "ISO8601_TIMEZONE", matches: ["Z", "+02:00", "-0700", "+05"], rejects: ["+2400", "UTC", "02:00"]),
        Case(
            block: "TIMESTAMP_ISO8601",
            matches: [
                "2024-03-05T13:55:36Z", "2024-03-05 13:55:36", "2024-03-05T13:55:36.123456+02:00",
                "2024-03-05T13:55:36,123-0700", "2024-03-05T13:55", "2024-12-31T23:59:60Z",
                "2024-03-05T13:55:36.123456789",
            ],
            rejects: [
                "2024-13-05T13:55:36Z", "2024-03-32T00:00:00", "2024-03-05", "24-03-05T13:55:36",
                "2024-03-05T24:00:00", "2024-03-05T13:55:36+2500",
            ]
        ),
        Case(
            block: "SYSLOGTIMESTAMP",
            matches: ["Nov  1 00:02:41", "Jan 23 14:05:09", "Dec 31 23:59:59", "Sep  9 09:09:09.123"],
            rejects: ["Nov 32 00:02:41", "Nov 1 25:00:00", "1 Nov 00:02:41", "Nov 1"]
        ),
        Case(
            block: "HTTPDATE",
            matches: ["10/Oct/2000:13:55:36 -0700", "01/Jan/2024:00:00:00 +0000"],
            rejects: ["10/Oct/2000 13:55:36 -0700", "10/Oct/2000:13:55:36", "32/Oct/2000:13:55:36 -0700"]
        ),
        Case(
            block: "SYSLOGPROG",
            matches: ["sshd[1234]", "CRON", "systemd-logind", "postfix/smtpd[99]"],
            rejects: ["sshd[abc]", "a b", "sshd:", "sshd[]"]
        ),
        Case(block: "SYSLOGHOST", matches: ["web01", "10.0.0.1", "mail.example.com"], rejects: ["a b", ""]),
        Case(
            block: "LOGLEVEL",
            matches: [
                "INFO", "info", "Info", "WARN", "warning", "ERROR", "err", "DEBUG", "trace", "CRITICAL", "fatal",
                "emerg", "notice", "alert", "Information", "PANIC",
            ],
            rejects: ["informational", "warnings", "xINFO", "Verbose", "iNFO"]
        ),
        Case(
            block: "EMAILADDRESS",
            matches: ["alice@example.com", "first.last+tag@sub.example.org"],
            rejects: ["alice@", "@example.com", "alice example.com", "a@@b.com"]
        ),
    ]

    @Test("matches typical values whole and rejects non-values", arguments: cases)
    func block(_ testCase: Case) throws {
        let pattern = try GrokCompiler().compile(#"\A(?:%{"# + testCase.block + #"})\z"#)
        #expect(pattern.regex.isJITCompiled)
        #expect(pattern.fields.isEmpty || ["SYSLOGPROG"].contains(testCase.block))
        let matcher = PCRE2Matcher(pattern.regex)
        for value in testCase.matches {
            #expect(matcher.matches(Array(value.utf8)), "\(testCase.block) should match \(value.debugDescription)")
        }
        for value in testCase.rejects {
            #expect(!matcher.matches(Array(value.utf8)), "\(testCase.block) should reject \(value.debugDescription)")
        }
    }

    @Test("IPV4 is not found inside a longer dotted number")
    func ipv4InText() throws {
        let matcher = PCRE2Matcher(try GrokCompiler().compile("%{IPV4}").regex)
        #expect(!matcher.matches(Array("x 256.1.1.1 y".utf8)))
        #expect(!matcher.matches(Array("v1.2.3.4567".utf8)))
        let line = Array("from ip=10.0.0.1, port 22".utf8)
        #expect(matcher.firstMatch(in: line.span) == 8..<16)
    }

    @Test("every standard block compiles with the JIT")
    func allBlocksCompile() throws {
        #expect(GrokLibrary.standard.definitions.count >= 49)
        for name in GrokLibrary.standard.definitions.keys.sorted() {
            let pattern = try GrokCompiler().compile("%{\(name)}")
            #expect(pattern.regex.isJITCompiled, "\(name)")
        }
    }

    @Test("blocks stay within PCRE2's match limit on long hostile lines")
    func noCatastrophicBacktracking() throws {
        let hostile = [
            String(repeating: "a", count: 4_000),
            String(repeating: "1.", count: 2_000),
            String(repeating: "a:", count: 2_000),
            String(repeating: "/a", count: 2_000) + " ",
            String(repeating: "\"\\", count: 2_000),
            String(repeating: "a.", count: 2_000) + "@",
            String(repeating: "-", count: 4_000),
        ]
        for name in GrokLibrary.standard.definitions.keys.sorted() {
            let matcher = PCRE2Matcher(try GrokCompiler().compile(#"%{"# + name + #"}\z"#).regex)
            for line in hostile {
                _ = matcher.matches(Array(line.utf8))
                #expect(matcher.lastError == nil, "\(name) hit a match limit")
            }
        }
    }

    @Test("a library can be extended and overridden")
    func customDefinitions() throws {
        var library = GrokLibrary.standard.adding(["SSHUSER": "%{USERNAME}"])
        library.define("WORD", as: "[a-z]+")
        #expect(library["SSHUSER"] == "%{USERNAME}")
        #expect(library["WORD"] == "[a-z]+")
        #expect(GrokLibrary.standard["WORD"] != "[a-z]+")
        let pattern = try GrokCompiler(library: library).compile("%{SSHUSER:user} %{WORD:word}")
        let matcher = PCRE2Matcher(pattern.regex)
        let line = Array("bob hello".utf8)
        #expect(matcher.matches(line))
        #expect(pattern.fields.map(\.name) == ["user", "word"])
    }
}
