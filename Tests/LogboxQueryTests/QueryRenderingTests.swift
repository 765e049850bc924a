import LogboxQuery
import LogboxStore
import Testing

/// Random filter trees and pipes that the query syntax can express, from a fixed seed.
struct RandomQueryGenerator {
    var random: SplitMix64

    init(seed: UInt64) { self.random = SplitMix64(seed: seed) }

    static let scalars: [Unicode.Scalar] = Array(
        "abcxyzABCZ019_.@-:/\\\"()|*?[]{}<>=!,;'#$%^&+~` \t\né東京ß\u{301}\u{200D}\u{3000}\u{A0}🇩🇪😀".unicodeScalars
    )
    static let fields = [
        "host", "level", "status", "sd.req@32473.status", "_time", "a-b", "größe", "AND", "OR", "NOT", "x1",
        "message", "@timestamp", "9",
    ]
    static let resultFields = ["count", "p95(request_time)", "count(user)", "quantile(0.9, x)", "host"]
    static let names = ["host", "count", "a b", "by", "desc", "as", "10", "p95(x)", "-x", "é", "\"q\"", "x\\y"]
    static let regexPieces = [
        "a", "b", "\\d", "/", ".", "*", "+", " ", "(", ")", "|", "\\\\", "\\.", "é", "\"", "[0-9]", "?",
    ]

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self.random) }
    mutating func chance(_ percent: Int) -> Bool { self.int(0...99) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[self.int(0...(items.count - 1))] }

    mutating func text(_ lengths: ClosedRange<Int>) -> String {
        var view = String.UnicodeScalarView()
        for _ in 0..<self.int(lengths) { view.append(self.pick(Self.scalars)) }
        return String(view)
    }

    /// Text that the tokenizer finds at least one term in.
    mutating func searchable(_ lengths: ClosedRange<Int>) -> String {
        let text = self.text(lengths)
        let hasWord = text.unicodeScalars.contains {
            $0.value >= 0x80 || ($0.properties.isAlphabetic && $0.isASCII) || ($0.value >= 0x30 && $0.value <= 0x39)
                || $0 == "_"
        }
        return hasWord ? text : text + "a"
    }

    mutating func wildcard(searchable: Bool) -> String {
        let head = searchable ? self.searchable(0...4) : self.text(0...4)
        let pattern = self.chance(50) ? head + "?" + self.text(0...3) : head + "*" + self.text(1...3)
        let metas = pattern.unicodeScalars.enumerated().filter { $0.element == "*" || $0.element == "?" }
        if metas.count == 1, metas[0].element == "*", metas[0].offset == pattern.unicodeScalars.count - 1 {
            return pattern + "?"
        }
        return pattern == "*" ? "*?" : pattern
    }

    mutating func regex() -> String {
        (0..<self.int(0...6)).map { _ in self.pick(Self.regexPieces) }.joined()
    }

    mutating func bound() -> RangeBound? {
        guard self.chance(80) else { return nil }
        let value =
            self.chance(20) ? self.pick(["*", "TO", "", "500", "2026-11-29T14:00:00Z", "-1.5"]) : self.text(0...6)
        return RangeBound(value, inclusive: self.chance(50))
    }

    mutating func cidr() -> CIDR {
        if self.chance(50) {
            let bytes = (0..<4).map { _ in UInt8(self.int(0...255)) }
            return CIDR(
                address: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + bytes,
                prefixLength: 96 + self.int(0...32),
                isIPv4: true
            )
        }
        var bytes = (0..<16).map { _ in self.chance(40) ? 0 : UInt8(self.int(0...255)) }
        if self.chance(20) { bytes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + bytes.suffix(4) }
        return CIDR(address: bytes, prefixLength: self.int(0...128), isIPv4: false)
    }

    mutating func clause(fields: [String]) -> Clause {
        if self.chance(30) {
            let matcher: Matcher
            switch self.int(0...4) {
            case 0: matcher = .word(self.searchable(1...8))
            case 1: matcher = .phrase(self.searchable(0...8))
            case 2: matcher = .prefix(self.searchable(1...6))
            case 3: matcher = .wildcard(self.wildcard(searchable: true))
            default: matcher = .regex(self.regex())
            }
            return Clause(field: nil, matcher: matcher, column: self.int(1...50))
        }
        let matcher: Matcher
        switch self.int(0...9) {
        case 0: matcher = .word(self.text(1...8))
        case 1:
            matcher = .word(self.pick(["10.0.0.0/8", "2001:db8::/32", "10.0.0.0/99", "/a/", "-5", "*", "AND", "(x)"]))
        case 2: matcher = .phrase(self.text(0...8))
        case 3: matcher = .prefix(self.text(1...6))
        case 4: matcher = .wildcard(self.wildcard(searchable: false))
        case 5: matcher = .exists
        case 6: matcher = .regex(self.regex())
        case 7, 8: matcher = .range(lower: self.bound(), upper: self.bound())
        default: matcher = .cidr(self.cidr())
        }
        return Clause(field: self.pick(fields), matcher: matcher, column: self.int(1...50))
    }

    mutating func filter(depth: Int, fields: [String] = Self.fields) -> Filter {
        if depth == 0 || self.chance(40) {
            return self.chance(3) ? .all : .match(self.clause(fields: fields))
        }
        switch self.int(0...2) {
        case 0: return .not(self.filter(depth: depth - 1, fields: fields))
        case 1: return .and((0..<self.int(2...4)).map { _ in self.filter(depth: depth - 1, fields: fields) })
        default: return .or((0..<self.int(2...4)).map { _ in self.filter(depth: depth - 1, fields: fields) })
        }
    }

    mutating func aggregation() -> Aggregation {
        let field = self.pick(Self.names)
        var aggregation: Aggregation
        switch self.int(0...7) {
        case 0: aggregation = Aggregation(function: .count, field: nil, name: "count")
        case 1: aggregation = Aggregation(function: .count, field: field, name: "count(\(field))")
        case 2: aggregation = Aggregation(function: .countUnique, field: field, name: "count_uniq(\(field))")
        case 3: aggregation = Aggregation(function: .sum, field: field, name: "sum(\(field))")
        case 4: aggregation = Aggregation(function: self.pick([.average, .minimum, .maximum]), field: field, name: "")
        case 5:
            let percent = self.pick([50, 90, 95, 99, 5])
            aggregation = Aggregation(
                function: .quantile(Double(percent) / 100),
                field: field,
                name: "p\(percent)(\(field))"
            )
        default:
            let fraction = Double(self.int(0...1_000_000)) / 1_000_000
            aggregation = Aggregation(
                function: .quantile(fraction),
                field: field,
                name: "quantile(\(fraction), \(field))"
            )
        }
        if aggregation.name.isEmpty || self.chance(25) { aggregation.name = self.pick(Self.names) }
        return aggregation
    }

    mutating func pipe() -> Pipe {
        switch self.int(0...8) {
        case 0:
            return .stats(
                aggregations: (0..<self.int(1...3)).map { _ in self.aggregation() },
                by: (0..<self.int(0...2)).map { _ in self.pick(Self.names) }
            )
        case 1: return .top(limit: self.int(1...1000), field: self.pick(Self.names), rare: self.chance(50))
        case 2:
            return .timechart(
                spanNanoseconds: Int64(self.int(1...100_000)) * 1_000_000_000,
                aggregations: (0..<self.int(1...2)).map { _ in self.aggregation() },
                by: (0..<self.int(0...2)).map { _ in self.pick(Self.names) }
            )
        case 3:
            return .sort(
                (0..<self.int(1...3)).map { _ in SortKey(field: self.pick(Self.names), descending: self.chance(50)) }
            )
        case 4: return .head(self.int(1...10_000))
        case 5: return .tail(self.int(1...10_000))
        case 6: return .fields((0..<self.int(1...3)).map { _ in self.pick(Self.names) })
        default: return .where(self.filter(depth: 3, fields: Self.resultFields).flattened)
        }
    }
}

@Suite("Query rendering")
struct QueryRenderingTests {
    func roundTrip(_ filter: Filter, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = filter.queryText
        do {
            let back = try QueryParser.parse(text).filter
            #expect(back.withoutColumns() == filter.withoutColumns(), "\(text)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("'\(text)' does not parse: \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func canonicalText() throws {
        let cases: [(String, String)] = [
            (
                #"program:sshd AND "Failed password" AND NOT user:root"#,
                #"program:sshd "Failed password" NOT user:root"#
            ),
            ("status:>=500 method:POST path:/api/*", "status:>=500 method:POST path:/api/*"),
            (
                "client_ip:10.0.0.0/8 OR level:(error OR critical)",
                "client_ip:10.0.0.0/8 OR level:error OR level:critical"
            ),
            (#"/timeout after \d+ms/"#, #"/timeout after \d+ms/"#),
            ("a (b OR c) -d", "a (b OR c) NOT d"),
            ("x:[1 TO 5} y:{* TO 3] z:[* TO *]", "x:[1 TO 5} y:<=3 z:[* TO *]"),
            ("ip:2001:0db8:0:0:0:0:0:1/128", "ip:2001:db8::1/128"),
            (#"f:"a b" g:a\ b"#, #"f:"a b" g:a\ b"#),
            ("path:/a\\/b/", #"path:/a\/b/"#),
            (
                "level:error | stats count() by (service) | sort by (count desc) | head 10",
                "level:error | stats count() by (service) | sort by (count desc) | head 10"
            ),
            (
                "* | timechart span=300s count(), p95(request_time) by host",
                "* | timechart span=5m count(), p95(request_time) by (host)"
            ),
            ("* | stats quantile(0.90, x) as q, sum(b) as \"sum(b)\"", "* | stats quantile(0.9, x) as q, sum(b)"),
            (
                "* | where count > 10 | fields a b | top c | rare 2 d | tail",
                "* | where count:>10 | fields a, b | top 10 c | rare 2 d | tail 10"
            ),
        ]
        for (input, expected) in cases {
            let query = try QueryParser.parse(input)
            #expect(query.queryText == expected)
            #expect(try QueryParser.parse(query.queryText).withoutColumns().filter == query.withoutColumns().filter)
            #expect(try QueryParser.parse(query.queryText).withoutColumns().pipes == query.withoutColumns().pipes)
        }
    }

    @Test func escapesWhatWouldMeanSomething() {
        let leaf = { (field: String?, matcher: Matcher) in
            Filter.match(Clause(field: field, matcher: matcher, column: 1))
        }
        #expect(leaf(nil, .word("AND")).queryText == #"\AND"#)
        #expect(leaf(nil, .word("-x")).queryText == #"\-x"#)
        #expect(leaf(nil, .word("a:b")).queryText == #"a\:b"#)
        #expect(leaf(nil, .word("fail*")).queryText == #"fail\*"#)
        #expect(leaf("h", .word("*")).queryText == #"h:\*"#)
        #expect(leaf("h", .word("pre*")).queryText == #"h:pre\*"#)
        #expect(leaf("h", .word("10.0.0.0/8")).queryText == #"h:10.0.0.0\/8"#)
        #expect(leaf("h", .word("/a/")).queryText == #"h:\/a/"#)
        #expect(leaf("h", .word("/var/log/x")).queryText == "h:/var/log/x")
        #expect(leaf("h", .word("/ab")).queryText == #"h:\/ab"#)
        #expect(leaf("h", .prefix("/api/")).queryText == "h:/api/*")
        #expect(leaf(nil, .prefix("/ab")).queryText == #"\/ab*"#)
        #expect(leaf("h", .wildcard("a*b?c")).queryText == "h:a*b?c")
        #expect(leaf("h", .wildcard("a b\\?")).queryText == #"h:a\ b\\?"#)
        #expect(leaf("h", .word(">5")).queryText == #"h:\>5"#)
        #expect(leaf("h", .prefix("a b")).queryText == #"h:a\ b*"#)
        #expect(leaf("h", .phrase(#"say "hi" \o/"#)).queryText == #"h:"say \"hi\" \\o/""#)
        #expect(leaf("h", .range(lower: RangeBound("=5", inclusive: false), upper: nil)).queryText == #"h:>"=5""#)
        #expect(
            leaf("h", .range(lower: RangeBound("TO", inclusive: true), upper: RangeBound("*", inclusive: true)))
                .queryText == #"h:["TO" TO "*"]"#
        )
        #expect(leaf(nil, .regex("a/b")).queryText == #"/a\/b/"#)
    }

    @Test func designExamplesRoundTrip() throws {
        for text in [
            #"program:sshd AND "Failed password" AND NOT user:root"#,
            "status:>=500 method:POST path:/api/*",
            "client_ip:10.0.0.0/8 OR level:(error OR critical)",
            #"/timeout after \d+ms/"#,
            "level:error | stats count() by (service) | sort by (count desc) | head 10",
            "source:nginx_access.log | timechart span=5m count(), p95(request_time)",
            "client_ip:* | top 10 client_ip",
            #"program:sshd "Failed password" | stats count() by (host)"#,
        ] {
            let query = try QueryParser.parse(text)
            let again = try QueryParser.parse(query.queryText)
            #expect(again.filter.withoutColumns() == query.filter.withoutColumns())
            #expect(again.pipes == query.pipes)
        }
    }

    @Test func randomFilterTreesRoundTrip() {
        var generator = RandomQueryGenerator(seed: 0x5EED_F11E)
        for _ in 0..<3_000 {
            self.roundTrip(generator.filter(depth: 4).flattened)
        }
    }

    @Test func everyMatcherRoundTripsAlone() {
        var generator = RandomQueryGenerator(seed: 42)
        for _ in 0..<2_000 {
            self.roundTrip(.match(generator.clause(fields: RandomQueryGenerator.fields)))
        }
    }

    @Test func randomPipesRoundTrip() throws {
        var generator = RandomQueryGenerator(seed: 7)
        for _ in 0..<1_500 {
            let query = Query(
                text: "",
                filter: generator.filter(depth: 2).flattened,
                pipes: (0..<generator.int(1...4)).map { _ in generator.pipe() }
            )
            let text = query.queryText
            do {
                let back = try QueryParser.parse(text).withoutColumns()
                #expect(back.filter == query.withoutColumns().filter, "\(text)")
                #expect(back.pipes == query.withoutColumns().pipes, "\(text)")
            } catch {
                Issue.record("'\(text)' does not parse: \(error)")
            }
        }
    }

    @Test func flattenedMergesNestedGroups() {
        let a = Filter.match(Clause(field: nil, matcher: .word("a"), column: 1))
        let b = Filter.match(Clause(field: nil, matcher: .word("b"), column: 3))
        #expect(Filter.and([.and([a, b]), .and([a])]).flattened == .and([a, b, a]))
        #expect(Filter.or([.or([a]), .not(.and([b]))]).flattened == .or([a, .not(b)]))
        #expect(Filter.and([a]).flattened == a)
    }
}
