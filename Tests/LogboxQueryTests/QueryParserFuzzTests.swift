import LogboxQuery
import LogboxStore
import Testing

@Suite("Query parser: fuzz")
struct QueryParserFuzzTests {
    static let alphabet: [Unicode.Scalar] = Array(
        "ab:AND OR NOT and - -- ( ) \" \\ / * ? [ ] { } < > = ! | , . @ _ TO 10.0.0.0/8 ::1 é 東 🇩🇪 \t\n stats by as count( p95( where sort head top span=5m desc"
            .unicodeScalars
    )
    static let snippets = [
        "host:", "level:(", "status:>=", "[1 TO ", "/re/", "\"ph", "\\", " | ", "stats ", "count()", " by (", "where ",
        "NOT ", " OR ", " AND ", "-", "*", ")", "(", "timechart span=", "quantile(0.5, x)", "top 3 ", "fields a, ",
        "ip:2001:db8::/32", "x:{a TO b]", "count > ", "sort by (", "p95(x) ", "\"", "/", "a\\ b",
    ]

    /// Every parse either fails with a column inside the text (or just after it) or yields a
    /// query whose canonical text parses back to the same tree.
    func check(_ text: String) {
        let length = text.unicodeScalars.count
        do {
            let query = try QueryParser.parse(text)
            let rendered = query.queryText
            do {
                let again = try QueryParser.parse(rendered)
                #expect(again.filter.withoutColumns() == query.filter.withoutColumns(), "\(text) -> \(rendered)")
                #expect(
                    again.pipes.map { $0.withoutColumns() } == query.pipes.map { $0.withoutColumns() },
                    "\(text) -> \(rendered)"
                )
            } catch {
                Issue.record("'\(text)' renders as '\(rendered)', which does not parse: \(error)")
            }
        } catch {
            if let column = error.column {
                #expect(column >= 1 && column <= length + 1, "\(text): \(error)")
            } else {
                Issue.record("no column for '\(text)': \(error)")
            }
        }
    }

    @Test func randomScalarsNeverCrash() {
        var random = SplitMix64(seed: 1)
        for _ in 0..<20_000 {
            var view = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...30, using: &random) {
                view.append(Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &random)])
            }
            self.check(String(view))
        }
    }

    @Test func randomSnippetsNeverCrash() {
        var random = SplitMix64(seed: 2)
        for _ in 0..<20_000 {
            var text = ""
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                text += Self.snippets[Int.random(in: 0..<Self.snippets.count, using: &random)]
                if Bool.random(using: &random) {
                    text += String(Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &random)])
                }
            }
            self.check(text)
        }
    }

    @Test func randomBytesNeverCrash() {
        var random = SplitMix64(seed: 3)
        for _ in 0..<10_000 {
            let bytes = (0..<Int.random(in: 0...40, using: &random)).map { _ in
                UInt8.random(in: 0...255, using: &random)
            }
            self.check(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func truncationsOfValidQueriesNeverCrash() {
        let queries = [
            #"program:sshd AND "Failed password" AND NOT user:root | stats count() by (host) | sort by (count desc)"#,
            "client_ip:10.0.0.0/8 OR level:(error OR critical) | timechart span=5m count(), p95(request_time) by (host)",
            #"x:[1 TO 5} /re\/x/ path:/api/* | where p95(x) > 0.5 | top 3 host | fields a, b | head 2"#,
        ]
        for query in queries {
            let scalars = Array(query.unicodeScalars)
            for end in 0...scalars.count {
                var view = String.UnicodeScalarView()
                view.append(contentsOf: scalars[0..<end])
                self.check(String(view))
                var rest = String.UnicodeScalarView()
                rest.append(contentsOf: scalars[end...])
                self.check(String(rest))
            }
        }
    }
}
