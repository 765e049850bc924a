import LogboxStore

/// The state of `stats`, `top` and `timechart`: one group per distinct key, and per group the
/// state of each aggregation. Memory grows with the number of groups, not of events.
///
/// Input comes either a segment at a time (`consume(segment:docs:)`, reading columns where they
/// hold every value) or as rows of an earlier stage (`consume(row:)`); both give the same groups.
struct GroupedAggregator {
    enum Key: Hashable {
        case field(String)
        /// The event time rounded down to a multiple of the span (ns), aligned to the epoch.
        case bucket(Int64)
    }

    /// Docs handled at once, to bound the per-segment scratch arrays.
    static let chunkSize = 65_536

    let keys: [Key]
    let aggregations: [Aggregation]
    private var groupIndex: [[ResultValue?]: Int] = [:]
    private(set) var groupKeys: [[ResultValue?]] = []
    private var columns: [AggregationColumn]

    init(keys: [Key], aggregations: [Aggregation]) {
        self.keys = keys
        self.aggregations = aggregations
        self.columns = aggregations.map { AggregationColumn($0) }
    }

    private mutating func group(_ key: [ResultValue?]) -> Int {
        if let index = self.groupIndex[key] { return index }
        let index = self.groupKeys.count
        self.groupIndex[key] = index
        self.groupKeys.append(key)
        for column in self.columns.indices { self.columns[column].addGroup() }
        return index
    }

    // MARK: Segments

    mutating func consume(segment: SegmentReader, docs: [UInt32]) throws {
        guard !docs.isEmpty else { return }
        var reader = SegmentFieldReader(segment)
        var extractors = self.keys.map { key -> KeyExtractor in
            switch key {
            case .field(let name): KeyExtractor(field: name, reader: reader)
            case .bucket(let span): KeyExtractor(field: "timestamp", reader: reader, span: span)
            }
        }
        if try self.countOrdinals(segment: segment, docs: docs, extractors: extractors) { return }
        if try self.countTerms(segment: segment, docs: docs, extractors: extractors) { return }

        // Per aggregation, what it reads.
        var uniques: [Int: KeyExtractor] = [:]
        var numberColumns: [Int: FieldColumn] = [:]
        var presenceColumns: [Int: FieldColumn] = [:]
        for (index, aggregation) in self.aggregations.enumerated() {
            guard let field = aggregation.field else { continue }
            switch aggregation.function {
            case .count: presenceColumns[index] = reader.valueColumn(field)
            case .countUnique: uniques[index] = KeyExtractor(field: field, reader: reader)
            default: numberColumns[index] = reader.numberColumn(field)
            }
        }

        var ids: [[UInt32]] = Array(repeating: [], count: extractors.count)
        var pairs: [[UInt64: UInt32]] = Array(repeating: [:], count: max(0, extractors.count - 1))
        var pairParts: [[(UInt32, UInt32)]] = Array(repeating: [], count: max(0, extractors.count - 1))
        var globalOf: [Int] = []
        var groups: [Int] = []
        var numbers: [NumericValue?] = []
        var present: [Bool] = []
        var uniqueIDs: [UInt32] = []
        var seenPairs: [Int: Set<UInt64>] = [:]
        var numbersField: String?
        var numbersStart = -1

        var start = 0
        while start < docs.count {
            let chunk = docs[start..<min(start + Self.chunkSize, docs.count)]
            start += chunk.count
            for index in extractors.indices { try extractors[index].ids(chunk, reader: &reader, into: &ids[index]) }

            // Combine the key ids into one local group id per doc, then map to global groups.
            groups.removeAll(keepingCapacity: true)
            for position in 0..<chunk.count {
                var local: UInt32 = extractors.isEmpty ? 0 : ids[0][position]
                for level in pairs.indices {
                    let next = ids[level + 1][position]
                    let pairKey = UInt64(local) << 32 | UInt64(next)
                    if let combined = pairs[level][pairKey] {
                        local = combined
                    } else {
                        let combined = UInt32(pairParts[level].count)
                        pairs[level][pairKey] = combined
                        pairParts[level].append((local, next))
                        local = combined
                    }
                }
                let slot = Int(local)
                if slot >= globalOf.count {
                    globalOf.append(contentsOf: repeatElement(-1, count: slot - globalOf.count + 1))
                }
                if globalOf[slot] < 0 {
                    globalOf[slot] = self.group(Self.keyValues(local, extractors: extractors, pairParts: pairParts))
                }
                groups.append(globalOf[slot])
            }

            for (index, aggregation) in self.aggregations.enumerated() {
                switch aggregation.function {
                case .count:
                    if let column = presenceColumns[index] {
                        try Self.presence(column, aggregation.field!, chunk, &reader, into: &present)
                        for position in 0..<chunk.count where present[position] {
                            self.columns[index].counts[groups[position]] += 1
                        }
                    } else {
                        for group in groups { self.columns[index].counts[group] += 1 }
                    }
                case .countUnique:
                    try uniques[index]!.ids(chunk, reader: &reader, into: &uniqueIDs)
                    let values = uniques[index]!.values
                    for position in 0..<chunk.count where uniqueIDs[position] != 0 {
                        let pair = UInt64(groups[position]) << 32 | UInt64(uniqueIDs[position])
                        guard seenPairs[index, default: []].insert(pair).inserted else { continue }
                        self.columns[index].distinct[groups[position]].insert(values[Int(uniqueIDs[position])]!)
                    }
                default:
                    // Aggregations of one field (`avg(x), p95(x)`) read its numbers once per chunk.
                    let field = SegmentFieldReader.canonical(aggregation.field!)
                    if numbersField != field || numbersStart != start {
                        try Self.numbers(numberColumns[index]!, field, chunk, &reader, into: &numbers)
                        numbersField = field
                        numbersStart = start
                    }
                    for position in 0..<chunk.count {
                        if let value = numbers[position] { self.columns[index].add(value, group: groups[position]) }
                    }
                }
            }
        }
    }

    /// `count()` (and `count(f)` of the key) by one keyword field: counts per ordinal, no per-doc
    /// work beyond reading the ordinals (none at all when every doc matched).
    private mutating func countOrdinals(segment: SegmentReader, docs: [UInt32], extractors: [KeyExtractor]) throws
        -> Bool
    {
        if extractors.isEmpty, self.aggregations.allSatisfy({ $0.function == .count && $0.field == nil }) {
            let group = self.group([])
            for index in self.aggregations.indices { self.columns[index].counts[group] += docs.count }
            return true
        }
        guard extractors.count == 1, case .columns(let keyword?, nil) = extractors[0].column else { return false }
        let keyField = extractors[0].field
        for aggregation in self.aggregations {
            guard aggregation.function == .count else { return false }
            if let field = aggregation.field, SegmentFieldReader.canonical(field) != keyField { return false }
        }
        var counts: [Int]
        if docs.count == segment.docCount {
            counts = keyword.counts()
        } else {
            counts = Array(repeating: 0, count: keyword.dictionary.count + 1)
            var ordinals: [UInt32] = []
            var scratch: [UInt32] = []
            var start = 0
            while start < docs.count {
                let chunk = docs[start..<min(start + Self.chunkSize, docs.count)]
                start += chunk.count
                readOrdinals(keyword, chunk, into: &ordinals, scratch: &scratch)
                counts.withUnsafeMutableBufferPointer { counts in
                    // Ordinals never exceed the dictionary size (KeywordColumn reads damage as 0).
                    for ordinal in ordinals where Int(ordinal) < counts.count { counts[Int(ordinal)] += 1 }
                }
            }
        }
        for (ordinal, count) in counts.enumerated() where count > 0 {
            let group = self.group([extractors[0].values[ordinal]])
            for (index, aggregation) in self.aggregations.enumerated() where aggregation.field == nil || ordinal != 0 {
                self.columns[index].counts[group] += count
            }
        }
        return true
    }

    /// `count()` (and `count(f)` of the key) by one text field that has no column in this segment
    /// (more distinct values than a keyword column holds, e.g. client addresses): counts from the
    /// term dictionary — each term's doc count when every doc matched, else its postings tested
    /// against the matched docs — instead of decoding every stored event.
    ///
    /// A term is the field's exact text, so this holds where terms are whole values: not for the
    /// message (words), the time fields (no terms), `source`/`file`, numbers, or a field with a
    /// term cut to the maximum length. An event with the field twice counts under both values here, under its
    /// first one on the stored path.
    private mutating func countTerms(segment: SegmentReader, docs: [UInt32], extractors: [KeyExtractor]) throws
        -> Bool
    {
        guard extractors.count == 1, case .stored = extractors[0].column else { return false }
        let keyField = extractors[0].field
        guard keyField != IndexingRules.messageField, keyField != IndexingRules.sourceField,
            keyField != IndexingRules.fileField, keyField != "timestamp",
            !IndexingRules.timeFields.contains(keyField), segment.columns.numeric(keyField) == nil
        else { return false }
        // A segment's name table lists the well-known names (`host`, `program`…) even when no
        // event has them: no term then means no value, unless the segment skipped fields.
        if segment.terms.termCount(field: keyField) == 0, segment.meta.skippedFields > 0 { return false }
        // Hashed values have no text in the dictionary (`IndexingRules`).
        if segment.terms.termCount(field: IndexingRules.hashedFieldName(keyField)) > 0 { return false }
        for aggregation in self.aggregations {
            guard aggregation.function == .count else { return false }
            if let field = aggregation.field, SegmentFieldReader.canonical(field) != keyField { return false }
        }
        let everyDoc = docs.count == segment.docCount
        var matched = DocBitset(count: everyDoc ? 0 : segment.docCount)
        if !everyDoc { for doc in docs { matched.insert(doc) } }
        var counts: [(term: [UInt8], count: Int)] = []
        var cut = false
        try segment.terms.enumerate(field: keyField) { term, address in
            // A term of the maximum length may be a longer value cut: only the stored event has it.
            guard term.count < IndexingRules.maximumExactTermLength else {
                cut = true
                return false
            }
            var count = 0
            if everyDoc {
                count = Int(address.docCount)
            } else {
                var postings = try segment.postings.iterator(address)
                while let doc = try postings.next() {
                    // A damaged list could name a doc past the segment: not a match.
                    if Int(doc) < segment.docCount, matched.contains(doc) { count += 1 }
                }
            }
            if count > 0 { counts.append((Array(term), count)) }
            return true
        }
        if cut { return false }
        var withValue = 0
        for (term, count) in counts {
            withValue += count
            let group = self.group([.text(String(decoding: term, as: UTF8.self))])
            for index in self.aggregations.indices { self.columns[index].counts[group] += count }
        }
        // Matched docs without the field form the absent group of `count()`.
        let absent = docs.count - withValue
        if absent > 0 {
            let group = self.group([nil])
            for (index, aggregation) in self.aggregations.enumerated() where aggregation.field == nil {
                self.columns[index].counts[group] += absent
            }
        }
        return true
    }

    private static func keyValues(
        _ local: UInt32,
        extractors: [KeyExtractor],
        pairParts: [[(UInt32, UInt32)]]
    ) -> [ResultValue?] {
        guard !extractors.isEmpty else { return [] }
        var values: [ResultValue?] = Array(repeating: nil, count: extractors.count)
        var local = local
        for level in pairParts.indices.reversed() {
            let (previous, id) = pairParts[level][Int(local)]
            values[level + 1] = extractors[level + 1].values[Int(id)]
            local = previous
        }
        values[0] = extractors[0].values[Int(local)]
        return values
    }

    private static func presence(
        _ column: FieldColumn,
        _ field: String,
        _ docs: ArraySlice<UInt32>,
        _ reader: inout SegmentFieldReader,
        into out: inout [Bool]
    ) throws {
        out.removeAll(keepingCapacity: true)
        switch column {
        case .absent:
            out.append(contentsOf: repeatElement(false, count: docs.count))
        case .timestamp:
            out.append(contentsOf: repeatElement(true, count: docs.count))
        case .columns(let keyword, let numeric):
            for doc in docs { out.append((keyword?.ordinal(doc) ?? 0) != 0) }
            if let numeric {
                try forEachNumber(numeric, docs) { index, _ in out[index - docs.startIndex] = true }
            }
        case .stored:
            for doc in docs { out.append(try reader.storedValue(field, doc: doc) != nil) }
        }
    }

    private static func numbers(
        _ column: FieldColumn,
        _ field: String,
        _ docs: ArraySlice<UInt32>,
        _ reader: inout SegmentFieldReader,
        into out: inout [NumericValue?]
    ) throws {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: repeatElement(nil, count: docs.count))
        switch column {
        case .absent:
            break
        case .timestamp:
            for (position, doc) in docs.enumerated() { out[position] = .integer(reader.segment.columns.timestamp(doc)) }
        case .columns(_, let numeric):
            guard let numeric else { return }
            try forEachNumber(numeric, docs) { index, value in out[index - docs.startIndex] = value }
        case .stored:
            for (position, doc) in docs.enumerated() { out[position] = try reader.storedNumber(field, doc: doc) }
        }
    }

    // MARK: Rows

    /// Adds one row of an earlier stage; `value(name)` reads a column (`timestamp` for buckets).
    mutating func consume(row value: (String) -> ResultValue?) {
        let key = self.keys.map { key -> ResultValue? in
            switch key {
            case .field(let name): return value(name)
            case .bucket(let span):
                guard case .time(let time)? = value("timestamp") else { return nil }
                return .time(KeyExtractor.bucket(time, span: span))
            }
        }
        let group = self.group(key)
        for (index, aggregation) in self.aggregations.enumerated() {
            guard let field = aggregation.field else {
                self.columns[index].counts[group] += 1
                continue
            }
            let cell = value(field)
            switch aggregation.function {
            case .count:
                if cell != nil { self.columns[index].counts[group] += 1 }
            case .countUnique:
                if let cell { self.columns[index].distinct[group].insert(cell) }
            default:
                switch cell {
                case .integer(let integer)?, .time(let integer)?:
                    self.columns[index].add(.integer(integer), group: group)
                case .number(let number)?: self.columns[index].add(.decimal(number), group: group)
                case .text?, nil: break
                }
            }
        }
    }

    // MARK: Results

    var groupCount: Int { self.groupKeys.count }

    /// The group of `key`, nil when no input had it.
    func groupIndex(of key: [ResultValue?]) -> Int? { self.groupIndex[key] }

    /// Group indexes in key order.
    func sortedGroups() -> [Int] {
        self.groupKeys.indices.sorted { ResultValue.compare(keys: self.groupKeys[$0], self.groupKeys[$1]) < 0 }
    }

    /// The aggregations' results for `group`.
    mutating func results(_ group: Int) -> [ResultValue?] {
        self.columns.indices.map { self.columns[$0].result(group) }
    }

    /// The results of a group that had no input: counts 0, everything else absent.
    func emptyResults() -> [ResultValue?] {
        self.aggregations.map { aggregation in
            switch aggregation.function {
            case .count, .countUnique: .integer(0)
            default: nil
            }
        }
    }
}

/// One aggregation's state for every group, in arrays indexed by group.
struct AggregationColumn {
    let function: Aggregation.Function
    /// Results on the event time print as times.
    let isTime: Bool
    var counts: [Int] = []
    var sums: [Double] = []
    var integerSums: [Int64] = []
    var integerOnly: [Bool] = []
    var extremes: [NumericValue?] = []
    var quantiles: [QuantileState] = []
    var distinct: [DistinctCounter] = []

    init(_ aggregation: Aggregation) {
        self.function = aggregation.function
        self.isTime = aggregation.field.map { SegmentFieldReader.canonical($0) == "timestamp" } ?? false
    }

    mutating func addGroup() {
        switch self.function {
        case .count:
            self.counts.append(0)
        case .countUnique:
            self.distinct.append(DistinctCounter())
        case .sum, .average:
            self.counts.append(0)
            self.sums.append(0)
            self.integerSums.append(0)
            self.integerOnly.append(true)
        case .minimum, .maximum:
            self.extremes.append(nil)
        case .quantile:
            self.quantiles.append(QuantileState())
        }
    }

    mutating func add(_ value: NumericValue, group: Int) {
        guard !value.isNaN else { return }
        switch self.function {
        case .sum, .average:
            self.counts[group] += 1
            self.sums[group] += value.doubleValue
            if case .integer(let integer) = value, self.integerOnly[group] {
                let (sum, overflow) = self.integerSums[group].addingReportingOverflow(integer)
                if overflow { self.integerOnly[group] = false } else { self.integerSums[group] = sum }
            } else {
                self.integerOnly[group] = false
            }
        case .minimum:
            if let current = self.extremes[group], (value.compare(to: current) ?? 0) >= 0 { return }
            self.extremes[group] = value
        case .maximum:
            if let current = self.extremes[group], (value.compare(to: current) ?? 0) <= 0 { return }
            self.extremes[group] = value
        case .quantile:
            self.quantiles[group].add(value.doubleValue)
        case .count, .countUnique:
            break
        }
    }

    mutating func result(_ group: Int) -> ResultValue? {
        switch self.function {
        case .count:
            return .integer(Int64(self.counts[group]))
        case .countUnique:
            return .integer(Int64(self.distinct[group].count))
        case .sum:
            guard self.counts[group] > 0 else { return nil }
            return self.integerOnly[group] ? .integer(self.integerSums[group]) : .number(self.sums[group])
        case .average:
            guard self.counts[group] > 0 else { return nil }
            let average = self.sums[group] / Double(self.counts[group])
            return self.isTime ? Self.time(average) : .number(average)
        case .minimum, .maximum:
            switch self.extremes[group] {
            case nil: return nil
            case .integer(let integer)?: return self.isTime ? .time(integer) : .integer(integer)
            case .decimal(let decimal)?: return .number(decimal)
            }
        case .quantile(let q):
            guard let value = self.quantiles[group].quantile(q) else { return nil }
            return self.isTime ? Self.time(value) : .number(value)
        }
    }

    private static func time(_ value: Double) -> ResultValue {
        guard value.isFinite, abs(value) < 9.2e18 else { return .number(value) }
        return .time(Int64(value.rounded()))
    }
}
