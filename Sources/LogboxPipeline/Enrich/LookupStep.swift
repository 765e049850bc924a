public import LogboxCore

/// `lookup`: adds the columns of a CSV row whose key equals a field's value (`ip` → `owner`, `team`).
///
/// The table is read once when the pipeline starts. A row's values are written to the batch's
/// arena the first time an event of the batch needs them and shared by the batch's other events.
public struct LookupStep: EnrichStep {
    public let name: String
    public let table: LookupTable
    public private(set) var hits = 0
    public private(set) var misses = 0
    private let keyField: String
    private let prefix: String
    private var keyID: FieldID?
    private var columnIDs: [FieldID] = []
    /// Row → its values' ranges in the current batch's arena.
    private var rowRanges: [Int: [Range<Int>]] = [:]
    private var added: [(event: Int, field: FieldSlot)] = []

    public init(name: String, config: LookupConfig) throws(ConfigValues.ValueError) {
        switch LookupTable.load(path: config.file, keyColumn: config.keyColumn, columns: config.columns) {
        case .success(let table): self.init(name: name, table: table, field: config.field, prefix: config.prefix)
        case .failure(let error): throw error
        }
    }

    public init(name: String, table: LookupTable, field: String, prefix: String = "") {
        self.name = name
        self.table = table
        self.keyField = field
        self.prefix = prefix
    }

    public mutating func apply(to batch: inout EventBatch, selection: EventSelection) {
        let key = self.keyID ?? batch.names.intern(self.keyField)
        self.keyID = key
        if self.columnIDs.isEmpty {
            self.columnIDs = self.table.columns.map { batch.names.intern(self.prefix + $0) }
        }
        self.rowRanges.removeAll(keepingCapacity: true)
        self.added.removeAll(keepingCapacity: true)
        for event in 0..<batch.count where selection.contains(event) {
            guard let index = batch.fieldIndex(key, of: event) else { continue }
            let range = batch.fields[index].range
            var row: Int?
            do {
                // Scoped: the buffer must have one owner again before the arena grows.
                let bytes = batch.lines.bytes
                if range.lowerBound >= 0, range.upperBound <= bytes.count {
                    row = self.table.row(for: bytes.span.extracting(range))
                }
            }
            guard let row else {
                self.misses += 1
                continue
            }
            self.hits += 1
            let ranges: [Range<Int>]
            if let known = self.rowRanges[row] {
                ranges = known
            } else {
                ranges = (0..<self.table.columns.count).map {
                    batch.appendValue(self.table.value(row: row, column: $0))
                }
                self.rowRanges[row] = ranges
            }
            for (column, id) in self.columnIDs.enumerated() {
                let range = ranges[column]
                if let existing = batch.fieldIndex(id, of: event) {
                    batch.setField(existing, kind: .text, range: range)
                } else {
                    self.added.append(
                        (
                            event,
                            FieldSlot(name: id, kind: .text, start: Int32(range.lowerBound), length: Int32(range.count))
                        )
                    )
                }
            }
        }
        batch.addFields(self.added)
    }
}
