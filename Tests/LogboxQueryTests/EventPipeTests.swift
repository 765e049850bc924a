import LogboxStore
import Testing

@testable import LogboxQuery

/// Pipes before any aggregation, on events: rows, `head`/`tail` newest first, `sort | head` with
/// bounded memory, `where` on events, and the early stop.
@Suite("Event pipes")
struct EventPipeTests {
    static let store = StatsPipeTests.store

    /// Records newest first, as the result order has them (ties do not occur at ms precision here
    /// often enough to matter; they are broken by segment then doc, which the checks avoid).
    static var newestFirst: [PipeRecord] { self.store.records.sorted { $0.time > $1.time } }

    @Test("head N without sort: the newest N events as rows with their fields")
    func headRows() throws {
        let table = try Self.store.run([.head(5)])
        #expect(table.columns.first == "timestamp")
        #expect(table.columns.contains("host") && table.columns.contains("status") && table.columns.contains("message"))
        #expect(table.columns.suffix(2) == ["source", "file"])
        let expected = Array(Self.newestFirst.prefix(5))
        let time = table.column(named: "timestamp")!
        let host = table.column(named: "host")!
        let status = table.column(named: "status")!
        #expect(table.rows.map { $0[time] } == expected.map { .time($0.time) })
        #expect(table.rows.map { $0[host] } == expected.map { .text($0.host) })
        #expect(table.rows.map { $0[status] } == expected.map { .integer($0.status) })
    }

    @Test("tail N: the oldest N, still newest first; fields keeps columns in order")
    func tailFields() throws {
        let table = try Self.store.run([.fields(["status", "_time", "dur", "missing"]), .tail(3)])
        #expect(table.columns == ["status", "_time", "dur", "missing"])
        let expected = Array(Self.newestFirst.suffix(3))
        #expect(
            table.rows == expected.map { [.integer($0.status), .time($0.time), $0.duration.map { .number($0) }, nil] }
        )
    }

    @Test("head stops wanting input once it has N events")
    func earlyStop() throws {
        var runner = try PipeRunner([.head(10)], window: .everything)
        #expect(runner.wantsMoreInput)
        try runner.consume(SegmentMatches(segment: Self.store.segments[0], docs: [0, 1, 2]))
        #expect(runner.wantsMoreInput)
        try runner.consume(SegmentMatches(segment: Self.store.segments[1], docs: Array(0..<50)))
        #expect(!runner.wantsMoreInput)
        #expect(try runner.finish().rows.count == 10)
        var sorted = try PipeRunner(
            [.sort([SortKey(field: "status", descending: false)]), .head(10)],
            window: .everything
        )
        try sorted.consume(SegmentMatches(segment: Self.store.segments[1], docs: Array(0..<50)))
        #expect(sorted.wantsMoreInput)
        #expect(try PipeRunner([.head(0)], window: .everything).wantsMoreInput == false)
    }

    @Test("sort | head keeps a bounded set of events and returns the top N, stable")
    func sortHeadBounded() throws {
        let pipes: [Pipe] = [
            .sort([SortKey(field: "status", descending: true), SortKey(field: "host", descending: false)]),
            .head(10),
            .fields(["status", "host", "timestamp"]),
        ]
        var runner = try PipeRunner(pipes, window: .everything)
        for (segment, indexes) in zip(Self.store.segments, Self.store.recordOfDoc).reversed() {
            try runner.consume(SegmentMatches(segment: segment, docs: indexes.indices.map { UInt32($0) }))
            #expect(runner.keptEventCount <= 1024)
        }
        let table = try runner.finish()
        let expected = Self.newestFirst.enumerated().sorted { a, b in
            if a.element.status != b.element.status { return a.element.status > b.element.status }
            if a.element.host != b.element.host {
                return a.element.host.utf8.lexicographicallyPrecedes(b.element.host.utf8)
            }
            return a.offset < b.offset
        }.prefix(10).map(\.element)
        #expect(table.rows == expected.map { [.integer($0.status), .text($0.host), .time($0.time)] })
    }

    @Test("sort puts events without the field last; sort without head keeps every event")
    func sortAbsentLast() throws {
        let table = try Self.store.run([.sort([SortKey(field: "dur", descending: false)]), .fields(["dur"])])
        #expect(table.rows.count == 3000)
        let expected = Self.store.records.compactMap(\.duration).sorted()
        #expect(Array(table.rows.prefix(expected.count)) == expected.map { [.number($0)] })
        #expect(table.rows.suffix(3000 - expected.count).allSatisfy { $0 == [nil] })
        let tail = try Self.store.run([.sort([SortKey(field: "dur", descending: true)]), .tail(2), .fields(["dur"])])
        #expect(tail.rows == [[nil], [nil]])
    }

    @Test("where on events, then stats; head then stats; where after head")
    func eventsThenStats() throws {
        let count = Aggregation(function: .count, field: nil, name: "count")
        let filter = Filter.match(
            Clause(field: "status", matcher: .range(lower: RangeBound("500", inclusive: true), upper: nil), column: 1)
        )
        let table = try Self.store.run([.where(filter), .stats(aggregations: [count], by: ["host"])])
        let groups = BruteForce.groups(Self.store.records.filter { $0.status >= 500 }, by: ["host"])
        #expect(table.rows == BruteForce.sortedKeys(groups.keys).map { $0 + [.integer(Int64(groups[$0]!.count))] })

        #expect(try Self.store.run([.head(100), .stats(aggregations: [count], by: [])]).rows == [[.integer(100)]])
        let warnings = try Self.store.run([
            .where(.match(Clause(field: "level", matcher: .word("WARN"), column: 1))),
            .stats(aggregations: [count], by: ["level"]),
        ])
        let expectedWarnings = Int64(Self.store.records.filter { $0.level == "warning" }.count)
        #expect(warnings.rows == [[.text("warning"), .integer(expectedWarnings)]])
        let newest = Array(Self.newestFirst.prefix(100))
        let afterHead = try Self.store.run([.head(100), .where(filter), .stats(aggregations: [count], by: [])])
        #expect(afterHead.rows == [[.integer(Int64(newest.filter { $0.status >= 500 }.count))]])
        let timechart = try Self.store.run([
            .head(100), .where(filter),
            .timechart(spanNanoseconds: 3_600_000_000_000, aggregations: [count], by: []),
        ])
        #expect(
            timechart.rows.reduce(0) { $0 + (($1[1]?.numericValue).map { Int($0) } ?? 0) }
                == newest.filter { $0.status >= 500 }.count
        )
    }
}
