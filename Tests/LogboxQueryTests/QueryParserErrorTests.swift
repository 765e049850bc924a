import LogboxQuery
import Testing

@Suite("Query parser: errors")
struct QueryParserErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var text: String
        var message: String
        var column: Int
        var kind: QueryError.Kind = .syntax
        var testDescription: String { self.text }
    }

    static let cases: [Case] = [
        Case(text: "status:", message: "expected a value after 'status:'", column: 8),
        Case(text: "a status: 500", message: "expected a value after 'status:'", column: 10),
        Case(text: "status:)", message: "expected a value after 'status:'", column: 8),
        Case(text: #"host:x AND msg:"unclosed"#, message: "unclosed quote started at column 16", column: 16),
        Case(text: #"abc "def"#, message: "unclosed quote started at column 5", column: 5),
        Case(text: "a (b OR c", message: "expected ')' to close '(' at column 3", column: 10),
        Case(text: "(((a) b", message: "expected ')' to close '(' at column 2", column: 8),
        Case(text: "(a | stats count()", message: "expected ')' to close '(' at column 1", column: 4),
        Case(text: "level:(error OR critical", message: "expected ')' to close '(' at column 7", column: 25),
        Case(text: "a | stat count()", message: "unknown pipe 'stat'; did you mean 'stats'?", column: 5),
        Case(text: "a | heda 3", message: "unknown pipe 'heda'; did you mean 'head'?", column: 5),
        Case(text: "a | frobnicate", message: "unknown pipe 'frobnicate'", column: 5),
        Case(text: "--", message: "'--' is not a query: nothing to search for", column: 1),
        Case(text: "a - b", message: "'-' is not a query: nothing to search for", column: 3),
        Case(text: "x ---*", message: "'---*' is not a query: nothing to search for", column: 3),
        Case(text: #"x "..." y"#, message: #"'"..."' is not a query: nothing to search for"#, column: 3),
        Case(text: "a AND", message: "expected a term after 'AND'", column: 6),
        Case(text: "a OR ", message: "expected a term after 'OR'", column: 6),
        Case(text: "NOT", message: "expected a term after 'NOT'", column: 4),
        Case(text: "a NOT | head", message: "expected a term after 'NOT'", column: 7),
        Case(text: "AND a", message: "expected a term before 'AND'", column: 1),
        Case(text: "a OR OR b", message: "expected a term after 'OR'", column: 6),
        Case(text: "a || b", message: "expected a pipe after '|'", column: 4),
        Case(text: "a)", message: "unexpected ')': there is no '(' to close", column: 2),
        Case(text: "()", message: "expected a query inside '()'", column: 2),
        Case(text: "x:()", message: "expected a value inside 'x:()'", column: 4),
        Case(text: "a |", message: "expected a pipe after '|'", column: 4),
        Case(text: "x:[1 TO", message: "expected a bound in the range started at column 3", column: 8),
        Case(text: "x:[1 5]", message: "expected 'TO' in the range started at column 3", column: 6),
        Case(text: "x:[1 TO 5", message: "expected ']' or '}' to close the range started at column 3", column: 10),
        Case(text: "x:[1 TO 5 ) ", message: "expected ']' or '}' to close the range started at column 3", column: 11),
        Case(text: "status:>=", message: "expected a value after 'status:>='", column: 10),
        Case(text: "status:< ", message: "expected a value after 'status:<'", column: 9),
        Case(text: "status:>*", message: "expected a value after 'status:>'", column: 9),
        Case(text: #"a\"#, message: #"expected a character after '\'"#, column: 2),
        Case(
            text: "ip:10.0.0.0/33",
            message: "prefix length /33 is out of range: at most /32",
            column: 4,
            kind: .invalid
        ),
        Case(
            text: "ip:2001:db8::/129",
            message: "prefix length /129 is out of range: at most /128",
            column: 4,
            kind: .invalid
        ),
        Case(text: #"h:a*b\?"#, message: "a wildcard pattern cannot also contain a literal '?'", column: 3),
        Case(text: "* | stats", message: "expected an aggregation such as count() after 'stats'", column: 10),
        Case(text: "* | stats by (host)", message: "expected an aggregation such as count() before 'by'", column: 11),
        Case(
            text: "* | stats cnt()",
            message: "unknown function 'cnt'; did you mean 'count'?",
            column: 11,
            kind: .invalid
        ),
        Case(text: "* | stats sum()", message: "expected a field inside 'sum()'", column: 15),
        Case(text: "* | stats count(", message: "expected ')' to close 'count(' at column 16", column: 17),
        Case(text: "* | stats count() host", message: "expected ',' or 'by' after 'count()'", column: 19),
        Case(text: "* | stats count(), sum(x) y", message: "expected ',' or 'by' after 'sum(x)'", column: 27),
        Case(text: "* | stats count() by", message: "expected a field after 'by'", column: 21),
        Case(text: "* | stats count() by (a, b", message: "expected ')' to close '(' at column 22", column: 27),
        Case(text: "* | stats count() as", message: "expected a name after 'as'", column: 21),
        Case(
            text: "* | stats quantile(2, x)",
            message: "expected a fraction from 0 to 1 in 'quantile('",
            column: 20,
            kind: .invalid
        ),
        Case(text: "* | stats quantile(0.5 x)", message: "expected ',' after the fraction in 'quantile('", column: 24),
        Case(text: "* | stats count", message: "expected '(' after 'count'", column: 16),
        Case(text: "* | top", message: "expected a field after 'top'", column: 8),
        Case(text: "* | top 10", message: "expected a field after 'top 10'", column: 11),
        Case(
            text: "* | top 0 x",
            message: "the count after 'top' must be from 1 to \(Int.max)",
            column: 9,
            kind: .invalid
        ),
        Case(
            text: "* | head 99999999999999999999",
            message: "the count after 'head' must be from 1 to \(Int.max)",
            column: 10,
            kind: .invalid
        ),
        Case(text: "* | head 10x", message: "'10x' is not a count", column: 10),
        Case(text: "* | head ten", message: "unexpected 'ten' after the 'head' pipe", column: 10),
        Case(text: "* | timechart count()", message: "expected 'span=' after 'timechart'", column: 15),
        Case(text: "* | timechart span=5x count()", message: "'5x' is not a span", column: 20),
        Case(text: "* | timechart span= count()", message: "'count' is not a span", column: 21),
        Case(text: "* | timechart span=", message: "expected a span after 'span='", column: 20),
        Case(
            text: "* | timechart span=0m count()",
            message: "the span must be greater than 0",
            column: 20,
            kind: .invalid
        ),
        Case(
            text: "* | timechart span=99999999999999d count()",
            message: "'99999999999999d' is not a span",
            column: 20
        ),
        Case(
            text: "* | timechart span=5m",
            message: "expected an aggregation such as count() after 'span=5m'",
            column: 22
        ),
        Case(text: "* | sort by", message: "expected a field after 'sort by'", column: 12),
        Case(text: "* | sort by (a desc", message: "expected ')' to close '(' at column 13", column: 20),
        Case(text: "* | fields", message: "expected a field after 'fields'", column: 11),
        Case(text: "* | where", message: "expected a filter after 'where'", column: 10),
        Case(text: "* | where count >", message: "expected a value after 'count >'", column: 18),
        Case(text: "* | where (a", message: "expected ')' to close '(' at column 11", column: 13),
        Case(text: "* | where a) | head", message: "unexpected ')': there is no '(' to close", column: 12),
        Case(text: "* | head 1 2", message: "unexpected '2' after the 'head' pipe", column: 12),
        Case(text: "東京 \"x", message: "unclosed quote started at column 4", column: 4),
        Case(text: "🇩🇪 status:", message: "expected a value after 'status:'", column: 11),
    ]

    @Test(arguments: Self.cases)
    func reportsMessageAndColumn(_ c: Case) {
        do {
            let query = try QueryParser.parse(c.text)
            Issue.record("parsed '\(c.text)' as \(query)")
        } catch {
            #expect(error.message == c.message)
            #expect(error.column == c.column)
            #expect(error.kind == c.kind)
        }
    }

    @Test func errorsCarryHints() throws {
        let error = #expect(throws: QueryError.self) { try QueryParser.parse("a | stat") }
        #expect(error?.hint?.contains("stats") == true)
        let rendered = error?.rendered(query: "a | stat") ?? ""
        #expect(rendered.contains("      ^"))
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "(", count: 10_000) + "a" + String(repeating: ")", count: 10_000)
        let error = #expect(throws: QueryError.self) { try QueryParser.parse(deep) }
        #expect(error?.message.contains("nests deeper") == true)
        let nots = String(repeating: "NOT ", count: 10_000) + "a"
        #expect(throws: QueryError.self) { try QueryParser.parse(nots) }
        let lists = "x:" + String(repeating: "(", count: 5_000) + "a" + String(repeating: ")", count: 5_000)
        #expect(throws: QueryError.self) { try QueryParser.parse(lists) }
        // Within the limit, nesting works.
        let fine = String(repeating: "(", count: 50) + "a" + String(repeating: ")", count: 50)
        #expect(throws: Never.self) { try QueryParser.parse(fine) }
    }
}

@Suite("Query parser: filters without pipes")
struct QueryParserFilterOnlyTests {
    @Test func parsesAFilter() throws {
        #expect(
            try QueryParser.parseFilter("level:error")
                == .match(Clause(field: "level", matcher: .word("error"), column: 1))
        )
        #expect(try QueryParser.parseFilter("") == .all)
        #expect(
            try QueryParser.parseFilter(#""a | b""#) == .match(Clause(field: nil, matcher: .phrase("a | b"), column: 1))
        )
    }

    @Test func refusesPipes() {
        let error = #expect(throws: QueryError.self) { try QueryParser.parseFilter(#"x:"|" | head 1"#) }
        #expect(error?.message == "pipes are not allowed here")
        #expect(error?.column == 7)
    }
}
