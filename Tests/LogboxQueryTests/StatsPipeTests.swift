import LogboxCore
import LogboxParse
import LogboxStore
import LogboxTestSupport
import Testing

@testable import LogboxQuery

/// One event the pipe tests write, and what every field of it is.
struct PipeRecord: Sendable {
    var index: Int
    var time: Int64
    var host: String
    var level: String
    var status: Int64
    var duration: Double?
    var durationText: String?
    var user: String
    /// Sometimes a number, sometimes text: both a numeric and a keyword column.
    var code: ResultValue

    var line: String {
        var parts = [
            "ts=\(ResultValue.timeText(self.time))", "level=\(self.level)", "host=\(self.host)",
            "status=\(self.status)",
        ]
        if let text = self.durationText { parts.append("dur=\(text)") }
        parts.append("user=\(self.user)")
        parts.append("code=\(self.code)")
        parts.append("msg=\"request \(self.index)\"")
        return parts.joined(separator: " ")
    }

    func value(_ field: String) -> ResultValue? {
        switch field {
        case "host": .text(self.host)
        case "level": .text(self.level)
        case "status": .integer(self.status)
        case "dur": self.duration.map { .number($0) }
        case "user": .text(self.user)
        case "code": self.code
        case "timestamp", "_time": .time(self.time)
        default: nil
        }
    }
}

/// A small store written through `StoreWriter` from logfmt lines, one segment per `segmentSize`
/// records, and the record behind each doc.
final class PipeStore: Sendable {
    let directory: TemporaryDirectory
    let records: [PipeRecord]
    let segments: [SegmentReader]
    /// Per segment, the record index of each doc.
    let recordOfDoc: [[Int]]

    static let base: Int64 = 1_795_000_000_000_000_000

    /// Deterministic records: `users` distinct users, times over `seconds` seconds, out of order.
    static func records(count: Int, users: Int, seconds: Int64 = 3600, seed: UInt64 = 7) -> [PipeRecord] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let hosts = ["web1", "web2", "db1", "cache"]
        let levels = ["info", "info", "info", "warning", "error"]
        let statuses: [Int64] = [200, 200, 200, 201, 304, 404, 500, 503]
        return (0..<count).map { index in
            let millis = next(1000)
            let hasDuration = next(5) != 0
            let durationText = hasDuration ? "\(next(3)).\(String(next(1000) + 1000).dropFirst())" : nil
            return PipeRecord(
                index: index,
                time: Self.base + Int64(next(Int(seconds))) * 1_000_000_000 + Int64(millis) * 1_000_000,
                host: hosts[next(hosts.count)],
                level: levels[next(levels.count)],
                status: statuses[next(statuses.count)],
                duration: durationText.flatMap { Double($0) },
                durationText: durationText,
                user: "u\(next(users))",
                code: next(4) == 0 ? .text("none") : .integer(Int64(next(3)))
            )
        }
    }

    init(_ records: [PipeRecord], segmentSize: Int) throws {
        self.directory = TemporaryDirectory(prefix: "logbox-pipes")
        self.records = records
        var options = StoreOptions()
        options.flushEvents = 10_000_000
        options.mergeFactor = 1000
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: self.directory.path, options: options)
        var start = 0
        var segmentNumber = 0
        while start < records.count {
            let chunk = Array(records[start..<min(start + segmentSize, records.count)])
            var parser = BatchParser(
                parser: try ParserRegistry.make("logfmt", context: ParseContext(referenceTime: Self.base))
            )
            var batch = EventBatch()
            parser.parse(Fixtures.lineBatch(chunk.map(\.line)), into: &batch)
            let source = segmentNumber % 2 == 0 ? "a.log" : "b.log"
            try writer.append(batch, source: source, file: "/logs/\(source)", receivedAt: Self.base)
            try writer.flush(mergeAfter: false)
            start += chunk.count
            segmentNumber += 1
        }
        try writer.close()
        let snapshot = try StoreSnapshot(directory: self.directory.path)
        self.segments = snapshot.segments
        var byLine: [String: Int] = [:]
        for record in records { byLine[record.line] = record.index }
        var recordOfDoc: [[Int]] = []
        for segment in snapshot.segments {
            var indexes: [Int] = []
            try segment.docs.events(in: 0..<UInt32(segment.docCount)) { _, event in
                indexes.append(byLine[String(decoding: event.line, as: UTF8.self)] ?? -1)
            }
            recordOfDoc.append(indexes)
        }
        self.recordOfDoc = recordOfDoc
    }

    deinit { self.directory.remove() }

    /// The source each record was written under.
    func source(of record: Int) -> String {
        for (segment, indexes) in self.recordOfDoc.enumerated() where indexes.contains(record) {
            return self.segments[segment].meta.sources.first { $0.hasSuffix(".log") && !$0.hasPrefix("/") } ?? ""
        }
        return ""
    }

    /// Runs `pipes` over the docs whose record passes `keep`, segments newest first.
    func run(_ pipes: [Pipe], keep: (PipeRecord) -> Bool = { _ in true }) throws -> ResultTable {
        var runner = try PipeRunner(pipes, window: .everything)
        for (segment, indexes) in zip(self.segments, self.recordOfDoc).reversed() {
            let docs = indexes.indices.filter { keep(self.records[indexes[$0]]) }.map { UInt32($0) }
            try runner.consume(SegmentMatches(segment: segment, docs: docs))
        }
        return try runner.finish()
    }

    /// Records that pass `keep`.
    func kept(_ keep: (PipeRecord) -> Bool = { _ in true }) -> [PipeRecord] { self.records.filter(keep) }
}

/// Brute-force answers, computed from the records without the store.
enum BruteForce {
    static func groups(_ records: [PipeRecord], by: [String]) -> [[ResultValue?]: [PipeRecord]] {
        var groups: [[ResultValue?]: [PipeRecord]] = [:]
        for record in records { groups[by.map { record.value($0) }, default: []].append(record) }
        return groups
    }

    static func sortedKeys(_ keys: some Sequence<[ResultValue?]>) -> [[ResultValue?]] {
        keys.sorted { ResultValue.compare(keys: $0, $1) < 0 }
    }

    static func nearestRank(_ values: [Double], _ q: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

@Suite("Stats pipe")
struct StatsPipeTests {
    static let store = try! PipeStore(PipeStore.records(count: 3000, users: 40), segmentSize: 700)

    @Test("count() by one keyword field, all docs and a subset")
    func countByHost() throws {
        for keep in [{ (_: PipeRecord) in true }, { $0.index % 3 == 0 }] {
            let table = try Self.store.run(
                [.stats(aggregations: [Aggregation(function: .count, field: nil, name: "count")], by: ["host"])],
                keep: keep
            )
            let groups = BruteForce.groups(Self.store.kept(keep), by: ["host"])
            #expect(table.columns == ["host", "count"])
            #expect(table.rows == BruteForce.sortedKeys(groups.keys).map { $0 + [.integer(Int64(groups[$0]!.count))] })
        }
    }

    @Test("count() without by, and over nothing")
    func countAll() throws {
        let count = [Aggregation(function: .count, field: nil, name: "count")]
        #expect(try Self.store.run([.stats(aggregations: count, by: [])]).rows == [[.integer(3000)]])
        let none = try Self.store.run([.stats(aggregations: count, by: [])], keep: { _ in false })
        #expect(none.rows == [[.integer(0)]])
    }

    @Test("every aggregation by two fields matches brute force")
    func everyAggregation() throws {
        let aggregations = [
            Aggregation(function: .count, field: nil, name: "count"),
            Aggregation(function: .count, field: "dur", name: "count(dur)"),
            Aggregation(function: .countUnique, field: "user", name: "count_uniq(user)"),
            Aggregation(function: .sum, field: "status", name: "sum(status)"),
            Aggregation(function: .average, field: "dur", name: "avg(dur)"),
            Aggregation(function: .minimum, field: "dur", name: "min(dur)"),
            Aggregation(function: .maximum, field: "status", name: "max(status)"),
            Aggregation(function: .quantile(0.5), field: "status", name: "p50(status)"),
            Aggregation(function: .quantile(0.9), field: "dur", name: "p90(dur)"),
            Aggregation(function: .sum, field: "user", name: "sum(user)"),
        ]
        let keep: (PipeRecord) -> Bool = { $0.index % 2 == 1 }
        let table = try Self.store.run([.stats(aggregations: aggregations, by: ["host", "level"])], keep: keep)
        #expect(table.columns == ["host", "level"] + aggregations.map(\.name))
        let groups = BruteForce.groups(Self.store.kept(keep), by: ["host", "level"])
        let keys = BruteForce.sortedKeys(groups.keys)
        try #require(table.rows.count == keys.count)
        for (row, key) in zip(table.rows, keys) {
            let records = groups[key]!
            let durations = records.compactMap(\.duration)
            let statuses = records.map { Double($0.status) }
            #expect(Array(row[0..<2]) == key)
            #expect(row[2] == .integer(Int64(records.count)))
            #expect(row[3] == .integer(Int64(durations.count)))
            #expect(row[4] == .integer(Int64(Set(records.map(\.user)).count)))
            #expect(row[5] == .integer(records.reduce(0) { $0 + $1.status }))
            let average = durations.reduce(0, +) / Double(durations.count)
            #expect(abs((row[6]?.numericValue ?? .nan) - average) < 1e-9)
            #expect(row[7] == durations.min().map { .number($0) })
            #expect(row[8] == statuses.max().map { .integer(Int64($0)) })
            #expect(row[9] == BruteForce.nearestRank(statuses, 0.5).map { .number($0) })
            #expect(row[10] == BruteForce.nearestRank(durations, 0.9).map { .number($0) })
            #expect(row[11] == nil)
        }
    }

    @Test("by a field that is a number in some events and text in others")
    func mixedField() throws {
        let aggregations = [
            Aggregation(function: .count, field: nil, name: "count"),
            Aggregation(function: .countUnique, field: "code", name: "u"),
        ]
        let table = try Self.store.run([.stats(aggregations: aggregations, by: ["code"])])
        let groups = BruteForce.groups(Self.store.records, by: ["code"])
        #expect(
            table.rows
                == BruteForce.sortedKeys(groups.keys).map { $0 + [.integer(Int64(groups[$0]!.count)), .integer(1)] }
        )
        #expect(table.rows.last?[0] == .text("none"))
    }

    @Test("by source, by level and by a field no event has")
    func specialFields() throws {
        let count = [Aggregation(function: .count, field: nil, name: "count")]
        let bySource = try Self.store.run([.stats(aggregations: count, by: ["source"])])
        var sources: [String: Int64] = [:]
        for (segment, indexes) in zip(Self.store.segments, Self.store.recordOfDoc) {
            let name = segment.meta.sources.first { !$0.hasPrefix("/") }!
            sources[name, default: 0] += Int64(indexes.count)
        }
        #expect(bySource.rows == sources.keys.sorted().map { [.text($0), .integer(sources[$0]!)] })
        let byFile = try Self.store.run([.stats(aggregations: count, by: ["file"])])
        #expect(byFile.rows.map { $0[0] } == sources.keys.sorted().map { .text("/logs/\($0)") })
        let missing = try Self.store.run([.stats(aggregations: count, by: ["nothing"])])
        #expect(missing.rows == [[nil, .integer(3000)]])
    }

    @Test("a dropped keyword column (over 4096 values) gives the same tables as the columns")
    func fastAndSlowPathsAgree() throws {
        let records = PipeStore.records(count: 4500, users: 1_000_000, seed: 11)
        let oneSegment = try PipeStore(records, segmentSize: 4500)
        let small = try PipeStore(records, segmentSize: 1000)
        let segment = try #require(oneSegment.segments.first)
        #expect(segment.meta.droppedColumns.contains("user"))
        let reader = SegmentFieldReader(segment)
        guard case .stored = reader.valueColumn("user") else { Issue.record("user should be read from events"); return }
        guard case .columns = SegmentFieldReader(small.segments[0]).valueColumn("user") else {
            Issue.record("user should be read from the keyword column")
            return
        }
        let pipes: [[Pipe]] = [
            [.stats(aggregations: [Aggregation(function: .count, field: nil, name: "count")], by: ["user"])],
            [
                .stats(
                    aggregations: [
                        Aggregation(function: .count, field: "user", name: "n"),
                        Aggregation(function: .countUnique, field: "user", name: "u"),
                        Aggregation(function: .countUnique, field: "code", name: "c"),
                    ],
                    by: ["host", "code"]
                )
            ],
            [.top(limit: 7, field: "user", rare: false)],
            [.sort([SortKey(field: "user", descending: true)]), .head(20), .fields(["user", "host"])],
        ]
        for pipeline in pipes {
            for keep in [{ (_: PipeRecord) in true }, { $0.index % 5 == 2 }] {
                let slow = try oneSegment.run(pipeline, keep: keep)
                let fast = try small.run(pipeline, keep: keep)
                #expect(slow == fast, "\(pipeline)")
            }
        }
        let byUser = try oneSegment.run(pipes[0])
        let groups = BruteForce.groups(records, by: ["user"])
        #expect(byUser.rows == BruteForce.sortedKeys(groups.keys).map { $0 + [.integer(Int64(groups[$0]!.count))] })
    }

    @Test("stats over rows of an earlier stats")
    func statsOfStats() throws {
        let table = try Self.store.run([
            .stats(aggregations: [Aggregation(function: .count, field: nil, name: "count")], by: ["host"]),
            .stats(
                aggregations: [
                    Aggregation(function: .sum, field: "count", name: "total"),
                    Aggregation(function: .count, field: nil, name: "hosts"),
                ],
                by: []
            ),
        ])
        #expect(table.rows == [[.integer(3000), .integer(Int64(Set(Self.store.records.map(\.host)).count))]])
    }
}
