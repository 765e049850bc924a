public import LogboxStore

/// Runs filters over a store snapshot through its index: the planner and executor of `logbox query`.
///
/// `prepare` compiles a filter once; `matches`, `count`, `newest` and `histogram` run it per
/// segment, newest segment first, pruning segments and timestamp blocks outside the window.
/// Every call is bounded by `limits` and throws `QueryError(.costLimit)` rather than run away.
public struct QueryEngine: Sendable {
    public let snapshot: StoreSnapshot
    public let limits: CostLimits
    /// Every field name in the snapshot, plus `message`, `timestamp`, `source` and `file`.
    public let knownFields: Set<String>

    public init(snapshot: StoreSnapshot, limits: CostLimits = .default) {
        self.snapshot = snapshot
        self.limits = limits
        var known: Set<String> = [
            IndexingRules.messageField, "timestamp", IndexingRules.sourceField, IndexingRules.fileField,
        ]
        for segment in snapshot.segments { known.formUnion(segment.meta.fieldNames) }
        self.knownFields = known
    }

    /// Compiles regexes, wildcards, CIDRs, range bounds and the terms of words and phrases.
    /// - Throws: `QueryError(.invalid)` (or `.syntax` for a word with nothing to search for) at
    ///   the clause's column.
    public func prepare(_ filter: Filter) throws(QueryError) -> PreparedFilter {
        try PreparedFilter(compiling: filter)
    }

    /// The clauses whose field no event of the snapshot has, in query order.
    public func unknownFields(in filter: Filter) -> [(field: String, column: Int)] {
        var out: [(field: String, column: Int)] = []
        func walk(_ filter: Filter) {
            switch filter {
            case .all: break
            case .and(let children), .or(let children): children.forEach(walk)
            case .not(let child): walk(child)
            case .match(let clause):
                if let field = clause.field, field != "_time", !self.knownFields.contains(field) {
                    out.append((field, clause.column))
                }
            }
        }
        walk(filter)
        return out
    }

    /// The segments that may hold events of `window`, newest first.
    func segments(in window: TimeWindow) -> [SegmentReader] {
        self.snapshot.segments
            .filter { $0.docCount > 0 && window.overlaps(minTime: $0.meta.minTime, maxTime: $0.meta.maxTime) }
            .sorted { ($0.meta.maxTime, $0.id) > ($1.meta.maxTime, $1.id) }
    }

    /// Calls `body` with the matches of each segment that has any, newest segment first, until it
    /// returns false.
    public func matches(
        _ filter: PreparedFilter,
        in window: TimeWindow,
        _ body: (SegmentMatches) throws -> Bool
    ) throws {
        let budget = ExecutionBudget(limits: self.limits)
        for segment in self.segments(in: window) {
            var executor = SegmentExecutor(segment: segment, budget: budget, leafCount: filter.leafCount)
            let docs = try Self.storeErrors { try executor.run(filter.root, window: window) }
            if docs.isEmpty { continue }
            if try !body(SegmentMatches(segment: segment, docs: docs)) { return }
        }
    }

    /// The number of matching events; reads no stored event when the filter is index-answerable.
    public func count(_ filter: PreparedFilter, in window: TimeWindow) throws -> Int {
        let budget = ExecutionBudget(limits: self.limits)
        var total = 0
        for segment in self.segments(in: window) {
            var executor = SegmentExecutor(segment: segment, budget: budget, leafCount: filter.leafCount)
            total += try Self.storeErrors { try executor.count(filter.root, window: window) }
        }
        return total
    }

    /// Calls `body` with matching events newest first (timestamp descending; ties: later segment,
    /// then later doc, first), until it returns false or `limit` events have been handed out.
    ///
    /// Segments are visited by their newest timestamp; one is opened only once every event
    /// still to come from it could be the next newest, so `limit` stops the work early. Only
    /// the events handed out are read from the doc store.
    public func newest(
        _ filter: PreparedFilter,
        in window: TimeWindow,
        limit: Int?,
        _ body: (MatchedEvent) throws -> Bool
    ) throws {
        if let limit, limit <= 0 { return }
        let budget = ExecutionBudget(limits: self.limits)
        let segments = self.segments(in: window)
        /// Per opened segment: its matches sorted newest first, and the next to hand out.
        var opened: [(segment: SegmentReader, order: Int, hits: [(time: Int64, doc: UInt32)], next: Int)] = []
        var cursors: [DocCursor] = []
        var nextSegment = 0
        var emitted = 0
        while true {
            // The best pending hit across opened segments.
            var best = -1
            for index in opened.indices where opened[index].next < opened[index].hits.count {
                if best < 0 { best = index; continue }
                let a = opened[index].hits[opened[index].next]
                let b = opened[best].hits[opened[best].next]
                if (a.time, opened[index].segment.id, a.doc) > (b.time, opened[best].segment.id, b.doc) { best = index }
            }
            if nextSegment < segments.count {
                let candidate = segments[nextSegment]
                // A segment not yet opened may hold something at least as new as the best hit.
                if best < 0 || opened[best].hits[opened[best].next].time <= candidate.meta.maxTime {
                    var executor = SegmentExecutor(segment: candidate, budget: budget, leafCount: filter.leafCount)
                    let docs = try Self.storeErrors { try executor.run(filter.root, window: window) }
                    let hits = Self.newestHits(docs, columns: candidate.columns, limit: limit)
                    opened.append((candidate, nextSegment, hits, 0))
                    cursors.append(candidate.docs.makeCursor())
                    nextSegment += 1
                    continue
                }
            }
            guard best >= 0 else { return }
            let hit = opened[best].hits[opened[best].next]
            opened[best].next += 1
            let event = try Self.storeErrors { try cursors[best].event(hit.doc) }
            emitted += 1
            if try !body(MatchedEvent(segment: opened[best].segment, doc: hit.doc, event: event)) { return }
            if let limit, emitted >= limit { return }
        }
    }

    /// The `limit` newest of `docs` (all when nil), newest first: a bounded min-heap, so a
    /// segment with many matches costs one timestamp read per match and no full sort.
    static func newestHits(_ docs: [UInt32], columns: ColumnsReader, limit: Int?) -> [(time: Int64, doc: UInt32)] {
        guard let limit, docs.count > limit else {
            return docs.map { (time: columns.timestamp($0), doc: $0) }.sorted { ($0.time, $0.doc) > ($1.time, $1.doc) }
        }
        var heap: [(time: Int64, doc: UInt32)] = []
        heap.reserveCapacity(limit)
        func below(_ a: (time: Int64, doc: UInt32), _ b: (time: Int64, doc: UInt32)) -> Bool {
            (a.time, a.doc) < (b.time, b.doc)
        }
        for doc in docs {
            let hit = (time: columns.timestamp(doc), doc: doc)
            if heap.count < limit {
                heap.append(hit)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard below(heap[child], heap[parent]) else { break }
                    heap.swapAt(child, parent)
                    child = parent
                }
            } else if below(heap[0], hit) {
                heap[0] = hit
                var parent = 0
                while true {
                    var smallest = parent
                    let left = 2 * parent + 1
                    if left < heap.count && below(heap[left], heap[smallest]) { smallest = left }
                    if left + 1 < heap.count && below(heap[left + 1], heap[smallest]) { smallest = left + 1 }
                    if smallest == parent { break }
                    heap.swapAt(parent, smallest)
                    parent = smallest
                }
            }
        }
        return heap.sorted { ($0.time, $0.doc) > ($1.time, $1.doc) }
    }

    /// Matching events per equal time bucket over the window (over the segments' time range
    /// where the window is open), oldest bucket first; from the timestamp column.
    public func histogram(_ filter: PreparedFilter, in window: TimeWindow, buckets: Int) throws -> [Int] {
        guard buckets > 0 else { return [] }
        var counts = [Int](repeating: 0, count: buckets)
        let segments = self.segments(in: window)
        guard !segments.isEmpty else { return counts }
        let from = window.from ?? segments.map(\.meta.minTime).min()!
        let to = window.to ?? (segments.map(\.meta.maxTime).max()! &+ 1)
        guard to > from else { return counts }
        let span = UInt64(bitPattern: to &- from)
        let width = max(1, (span + UInt64(buckets) - 1) / UInt64(buckets))
        let budget = ExecutionBudget(limits: self.limits)
        for segment in segments {
            var executor = SegmentExecutor(segment: segment, budget: budget, leafCount: filter.leafCount)
            let docs = try Self.storeErrors { try executor.run(filter.root, window: window) }
            for doc in docs {
                let time = segment.columns.timestamp(doc)
                guard time >= from, time < to else { continue }
                let bucket = Int(min(UInt64(buckets - 1), UInt64(bitPattern: time &- from) / width))
                counts[bucket] += 1
            }
        }
        return counts
    }

    /// Reports a damaged segment as `QueryError(.store)`; passes other errors through.
    static func storeErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw QueryError(.store, "the store could not be read: \(error)")
        }
    }
}
