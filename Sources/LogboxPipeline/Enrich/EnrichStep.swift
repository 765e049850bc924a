public import LogboxCore

/// One enrichment applied to a parsed batch: adds, changes or removes fields, rewrites lines
/// (redaction) or drops events.
///
/// A step works on the whole batch at once, so per-batch work (a value written to the arena once,
/// shared by every event) is done once. It touches only the events `selection` contains; events
/// other steps filtered out stay as they are.
public protocol EnrichStep {
    /// The step's name in messages and counters (`enrich[2] (rename)` or the config's `name`).
    var name: String { get }

    /// Applies the step to the selected events of `batch`.
    mutating func apply(to batch: inout EventBatch, selection: EventSelection)
}

/// Which events of a batch a step applies to: all of them, or those a mask marks.
public struct EventSelection: Sendable {
    /// nil selects every event; otherwise one flag per event of the batch.
    public var mask: [Bool]?

    public init(mask: [Bool]? = nil) {
        self.mask = mask
    }

    public static let all = EventSelection()

    @inlinable
    public func contains(_ event: Int) -> Bool {
        guard let mask = self.mask else { return true }
        return event < mask.count && mask[event]
    }
}

/// A filter that decides for one event of a batch: the query language's prepared filter, or a test's.
public protocol EventFilter: Sendable {
    func matches(event index: Int, in batch: EventBatch, source: String, file: String?) -> Bool
}

/// An `EventFilter` from a closure (tests, and filters built in code).
public struct ClosureFilter: EventFilter {
    let body: @Sendable (Int, EventBatch, String, String?) -> Bool

    public init(_ body: @escaping @Sendable (Int, EventBatch, String, String?) -> Bool) {
        self.body = body
    }

    public func matches(event index: Int, in batch: EventBatch, source: String, file: String?) -> Bool {
        self.body(index, batch, source, file)
    }
}

extension EventBatch {
    /// The index in `fields` of the first field of `event` named `name`.
    func fieldIndex(_ name: FieldID, of event: Int) -> Int? {
        let slot = self.events[event]
        var index = Int(slot.fieldStart)
        let end = index + Int(slot.fieldCount)
        while index < end {
            if self.fields[index].name == name { return index }
            index += 1
        }
        return nil
    }

    /// Removes the events whose flag in `keep` is false, keeping the order of the others.
    mutating func keepEvents(_ keep: [Bool]) {
        var write = 0
        for read in self.events.indices where keep[read] {
            if write != read { self.events[write] = self.events[read] }
            write += 1
        }
        self.events.removeSubrange(write...)
    }
}

/// Stable 64-bit FNV-1a over bytes: the same in every process and release (sampling, lookups).
func fnv1a64(_ bytes: Span<UInt8>) -> UInt64 {
    var hash: UInt64 = 0xCBF2_9CE4_8422_2325
    for i in 0..<bytes.count {
        hash = (hash ^ UInt64(bytes[i])) &* 0x0000_0100_0000_01B3
    }
    return hash
}
