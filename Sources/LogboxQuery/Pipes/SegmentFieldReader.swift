import LogboxCore
import LogboxStore

/// Where one field's values are in one segment.
enum FieldColumn {
    /// No event of the segment has the field.
    case absent
    /// The event time, from the timestamp column.
    case timestamp
    /// Every value is in these columns (a doc with neither lacks the field). For numbers only,
    /// `keyword` is nil.
    case columns(keyword: KeywordColumn?, numeric: NumericColumn?)
    /// Some values are only in the stored events (a dropped keyword column, long text, the
    /// message, a time field): read each event.
    case stored
}

/// Reads fields of one segment's events, from columns where they hold every value, else from
/// the stored events through one `DocCursor` (each block decompressed once).
///
/// A field's value is what `IndexingRules` makes of it: integers and decimals as numbers, any
/// other kind as its decoded text (a level as its normalized name); `source` and `file` are the
/// input's name and path, `timestamp` (or `_time`) the event time, `message` the message field or
/// else the whole line.
struct SegmentFieldReader {
    let segment: SegmentReader
    private var cursor: DocCursor
    private var cachedDoc: UInt32 = .max
    private var cachedEvent: StoredEvent?
    private let nameIDs: [String: UInt32]

    init(_ segment: SegmentReader) {
        self.segment = segment
        self.cursor = segment.docs.makeCursor()
        var ids: [String: UInt32] = [:]
        for (index, name) in segment.meta.fieldNames.enumerated() where ids[name] == nil {
            ids[name] = UInt32(index)
        }
        self.nameIDs = ids
    }

    /// `_time` and `timestamp` are one field.
    static func canonical(_ field: String) -> String { field == "_time" ? "timestamp" : field }

    /// Where the values of `field` are, for grouping, presence and distinct counts.
    func valueColumn(_ field: String) -> FieldColumn {
        let field = Self.canonical(field)
        let meta = self.segment.meta
        let columns = self.segment.columns
        switch field {
        case "timestamp":
            return .timestamp
        case IndexingRules.sourceField, IndexingRules.fileField:
            if meta.droppedColumns.contains(field) { return .stored }
            guard let keyword = columns.keyword(field) else {
                return field == IndexingRules.fileField || meta.docCount == 0 ? .absent : .stored
            }
            return .columns(keyword: keyword, numeric: nil)
        case IndexingRules.messageField:
            return .stored
        default:
            guard self.nameIDs[field] != nil else { return .absent }
            if IndexingRules.timeFields.contains(field) || meta.droppedColumns.contains(field) { return .stored }
            let keyword = columns.keyword(field)
            let numeric = columns.numeric(field)
            if keyword == nil && numeric == nil { return .stored }
            // Text values longer than a keyword are only in the term dictionary: the columns are
            // complete when every doc with a term is in one of them.
            if let keyword, numeric == nil {
                return self.segment.terms.termCount(field: field) == keyword.dictionary.count
                    ? .columns(keyword: keyword, numeric: nil) : .stored
            }
            var withTerms = 0
            do {
                try self.segment.terms.enumerate(field: field) { _, address in
                    withTerms += Int(address.docCount)
                    return true
                }
            } catch {
                return .stored
            }
            let inColumns = (keyword?.count ?? 0) + (numeric?.count ?? 0)
            return withTerms == inColumns ? .columns(keyword: keyword, numeric: numeric) : .stored
        }
    }

    /// Where the numbers of `field` are: every integer and decimal of an indexed field is in its
    /// numeric column; the message and time fields have none.
    func numberColumn(_ field: String) -> FieldColumn {
        let field = Self.canonical(field)
        switch field {
        case "timestamp":
            return .timestamp
        case IndexingRules.sourceField, IndexingRules.fileField:
            return .absent
        case IndexingRules.messageField:
            return self.nameIDs[field] == nil ? .absent : .stored
        default:
            guard self.nameIDs[field] != nil else { return .absent }
            if IndexingRules.timeFields.contains(field) { return .stored }
            guard let numeric = self.segment.columns.numeric(field) else { return .absent }
            return .columns(keyword: nil, numeric: numeric)
        }
    }

    /// The stored event `doc` (the last one is kept, so several fields of a doc read it once).
    mutating func event(_ doc: UInt32) throws -> StoredEvent {
        if doc == self.cachedDoc, let event = self.cachedEvent { return event }
        let event = try self.cursor.event(doc)
        self.cachedDoc = doc
        self.cachedEvent = event
        return event
    }

    /// The value of `field` in stored event `doc`.
    mutating func storedValue(_ field: String, doc: UInt32) throws -> ResultValue? {
        self.value(Self.canonical(field), in: try self.event(doc))
    }

    /// The value of `field` (canonical name) in `event`.
    func value(_ field: String, in event: StoredEvent) -> ResultValue? {
        let sources = self.segment.meta.sources
        switch field {
        case "timestamp":
            return .time(event.timestamp)
        case IndexingRules.sourceField:
            return Int(event.source) < sources.count ? .text(sources[Int(event.source)]) : nil
        case IndexingRules.fileField:
            return event.file != StoredEvent.noFile && Int(event.file) < sources.count
                ? .text(sources[Int(event.file)]) : nil
        case IndexingRules.messageField:
            if let id = self.nameIDs[field], let stored = event.field(id) { return Self.value(stored, in: event) }
            return .text(String(decoding: event.line, as: UTF8.self))
        default:
            guard let id = self.nameIDs[field], let stored = event.field(id) else { return nil }
            return Self.value(stored, in: event)
        }
    }

    static func value(_ field: StoredField, in event: StoredEvent) -> ResultValue {
        switch field.kind {
        case .integer: .integer(field.payload)
        case .decimal: .number(Double(bitPattern: UInt64(bitPattern: field.payload)))
        default: .text(event.string(field))
        }
    }

    /// The number of `field` in stored event `doc`: only values typed as numbers count.
    mutating func storedNumber(_ field: String, doc: UInt32) throws -> NumericValue? {
        let field = Self.canonical(field)
        let event = try self.event(doc)
        if field == "timestamp" { return .integer(event.timestamp) }
        guard let id = self.nameIDs[field], let stored = event.field(id) else { return nil }
        switch stored.kind {
        case .integer: return .integer(stored.payload)
        case .decimal: return .decimal(Double(bitPattern: UInt64(bitPattern: stored.payload)))
        default: return nil
        }
    }

    /// Every field of stored event `doc` as (name, value), `timestamp`, `source` and `file` first.
    mutating func row(_ doc: UInt32) throws -> [(String, ResultValue)] {
        let event = try self.event(doc)
        var row: [(String, ResultValue)] = [("timestamp", .time(event.timestamp))]
        let names = self.segment.meta.fieldNames
        var seen: Set<UInt32> = []
        var hasMessage = false
        for field in event.fields where Int(field.name) < names.count && seen.insert(field.name).inserted {
            let name = names[Int(field.name)]
            if name == IndexingRules.sourceField || name == IndexingRules.fileField || name == "timestamp" { continue }
            if name == IndexingRules.messageField { hasMessage = true }
            row.append((name, Self.value(field, in: event)))
        }
        if !hasMessage { row.append((IndexingRules.messageField, .text(String(decoding: event.line, as: UTF8.self)))) }
        if let source = self.value(IndexingRules.sourceField, in: event) {
            row.append((IndexingRules.sourceField, source))
        }
        if let file = self.value(IndexingRules.fileField, in: event) { row.append((IndexingRules.fileField, file)) }
        return row
    }
}

/// Turns one key field's values over chunks of docs into small per-segment ids, `values[id]`
/// being the value (id 0: absent); a keyword column's ordinals are used as they are.
struct KeyExtractor {
    let field: String
    let column: FieldColumn
    /// With a span: the timestamp rounded down to a multiple of it (timechart buckets).
    let span: Int64?
    private(set) var values: [ResultValue?] = [nil]
    private var numericIDs: [NumericValue: UInt32] = [:]
    private var integerIDs: [Int64: UInt32] = [:]
    private var storedIDs: [ResultValue: UInt32] = [:]
    private var times: [Int64] = []
    private var ordinalScratch: [UInt32] = []
    private static let smallIntegers: Int64 = 1 << 16
    /// Ids of integers below `smallIntegers`, 0 for not seen yet.
    private var smallIntegerIDs: [UInt32] = []

    init(field: String, reader: SegmentFieldReader, span: Int64? = nil) {
        self.field = SegmentFieldReader.canonical(field)
        self.span = span
        self.column = span != nil ? .timestamp : reader.valueColumn(field)
        if case .columns(let keyword?, _) = self.column {
            self.values.reserveCapacity(keyword.dictionary.count + 1)
            for entry in keyword.dictionary { self.values.append(.text(String(decoding: entry, as: UTF8.self))) }
        }
    }

    static func bucket(_ time: Int64, span: Int64) -> Int64 {
        let (quotient, remainder) = time.quotientAndRemainder(dividingBy: span)
        return (remainder < 0 ? quotient - 1 : quotient) &* span
    }

    /// Replaces `out` with the id of each doc of `docs` (ascending).
    mutating func ids(_ docs: ArraySlice<UInt32>, reader: inout SegmentFieldReader, into out: inout [UInt32]) throws {
        out.removeAll(keepingCapacity: true)
        guard let first = docs.first, let last = docs.last else { return }
        let contiguous = Int(last - first) + 1 == docs.count
        switch self.column {
        case .absent:
            out.append(contentsOf: repeatElement(0, count: docs.count))
        case .timestamp:
            self.times.removeAll(keepingCapacity: true)
            if contiguous {
                reader.segment.columns.timestamps(in: first..<(last + 1), into: &self.times)
            } else {
                for doc in docs { self.times.append(reader.segment.columns.timestamp(doc)) }
            }
            // Neighbouring docs mostly share a bucket: remember the last one.
            var lastKey = Int64.min
            var lastID: UInt32 = 0
            for time in self.times {
                let key = self.span.map { Self.bucket(time, span: $0) } ?? time
                if key == lastKey, lastID != 0 {
                    out.append(lastID)
                    continue
                }
                lastKey = key
                if let id = self.integerIDs[key] {
                    lastID = id
                    out.append(id)
                } else {
                    let id = UInt32(self.values.count)
                    self.integerIDs[key] = id
                    self.values.append(.time(key))
                    lastID = id
                    out.append(id)
                }
            }
        case .columns(let keyword, let numeric):
            if let keyword {
                readOrdinals(keyword, docs, into: &out, scratch: &self.ordinalScratch)
            } else {
                out.append(contentsOf: repeatElement(0, count: docs.count))
            }
            guard let numeric else { return }
            var index = docs.startIndex
            try forEachNumber(numeric, docs) { position, value in
                index = position
                guard out[index - docs.startIndex] == 0 else { return }
                out[index - docs.startIndex] = self.id(of: value)
            }
        case .stored:
            for doc in docs {
                guard let value = try reader.storedValue(self.field, doc: doc) else {
                    out.append(0)
                    continue
                }
                if let id = self.storedIDs[value] {
                    out.append(id)
                } else {
                    let id = UInt32(self.values.count)
                    self.storedIDs[value] = id
                    self.values.append(value)
                    out.append(id)
                }
            }
        }
    }

    private mutating func id(of value: NumericValue) -> UInt32 {
        // Small integers (status codes, ports, counts) skip the hash table.
        if case .integer(let integer) = value, integer >= 0, integer < Self.smallIntegers {
            if self.smallIntegerIDs.isEmpty {
                self.smallIntegerIDs = Array(repeating: 0, count: Int(Self.smallIntegers))
            }
            let id = self.smallIntegerIDs[Int(integer)]
            if id != 0 { return id }
            let new = UInt32(self.values.count)
            self.smallIntegerIDs[Int(integer)] = new
            self.values.append(.integer(integer))
            return new
        }
        if let id = self.numericIDs[value] { return id }
        let id = UInt32(self.values.count)
        self.numericIDs[value] = id
        switch value {
        case .integer(let integer): self.values.append(.integer(integer))
        case .decimal(let decimal): self.values.append(.number(decimal))
        }
        return id
    }
}

/// Replaces `out` with the ordinal of each doc of `docs` (ascending, non-empty): one bulk read
/// of the covering range when the docs are dense in it, else one lookup per doc.
func readOrdinals(
    _ column: KeywordColumn,
    _ docs: ArraySlice<UInt32>,
    into out: inout [UInt32],
    scratch: inout [UInt32]
) {
    out.removeAll(keepingCapacity: true)
    guard let first = docs.first, let last = docs.last else { return }
    let span = Int(last - first) + 1
    if span == docs.count {
        column.ordinals(in: first..<(last + 1), into: &out)
    } else if docs.count * 4 >= span {
        scratch.removeAll(keepingCapacity: true)
        column.ordinals(in: first..<(last + 1), into: &scratch)
        out.reserveCapacity(docs.count)
        for doc in docs { out.append(scratch[Int(doc - first)]) }
    } else {
        out.reserveCapacity(docs.count)
        for doc in docs { out.append(UInt32(column.ordinal(doc))) }
    }
}

/// Calls `body(index in docs, value)` for each doc of `docs` (ascending, non-empty) that has a
/// value in `column`: one pass over the column's range when the docs are dense in it, else one
/// lookup per doc.
func forEachNumber(
    _ column: NumericColumn,
    _ docs: ArraySlice<UInt32>,
    _ body: (Int, NumericValue) throws -> Void
) throws {
    guard let first = docs.first, let last = docs.last else { return }
    let span = Int(last - first) + 1
    if docs.count * 8 >= span {
        var index = docs.startIndex
        var failure: (any Error)?
        column.forEach(in: first..<(last + 1)) { doc, value in
            guard failure == nil else { return }
            while index < docs.endIndex, docs[index] < doc { index += 1 }
            guard index < docs.endIndex, docs[index] == doc else { return }
            do { try body(index, value) } catch { failure = error }
        }
        if let failure { throw failure }
    } else {
        for index in docs.indices {
            if let value = column.value(docs[index]) { try body(index, value) }
        }
    }
}
