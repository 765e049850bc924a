import LogboxStore

/// Runs the pipes after `|` over the events a filter matched, one segment at a time, and returns
/// a table.
///
/// Pipes before the first aggregation (`stats`, `top`, `timechart`) work on events, which become
/// rows (`timestamp`, the fields, `message`, `source`, `file`) only when a pipe needs them and
/// only for the events kept. Events come in the query's result order, newest first (ties: the
/// later segment, then the later doc). Memory stays bounded by the result: `head`/`tail` and
/// `sort … | head N` keep at most 2N candidates, aggregations one state per group.
///
/// `head N` on events without a `sort` before it stops wanting input once N events are in
/// (`wantsMoreInput`): the executor hands segments newest first, so those are the newest N.
///
/// Call `consume` for each segment (in any order), then `finish` once.
public struct PipeRunner {
    /// How events are ordered and cut before they become rows or reach an aggregation.
    enum Ordering {
        /// All events, newest first.
        case none
        /// The first (or, `fromEnd`, the last) `limit` events newest first.
        case newest(limit: Int, fromEnd: Bool)
        /// Sorted by the keys (stable: newest first among equals), all or the first/last `limit`.
        case sorted([SortKey], limit: Int?, fromEnd: Bool)
    }

    /// An event kept for later: enough to order it and read it back.
    struct EventReference {
        var segment: Int
        var doc: UInt32
        var timestamp: Int64
        var keys: [ResultValue?]
    }

    public let pipes: [Pipe]
    public let window: TimeWindow
    private let eventFilters: [RowFilter]
    private let ordering: Ordering
    private let projection: [String]?
    /// Event pipes after the ordering, run on the event rows.
    private let eventRest: [Pipe]
    private let aggregation: Pipe?
    private let rowPipes: [Pipe]
    /// Whether segments go straight to the aggregation (no event stage that keeps events).
    private let streamsToAggregation: Bool
    /// How many events the ordering returns (nil: all), from the start or the end of its order.
    private let limit: Int?
    private let fromEnd: Bool
    /// `head N` on events in their own order: no more input needed once N are in.
    private let stopAfter: Int?
    /// Per sort key, whether it is descending.
    private let sortDirections: [Bool]
    /// The last event kept after a cut: nothing that sorts after it can be returned.
    private var cutoff: EventReference?
    private var aggregator: GroupedAggregator?
    private var segments: [SegmentReader] = []
    private var references: [EventReference] = []
    /// Whether the runner can use more input; false once `head N` on events has its N.
    public private(set) var wantsMoreInput = true

    /// Events held for a later `head`/`tail`/`sort` (bounded by twice the limit, or 1024).
    var keptEventCount: Int { self.references.count }

    public init(_ pipes: [Pipe], window: TimeWindow) throws(QueryError) {
        self.pipes = pipes
        self.window = window
        try Self.validate(pipes)
        let split =
            pipes.firstIndex { pipe in
                switch pipe {
                case .stats, .top, .timechart: true
                default: false
                }
            } ?? pipes.count
        let eventPipes = Array(pipes[..<split])
        self.aggregation = split < pipes.count ? pipes[split] : nil
        self.rowPipes = split < pipes.count ? Array(pipes[(split + 1)...]) : []

        // Streaming part: `where` and `fields` up to the first ordering pipe, then the ordering,
        // with the `where`/`fields` between a `sort` and its `head`/`tail` moved in front.
        var filters: [RowFilter] = []
        var projection: [String]?
        var ordering = Ordering.none
        var index = 0
        func absorb() throws(QueryError) {
            while index < eventPipes.count {
                switch eventPipes[index] {
                case .where(let filter): filters.append(try RowFilter(filter))
                case .fields(let names): projection = names
                default: return
                }
                index += 1
            }
        }
        try absorb()
        if index < eventPipes.count {
            switch eventPipes[index] {
            case .head(let limit):
                ordering = .newest(limit: limit, fromEnd: false)
                index += 1
            case .tail(let limit):
                ordering = .newest(limit: limit, fromEnd: true)
                index += 1
            case .sort(let keys):
                index += 1
                try absorb()
                if index < eventPipes.count, case .head(let limit) = eventPipes[index] {
                    ordering = .sorted(keys, limit: limit, fromEnd: false)
                    index += 1
                } else if index < eventPipes.count, case .tail(let limit) = eventPipes[index] {
                    ordering = .sorted(keys, limit: limit, fromEnd: true)
                    index += 1
                } else {
                    ordering = .sorted(keys, limit: nil, fromEnd: false)
                }
            default:
                break
            }
        }
        self.eventFilters = filters
        self.projection = projection
        self.ordering = ordering
        self.eventRest = Array(eventPipes[index...])
        if case .none = ordering, self.eventRest.isEmpty, self.aggregation != nil {
            self.streamsToAggregation = true
        } else {
            self.streamsToAggregation = false
        }
        self.aggregator = self.aggregation.map { Self.makeAggregator($0) }
        switch ordering {
        case .none:
            (self.limit, self.fromEnd, self.stopAfter) = (nil, false, nil)
        case .newest(let limit, let fromEnd):
            (self.limit, self.fromEnd, self.stopAfter) = (limit, fromEnd, fromEnd ? nil : limit)
        case .sorted(_, let limit, let fromEnd):
            (self.limit, self.fromEnd, self.stopAfter) = (limit, fromEnd, limit == 0 ? 0 : nil)
        }
        if self.stopAfter == 0 { self.wantsMoreInput = false }
        if case .sorted(let keys, _, _) = ordering {
            self.sortDirections = keys.map(\.descending)
        } else {
            self.sortDirections = []
        }
    }

    private static func makeAggregator(_ pipe: Pipe) -> GroupedAggregator {
        switch pipe {
        case .stats(let aggregations, let by):
            return GroupedAggregator(keys: by.map { .field($0) }, aggregations: aggregations)
        case .top(_, let field, _):
            return GroupedAggregator(
                keys: [.field(field)],
                aggregations: [Aggregation(function: .count, field: nil, name: "count")]
            )
        case .timechart(let span, let aggregations, let by):
            return GroupedAggregator(keys: [.bucket(span)] + by.map { .field($0) }, aggregations: aggregations)
        default:
            preconditionFailure("not an aggregation: \(pipe)")
        }
    }

    // MARK: Input

    public mutating func consume(_ matches: SegmentMatches) throws {
        guard !matches.docs.isEmpty else { return }
        if self.streamsToAggregation && self.eventFilters.isEmpty {
            try self.aggregator!.consume(segment: matches.segment, docs: matches.docs)
            return
        }
        var docs = matches.docs
        if !self.eventFilters.isEmpty {
            var reader = SegmentFieldReader(matches.segment)
            docs = try docs.filter { doc in
                for filter in self.eventFilters where !(try filter.matches({ try reader.storedValue($0, doc: doc) })) {
                    return false
                }
                return true
            }
        }
        if self.streamsToAggregation {
            try self.aggregator!.consume(segment: matches.segment, docs: docs)
            return
        }
        guard !docs.isEmpty else { return }
        let segmentIndex = self.segments.count
        self.segments.append(matches.segment)
        let columns = matches.segment.columns
        var reader = SegmentFieldReader(matches.segment)
        var extractors: [KeyExtractor] = []
        if case .sorted(let sortKeys, _, _) = self.ordering {
            extractors = sortKeys.map { KeyExtractor(field: $0.field, reader: reader) }
        }
        var ids: [[UInt32]] = Array(repeating: [], count: extractors.count)
        var start = 0
        while start < docs.count {
            let chunk = docs[start..<min(start + GroupedAggregator.chunkSize, docs.count)]
            start += chunk.count
            for index in extractors.indices { try extractors[index].ids(chunk, reader: &reader, into: &ids[index]) }
            for (position, doc) in chunk.enumerated() {
                let reference = EventReference(
                    segment: segmentIndex,
                    doc: doc,
                    timestamp: columns.timestamp(doc),
                    keys: extractors.indices.map { extractors[$0].values[Int(ids[$0][position])] }
                )
                // Once the kept set is full, an event that would sort after its last never makes it.
                if let cutoff = self.cutoff, !self.order(reference, before: cutoff) { continue }
                self.references.append(reference)
                self.prune(final: false)
            }
        }
    }

    /// Keeps the references the ordering can still return: at most max(2 × limit, 1024) at any
    /// time, so memory follows the result, not the input.
    private mutating func prune(final: Bool) {
        let count = self.references.count
        // Stop early only on the newest-first order the executor delivers segments in.
        if let stop = self.stopAfter, count >= stop { self.wantsMoreInput = false }
        guard final || (self.limit.map { count > max(2 * $0, 1024) } ?? false) else { return }
        var references = self.references
        self.references = []
        // For `tail` this is the reverse order: its first `limit` are the last ones.
        references.sort { self.order($0, before: $1) }
        if let limit = self.limit, references.count > limit {
            references.removeSubrange(limit...)
            self.cutoff = references.last
        }
        if self.fromEnd { references.reverse() }
        self.references = references
    }

    /// Whether `a` comes before `b` in the direction the limit cuts: by the sort keys if any,
    /// then newest first (later segment, later doc); reversed for `tail`.
    private func order(_ a: EventReference, before b: EventReference) -> Bool {
        let forward = self.forwardOrder(a, b)
        return self.fromEnd ? self.forwardOrder(b, a) : forward
    }

    private func forwardOrder(_ a: EventReference, _ b: EventReference) -> Bool {
        for (index, descending) in self.sortDirections.enumerated() {
            let order = ResultValue.compare(a.keys[index], b.keys[index], descending: descending)
            if order != 0 { return order < 0 }
        }
        if a.timestamp != b.timestamp { return a.timestamp > b.timestamp }
        let sa = self.segments[a.segment].id
        let sb = self.segments[b.segment].id
        if sa != sb { return sa > sb }
        return a.doc > b.doc
    }

    // MARK: Output

    public mutating func finish() throws -> ResultTable {
        var table: ResultTable
        if self.streamsToAggregation {
            table = try self.aggregationTable()
        } else {
            self.prune(final: true)
            if self.aggregation != nil && self.eventRest.isEmpty {
                var bySegment: [Int: [UInt32]] = [:]
                for reference in self.references { bySegment[reference.segment, default: []].append(reference.doc) }
                for (segment, docs) in bySegment.sorted(by: { $0.key < $1.key }) {
                    try self.aggregator!.consume(segment: self.segments[segment], docs: docs.sorted())
                }
                table = try self.aggregationTable()
            } else {
                table = try self.eventTable()
                for pipe in self.eventRest { table = try Self.apply(pipe, to: table) }
                if let aggregation = self.aggregation { table = try Self.apply(aggregation, to: table) }
            }
        }
        for pipe in self.rowPipes { table = try Self.apply(pipe, to: table) }
        return table
    }

    /// The kept events as rows, in order.
    private func eventTable() throws -> ResultTable {
        var readers: [Int: SegmentFieldReader] = [:]
        var rows: [[(String, ResultValue)]] = Array(repeating: [], count: self.references.count)
        // Read in doc order per segment, so each docs block is decompressed once.
        let order = self.references.indices.sorted {
            let a = self.references[$0]
            let b = self.references[$1]
            return a.segment != b.segment ? a.segment < b.segment : a.doc < b.doc
        }
        for index in order {
            let reference = self.references[index]
            if readers[reference.segment] == nil {
                readers[reference.segment] = SegmentFieldReader(self.segments[reference.segment])
            }
            rows[index] = try readers[reference.segment]!.row(reference.doc)
        }
        var columns: [String]
        if let projection = self.projection {
            columns = projection
        } else {
            columns = ["timestamp"]
            var seen: Set<String> = ["timestamp", "message", "source", "file"]
            var tail: [String] = []
            for row in rows {
                for (name, _) in row where seen.insert(name).inserted { columns.append(name) }
            }
            for name in ["message", "source", "file"] where rows.contains(where: { $0.contains { $0.0 == name } }) {
                tail.append(name)
            }
            columns += tail
        }
        let lookup = columns.map { SegmentFieldReader.canonical($0) }
        let table = ResultTable(
            columns: columns,
            rows: rows.map { row in
                lookup.map { name in row.first { $0.0 == name }?.1 }
            }
        )
        return table
    }

    /// The aggregation's result over everything consumed.
    private mutating func aggregationTable() throws -> ResultTable {
        guard let aggregation = self.aggregation, var aggregator = self.aggregator else {
            preconditionFailure("no aggregation")
        }
        defer { self.aggregator = aggregator }
        return try Self.table(of: aggregation, &aggregator)
    }

    /// The table of an aggregation: `stats` groups in key order; `top`/`rare` with `percent` of
    /// the events that have the field; `timechart` every bucket from the first to the last that
    /// has events, for every series (by-value) seen, empty ones with counts 0.
    static func table(of pipe: Pipe, _ aggregator: inout GroupedAggregator) throws -> ResultTable {
        switch pipe {
        case .stats(let aggregations, let by):
            var table = ResultTable(columns: by + aggregations.map(\.name))
            for group in aggregator.sortedGroups() {
                table.rows.append(aggregator.groupKeys[group] + aggregator.results(group))
            }
            if by.isEmpty && table.rows.isEmpty { table.rows.append(aggregator.emptyResults()) }
            return table
        case .top(let limit, let field, let rare):
            var entries: [(value: ResultValue, count: Int64)] = []
            var total: Int64 = 0
            for group in 0..<aggregator.groupCount {
                guard let value = aggregator.groupKeys[group][0],
                    case .integer(let count)? = aggregator.results(group)[0]
                else { continue }
                entries.append((value, count))
                total += count
            }
            entries.sort { a, b in
                if a.count != b.count { return rare ? a.count < b.count : a.count > b.count }
                return ResultValue.compare(a.value, b.value) < 0
            }
            return ResultTable(
                columns: [field, "count", "percent"],
                rows: entries.prefix(max(0, limit)).map { entry in
                    [
                        entry.value, .integer(entry.count),
                        .number(total == 0 ? 0 : Double(entry.count) * 100 / Double(total)),
                    ]
                }
            )
        case .timechart(let span, let aggregations, let by):
            var table = ResultTable(columns: ["_time"] + by + aggregations.map(\.name))
            var buckets: [Int64] = []
            var series: Set<[ResultValue?]> = []
            for key in aggregator.groupKeys {
                if case .time(let bucket)? = key[0] { buckets.append(bucket) }
                series.insert(Array(key.dropFirst()))
            }
            guard let first = buckets.min(), let last = buckets.max() else { return table }
            let count = (Double(last) - Double(first)) / Double(span) + 1
            guard count * Double(max(series.count, 1)) <= 1_000_000 else {
                throw QueryError(
                    .invalid,
                    "timechart span makes \(Int(count)) buckets × \(series.count) series",
                    hint: "use a larger span= or a shorter time range"
                )
            }
            let ordered = series.sorted { ResultValue.compare(keys: $0, $1) < 0 }
            var bucket = first
            while bucket <= last {
                for values in ordered {
                    let key: [ResultValue?] = [.time(bucket)] + values
                    if let group = aggregator.groupIndex(of: key) {
                        table.rows.append(key + aggregator.results(group))
                    } else {
                        table.rows.append(key + aggregator.emptyResults())
                    }
                }
                let (next, overflow) = bucket.addingReportingOverflow(span)
                if overflow { break }
                bucket = next
            }
            return table
        default:
            preconditionFailure("not an aggregation: \(pipe)")
        }
    }

    // MARK: Pipes over tables

    /// Runs one pipe over a table.
    static func apply(_ pipe: Pipe, to table: ResultTable) throws -> ResultTable {
        switch pipe {
        case .head(let limit):
            return ResultTable(columns: table.columns, rows: Array(table.rows.prefix(max(0, limit))))
        case .tail(let limit):
            return ResultTable(columns: table.columns, rows: Array(table.rows.suffix(max(0, limit))))
        case .fields(let names):
            let indexes = names.map { table.column(named: $0) }
            return ResultTable(
                columns: names,
                rows: table.rows.map { row in indexes.map { $0.flatMap { row[$0] } } }
            )
        case .sort(let keys):
            let indexes = keys.map { (table.column(named: $0.field), $0.descending) }
            let order = table.rows.indices.sorted { a, b in
                for (column, descending) in indexes {
                    guard let column else { continue }
                    let order = ResultValue.compare(
                        table.rows[a][column],
                        table.rows[b][column],
                        descending: descending
                    )
                    if order != 0 { return order < 0 }
                }
                return a < b
            }
            return ResultTable(columns: table.columns, rows: order.map { table.rows[$0] })
        case .where(let filter):
            let compiled = try RowFilter(filter)
            let rows = table.rows.filter { row in
                compiled.matches { name in table.column(named: name).flatMap { row[$0] } }
            }
            return ResultTable(columns: table.columns, rows: rows)
        case .stats, .top, .timechart:
            var aggregator = Self.makeAggregator(pipe)
            for row in table.rows {
                aggregator.consume { name in table.column(named: name).flatMap { row[$0] } }
            }
            return try Self.table(of: pipe, &aggregator)
        }
    }

    // MARK: Validation

    /// Checks that every pipe makes sense where it stands: columns that exist, limits that are
    /// not negative, aggregations with the fields they need.
    static func validate(_ pipes: [Pipe]) throws(QueryError) {
        // nil: events, whose fields are open; else the columns of the stage before.
        var columns: [String]?
        var aggregated = false
        func require(_ name: String, _ what: String, column: Int? = nil) throws(QueryError) {
            guard let columns else { return }
            let known = ResultTable(columns: columns)
            guard known.column(named: name) == nil else { return }
            throw QueryError(
                .invalid,
                "\(what): no column \(name); the columns are \(columns.joined(separator: ", "))",
                column: column
            )
        }
        func check(_ aggregations: [Aggregation], _ by: [String], _ pipe: String) throws(QueryError) {
            guard !aggregations.isEmpty else {
                throw QueryError(.invalid, "\(pipe) needs an aggregation such as count()")
            }
            var names: Set<String> = Set(by)
            for aggregation in aggregations {
                if aggregation.field == nil && aggregation.function != .count {
                    throw QueryError(.invalid, "\(aggregation.name) needs a field")
                }
                if case .quantile(let q) = aggregation.function, !(0...1).contains(q) {
                    throw QueryError(.invalid, "\(aggregation.name): the quantile must be between 0 and 1")
                }
                if let field = aggregation.field { try require(field, pipe) }
                guard names.insert(aggregation.name).inserted else {
                    throw QueryError(
                        .invalid,
                        "\(pipe): two columns named \(aggregation.name)",
                        hint: "rename one with `as`"
                    )
                }
            }
            for field in by { try require(field, pipe) }
        }
        for pipe in pipes {
            switch pipe {
            case .stats(let aggregations, let by):
                try check(aggregations, by, "stats")
                columns = by + aggregations.map(\.name)
                aggregated = true
            case .top(let limit, let field, let rare):
                let name = rare ? "rare" : "top"
                guard limit > 0 else { throw QueryError(.invalid, "\(name) needs a count above 0") }
                try require(field, name)
                columns = [field, "count", "percent"]
                aggregated = true
            case .timechart(let span, let aggregations, let by):
                guard !aggregated else {
                    throw QueryError(
                        .invalid,
                        "timechart works on events, not on the result of stats or top",
                        hint: "put timechart right after the filter"
                    )
                }
                guard span > 0 else { throw QueryError(.invalid, "timechart needs a span above 0") }
                try check(aggregations, by, "timechart")
                columns = ["_time"] + by + aggregations.map(\.name)
                aggregated = true
            case .sort(let keys):
                guard !keys.isEmpty else { throw QueryError(.invalid, "sort needs a column") }
                for key in keys { try require(key.field, "sort") }
            case .head(let limit), .tail(let limit):
                guard limit >= 0 else { throw QueryError(.invalid, "head and tail need a count of 0 or more") }
            case .fields(let names):
                guard !names.isEmpty else { throw QueryError(.invalid, "fields needs a column") }
                for name in names { try require(name, "fields") }
                columns = names
            case .where(let filter):
                let compiled = try RowFilter(filter)
                for (field, column) in compiled.fields { try require(field, "where", column: column) }
            }
        }
    }
}
