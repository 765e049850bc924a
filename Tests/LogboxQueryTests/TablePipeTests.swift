import Testing

@testable import LogboxQuery

/// `top`/`rare`, `timechart`, and the pipes over result rows (`sort`, `head`, `tail`, `fields`,
/// `where`), checked against brute force over the records written.
@Suite("Table pipes")
struct TablePipeTests {
    static let store = StatsPipeTests.store
    static let countByHost: Pipe = .stats(
        aggregations: [Aggregation(function: .count, field: nil, name: "count")],
        by: ["host"]
    )

    static func word(_ field: String, _ matcher: Matcher) -> Filter {
        .match(Clause(field: field, matcher: matcher, column: 1))
    }

    @Test("top and rare: most or least frequent first, ties by value, percent of events with the field")
    func topAndRare() throws {
        for rare in [false, true] {
            let table = try Self.store.run([.top(limit: 3, field: "status", rare: rare)])
            #expect(table.columns == ["status", "count", "percent"])
            var counts: [Int64: Int64] = [:]
            for record in Self.store.records { counts[record.status, default: 0] += 1 }
            let expected = counts.sorted { a, b in
                a.value != b.value ? (rare ? a.value < b.value : a.value > b.value) : a.key < b.key
            }.prefix(3)
            #expect(
                table.rows
                    == expected.map {
                        [.integer($0.key), .integer($0.value), .number(Double($0.value) * 100 / 3000)]
                    }
            )
        }
    }

    @Test("timechart: buckets aligned to the span, empty buckets filled, one row per bucket and value")
    func timechart() throws {
        let span: Int64 = 300_000_000_000
        func bucket(_ time: Int64) -> Int64 { time / span * span }
        // Leave out every third bucket so the chart has holes to fill.
        let keep: (PipeRecord) -> Bool = { (bucket($0.time) / span) % 3 != 1 }
        let aggregations = [
            Aggregation(function: .count, field: nil, name: "count"),
            Aggregation(function: .maximum, field: "status", name: "max(status)"),
        ]
        let table = try Self.store.run(
            [.timechart(spanNanoseconds: span, aggregations: aggregations, by: [])],
            keep: keep
        )
        #expect(table.columns == ["_time", "count", "max(status)"])
        let kept = Self.store.kept(keep)
        let first = bucket(kept.map(\.time).min()!)
        let last = bucket(kept.map(\.time).max()!)
        var expected: [[ResultValue?]] = []
        var time = first
        while time <= last {
            let inside = kept.filter { bucket($0.time) == time }
            expected.append([
                .time(time), .integer(Int64(inside.count)), inside.map(\.status).max().map { .integer($0) },
            ])
            time += span
        }
        #expect(table.rows == expected)
        #expect(expected.contains { $0[1] == .integer(0) })

        let byLevel = try Self.store.run(
            [.timechart(spanNanoseconds: span, aggregations: [aggregations[0]], by: ["level"])],
            keep: keep
        )
        #expect(byLevel.columns == ["_time", "level", "count"])
        let levels = Set(kept.map(\.level)).sorted()
        var expectedByLevel: [[ResultValue?]] = []
        time = first
        while time <= last {
            for level in levels {
                let count = kept.filter { bucket($0.time) == time && $0.level == level }.count
                expectedByLevel.append([.time(time), .text(level), .integer(Int64(count))])
            }
            time += span
        }
        #expect(byLevel.rows == expectedByLevel)
    }

    @Test("sort by count desc then head, tail, fields")
    func sortHeadTailFields() throws {
        let table = try Self.store.run([
            .stats(aggregations: [Aggregation(function: .count, field: nil, name: "count")], by: ["host", "level"]),
            .sort([SortKey(field: "count", descending: true), SortKey(field: "host", descending: false)]),
            .head(4),
            .fields(["count", "host"]),
        ])
        let groups = BruteForce.groups(Self.store.records, by: ["host", "level"])
        let expected = groups.map { (key: $0.key, count: Int64($0.value.count)) }
            .sorted { a, b in
                if a.count != b.count { return a.count > b.count }
                if ResultValue.compare(a.key[0], b.key[0]) != 0 { return ResultValue.compare(a.key[0], b.key[0]) < 0 }
                return ResultValue.compare(a.key[1], b.key[1]) < 0  // stable: the stats order
            }
            .prefix(4)
        #expect(table.columns == ["count", "host"])
        #expect(table.rows == expected.map { [.integer($0.count), $0.key[0]] })

        let tail = try Self.store.run([Self.countByHost, .tail(2)])
        let all = try Self.store.run([Self.countByHost])
        #expect(tail.rows == Array(all.rows.suffix(2)))
    }

    @Test("sort: numbers numerically, text byte-wise, absent last, stable")
    func sortOrder() throws {
        let table = ResultTable(
            columns: ["v", "n"],
            rows: [
                [.text("b"), .integer(1)], [nil, .integer(2)], [.integer(10), .integer(3)],
                [.number(9.5), .integer(4)],
                [.text("B"), .integer(5)], [.integer(10), .integer(6)],
            ]
        )
        let ascending = try PipeRunner.apply(.sort([SortKey(field: "v", descending: false)]), to: table)
        #expect(ascending.rows.map { $0[1] } == [4, 3, 6, 5, 1, 2].map { .integer($0) })
        let descending = try PipeRunner.apply(.sort([SortKey(field: "v", descending: true)]), to: table)
        #expect(descending.rows.map { $0[1] } == [1, 5, 3, 6, 4, 2].map { .integer($0) })
    }

    @Test("where over rows: equality, ranges, prefix, wildcard, regex, exists, and/or/not")
    func whereRows() throws {
        let all = try Self.store.run([Self.countByHost])
        func rows(_ filter: Filter) throws -> [[ResultValue?]] {
            try Self.store.run([Self.countByHost, .where(filter)]).rows
        }
        func count(_ row: [ResultValue?]) -> Int64 { if case .integer(let n)? = row[1] { n } else { -1 } }
        let median = all.rows.map(count).sorted()[all.rows.count / 2]
        #expect(
            try rows(Self.word("count", .range(lower: RangeBound("\(median)", inclusive: false), upper: nil)))
                == all.rows.filter { count($0) > median }
        )
        #expect(try rows(Self.word("count", .word("\(median)"))) == all.rows.filter { count($0) == median })
        #expect(try rows(Self.word("host", .prefix("web"))) == all.rows.filter { "\($0[0]!)".hasPrefix("web") })
        #expect(try rows(Self.word("host", .wildcard("w?b*"))) == all.rows.filter { "\($0[0]!)".hasPrefix("web") })
        #expect(try rows(Self.word("host", .regex("^(db|ca)"))) == all.rows.filter { !"\($0[0]!)".hasPrefix("web") })
        #expect(try rows(Self.word("host", .exists)) == all.rows)
        #expect(try rows(.not(Self.word("host", .word("web1")))) == all.rows.filter { $0[0] != .text("web1") })
        #expect(
            try rows(.or([Self.word("host", .word("web1")), Self.word("host", .word("db1"))]))
                == all.rows.filter { $0[0] == .text("web1") || $0[0] == .text("db1") }
        )
        #expect(
            try rows(
                .and([
                    Self.word("host", .prefix("web")),
                    Self.word("count", .range(lower: nil, upper: RangeBound("*", inclusive: true))),
                ])
            )
                == all.rows.filter { "\($0[0]!)".hasPrefix("web") }
        )
        #expect(
            try rows(
                Self.word(
                    "host",
                    .range(lower: RangeBound("a", inclusive: true), upper: RangeBound("d", inclusive: false))
                )
            )
                == all.rows.filter { $0[0] == .text("cache") }
        )
    }

    @Test("pipes that make no sense are refused with a clear error")
    func errors() {
        func error(_ pipes: [Pipe]) -> QueryError? {
            do {
                _ = try PipeRunner(pipes, window: .everything)
                return nil
            } catch {
                return error
            }
        }
        let missing = error([Self.countByHost, .where(Self.word("status", .word("200")))])
        #expect(missing?.kind == .invalid)
        #expect(missing?.message.contains("no column status") == true)
        #expect(missing?.message.contains("host, count") == true)
        #expect(missing?.column == 1)
        let chart = error([
            Self.countByHost,
            .timechart(
                spanNanoseconds: 1_000_000_000,
                aggregations: [Aggregation(function: .count, field: nil, name: "count")],
                by: []
            ),
        ])
        #expect(chart?.kind == .invalid)
        #expect(chart?.message.contains("timechart") == true)
        #expect(error([.stats(aggregations: [Aggregation(function: .sum, field: nil, name: "sum()")], by: [])]) != nil)
        #expect(error([.top(limit: 0, field: "host", rare: false)]) != nil)
        #expect(error([Self.countByHost, .sort([SortKey(field: "nope", descending: false)])]) != nil)
        #expect(error([Self.countByHost, .fields(["host", "nope"])]) != nil)
        #expect(
            error([
                .fields(["host"]),
                .stats(aggregations: [Aggregation(function: .count, field: nil, name: "count")], by: ["level"]),
            ]) != nil
        )
        #expect(error([.where(Self.word("status", .regex("(")))]) != nil)
        #expect(error([Self.countByHost, .sort([SortKey(field: "count", descending: true)]), .head(3)]) == nil)
    }
}
