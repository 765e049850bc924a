import LogboxCore
import LogboxStore
import LogboxTestSupport
import Testing

@testable import LogboxQuery

/// Fields of nearly all distinct hex ids keep 4-byte hashes in the dictionary (`IndexingRules`);
/// every query on them still finds exactly what brute force finds.
@Suite("Hashed fields")
struct HashedFieldTests {
    /// A 32-hex-digit id from `seed`.
    static func traceID(_ seed: Int) -> String {
        var random = TestRandom(seed: UInt64(seed))
        return (0..<2).map { _ in String(random.next(), radix: 16).leftPadded(16) }.joined()
    }

    /// 1,500 JSON lines with a distinct trace id each, a span id repeated by two lines, an IPv4
    /// client (distinct, but an address), and a level.
    static func lines(spanKey: String = "span_id") -> [String] {
        (0..<1500).map { index in
            let trace = Self.traceID(index)
            let span = String(index / 2, radix: 16).leftPadded(16)
            let level = ["info", "warn", "error"][index % 3]
            return
                #"{"ts":"2026-11-01T10:\#(10 + index / 60):\#(10 + index % 40)Z","level":"\#(level)","msg":"request \#(index % 7) done","trace_id":"\#(trace)","\#(spanKey)":"\#(span)","client":"10.\#(index / 250).\#(index % 250).7"}"#
        }
    }

    static func store(_ directory: TemporaryDirectory, lines: [String], compacted: Bool) throws -> StoreSnapshot {
        var options = StoreOptions()
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: directory.path, options: options)
        let parts = compacted ? [Array(lines[..<1200]), Array(lines[1200...])] : [lines]
        for part in parts {
            try writer.append(try ParsedEvents.batch(part, source: "app.jsonl"), source: "app.jsonl", receivedAt: 1)
            try writer.flush()
        }
        if compacted { try writer.compact() }
        try writer.close()
        return try StoreSnapshot(directory: directory.path)
    }

    @Test("ids of 16 hex digits or more, nearly all distinct, are hashed; addresses and repeated ids are not")
    func whichFields() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let segment = try #require(try Self.store(directory, lines: Self.lines(), compacted: false).segments.first)
        let hashed = IndexingRules.hashedFieldName("trace_id")
        #expect(segment.terms.termCount(field: hashed) == 1500)
        #expect(segment.terms.termCount(field: "trace_id") == 0)
        // Each span id is in two events; the client addresses are not hex ids.
        #expect(segment.terms.termCount(field: "span_id") == 750)
        #expect(segment.terms.termCount(field: IndexingRules.hashedFieldName("span_id")) == 0)
        #expect(segment.terms.termCount(field: "client") == 1500)
        var sizes: Set<Int> = []
        try segment.terms.enumerate(field: hashed) { term, _ in
            sizes.insert(term.count)
            return true
        }
        #expect(sizes == [4])
    }

    @Test(
        "equality, prefixes, patterns, ranges, existence and negation match what brute force finds",
        arguments: [false, true]
    )
    func sameAsBruteForce(compacted: Bool) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let snapshot = try Self.store(directory, lines: Self.lines(), compacted: compacted)
        #expect(
            snapshot.segments.allSatisfy { $0.terms.termCount(field: IndexingRules.hashedFieldName("trace_id")) > 0 }
        )
        // Compacted: the 300 ids of the second flush (too few to hash) stay text beside the hashes.
        if compacted { #expect(snapshot.segments.map { $0.terms.termCount(field: "trace_id") } == [300]) }
        let some = Self.traceID(421)
        let queries: [(query: String, count: Int)] = [
            ("trace_id:\(some)", 1),
            ("trace_id:\(Self.traceID(1499))", 1),
            ("trace_id:\(Self.traceID(5000))", 0),
            ("trace_id:\(some.uppercased())", 0),
            ("trace_id:\(some.prefix(10))*", 1),
            ("trace_id:*\(some.suffix(9))", 1),
            ("trace_id:/^\(some.prefix(12))/", 1),
            ("trace_id:*", 1500),
            ("trace_id:[\(some) TO \(some)]", 1),
            ("NOT trace_id:\(some)", 1499),
            ("level:error AND trace_id:\(Self.traceID(2))", 1),
            ("level:info AND trace_id:\(Self.traceID(2))", 0),
            ("trace_id:\(Self.traceID(3)) OR trace_id:\(Self.traceID(4))", 2),
        ]
        try BruteForceCheck.expect(queries, on: snapshot)
    }

    @Test("`stats … by (trace_id)` reads the values from the events, not the hashes")
    func groupByHashedField() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let snapshot = try Self.store(directory, lines: Self.lines(), compacted: false)
        let engine = QueryEngine(snapshot: snapshot, limits: .unlimited)
        let query = try QueryParser.parse("level:error | stats count() by (trace_id)")
        var runner = try PipeRunner(query.pipes, window: .everything)
        try engine.matches(try engine.prepare(query.filter), in: .everything) { matches in
            try runner.consume(matches)
            return true
        }
        let table = try runner.finish()
        let expected = Set(stride(from: 2, to: 1500, by: 3).map { [ResultValue.text(Self.traceID($0)), .integer(1)] })
        #expect(Set(table.rows.map { $0.map { $0! } }) == expected)
    }

    @Test("a value longer than a term (256 bytes) is cut as it was indexed, in plain and hashed fields")
    func longValues() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let head = String(repeating: "ab", count: 128)  // 256 bytes, then the tails differ
        var lines = Self.lines()
        for (index, tail) in ["0123", "4567"].enumerated() {
            lines.append(
                #"{"ts":"2026-11-01T11:00:0\#(index)Z","msg":"long","trace_id":"\#(head)\#(tail)","note":"\#(head)\#(tail)"}"#
            )
        }
        let snapshot = try Self.store(directory, lines: lines, compacted: false)
        #expect(snapshot.segments[0].terms.termCount(field: IndexingRules.hashedFieldName("trace_id")) > 0)
        try BruteForceCheck.expect(
            [
                // The first 256 bytes decide, for the query as for the events (counted as cut terms).
                ("trace_id:\(head)0123", 2), ("trace_id:\(head)89ab", 2), ("trace_id:\(head.dropLast(2))", 0),
                ("note:\(head)0123", 2), ("note:\(head)", 2), ("note:\(head.dropLast(2))", 0),
            ],
            on: snapshot
        )
    }

    @Test("two ids with one hash: the hash finds both events, the stored value keeps the one asked for")
    func collision() throws {
        // Birthday search among 16-digit ids for two with the same 32-bit hash (about 80,000 tries).
        var seen: [[UInt8]: String] = [:]
        var pair: (String, String)?
        for seed in 0..<1_000_000 {
            let id = String(UInt64(seed) &* 0x9E37_79B9_7F4A_7C15, radix: 16).leftPadded(16)
            let hash = IndexingRules.termHash(Array(id.utf8).span)
            if let other = seen[hash], other != id {
                pair = (other, id)
                break
            }
            seen[hash] = id
        }
        let (first, second) = try #require(pair)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var lines = Self.lines(spanKey: "other")
        lines.append(#"{"ts":"2026-11-01T11:00:00Z","msg":"first","trace_id":"\#(first)"}"#)
        lines.append(#"{"ts":"2026-11-01T11:00:01Z","msg":"second","trace_id":"\#(second)"}"#)
        let snapshot = try Self.store(directory, lines: lines, compacted: false)
        let segment = try #require(snapshot.segments.first)
        let address = try #require(
            try segment.terms.lookup(
                field: IndexingRules.hashedFieldName("trace_id"),
                term: IndexingRules.termHash(Array(first.utf8).span).span
            )
        )
        #expect(address.docCount == 2)
        let engine = QueryEngine(snapshot: snapshot, limits: .unlimited)
        for (id, message) in [(first, "first"), (second, "second")] {
            let prepared = try engine.prepare(try QueryParser.parseFilter("trace_id:\(id)"))
            var found: [String] = []
            try engine.newest(prepared, in: .everything, limit: nil) { match in
                found.append(String(decoding: match.event.line, as: UTF8.self))
                return true
            }
            #expect(found.count == 1 && found[0].contains(#""msg":"\#(message)""#), "\(found)")
            #expect(try engine.count(prepared, in: .everything) == 1)
        }
    }
}

extension String {
    /// The string with zeros in front, to `length` characters.
    fileprivate func leftPadded(_ length: Int) -> String {
        String(repeating: "0", count: max(0, length - self.count)) + self
    }
}
