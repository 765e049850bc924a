public import LogboxCore

/// `drop`: removes the selected events (those its `when` filter matched) from the batch.
///
/// The lines stay in the batch's buffer; only the events go, so nothing is copied.
public struct DropEventsStep: EnrichStep {
    public let name: String
    public private(set) var dropped = 0
    private var keep: [Bool] = []

    public init(name: String) {
        self.name = name
    }

    public mutating func apply(to batch: inout EventBatch, selection: EventSelection) {
        guard selection.mask != nil else {
            self.dropped += batch.count
            batch.events.removeAll(keepingCapacity: true)
            return
        }
        self.keep.removeAll(keepingCapacity: true)
        var removed = 0
        for event in 0..<batch.count {
            let drop = selection.contains(event)
            if drop { removed += 1 }
            self.keep.append(!drop)
        }
        guard removed > 0 else { return }
        self.dropped += removed
        batch.keepEvents(self.keep)
    }
}
