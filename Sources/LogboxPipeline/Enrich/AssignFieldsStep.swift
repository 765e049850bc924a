public import LogboxCore

/// `add` / `set`: gives fields a fixed value (`env: prod`, `collector: ${HOSTNAME}`).
///
/// Values were expanded when the config loaded; a value that reads as a number is typed as one,
/// as parsers type them. Each value is written to the batch's arena once per batch and shared by
/// every event, so the per-event cost is one field slot.
public struct AssignFieldsStep: EnrichStep {
    public let name: String
    /// `set` replaces an existing field; `add` leaves it.
    public let overwrite: Bool
    private var names: [String]
    private var values: [[UInt8]]
    private var kinds: [ValueKind]
    private var payloads: [Int64]
    private var ids: [FieldID] = []
    private var added: [(event: Int, field: FieldSlot)] = []

    public init(name: String, fields: [(name: String, value: String)], overwrite: Bool) {
        self.name = name
        self.overwrite = overwrite
        self.names = fields.map(\.name)
        self.values = fields.map { Array($0.value.utf8) }
        self.kinds = []
        self.payloads = []
        for value in self.values {
            if let integer = NumberScanner.integer(value.span) {
                self.kinds.append(.integer)
                self.payloads.append(integer)
            } else if let decimal = NumberScanner.decimal(value.span) {
                self.kinds.append(.decimal)
                self.payloads.append(Int64(bitPattern: decimal.bitPattern))
            } else {
                self.kinds.append(.text)
                self.payloads.append(0)
            }
        }
    }

    public mutating func apply(to batch: inout EventBatch, selection: EventSelection) {
        guard batch.count > 0 else { return }
        if self.ids.count != self.names.count {
            self.ids = self.names.map { batch.names.intern($0) }
        }
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(self.values.count)
        for value in self.values { ranges.append(batch.appendValue(value)) }
        self.added.removeAll(keepingCapacity: true)
        for event in 0..<batch.count where selection.contains(event) {
            for k in 0..<self.ids.count {
                let range = ranges[k]
                if let existing = batch.fieldIndex(self.ids[k], of: event) {
                    if self.overwrite {
                        batch.setField(existing, kind: self.kinds[k], range: range, payload: self.payloads[k])
                    }
                    continue
                }
                let slot = FieldSlot(
                    name: self.ids[k],
                    kind: self.kinds[k],
                    start: Int32(truncatingIfNeeded: range.lowerBound),
                    length: Int32(truncatingIfNeeded: range.count),
                    payload: self.payloads[k]
                )
                self.added.append((event, slot))
            }
        }
        batch.addFields(self.added)
    }
}
