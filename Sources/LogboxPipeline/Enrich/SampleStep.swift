public import LogboxCore

/// `sample`: keeps 1 in `rate` of the selected events, the others go; unselected events stay.
///
/// Which events are kept depends only on the line's bytes (a stable FNV-1a hash), not on order,
/// time or a random seed: the same input gives the same sample in every run, on every box, and a
/// replay after a crash keeps the same events.
public struct SampleStep: EnrichStep {
    public let name: String
    public let rate: Int
    public private(set) var dropped = 0
    private var keep: [Bool] = []

    public init(name: String, rate: Int) {
        precondition(rate >= 1, "a sample rate is at least 1")
        self.name = name
        self.rate = rate
    }

    /// Whether a line with these bytes is kept at `rate`.
    public static func keeps(_ line: Span<UInt8>, rate: Int) -> Bool {
        rate <= 1 || fnv1a64(line) % UInt64(rate) == 0
    }

    public mutating func apply(to batch: inout EventBatch, selection: EventSelection) {
        guard self.rate > 1, batch.count > 0 else { return }
        self.keep.removeAll(keepingCapacity: true)
        var removed = 0
        do {
            let bytes = batch.lines.bytes
            let span = bytes.span
            for event in 0..<batch.count {
                var kept = true
                if selection.contains(event) {
                    let line = batch.lines.slots[Int(batch.events[event].line)].range
                    kept = Self.keeps(span.extracting(line), rate: self.rate)
                }
                if !kept { removed += 1 }
                self.keep.append(kept)
            }
        }
        guard removed > 0 else { return }
        self.dropped += removed
        batch.keepEvents(self.keep)
    }
}
