import LogboxCore
import LogboxParse
import LogboxQuery
import LogboxStore
import LogboxTestSupport
import Testing

/// A small store of hand-made lines in two segments, for per-matcher and per-operator checks.
final class EngineSmallStore: Sendable {
    static let lines: [String] = [
        "ts=2026-11-01T10:00:00Z level=info msg=\"Failed password for root from 203.0.113.7\" host=web-01 status=200 client=203.0.113.7",
        "ts=2026-11-01T10:01:00Z level=WARN msg=\"disk almost full\" host=web-02 status=503 client=10.1.2.3 bytes=1500",
        "ts=2026-11-01T10:02:00Z level=error msg=\"timeout after 1500ms calling billing\" host=db-01 status=500 client=2001:db8::7",
        "ts=2026-11-01T10:03:00Z level=debug msg=\"password accepted for alice\" host=web-01 status=404 client=::ffff:10.9.8.7",
        "ts=2026-11-01T10:04:00Z level=critical msg=\"Größe überschritten für 東京\" host=mail status=302 user= bytes=20",
        "ts=2026-11-01T10:05:00Z msg=\"for root password failed\" host=zeta",
    ]

    let directory: TemporaryDirectory
    let snapshot: StoreSnapshot
    let engine: QueryEngine

    static let shared: EngineSmallStore = try! EngineSmallStore()

    init() throws {
        self.directory = TemporaryDirectory(prefix: "logbox-engine-small")
        var options = StoreOptions()
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: self.directory.path, options: options)
        for (index, part) in [Self.lines[0..<3], Self.lines[3...]].enumerated() {
            var parser = BatchParser(
                parser: try ParserRegistry.make("auto", context: ParseContext(referenceTime: 1_795_000_000_000_000_000))
            )
            var events = EventBatch()
            parser.parse(Fixtures.lineBatch(Array(part), source: "app.log"), into: &events)
            try writer.append(
                events,
                source: index == 0 ? "app.log" : "other.log",
                file: "/var/log/app.log",
                receivedAt: 1
            )
            try writer.flush()
        }
        try writer.close()
        self.snapshot = try StoreSnapshot(directory: self.directory.path)
        self.engine = QueryEngine(snapshot: self.snapshot)
    }

    deinit { self.directory.remove() }

    /// The `host` values of the events `filter` matches, sorted.
    func hosts(_ filter: Filter, window: TimeWindow = .everything) throws -> [String] {
        let prepared = try self.engine.prepare(filter)
        var hosts: [String] = []
        try self.engine.newest(prepared, in: window, limit: nil) { match in
            let host = match.event.fields.first { match.fieldName($0) == "host" }
            hosts.append(host.map { match.event.string($0) } ?? "-")
            return true
        }
        #expect(try self.engine.count(prepared, in: window) == hosts.count)
        return hosts.sorted()
    }
}

func engineClause(_ field: String?, _ matcher: Matcher, column: Int = 1) -> Filter {
    .match(Clause(field: field, matcher: matcher, column: column))
}

@Suite("Engine matchers")
struct EngineMatcherTests {
    let store = EngineSmallStore.shared

    @Test("bare words match message terms case-insensitively; a split word is a phrase")
    func words() throws {
        #expect(try self.store.hosts(engineClause(nil, .word("PASSWORD"))) == ["web-01", "web-01", "zeta"])
        #expect(try self.store.hosts(engineClause("message", .word("billing"))) == ["db-01"])
        #expect(try self.store.hosts(engineClause(nil, .word("1500ms"))) == ["db-01"])
        #expect(try self.store.hosts(engineClause(nil, .word("203.0.113.7"))) == ["web-01"])
        #expect(try self.store.hosts(engineClause(nil, .word("größe"))) == ["mail"])
        #expect(try self.store.hosts(engineClause(nil, .word("nothere"))) == [])
    }

    @Test("a word with nothing to search for is a syntax error at its column")
    func nothingToSearch() {
        let error = #expect(throws: QueryError.self) {
            try self.store.engine.prepare(engineClause(nil, .word("---"), column: 7))
        }
        #expect(error?.kind == .syntax)
        #expect(error?.column == 7)
    }

    @Test("phrases need consecutive positions")
    func phrases() throws {
        #expect(try self.store.hosts(engineClause(nil, .phrase("failed password"))) == ["web-01"])
        #expect(try self.store.hosts(engineClause(nil, .phrase("password failed"))) == ["zeta"])
        #expect(try self.store.hosts(engineClause(nil, .phrase("for root"))) == ["web-01", "zeta"])
        #expect(try self.store.hosts(engineClause(nil, .phrase("failed root"))) == [])
    }

    @Test("field values match exactly; level is normalized like the index")
    func exactValues() throws {
        #expect(try self.store.hosts(engineClause("host", .word("web-01"))) == ["web-01", "web-01"])
        #expect(try self.store.hosts(engineClause("host", .word("WEB-01"))) == [])
        #expect(try self.store.hosts(engineClause("level", .word("warning"))) == ["web-02"])
        #expect(try self.store.hosts(engineClause("level", .word("WARN"))) == ["web-02"])
        #expect(try self.store.hosts(engineClause("user", .phrase(""))) == ["mail"])
        #expect(try self.store.hosts(engineClause("source", .word("other.log"))) == ["mail", "web-01", "zeta"])
        #expect(try self.store.hosts(engineClause("file", .word("/var/log/app.log"))).count == 6)
    }

    @Test("prefixes, wildcards and regexes over exact values and message terms")
    func patterns() throws {
        #expect(try self.store.hosts(engineClause("host", .prefix("web-"))) == ["web-01", "web-01", "web-02"])
        #expect(try self.store.hosts(engineClause(nil, .prefix("Pass"))) == ["web-01", "web-01", "zeta"])
        #expect(try self.store.hosts(engineClause("host", .wildcard("w?b-0*"))) == ["web-01", "web-01", "web-02"])
        #expect(try self.store.hosts(engineClause("host", .wildcard("*-01"))) == ["db-01", "web-01", "web-01"])
        #expect(try self.store.hosts(engineClause(nil, .wildcard("ti*ut"))) == ["db-01"])
        #expect(try self.store.hosts(engineClause("host", .regex("^db|zeta"))) == ["db-01", "zeta"])
        #expect(try self.store.hosts(engineClause("host", .regex("^web-0[2-9]"))) == ["web-02"])
        #expect(try self.store.hosts(engineClause(nil, .regex("timeout after \\d+ms"))) == ["db-01"])
        #expect(try self.store.hosts(engineClause(nil, .regex("(?i)^FAILED"))) == ["web-01"])
        #expect(try self.store.hosts(engineClause(nil, .regex("^Failed"))) == ["web-01"])
        #expect(try self.store.hosts(engineClause(nil, .regex("^failed"))) == [])
    }

    @Test("a regex that does not compile is invalid at its column")
    func badRegex() {
        let error = #expect(throws: QueryError.self) {
            try self.store.engine.prepare(engineClause("host", .regex("(oops"), column: 12))
        }
        #expect(error?.kind == .invalid)
        #expect(error?.column == 12)
    }

    @Test("ranges: numbers numerically, other values byte-wise, timestamps as times")
    func ranges() throws {
        #expect(
            try self.store.hosts(engineClause("status", .range(lower: RangeBound("500", inclusive: true), upper: nil)))
                == [
                    "db-01", "web-02",
                ]
        )
        #expect(
            try self.store.hosts(engineClause("status", .range(lower: nil, upper: RangeBound("302", inclusive: false))))
                == [
                    "web-01"
                ]
        )
        #expect(
            try self.store.hosts(engineClause("bytes", .range(lower: RangeBound("1000", inclusive: true), upper: nil)))
                == [
                    "web-02"
                ]
        )
        #expect(
            try self.store.hosts(
                engineClause(
                    "host",
                    .range(lower: RangeBound("a", inclusive: false), upper: RangeBound("m", inclusive: false))
                )
            ) == ["db-01"]
        )
        let time = engineClause(
            "timestamp",
            .range(
                lower: RangeBound("2026-11-01T10:01:00Z", inclusive: true),
                upper: RangeBound("2026-11-01T10:03:00Z", inclusive: false)
            )
        )
        #expect(try self.store.hosts(time) == ["db-01", "web-02"])
        #expect(try self.store.hosts(engineClause("_time", .word("2026-11-01"))).count == 6)
        #expect(try self.store.hosts(engineClause("_time", .word("2026-11-02"))).isEmpty)
        let error = #expect(throws: QueryError.self) {
            try self.store.engine.prepare(
                engineClause(
                    "timestamp",
                    .range(lower: RangeBound("yesterdayish", inclusive: true), upper: nil),
                    column: 3
                )
            )
        }
        #expect(error?.kind == .invalid)
        #expect(error?.column == 3)
    }

    @Test("CIDR matches IPv4, IPv6 and IPv4-mapped IPv6 values")
    func cidr() throws {
        let v4: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
        #expect(
            try self.store.hosts(
                engineClause("client", .cidr(CIDR(address: v4 + [10, 0, 0, 0], prefixLength: 104, isIPv4: true)))
            ) == ["web-01", "web-02"]
        )
        #expect(
            try self.store.hosts(
                engineClause("client", .cidr(CIDR(address: v4 + [203, 0, 113, 0], prefixLength: 120, isIPv4: true)))
            ) == ["web-01"]
        )
        let v6: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 12)
        #expect(
            try self.store.hosts(engineClause("client", .cidr(CIDR(address: v6, prefixLength: 32, isIPv4: false)))) == [
                "db-01"
            ]
        )
    }

    @Test("exists, and events without the field never match a positive clause but match its NOT")
    func existence() throws {
        #expect(try self.store.hosts(engineClause("bytes", .exists)) == ["mail", "web-02"])
        #expect(try self.store.hosts(.not(engineClause("status", .exists))) == ["zeta"])
        #expect(
            try self.store.hosts(
                .not(engineClause("status", .range(lower: RangeBound("0", inclusive: true), upper: nil)))
            )
                == ["zeta"]
        )
        #expect(try self.store.hosts(engineClause("nope", .exists)) == [])
        #expect(try self.store.hosts(.not(engineClause("nope", .word("x")))).count == 6)
    }

    @Test("AND intersects, OR unions, NOT complements within the window")
    func operators() throws {
        let web = engineClause("host", .prefix("web"))
        let password = engineClause(nil, .word("password"))
        #expect(try self.store.hosts(.and([web, password])) == ["web-01", "web-01"])
        #expect(
            try self.store.hosts(.or([engineClause("host", .word("mail")), engineClause("host", .word("zeta"))])) == [
                "mail", "zeta",
            ]
        )
        #expect(try self.store.hosts(.and([password, .not(web)])) == ["zeta"])
        #expect(try self.store.hosts(.all).count == 6)
        let window = TimeWindow(from: 1_793_527_260_000_000_000, to: 1_793_527_440_000_000_000)  // 10:01 ..< 10:04
        #expect(try self.store.hosts(.not(web), window: window) == ["db-01"])
    }

    @Test("newest orders by time descending and stops at the limit; histogram buckets the window")
    func newestAndHistogram() throws {
        let engine = self.store.engine
        let prepared = try engine.prepare(.all)
        var times: [Int64] = []
        try engine.newest(prepared, in: .everything, limit: 4) { match in
            times.append(match.event.timestamp)
            return true
        }
        #expect(times.count == 4)
        #expect(times == times.sorted(by: >))
        let from: Int64 = 1_793_527_200_000_000_000  // 10:00
        let histogram = try engine.histogram(
            prepared,
            in: TimeWindow(from: from, to: from + 360_000_000_000),
            buckets: 3
        )
        #expect(histogram == [2, 2, 2])
    }

    @Test("the known fields, and clauses on unknown ones with their columns")
    func fields() throws {
        let engine = self.store.engine
        #expect(engine.knownFields.isSuperset(of: ["message", "timestamp", "source", "file", "host", "status"]))
        let filter = Filter.and([
            engineClause("host", .word("a"), column: 1), engineClause("hots", .word("b"), column: 8),
            engineClause("_time", .exists, column: 15),
        ])
        let unknown = engine.unknownFields(in: filter)
        #expect(unknown.map(\.field) == ["hots"])
        #expect(unknown.map(\.column) == [8])
    }

    @Test("cost limits stop a regex over too many events and a wide expansion, with a hint")
    func costLimits() throws {
        let limits = CostLimits(maximumExpandedTerms: 2, maximumVerifiedEvents: 3, timeBudget: .seconds(10))
        let engine = QueryEngine(snapshot: self.store.snapshot, limits: limits)
        let regex = try engine.prepare(engineClause(nil, .regex("pass"), column: 4))
        let error = #expect(throws: QueryError.self) { try engine.count(regex, in: .everything) }
        #expect(error?.kind == .costLimit)
        #expect(error?.column == 4)
        #expect(error?.hint?.contains("--since") == true)
        // Narrowed by a term first, the same regex reads few events.
        let narrowed = try engine.prepare(
            .and([engineClause("host", .word("db-01")), engineClause(nil, .regex("billing"))])
        )
        #expect(try engine.count(narrowed, in: .everything) == 1)
        let wide = try engine.prepare(engineClause("host", .wildcard("*"), column: 9))
        let expansion = #expect(throws: QueryError.self) { try engine.count(wide, in: .everything) }
        #expect(expansion?.kind == .costLimit)
        #expect(expansion?.column == 9)
    }

    @Test("one event outside the index: a parsed batch and a stored event")
    func singleEvent() throws {
        var parser = BatchParser(
            parser: try ParserRegistry.make("auto", context: ParseContext(referenceTime: 1_795_000_000_000_000_000))
        )
        var events = EventBatch()
        parser.parse(Fixtures.lineBatch(EngineSmallStore.lines, source: "app.log"), into: &events)
        let filter = try self.store.engine.prepare(
            .and([
                engineClause(nil, .phrase("failed password")),
                engineClause(
                    "client",
                    .cidr(
                        CIDR(
                            address: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 203, 0, 113, 0],
                            prefixLength: 120,
                            isIPv4: true
                        )
                    )
                ),
            ])
        )
        let matched = (0..<events.count).filter { filter.matches(event: $0, in: events, source: "app.log", file: nil) }
        #expect(matched == [0])
        let bySource = try self.store.engine.prepare(engineClause("source", .word("app.log")))
        #expect(bySource.matches(event: 1, in: events, source: "app.log", file: nil))
        #expect(!bySource.matches(event: 1, in: events, source: "x.log", file: nil))
        let segment = try #require(self.store.snapshot.segments.first)
        let event = try segment.docs.event(0)
        #expect(bySource.matches(event, names: segment.meta.fieldNames, sources: segment.meta.sources))
    }
}
