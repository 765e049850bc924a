import LogboxQuery
import Testing

/// A clause whose column is where `needle` first appears in `text`.
func clause(_ field: String?, _ matcher: Matcher, at needle: String, in text: String) -> Filter {
    .match(Clause(field: field, matcher: matcher, column: column(of: needle, in: text)))
}

/// 1-based column, in Unicode scalars, of the first occurrence of `needle`.
func column(of needle: String, in text: String) -> Int {
    let scalars = Array(text.unicodeScalars)
    let pattern = Array(needle.unicodeScalars)
    for start in 0...(scalars.count - pattern.count) where Array(scalars[start..<(start + pattern.count)]) == pattern {
        return start + 1
    }
    Issue.record("'\(needle)' not in '\(text)'")
    return 0
}

func parsed(_ text: String) throws -> Query { try QueryParser.parse(text) }

@Suite("Query parser: DESIGN examples")
struct QueryParserDesignExampleTests {
    @Test func sshdFailedPasswordNotRoot() throws {
        let text = #"program:sshd AND "Failed password" AND NOT user:root"#
        let query = try parsed(text)
        #expect(query.text == text)
        #expect(query.pipes == [])
        #expect(
            query.filter
                == .and([
                    clause("program", .word("sshd"), at: "program", in: text),
                    clause(nil, .phrase("Failed password"), at: "\"", in: text),
                    .not(clause("user", .word("root"), at: "user", in: text)),
                ])
        )
        #expect(column(of: "user", in: text) == 44)
    }

    @Test func statusMethodPath() throws {
        let text = "status:>=500 method:POST path:/api/*"
        #expect(
            try parsed(text).filter
                == .and([
                    .match(
                        Clause(
                            field: "status",
                            matcher: .range(lower: RangeBound("500", inclusive: true), upper: nil),
                            column: 1
                        )
                    ),
                    .match(Clause(field: "method", matcher: .word("POST"), column: 14)),
                    .match(Clause(field: "path", matcher: .prefix("/api/"), column: 26)),
                ])
        )
    }

    @Test func cidrOrLevelList() throws {
        let text = "client_ip:10.0.0.0/8 OR level:(error OR critical)"
        let network = CIDR(
            address: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 0, 0, 0],
            prefixLength: 104,
            isIPv4: true
        )
        #expect(
            try parsed(text).filter
                == .or([
                    .match(Clause(field: "client_ip", matcher: .cidr(network), column: 1)),
                    .match(Clause(field: "level", matcher: .word("error"), column: 25)),
                    .match(Clause(field: "level", matcher: .word("critical"), column: 25)),
                ])
        )
    }

    @Test func bareRegex() throws {
        #expect(
            try parsed(#"/timeout after \d+ms/"#).filter
                == .match(Clause(field: nil, matcher: .regex(#"timeout after \d+ms"#), column: 1))
        )
    }

    @Test func statsSortHead() throws {
        let query = try parsed("level:error | stats count() by (service) | sort by (count desc) | head 10")
        #expect(query.filter == .match(Clause(field: "level", matcher: .word("error"), column: 1)))
        #expect(
            query.pipes == [
                .stats(aggregations: [Aggregation(function: .count, field: nil, name: "count")], by: ["service"]),
                .sort([SortKey(field: "count", descending: true)]),
                .head(10),
            ]
        )
    }

    @Test func timechart() throws {
        let query = try parsed("source:nginx_access.log | timechart span=5m count(), p95(request_time)")
        #expect(query.filter == .match(Clause(field: "source", matcher: .word("nginx_access.log"), column: 1)))
        #expect(
            query.pipes == [
                .timechart(
                    spanNanoseconds: 300_000_000_000,
                    aggregations: [
                        Aggregation(function: .count, field: nil, name: "count"),
                        Aggregation(function: .quantile(0.95), field: "request_time", name: "p95(request_time)"),
                    ],
                    by: []
                )
            ]
        )
    }

    @Test func existsTop() throws {
        let query = try parsed("client_ip:* | top 10 client_ip")
        #expect(query.filter == .match(Clause(field: "client_ip", matcher: .exists, column: 1)))
        #expect(query.pipes == [.top(limit: 10, field: "client_ip", rare: false)])
    }

    @Test func implicitAndWithStatsByHost() throws {
        let text = #"program:sshd "Failed password" | stats count() by (host)"#
        let query = try parsed(text)
        #expect(
            query.filter
                == .and([
                    .match(Clause(field: "program", matcher: .word("sshd"), column: 1)),
                    .match(Clause(field: nil, matcher: .phrase("Failed password"), column: 14)),
                ])
        )
        #expect(
            query.pipes == [
                .stats(aggregations: [Aggregation(function: .count, field: nil, name: "count")], by: ["host"])
            ]
        )
    }

    @Test func sdParameterFieldName() throws {
        #expect(
            try parsed("sd.req@32473.status:200").filter
                == .match(Clause(field: "sd.req@32473.status", matcher: .word("200"), column: 1))
        )
    }
}

@Suite("Query parser: syntax")
struct QueryParserSyntaxTests {
    func filter(_ text: String) throws -> Filter { try QueryParser.parse(text).filter }
    func leaf(_ field: String?, _ matcher: Matcher, _ column: Int) -> Filter {
        .match(Clause(field: field, matcher: matcher, column: column))
    }

    @Test func emptyAndStarAreAll() throws {
        #expect(try self.filter("") == .all)
        #expect(try self.filter("   ") == .all)
        #expect(try self.filter("*") == .all)
        #expect(try self.filter(" * ") == .all)
        #expect(try QueryParser.parse("| head 5").pipes == [.head(5)])
        #expect(try QueryParser.parse("| head 5").filter == .all)
    }

    @Test func bareWordsAndPhrases() throws {
        #expect(try self.filter("error") == self.leaf(nil, .word("error"), 1))
        #expect(try self.filter("foo-bar") == self.leaf(nil, .word("foo-bar"), 1))
        #expect(try self.filter("and") == self.leaf(nil, .word("and"), 1))
        #expect(try self.filter(#""a \"b\" \\ c""#) == self.leaf(nil, .phrase(#"a "b" \ c"#), 1))
        #expect(try self.filter(#""C:\logs""#) == self.leaf(nil, .phrase(#"C:\logs"#), 1))
        #expect(
            try self.filter("größe 東京") == .and([self.leaf(nil, .word("größe"), 1), self.leaf(nil, .word("東京"), 7)])
        )
        #expect(try self.filter(#"a\ b"#) == self.leaf(nil, .word("a b"), 1))
        #expect(try self.filter(#"\AND"#) == self.leaf(nil, .word("AND"), 1))
    }

    @Test func messagePrefixAndWildcard() throws {
        #expect(try self.filter("fail*") == self.leaf(nil, .prefix("fail"), 1))
        #expect(try self.filter("f?il") == self.leaf(nil, .wildcard("f?il"), 1))
        #expect(try self.filter("f*l*") == self.leaf(nil, .wildcard("f*l*"), 1))
        #expect(try self.filter(#"fail\*"#) == self.leaf(nil, .word("fail*"), 1))
    }

    @Test func fieldValues() throws {
        #expect(try self.filter("host:web-1") == self.leaf("host", .word("web-1"), 1))
        #expect(try self.filter(#"user:"two words""#) == self.leaf("user", .phrase("two words"), 1))
        #expect(try self.filter("host:web*") == self.leaf("host", .prefix("web"), 1))
        #expect(try self.filter("host:a*b?c") == self.leaf("host", .wildcard("a*b?c"), 1))
        #expect(try self.filter("host:*") == self.leaf("host", .exists, 1))
        #expect(try self.filter(#"host:\*"#) == self.leaf("host", .word("*"), 1))
        #expect(try self.filter("file:/var/log/auth.log") == self.leaf("file", .word("/var/log/auth.log"), 1))
        #expect(try self.filter("url:http://x.org/a") == self.leaf("url", .word("http://x.org/a"), 1))
        #expect(try self.filter("count:-5") == self.leaf("count", .word("-5"), 1))
        #expect(try self.filter("@timestamp:x") == self.leaf("@timestamp", .word("x"), 1))
        #expect(try self.filter("AND:x") == self.leaf("AND", .word("x"), 1))
        #expect(
            try self.filter("_time:>=2026-11-29")
                == self.leaf("_time", .range(lower: RangeBound("2026-11-29", inclusive: true), upper: nil), 1)
        )
    }

    @Test func regexes() throws {
        #expect(try self.filter("path:/api/*") == self.leaf("path", .prefix("/api/"), 1))
        #expect(try self.filter("path:/ap.i/") == self.leaf("path", .regex("ap.i"), 1))
        #expect(try self.filter(#"path:/a\/b/"#) == self.leaf("path", .regex("a/b"), 1))
        #expect(try self.filter(#"path:/a\\/"#) == self.leaf("path", .regex(#"a\\"#), 1))
        #expect(
            try self.filter(#"/a\d+/ x"#) == .and([self.leaf(nil, .regex(#"a\d+"#), 1), self.leaf(nil, .word("x"), 8)])
        )
        #expect(try self.filter("(/x y/)") == self.leaf(nil, .regex("x y"), 2))
        #expect(try self.filter("/a/b/") == self.leaf(nil, .regex("a/b"), 1))
        #expect(try self.filter("/(?i)err(or|no)/") == self.leaf(nil, .regex("(?i)err(or|no)"), 1))
        #expect(try self.filter("/var/log") == self.leaf(nil, .word("/var/log"), 1))
        #expect(try self.filter(#"path:\/a/"#) == self.leaf("path", .word("/a/"), 1))
    }

    @Test func ranges() throws {
        func range(_ l: String?, _ li: Bool, _ u: String?, _ ui: Bool) -> Matcher {
            .range(lower: l.map { RangeBound($0, inclusive: li) }, upper: u.map { RangeBound($0, inclusive: ui) })
        }
        #expect(try self.filter("bytes:[1000 TO *]") == self.leaf("bytes", range("1000", true, nil, false), 1))
        #expect(try self.filter("host:{a TO m}") == self.leaf("host", range("a", false, "m", false), 1))
        #expect(try self.filter("x:[a TO b}") == self.leaf("x", range("a", true, "b", false), 1))
        #expect(try self.filter("x:{a TO b]") == self.leaf("x", range("a", false, "b", true), 1))
        #expect(try self.filter("x:[ * TO * ]") == self.leaf("x", range(nil, false, nil, false), 1))
        #expect(try self.filter(#"x:["a b" TO "*"]"#) == self.leaf("x", range("a b", true, "*", true), 1))
        #expect(try self.filter("status:>500") == self.leaf("status", range("500", false, nil, false), 1))
        #expect(try self.filter("status:<500") == self.leaf("status", range(nil, false, "500", false), 1))
        #expect(try self.filter("status:<=500") == self.leaf("status", range(nil, false, "500", true), 1))
        #expect(try self.filter(#"t:>="a b""#) == self.leaf("t", range("a b", true, nil, false), 1))
        #expect(try self.filter("x:[-5 TO 5.5]") == self.leaf("x", range("-5", true, "5.5", true), 1))
    }

    @Test func networks() throws {
        let v4 = try self.filter("src_ip:192.168.1.0/24")
        #expect(
            v4
                == self.leaf(
                    "src_ip",
                    .cidr(
                        CIDR(
                            address: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 192, 168, 1, 0],
                            prefixLength: 120,
                            isIPv4: true
                        )
                    ),
                    1
                )
        )
        let v6 = try self.filter("src_ip:2001:db8::/32")
        #expect(
            v6
                == self.leaf(
                    "src_ip",
                    .cidr(
                        CIDR(
                            address: [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 12),
                            prefixLength: 32,
                            isIPv4: false
                        )
                    ),
                    1
                )
        )
        #expect(try self.filter("src_ip:10.0.0.1") == self.leaf("src_ip", .word("10.0.0.1"), 1))
        #expect(try self.filter("src_ip:2001:db8::1") == self.leaf("src_ip", .word("2001:db8::1"), 1))
        #expect(try self.filter(#"src_ip:10.0.0.0\/8"#) == self.leaf("src_ip", .word("10.0.0.0/8"), 1))
        let mapped = try self.filter("ip:::ffff:10.0.0.0/104")
        #expect(
            mapped
                == self.leaf(
                    "ip",
                    .cidr(
                        CIDR(
                            address: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 10, 0, 0, 0],
                            prefixLength: 104,
                            isIPv4: false
                        )
                    ),
                    1
                )
        )
        #expect(
            try self.filter("ip:::/0")
                == self.leaf(
                    "ip",
                    .cidr(CIDR(address: [UInt8](repeating: 0, count: 16), prefixLength: 0, isIPv4: false)),
                    1
                )
        )
        #expect(
            try self.filter("bare 10.0.0.0/8")
                == .and([self.leaf(nil, .word("bare"), 1), self.leaf(nil, .word("10.0.0.0/8"), 6)])
        )
        #expect(try self.filter("ip:300.0.0.0/8") == self.leaf("ip", .word("300.0.0.0/8"), 1))
    }

    @Test func valueLists() throws {
        #expect(
            try self.filter("level:(error OR critical)")
                == .or([self.leaf("level", .word("error"), 1), self.leaf("level", .word("critical"), 1)])
        )
        #expect(
            try self.filter("host:(a b)") == .and([self.leaf("host", .word("a"), 1), self.leaf("host", .word("b"), 1)])
        )
        #expect(
            try self.filter("x host:(a -b (c OR d*)) y")
                == .and([
                    self.leaf(nil, .word("x"), 1),
                    self.leaf("host", .word("a"), 3),
                    .not(self.leaf("host", .word("b"), 3)),
                    .or([self.leaf("host", .word("c"), 3), self.leaf("host", .prefix("d"), 3)]),
                    self.leaf(nil, .word("y"), 25),
                ])
        )
        #expect(
            try self.filter("status:(>=500 OR 404)")
                == .or([
                    self.leaf("status", .range(lower: RangeBound("500", inclusive: true), upper: nil), 1),
                    self.leaf("status", .word("404"), 1),
                ])
        )
        #expect(
            try self.filter("-level:(a OR b)")
                == .not(.or([self.leaf("level", .word("a"), 2), self.leaf("level", .word("b"), 2)]))
        )
        #expect(try self.filter("h:(a:b)") == self.leaf("h", .word("a:b"), 1))
    }

    @Test func negation() throws {
        #expect(try self.filter("-root") == .not(self.leaf(nil, .word("root"), 2)))
        #expect(try self.filter("-user:root") == .not(self.leaf("user", .word("root"), 2)))
        #expect(try self.filter(#"-"a b""#) == .not(self.leaf(nil, .phrase("a b"), 2)))
        #expect(
            try self.filter("-(a b)") == .not(.and([self.leaf(nil, .word("a"), 3), self.leaf(nil, .word("b"), 5)]))
        )
        #expect(try self.filter("NOT NOT a") == .not(.not(self.leaf(nil, .word("a"), 9))))
        #expect(try self.filter("a -b") == .and([self.leaf(nil, .word("a"), 1), .not(self.leaf(nil, .word("b"), 4))]))
        #expect(try self.filter("a-b") == self.leaf(nil, .word("a-b"), 1))
        #expect(try self.filter("NOT(a)") == .not(self.leaf(nil, .word("a"), 5)))
        #expect(try self.filter("not a") == .and([self.leaf(nil, .word("not"), 1), self.leaf(nil, .word("a"), 5)]))
    }

    @Test func precedence() throws {
        let a = self.leaf(nil, .word("a"), 1)
        // a OR b c  ==  a OR (b AND c)
        #expect(
            try self.filter("a OR b c")
                == .or([a, .and([self.leaf(nil, .word("b"), 6), self.leaf(nil, .word("c"), 8)])])
        )
        // a b OR c  ==  (a AND b) OR c
        #expect(
            try self.filter("a AND b OR c")
                == .or([.and([a, self.leaf(nil, .word("b"), 7)]), self.leaf(nil, .word("c"), 12)])
        )
        // NOT binds tightest: NOT a b == (NOT a) AND b
        #expect(
            try self.filter("NOT a b") == .and([.not(self.leaf(nil, .word("a"), 5)), self.leaf(nil, .word("b"), 7)])
        )
        // NOT a OR b == (NOT a) OR b
        #expect(
            try self.filter("NOT a OR b") == .or([.not(self.leaf(nil, .word("a"), 5)), self.leaf(nil, .word("b"), 10)])
        )
        // Parentheses override.
        #expect(
            try self.filter("(a OR b) c")
                == .and([
                    .or([self.leaf(nil, .word("a"), 2), self.leaf(nil, .word("b"), 7)]), self.leaf(nil, .word("c"), 10),
                ])
        )
    }

    @Test func flattening() throws {
        let text = "a (b (c AND d)) AND e"
        #expect(
            try self.filter(text)
                == .and([
                    self.leaf(nil, .word("a"), 1), self.leaf(nil, .word("b"), 4), self.leaf(nil, .word("c"), 7),
                    self.leaf(nil, .word("d"), 13), self.leaf(nil, .word("e"), 21),
                ])
        )
        #expect(
            try self.filter("a OR (b OR c) OR d")
                == .or([
                    self.leaf(nil, .word("a"), 1), self.leaf(nil, .word("b"), 7), self.leaf(nil, .word("c"), 12),
                    self.leaf(nil, .word("d"), 18),
                ])
        )
        #expect(try self.filter("((a))") == self.leaf(nil, .word("a"), 3))
    }

    @Test func columnsCountUnicodeScalars() throws {
        // "é" written as one scalar, then a flag (two scalars) and a CJK word.
        let text = "é 🇩🇪 東京 host:x"
        let query = try QueryParser.parse(text)
        guard case .and(let items) = query.filter, case .match(let last) = items.last else {
            Issue.record("expected an and")
            return
        }
        #expect(last.column == 9)
        #expect(last.field == "host")
    }
}

@Suite("Query parser: pipes")
struct QueryParserPipeTests {
    func pipes(_ text: String) throws -> [Pipe] { try QueryParser.parse(text).pipes }

    @Test func statsFunctionsAndNames() throws {
        let got = try self.pipes(
            "* | stats count(), count(user), count_uniq(user), sum(bytes), avg(x), min(x), max(x), "
                + "quantile(0.9, x), p50(x), p90(x), p95(request_time), p99(x) as slow by a, b"
        )
        #expect(
            got == [
                .stats(
                    aggregations: [
                        Aggregation(function: .count, field: nil, name: "count"),
                        Aggregation(function: .count, field: "user", name: "count(user)"),
                        Aggregation(function: .countUnique, field: "user", name: "count_uniq(user)"),
                        Aggregation(function: .sum, field: "bytes", name: "sum(bytes)"),
                        Aggregation(function: .average, field: "x", name: "avg(x)"),
                        Aggregation(function: .minimum, field: "x", name: "min(x)"),
                        Aggregation(function: .maximum, field: "x", name: "max(x)"),
                        Aggregation(function: .quantile(0.9), field: "x", name: "quantile(0.9, x)"),
                        Aggregation(function: .quantile(0.5), field: "x", name: "p50(x)"),
                        Aggregation(function: .quantile(0.9), field: "x", name: "p90(x)"),
                        Aggregation(function: .quantile(0.95), field: "request_time", name: "p95(request_time)"),
                        Aggregation(function: .quantile(0.99), field: "x", name: "slow"),
                    ],
                    by: ["a", "b"]
                )
            ]
        )
    }

    @Test func statsSpacingAndAliases() throws {
        #expect(
            try self.pipes(#"*|stats  count ( )  as  "n events" ,sum( bytes )by(host,"a b")"#) == [
                .stats(
                    aggregations: [
                        Aggregation(function: .count, field: nil, name: "n events"),
                        Aggregation(function: .sum, field: "bytes", name: "sum(bytes)"),
                    ],
                    by: ["host", "a b"]
                )
            ]
        )
        #expect(
            try self.pipes("* | stats quantile(0.90 , x)")
                == [
                    .stats(
                        aggregations: [Aggregation(function: .quantile(0.9), field: "x", name: "quantile(0.90, x)")],
                        by: []
                    )
                ]
        )
    }

    @Test func topRare() throws {
        #expect(try self.pipes("* | top client_ip") == [.top(limit: 10, field: "client_ip", rare: false)])
        #expect(try self.pipes("* | rare 3 user") == [.top(limit: 3, field: "user", rare: true)])
        #expect(try self.pipes("* | top 5 10") == [.top(limit: 5, field: "10", rare: false)])
    }

    @Test func timechartSpans() throws {
        let minute: Int64 = 60_000_000_000
        #expect(
            try self.pipes("* | timechart span=30s count() by (host)")
                == [
                    .timechart(
                        spanNanoseconds: minute / 2,
                        aggregations: [Aggregation(function: .count, field: nil, name: "count")],
                        by: ["host"]
                    )
                ]
        )
        #expect(
            try self.pipes("* | timechart span = 2h avg(x)")
                == [
                    .timechart(
                        spanNanoseconds: 120 * minute,
                        aggregations: [Aggregation(function: .average, field: "x", name: "avg(x)")],
                        by: []
                    )
                ]
        )
        #expect(
            try self.pipes("* | timechart span=1d count()")
                == [
                    .timechart(
                        spanNanoseconds: 1440 * minute,
                        aggregations: [Aggregation(function: .count, field: nil, name: "count")],
                        by: []
                    )
                ]
        )
    }

    @Test func sortHeadTailFields() throws {
        #expect(
            try self.pipes("* | sort by (f desc, g)") == [
                .sort([SortKey(field: "f", descending: true), SortKey(field: "g", descending: false)])
            ]
        )
        #expect(try self.pipes("* | sort by f desc") == [.sort([SortKey(field: "f", descending: true)])])
        #expect(
            try self.pipes("* | sort by f DESC, g asc") == [
                .sort([SortKey(field: "f", descending: true), SortKey(field: "g", descending: false)])
            ]
        )
        #expect(try self.pipes("* | sort f") == [.sort([SortKey(field: "f", descending: false)])])
        #expect(try self.pipes("* | head") == [.head(10)])
        #expect(try self.pipes("* | tail") == [.tail(10)])
        #expect(try self.pipes("* | tail 3 | head 1") == [.tail(3), .head(1)])
        #expect(try self.pipes("* | fields a, b") == [.fields(["a", "b"])])
        #expect(try self.pipes("* | fields (a, b.c)") == [.fields(["a", "b.c"])])
        #expect(try self.pipes("* | fields a b") == [.fields(["a", "b"])])
    }

    @Test func whereFilters() throws {
        let text = "* | stats count() by (host) | where count > 10"
        #expect(
            try self.pipes(text)[1]
                == .where(
                    .match(
                        Clause(
                            field: "count",
                            matcher: .range(lower: RangeBound("10", inclusive: false), upper: nil),
                            column: column(of: "count >", in: text)
                        )
                    )
                )
        )
        let cases: [(String, Matcher, Bool)] = [
            ("count >= 10", .range(lower: RangeBound("10", inclusive: true), upper: nil), false),
            ("count<10", .range(lower: nil, upper: RangeBound("10", inclusive: false)), false),
            ("count <= 10", .range(lower: nil, upper: RangeBound("10", inclusive: true)), false),
            ("count = 10", .word("10"), false),
            ("count == 10", .word("10"), false),
            ("count != 10", .word("10"), true),
            ("host = \"a b\"", .word("a b"), false),
        ]
        for (condition, matcher, negated) in cases {
            let query = try QueryParser.parse("* | where " + condition)
            let field = condition.hasPrefix("host") ? "host" : "count"
            let leaf = Filter.match(Clause(field: field, matcher: matcher, column: 11))
            #expect(query.pipes == [.where(negated ? .not(leaf) : leaf)], "\(condition)")
        }
        #expect(
            try self.pipes("* | where count:>10 AND host:web*")
                == [
                    .where(
                        .and([
                            .match(
                                Clause(
                                    field: "count",
                                    matcher: .range(lower: RangeBound("10", inclusive: false), upper: nil),
                                    column: 11
                                )
                            ),
                            .match(Clause(field: "host", matcher: .prefix("web"), column: 25)),
                        ])
                    )
                ]
        )
        #expect(
            try self.pipes("* | where p95(request_time) > 0.5 OR count(user):>=3")
                == [
                    .where(
                        .or([
                            .match(
                                Clause(
                                    field: "p95(request_time)",
                                    matcher: .range(lower: RangeBound("0.5", inclusive: false), upper: nil),
                                    column: 11
                                )
                            ),
                            .match(
                                Clause(
                                    field: "count(user)",
                                    matcher: .range(lower: RangeBound("3", inclusive: true), upper: nil),
                                    column: 38
                                )
                            ),
                        ])
                    )
                ]
        )
        #expect(
            try self.pipes("* | where quantile(0.9, x) < 2 | head 1")
                == [
                    .where(
                        .match(
                            Clause(
                                field: "quantile(0.9, x)",
                                matcher: .range(lower: nil, upper: RangeBound("2", inclusive: false)),
                                column: 11
                            )
                        )
                    ), .head(1),
                ]
        )
    }
}
