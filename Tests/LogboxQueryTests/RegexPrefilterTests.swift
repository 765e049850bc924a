import LogboxCore
import LogboxParse
import LogboxStore
import LogboxTestSupport
import Testing

@testable import LogboxQuery

/// A message regex reads only the events whose postings hold the terms every match must contain
/// (`RegexRequiredTerms`), where the segment says every event has a message.
@Suite("Message regex prefilter")
struct RegexPrefilterTests {
    static func terms(_ pattern: String) -> [String] {
        RegexRequiredTerms.terms(of: pattern).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test("only words with literal separators on both sides are required")
    func requiredTerms() {
        #expect(Self.terms(#"from 203\.0\.113\.\d+ port"#) == ["203", "0", "113"])
        #expect(Self.terms("Failed password for .* from") == ["password", "for"])
        #expect(Self.terms("(?i)Failed PASSWORD for") == [])
        #expect(Self.terms(#"(?i)x FAILED from 10\.0\.0\.1 y"#) == ["failed", "from", "10", "0", "1"])
        // Caseless, PCRE2 matches `ä` with `Ä`, `k` with the Kelvin sign and `s` with `ſ`, which
        // the tokenizer does not fold: such words are not required.
        #expect(Self.terms("(?i)a ÄRGER b") == [])
        #expect(Self.terms("(?i)a kelvin b") == [])
        #expect(Self.terms("(?i)a ſtop b") == [])
        #expect(Self.terms("a ÄRGER b") == ["Ärger"])
        #expect(Self.terms(#"timeout after \d+ms calling billing"#) == ["after", "calling"])
        #expect(Self.terms("user=alice id=7 ") == ["alice", "id", "7"])
        #expect(Self.terms(#"a \/api\/v1\/items "#) == ["api", "v1", "items"])
        #expect(Self.terms("über straße ok") == ["straße"])
        // Quantifiers take the atom before them out of the run.
        #expect(Self.terms("a colou?r b") == [])
        #expect(Self.terms("x port 22+ y") == ["port"])
        #expect(Self.terms("x ports* y") == [])
        #expect(Self.terms("x port{2} y") == [])
        // Classes, groups, dots and anchors end a run; what they hold is not required.
        #expect(Self.terms("x [abc] y z") == ["y"])
        #expect(Self.terms("^start of line$") == ["of"])
        #expect(Self.terms("a (foo bar) baz qux") == ["baz"])
        #expect(Self.terms("a (foo bar)? baz qux") == ["baz"])
        #expect(Self.terms("one.two three") == [])
        // Nothing at all from what is not understood.
        #expect(Self.terms("a foo|bar b") == [])
        #expect(Self.terms("(?x) a foo b") == [])
        #expect(Self.terms("a (?:foo) b c") == [])
        #expect(Self.terms(#"a \x41 b c"#) == [])
        #expect(Self.terms(#"a \Qfoo bar\E b"#) == [])
        #expect(Self.terms(#"(a) \1 b c"#) == [])
        #expect(Self.terms("a foo) b c") == [])
        #expect(Self.terms("nothing") == [])
        // Long words are cut as the tokenizer cuts them.
        let long = String(repeating: "a", count: 100)
        #expect(Self.terms("x \(long) y") == [String(repeating: "a", count: Tokenizer.maximumLength)])
    }

    /// A store of two segments: one where every event has a message, one with an event that has
    /// none (a JSON line without `msg`), whose line a message regex matches instead.
    static func store(_ directory: TemporaryDirectory) throws -> StoreSnapshot {
        let withMessages = [
            "Nov  1 10:00:00 web-01 sshd[1]: Failed password for root from 203.0.113.7 port 22 ssh2",
            "Nov  1 10:00:01 web-01 sshd[2]: Failed password for bob from 198.51.100.4 port 22 ssh2",
            "Nov  1 10:00:02 web-02 sshd[3]: Accepted password for alice from 203.0.113.9 port 2222 ssh2",
            "Nov  1 10:00:03 web-02 CRON[4]: session opened for user root",
        ]
        let mixed = [
            #"{"ts":"2026-11-01T10:00:04Z","level":"warn","note":"from 203.0.113.5 port 22 refused"}"#,
            #"{"ts":"2026-11-01T10:00:05Z","level":"info","msg":"from 10.0.0.1 port 80 ok"}"#,
        ]
        var options = StoreOptions()
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: directory.path, options: options)
        for part in [withMessages, mixed] {
            try writer.append(try ParsedEvents.batch(part, source: "app.log"), source: "app.log", receivedAt: 1)
            try writer.flush()
        }
        try writer.close()
        return try StoreSnapshot(directory: directory.path)
    }

    static func lines(_ engine: QueryEngine, _ pattern: String) throws -> [String] {
        let prepared = try engine.prepare(.match(Clause(field: nil, matcher: .regex(pattern), column: 1)))
        var lines: [String] = []
        try engine.newest(prepared, in: .everything, limit: nil) { match in
            lines.append(String(decoding: match.event.line, as: UTF8.self))
            return true
        }
        return lines.sorted()
    }

    @Test("segments count the events without a message; merges add them up")
    func messagelessCount() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let snapshot = try Self.store(directory)
        #expect(snapshot.segments.map(\.meta.messagelessDocs) == [0, 1])
        let writer = try StoreWriter(directory: directory.path)
        try writer.compact()
        try writer.close()
        #expect(try StoreSnapshot(directory: directory.path).segments.map(\.meta.messagelessDocs) == [1])
    }

    @Test("`message:*` reads no event where the meta says all or none have a message")
    func messageExists() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let snapshot = try Self.store(directory)
        // Only the second segment (2 events, one without a message) is read one by one.
        let tight = QueryEngine(
            snapshot: snapshot,
            limits: CostLimits(maximumExpandedTerms: .max, maximumVerifiedEvents: 2, timeBudget: nil)
        )
        let prepared = try tight.prepare(.match(Clause(field: "message", matcher: .exists, column: 1)))
        #expect(try tight.count(prepared, in: .everything) == 5)
    }

    @Test("the prefilter reads fewer events and finds the same ones, lines without a message included")
    func sameMatches() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let snapshot = try Self.store(directory)
        let unlimited = QueryEngine(snapshot: snapshot, limits: .unlimited)
        let pattern = #"from 203\.0\.113\.\d+ port 22\b"#
        let found = try Self.lines(unlimited, pattern)
        #expect(found.count == 2)
        #expect(found.contains { $0.contains("Failed password for root") })
        // The event without a message matches on its line; its segment is read in full.
        #expect(found.contains { $0.contains(#""note":"from 203.0.113.5"#) })

        // The first segment has 4 events, 2 with the terms 203, 0 and 113; the second is read in
        // full (2 events): 4 events verified, where reading everything takes 6.
        let tight = QueryEngine(
            snapshot: snapshot,
            limits: CostLimits(maximumExpandedTerms: .max, maximumVerifiedEvents: 4, timeBudget: nil)
        )
        #expect(try Self.lines(tight, pattern) == found)
        let noTerms = #"from 203\.0\.113\.\d+ port 22\b|nomatch"#
        #expect(throws: QueryError.self) { try Self.lines(tight, noTerms) }
    }
}
