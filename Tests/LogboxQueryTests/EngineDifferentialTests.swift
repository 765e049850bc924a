import LogboxCore
import LogboxParse
import LogboxQuery
import LogboxStore
import LogboxTestSupport
import Testing

/// A store built from sample logs and hand-made lines, shared by the engine's tests.
final class EngineCorpus: Sendable {
    let directory: TemporaryDirectory
    let snapshot: StoreSnapshot

    /// Lines the samples lack: unicode, empty values, numbers, IPv4/IPv6, levels, time fields.
    static let handMadeLines: [String] = [
        #"{"ts":"2026-11-01T10:00:00Z","level":"ERROR","msg":"Größe überschritten für 東京 upload-id=77","client":"2001:db8::1","n":-7,"ratio":0.25,"empty":""}"#,
        #"{"time":"2026-11-01T10:00:01.5Z","level":"warn","msg":"disk almost full on /var","client":"::ffff:10.1.2.3","n":42,"user":"émile"}"#,
        #"{"@timestamp":"2026-11-01T10:00:02Z","lvl":"E","message":"timeout after 1500ms calling billing","client":"10.1.200.7","n":1500,"path":"/api/v1/pay"}"#,
        #"{"ts":"2026-11-01T10:00:03Z","level":"info","msg":"","client":"fe80::1","n":0,"empty":"","tags":"a b c"}"#,
        #"{"ts":"2026-11-01T10:00:04Z","level":"critical","msg":"timeout after 20ms calling auth","client":"2001:db8:0:1::99","n":1e3}"#,
        "ts=2026-11-01T10:00:05Z level=debug msg=\"cache miss for key user:42\" client=192.0.2.10 latency=0.003 status=404",
        "ts=2026-11-01T10:00:06Z level=notice msg=\"login ok\" user= client=203.0.113.77 status=200 size=007",
        "ts=2026-11-01T10:00:07Z level=WARNING msg=\"retrying request\" client=[2001:db8::2] status=503 attempt=3",
        "ts=2026-11-01T10:00:08Z level=error msg=\"Failed password for root from 198.51.100.4\" client=198.51.100.4 status=401",
        "ts=2026-11-01T10:00:09Z level=info msg=\"ünïcödé ÅÄÖ ok\" client=2001:DB8:0:0:0:0:0:3 status=200 bytes=18446744073709551616",
        // No message field: a message regex matches its line (whose words have no postings).
        #"{"ts":"2026-11-01T10:00:10Z","level":"warn","note":"Failed password for root from 203.0.113.9 port 22"}"#,
        "plain line without any structure at all 12345",
        "another plain line: timeout after 99ms — em-dash and 🙂 emoji",
        "---",
        "",
    ]

    static let fileNames = ["auth.log", "nginx_access.log", "app.jsonl", "syslog5424.log", "app.logfmt", "mixed.log"]

    static let shared: EngineCorpus = try! EngineCorpus()

    init() throws {
        let files = SampleLogGenerator(
            options: .init(
                seed: 11,
                authLines: 400,
                nginxLines: 450,
                jsonLines: 300,
                rfc5424Lines: 200,
                logfmtLines: 200,
                malformedRate: 0.02
            )
        ).generate()
        var inputs: [(name: String, lines: [String])] = files.map { file in
            (
                file.name,
                file.bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map {
                    String(decoding: $0, as: UTF8.self)
                }
            )
        }
        inputs.append(("mixed.log", Self.handMadeLines + Self.handMadeLines))
        var batches: [(source: String, batch: EventBatch, receivedAt: Int64)] = []
        var received: Int64 = 1_793_491_200_000_000_000
        for input in inputs {
            var start = 0
            while start < input.lines.count {
                let chunk = Array(input.lines[start..<min(start + 120, input.lines.count)])
                var parser = BatchParser(
                    parser: try ParserRegistry.make(
                        "auto",
                        context: ParseContext(referenceTime: 1_795_000_000_000_000_000)
                    )
                )
                var events = EventBatch()
                parser.parse(Fixtures.lineBatch(chunk, source: input.name), into: &events)
                received += 60_000_000_000
                batches.append((input.name, events, received))
                start += 120
            }
        }
        self.directory = TemporaryDirectory(prefix: "logbox-engine")
        var options = StoreOptions()
        options.flushEvents = 250
        options.backgroundMerges = false
        options.maximumMergedEvents = 600
        options.compactMaximumEvents = 600
        let writer = try StoreWriter(directory: self.directory.path, options: options)
        // The first half is compacted into merged segments; the rest stays in flushed ones.
        let half = batches.count / 2
        for (index, entry) in batches.enumerated() {
            try writer.append(
                entry.batch,
                source: entry.source,
                file: "/var/log/\(entry.source)",
                receivedAt: entry.receivedAt
            )
            try writer.maintain()
            if index == half { try writer.compact() }
        }
        try writer.close()
        self.snapshot = try StoreSnapshot(directory: self.directory.path)
    }

    deinit { self.directory.remove() }

    /// Every event with its segment and doc.
    func forEachEvent(_ body: (SegmentReader, UInt32, StoredEvent) throws -> Void) throws {
        for segment in self.snapshot.segments {
            var cursor = segment.docs.makeCursor()
            for doc in 0..<UInt32(segment.docCount) { try body(segment, doc, try cursor.event(doc)) }
        }
    }
}

/// A small deterministic generator (SplitMix64).
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(self.next() % UInt64(range.count)) }
    mutating func chance(_ p: Double) -> Bool { Double(self.next() % 1_000_000) / 1_000_000 < p }
    mutating func pick<T>(_ items: [T]) -> T { items[self.int(0..<items.count)] }
}

/// What the corpus holds, for drawing filter values that hit.
struct CorpusVocabulary {
    var messageTerms: [String] = []
    var phrases: [String] = []
    var fieldValues: [String: [String]] = [:]
    var numbers: [String: [String]] = [:]
    var ipv4: [[UInt8]] = []
    var ipv6: [[UInt8]] = []
    var timestamps: [Int64] = []
    var sources: [String] = []

    init(_ corpus: EngineCorpus) throws {
        var terms: Set<String> = []
        var phrases: Set<String> = []
        var values: [String: Set<String>] = [:]
        var numbers: [String: Set<String>] = [:]
        var tokenizer = Tokenizer()
        var sources: Set<String> = []
        try corpus.forEachEvent { segment, _, event in
            self.timestamps.append(event.timestamp)
            sources.insert(segment.meta.sources[Int(event.source)])
            for field in event.fields {
                let name = segment.meta.fieldNames[Int(field.name)]
                var text: [UInt8] = []
                event.decodedBytes(field, into: &text)
                if name == "message" {
                    text.withUnsafeBufferPointer { tokenizer.tokenize($0) }
                    let words = (0..<tokenizer.count).map { String(decoding: tokenizer.term($0), as: UTF8.self) }
                    terms.formUnion(words)
                    if words.count >= 2 {
                        let at = Int(event.timestamp % Int64(words.count - 1))
                        phrases.insert(words[at...].prefix(1 + Int(event.timestamp % 3)).joined(separator: " "))
                    }
                    continue
                }
                let value = String(decoding: text, as: UTF8.self)
                if values[name, default: []].count < 200 { values[name, default: []].insert(value) }
                if field.kind == .integer || field.kind == .decimal {
                    if numbers[name, default: []].count < 200 { numbers[name, default: []].insert(value) }
                }
                if let v4 = Self.ipv4(value) { self.ipv4.append(v4) }
            }
        }
        self.messageTerms = terms.sorted()
        self.phrases = phrases.sorted()
        self.fieldValues = values.mapValues { $0.sorted() }
        self.numbers = numbers.mapValues { $0.sorted() }
        self.sources = sources.sorted()
        self.timestamps.sort()
        self.ipv6 = [
            [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x99],
            [0xFE, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 1, 2, 3],
        ]
    }

    static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard let value = UInt8(part), String(value) == part else { return nil }
            out.append(value)
        }
        return out
    }
}

/// Seeded random filters whose values come from the corpus.
struct FilterGenerator {
    var random: TestRandom
    let vocabulary: CorpusVocabulary
    var column = 1

    static let extraFields = ["nope", "ts", "time", "@timestamp", "source", "file", "level", "timestamp", "_time"]

    mutating func filter(depth: Int = 0) -> Filter {
        let roll = self.random.int(0..<10)
        if depth >= 4 || roll < 4 { return .match(self.clause()) }
        switch roll {
        case 4, 5, 6:
            return .and((0..<self.random.int(2..<4)).map { _ in self.filter(depth: depth + 1) })
        case 7, 8:
            return .or((0..<self.random.int(2..<4)).map { _ in self.filter(depth: depth + 1) })
        default:
            return self.random.chance(0.1) ? .all : .not(self.filter(depth: depth + 1))
        }
    }

    private mutating func mixCase(_ text: String) -> String {
        var out = ""
        for character in text { out += self.random.chance(0.3) ? character.uppercased() : String(character) }
        return out
    }

    private mutating func cut(_ text: String) -> String {
        guard !text.isEmpty else { return text }
        return String(text.prefix(self.random.int(1..<(text.count + 1))))
    }

    /// `?` and `*` into a value: one byte replaced, a middle run replaced, or a star at the end.
    private mutating func wildcard(_ text: String) -> String {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return "*" }
        switch self.random.int(0..<3) {
        case 0: bytes[self.random.int(0..<bytes.count)] = UInt8(ascii: "?")
        case 1:
            let a = self.random.int(0..<bytes.count)
            let b = self.random.int(a..<bytes.count)
            bytes.replaceSubrange(a...b, with: [UInt8(ascii: "*")])
        default: bytes = Array(bytes.prefix(self.random.int(0..<bytes.count))) + [UInt8(ascii: "*")]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func regexLiteral(_ text: String) -> String {
        var out = ""
        for character in text {
            if character.isLetter || character.isNumber || character == " " {
                out.append(character)
            } else {
                out += "."
            }
        }
        return out
    }

    private mutating func time() -> Int64 {
        let base = self.random.pick(self.vocabulary.timestamps)
        return base + Int64(self.random.int(-2..<3))
    }

    private mutating func timeText() -> String {
        let t = self.time()
        if self.random.chance(0.2) {
            let day = RFC3339.string(TimestampValue(nanoseconds: t))
            return String(day.prefix(10))
        }
        return RFC3339.string(TimestampValue(nanoseconds: t, fractionDigits: 9))
    }

    mutating func clause() -> Clause {
        defer { self.column += 3 }
        let column = self.column
        let v = self.vocabulary
        if self.random.chance(0.35) {
            // The message.
            let field: String? = self.random.chance(0.85) ? nil : "message"
            let matcher: Matcher
            switch self.random.int(0..<9) {
            case 0, 1: matcher = .word(self.mixCase(self.random.pick(v.messageTerms)))
            case 2:
                let a = self.random.pick(v.messageTerms)
                let b = self.random.pick(v.messageTerms)
                matcher = .word("\(a)-\(b)")
            case 3: matcher = .phrase(self.mixCase(self.random.pick(v.phrases)))
            case 4: matcher = .prefix(self.mixCase(self.cut(self.random.pick(v.messageTerms))))
            case 5: matcher = .wildcard(self.wildcard(self.random.pick(v.messageTerms)))
            case 6:
                let term = Self.regexLiteral(self.random.pick(v.messageTerms))
                // Phrases give regexes with whole words inside, which the engine prefilters by.
                let phrase = Self.regexLiteral(self.random.pick(v.phrases))
                matcher = .regex(
                    self.random.pick([
                        term, "(?i)\(term)", "\(term)\\s+\\w+", "^\(term)", "\\d{3,}ms", phrase,
                        "(?i)\(self.mixCase(phrase)) ", "\(phrase) \\S+ \(term)", "x?\(phrase)|\(term)",
                    ])
                )
            case 7:
                matcher =
                    self.random.chance(0.3)
                    ? .exists : .phrase(self.random.pick(v.phrases) + " " + self.random.pick(v.messageTerms))
            default: matcher = .prefix(self.random.pick(v.phrases))
            }
            return Clause(field: field, matcher: matcher, column: column)
        }
        if self.random.chance(0.1) {
            // The timestamp.
            let field = self.random.pick(["timestamp", "_time"])
            switch self.random.int(0..<4) {
            case 0: return Clause(field: field, matcher: .word(self.timeText()), column: column)
            case 1: return Clause(field: field, matcher: .exists, column: column)
            default:
                let lower =
                    self.random.chance(0.8) ? RangeBound(self.timeText(), inclusive: self.random.chance(0.5)) : nil
                let upper =
                    self.random.chance(0.8) ? RangeBound(self.timeText(), inclusive: self.random.chance(0.5)) : nil
                return Clause(field: field, matcher: .range(lower: lower, upper: upper), column: column)
            }
        }
        if self.random.chance(0.15) {
            // CIDR on an address field.
            let field = self.random.pick(["client", "client_ip", "ip", "peer", "nope", "message"])
            let useV6 = self.random.chance(0.3)
            var address: [UInt8]
            var prefix: Int
            if useV6 {
                address = self.random.pick(v.ipv6)
                prefix = self.random.pick([0, 16, 32, 48, 64, 96, 120, 128])
            } else {
                address =
                    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]
                    + (v.ipv4.isEmpty ? [10, 0, 0, 1] : self.random.pick(v.ipv4))
                prefix = 96 + self.random.pick([0, 4, 8, 12, 16, 20, 24, 30, 32])
            }
            return Clause(
                field: field,
                matcher: .cidr(CIDR(address: address, prefixLength: prefix, isIPv4: !useV6)),
                column: column
            )
        }
        // A field clause.
        let names = v.fieldValues.keys.sorted() + Self.extraFields
        let field = self.random.pick(names)
        let values = field == "source" ? v.sources : (v.fieldValues[field] ?? ["x"])
        let value = self.random.pick(values)
        let matcher: Matcher
        switch self.random.int(0..<10) {
        case 0, 1: matcher = .word(field == "level" ? self.mixCase(value) : value)
        case 2: matcher = .phrase(value)
        case 3: matcher = .prefix(self.cut(value))
        case 4: matcher = .wildcard(self.wildcard(value))
        case 5: matcher = .exists
        case 6:
            let literal = Self.regexLiteral(self.cut(value))
            matcher = .regex(
                self.random.pick([literal, "^\(literal)", "(?i)^\(literal)", "\(literal)$", "^\(literal)\\d*"])
            )
        default:
            // Ranges: numbers when the field has them, else bytes.
            let numbers = v.numbers[field] ?? []
            let pool = !numbers.isEmpty && self.random.chance(0.7) ? numbers : values
            let lower =
                self.random.chance(0.75) ? RangeBound(self.random.pick(pool), inclusive: self.random.chance(0.5)) : nil
            let upper =
                self.random.chance(0.75) ? RangeBound(self.random.pick(pool), inclusive: self.random.chance(0.5)) : nil
            matcher = .range(lower: lower, upper: upper)
        }
        return Clause(field: field, matcher: matcher, column: column)
    }

    mutating func window() -> TimeWindow {
        switch self.random.int(0..<4) {
        case 0: return .everything
        case 1: return TimeWindow(from: self.time(), to: nil)
        case 2: return TimeWindow(from: nil, to: self.time())
        default:
            let a = self.time()
            let b = self.time()
            return TimeWindow(from: min(a, b), to: max(a, b) + Int64(self.random.int(0..<2)))
        }
    }
}

@Suite("Engine differential")
struct EngineDifferentialTests {
    @Test("the index returns exactly the events brute force finds, for 2,000 random filters and windows")
    func indexAgreesWithBruteForce() async throws {
        let corpus = EngineCorpus.shared
        #expect(corpus.snapshot.segments.count >= 4)
        #expect(corpus.snapshot.segments.contains { $0.meta.level > 0 })
        // A minute of work in a debug build: on a thread of its own (`OffPool`), not on one of the
        // cooperative threads other tests' awaits need.
        let outcome = await OffPool.run { Result { try Self.compareWithBruteForce(corpus, filters: 2_000) } }
        let comparison = try outcome.get()
        for disagreement in comparison.disagreements.prefix(5) { Issue.record(Comment(rawValue: disagreement)) }
        #expect(comparison.disagreements.isEmpty)
        #expect(comparison.nonEmpty > 400)
    }

    /// Runs `filters` random filters and windows through the engine and through brute force.
    static func compareWithBruteForce(
        _ corpus: EngineCorpus,
        filters: Int
    ) throws -> (disagreements: [String], nonEmpty: Int) {
        let engine = QueryEngine(snapshot: corpus.snapshot, limits: .unlimited)
        var events: [(segment: SegmentReader, doc: UInt32, event: StoredEvent)] = []
        try corpus.forEachEvent { events.append(($0, $1, $2)) }
        var generator = FilterGenerator(random: TestRandom(seed: 20_261_129), vocabulary: try CorpusVocabulary(corpus))
        var disagreements: [String] = []
        var nonEmpty = 0
        for _ in 0..<filters {
            let filter = generator.filter()
            let window = generator.window()
            let prepared: PreparedFilter
            do {
                prepared = try engine.prepare(filter)
            } catch {
                continue  // "nothing to search for" and the like: the parser's business
            }
            var expected: Set<UInt64> = []
            for entry in events
            where window.contains(entry.event.timestamp)
                && prepared.matches(
                    entry.event,
                    names: entry.segment.meta.fieldNames,
                    sources: entry.segment.meta.sources
                )
            {
                expected.insert(entry.segment.id << 32 | UInt64(entry.doc))
            }
            var actual: Set<UInt64> = []
            var ascending = true
            try engine.matches(prepared, in: window) { matches in
                for doc in matches.docs { actual.insert(matches.segment.id << 32 | UInt64(doc)) }
                ascending = ascending && zip(matches.docs, matches.docs.dropFirst()).allSatisfy { $0 < $1 }
                return true
            }
            let count = try engine.count(prepared, in: window)
            if !expected.isEmpty { nonEmpty += 1 }
            if actual != expected || count != expected.count || !ascending {
                disagreements.append(
                    """
                    index and brute force disagree on `\(filter.queryText)` in \(window): \
                    index \(actual.count) (count \(count)), brute force \(expected.count); \
                    only index: \(actual.subtracting(expected).prefix(3)), only brute force: \(expected.subtracting(actual).prefix(3))
                    """
                )
            }
        }
        return (disagreements, nonEmpty)
    }

    @Test("newest returns the brute-force order (timestamp desc, later segment and doc first) up to the limit")
    func newestOrder() throws {
        let corpus = EngineCorpus.shared
        let engine = QueryEngine(snapshot: corpus.snapshot, limits: .unlimited)
        var events: [(segment: SegmentReader, doc: UInt32, event: StoredEvent)] = []
        try corpus.forEachEvent { events.append(($0, $1, $2)) }
        var generator = FilterGenerator(random: TestRandom(seed: 77), vocabulary: try CorpusVocabulary(corpus))
        for _ in 0..<150 {
            let filter = generator.filter()
            let window = generator.window()
            guard let prepared = try? engine.prepare(filter) else { continue }
            let limit = [1, 7, 50, 100_000][generator.random.int(0..<4)]
            let expected =
                events
                .filter {
                    window.contains($0.event.timestamp)
                        && prepared.matches(
                            $0.event,
                            names: $0.segment.meta.fieldNames,
                            sources: $0.segment.meta.sources
                        )
                }
                .sorted { ($0.event.timestamp, $0.segment.id, $0.doc) > ($1.event.timestamp, $1.segment.id, $1.doc) }
                .prefix(limit)
                .map { [$0.segment.id, UInt64($0.doc)] }
            var actual: [[UInt64]] = []
            try engine.newest(prepared, in: window, limit: limit) { match in
                actual.append([match.segment.id, UInt64(match.doc)])
                return true
            }
            #expect(actual == Array(expected), "newest disagrees on `\(filter.queryText)` in \(window)")
        }
    }
}
