import LogboxCore
import LogboxParse
import LogboxStore
import LogboxTestSupport
import Testing

@testable import LogboxQuery

/// Frequent values inside the message (an access line's user agent, referrer, path, protocol) are
/// indexed as one span term each (`IndexingRules`); words, phrases and prefixes still find exactly
/// the events brute force finds.
@Suite("Message spans")
struct MessageSpanTests {
    static let agents = [
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0",
        "curl/8.5.0",
    ]
    static let rareAgent = "Mozilla/5.0 (compatible; Rarebot/1.1; like Gecko)"
    static let referrers = ["https://shop.example.com/cart", "-"]
    static let paths = ["/api/v1/cart", "/login", "/static/app.js", "/api/v1/items/42"]

    /// 60 access lines cycling through the values, 2 with a user agent seen twice only, and syslog
    /// lines with the same words outside any span.
    static var lines: [String] {
        var lines: [String] = []
        for index in 0..<60 {
            let agent = Self.agents[index % 3]
            let referrer = Self.referrers[index % 2]
            let path = Self.paths[index % 4]
            let status = index % 5 == 0 ? 500 : 200
            lines.append(
                "10.0.0.\(index % 7) - - [01/Nov/2026:10:00:\(10 + index % 50) +0000] \"GET \(path) HTTP/1.1\" \(status) \(100 + index) \"\(referrer)\" \"\(agent)\""
            )
        }
        for index in 0..<2 {
            lines.append(
                "10.0.0.9 - - [01/Nov/2026:10:01:0\(index) +0000] \"POST /login HTTP/2.0\" 401 12 \"-\" \"\(Self.rareAgent)\""
            )
        }
        lines.append("Nov  1 10:02:00 web-01 app[1]: like gecko khtml, said the parser")
        lines.append("Nov  1 10:02:01 web-01 app[1]: fetched https://shop.example.com/cart with curl/8.5.0")
        lines.append("Nov  1 10:02:02 web-01 app[1]: HTTP/1.1 200 from Gecko/20100101")
        return lines
    }

    /// The lines in one flushed segment, or (compacted) merged from three.
    static func store(_ directory: TemporaryDirectory, compacted: Bool) throws -> StoreSnapshot {
        var options = StoreOptions()
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: directory.path, options: options)
        let all = Self.lines
        let parts = compacted ? [Array(all[0..<25]), Array(all[25..<50]), Array(all[50...])] : [all]
        for part in parts {
            try writer.append(try ParsedEvents.batch(part, source: "access.log"), source: "access.log", receivedAt: 1)
            try writer.flush()
        }
        if compacted { try writer.compact() }
        try writer.close()
        return try StoreSnapshot(directory: directory.path)
    }

    static func spanTerms(_ segment: SegmentReader) throws -> [String: Int] {
        var found: [String: Int] = [:]
        try segment.terms.enumerate(field: IndexingRules.messageField) { term, address in
            guard IndexingRules.isSpanTerm(term) else { return false }
            found[String(decoding: term.dropFirst(), as: UTF8.self)] = Int(address.docCount)
            return true
        }
        return found
    }

    @Test("values in 8 docs or more become span terms; rarer ones and one-word values stay words")
    func spanTermsWritten() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let snapshot = try Self.store(directory, compacted: false)
        let spans = try Self.spanTerms(try #require(snapshot.segments.first))
        // The first 7 docs with a value index its words; the 8th on make it a span.
        #expect(spans[Self.agents[0]] == 20 - 7)
        #expect(spans[Self.agents[1]] == 20 - 7)
        #expect(spans["curl/8.5.0"] == 20 - 7)
        #expect(spans["https://shop.example.com/cart"] == 30 - 7)
        #expect(spans["HTTP/1.1"] == 60 - 7)
        #expect(spans["/api/v1/cart"] == 15 - 7)
        #expect(spans["/api/v1/items/42"] == 15 - 7)
        #expect(spans[Self.rareAgent] == nil)
        #expect(spans["/static/app.js"] == 15 - 7)
        // Each client address is in 8 or 9 lines.
        #expect((0..<7).allSatisfy { spans["10.0.0.\($0)"] == (($0 < 4 ? 9 : 8) - 7) })
        // `-` and `/login` are one word or none; time and numbers are not text values.
        #expect(spans.count == 15, "\(spans)")
        // `gecko` keeps its own list for the docs that have it outside a span.
        let own = try #require(try snapshot.segments[0].terms.lookup(field: "message", term: Array("gecko".utf8).span))
        #expect(own.docCount == 7 + 7 + 2 + 2)
    }

    @Test(
        "words, phrases across span edges, prefixes, wildcards and regexes match what brute force finds",
        arguments: [false, true]
    )
    func sameAsBruteForce(compacted: Bool) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let snapshot = try Self.store(directory, compacted: compacted)
        if compacted { #expect(snapshot.segments.count == 1) }
        #expect(snapshot.segments.contains { !((try? Self.spanTerms($0))?.isEmpty ?? true) })
        let queries: [(query: String, count: Int)] = [
            ("gecko", 20 + 20 + 2 + 2),
            ("khtml", 20 + 1),
            (#""khtml like gecko""#, 20),
            (#""like gecko""#, 20 + 2 + 1),
            (#""like gecko khtml""#, 1),
            (#""cart mozilla""#, 20),
            (#""cart HTTP/1.1""#, 15),
            (#""1.1 200""#, 48 + 1),
            (#""1 1""#, 60 + 1 + 2),
            (#""HTTP/1.1\" 500""#, 12),
            (#""v1 cart http 1 1""#, 15),
            (#""safari 537 36""#, 20),
            (#""gecko chrome""#, 20),
            (#""Gecko/20100101 Firefox/132.0""#, 20),
            (#""gecko 20100101""#, 20 + 1),
            (#""https://shop.example.com/cart\" \"curl/8.5.0""#, 10),
            ("curl", 20 + 1),
            ("geck*", 20 + 20 + 2 + 2),
            ("*efox", 20),
            ("rarebot", 2),
            ("Firefox/13*", 20),
            ("Rarebot/1.*", 2),
            (#"/KHTML, like Gecko\) Chrome/"#, 20),
            ("gecko AND NOT firefox", 20 + 2 + 2),
            ("status:500 curl", 4),
            ("cart OR login", 30 + 15 + 2 + 1),
        ]
        try BruteForceCheck.expect(queries, on: snapshot)
    }

    @Test("the random-filter corpus has span terms, so its 2,000 filters go through them")
    func differentialCorpusHasSpans() throws {
        var spans = 0
        for segment in EngineCorpus.shared.snapshot.segments { spans += try Self.spanTerms(segment).count }
        #expect(spans > 0)
    }

    @Test(
        "a segment makes at most maximumSpanTerms span terms, maximumSpanTermsPerField of a field; values past them stay words and still match"
    )
    func spanTermLimits() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.backgroundMerges = false
        options.flushEvents = 1_000_000
        let writer = try StoreWriter(directory: directory.path, options: options)
        // Four fields of 300 values each, every value in 8 lines: more than a field may make, and
        // together more than a segment may.
        let distinct = IndexingRules.maximumSpanTermsPerField + 44
        var lines: [String] = []
        for copy in 0..<Int(IndexingRules.minimumSpanDocs) {
            for value in 0..<distinct {
                lines.append(
                    "10.1.\(value / 250).\(value % 250) - - [01/Nov/2026:10:00:00 +0000] \"GET /p/\(value)/x HTTP/1.1\" 200 \(copy) \"https://r\(value).example\" \"agent \(value) ok\""
                )
            }
        }
        let events = try ParsedEvents.batch(lines, source: "access.log", parser: "nginx")
        try writer.append(events, source: "access.log", receivedAt: 1)
        try writer.close()
        let snapshot = try StoreSnapshot(directory: directory.path)
        let segment = try #require(snapshot.segments.first)
        let spans = try Self.spanTerms(segment)
        #expect(spans.count == IndexingRules.maximumSpanTerms)
        for prefix in ["agent ", "https://r", "/p/", "10.1."] {
            let count = spans.keys.filter { $0.hasPrefix(prefix) }.count
            #expect(count <= IndexingRules.maximumSpanTermsPerField, "\(prefix): \(count)")
        }
        // The client address comes first in each line: its field reaches its cap; the user agent,
        // last, gets what the segment cap leaves (one span went to `HTTP/1.1`).
        #expect(spans.keys.filter { $0.hasPrefix("10.1.") }.count == IndexingRules.maximumSpanTermsPerField)
        #expect(
            spans.keys.filter { $0.hasPrefix("agent ") }.count
                == IndexingRules.maximumSpanTerms - 1 - 3 * IndexingRules.maximumSpanTermsPerField
        )
        let engine = QueryEngine(snapshot: snapshot, limits: .unlimited)
        for value in [0, distinct - 1] {
            for query in [
                "\"agent \(value) ok\"", "\"r\(value) example\"", "\"p \(value) x\"",
                "\"10.1.\(value / 250).\(value % 250)\"",
            ] {
                let prepared = try engine.prepare(try QueryParser.parseFilter(query))
                #expect(try engine.count(prepared, in: .everything) == Int(IndexingRules.minimumSpanDocs), "\(query)")
            }
        }
    }
}
