public import LogboxCore

/// `rename`: gives fields new names (`src: client_ip`); the value stays where it is.
///
/// A field already named like the target is dropped, so an event never has the name twice.
public struct RenameFieldsStep: EnrichStep {
    public let name: String
    private let pairs: [(from: String, to: String)]
    private var ids: [(from: FieldID, to: FieldID)] = []

    public init(name: String, pairs: [(from: String, to: String)]) {
        self.name = name
        self.pairs = pairs
    }

    public mutating func apply(to batch: inout EventBatch, selection: EventSelection) {
        if self.ids.count != self.pairs.count {
            self.ids = self.pairs.map { (batch.names.intern($0.from), batch.names.intern($0.to)) }
        }
        for event in 0..<batch.count where selection.contains(event) {
            for (from, to) in self.ids where from != to {
                guard let index = batch.fieldIndex(from, of: event) else { continue }
                if let target = batch.fieldIndex(to, of: event) {
                    batch.removeField(target, of: event)
                    let moved = target < index ? index - 1 : index
                    batch.fields[moved].name = to
                } else {
                    batch.fields[index].name = to
                }
            }
        }
    }
}

extension EventBatch {
    /// Removes field `index` (in `fields`) from `event`'s run, keeping the others in order.
    mutating func removeField(_ index: Int, of event: Int) {
        let end = Int(self.events[event].fieldStart) + Int(self.events[event].fieldCount)
        var i = index
        while i + 1 < end {
            self.fields[i] = self.fields[i + 1]
            i += 1
        }
        self.events[event].fieldCount -= 1
    }
}
