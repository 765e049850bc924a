public import LogboxCore

/// `drop_fields` (remove these fields) and `keep_fields` (remove all others).
///
/// Fields are removed by compacting the event's run in place: no allocation, and the line stays
/// as received (`keep_fields` trims what is indexed as fields, not the raw line).
public struct SelectFieldsStep: EnrichStep {
    public let name: String
    /// true for `keep_fields`, false for `drop_fields`.
    public let keep: Bool
    private let fieldNames: [String]
    private var ids: [FieldID] = []

    public init(name: String, fields: [String], keep: Bool) {
        self.name = name
        self.fieldNames = fields
        self.keep = keep
    }

    public mutating func apply(to batch: inout EventBatch, selection: EventSelection) {
        if self.ids.count != self.fieldNames.count {
            self.ids = self.fieldNames.map { batch.names.intern($0) }
        }
        for event in 0..<batch.count where selection.contains(event) {
            let start = Int(batch.events[event].fieldStart)
            let end = start + Int(batch.events[event].fieldCount)
            var write = start
            for read in start..<end {
                let listed = self.ids.contains(batch.fields[read].name)
                if listed == self.keep {
                    if write != read { batch.fields[write] = batch.fields[read] }
                    write += 1
                }
            }
            batch.events[event].fieldCount = Int32(write - start)
        }
    }
}
