public import LogboxStore

/// The events of one segment that a filter matched: what the executor hands to pipes and output.
public struct SegmentMatches: Sendable {
    public let segment: SegmentReader
    /// Matching doc ids, ascending.
    public var docs: [UInt32]

    public init(segment: SegmentReader, docs: [UInt32]) {
        self.segment = segment
        self.docs = docs
    }
}

/// The time range a query looks at: `[from, to)` in nanoseconds since the epoch; nil is open.
public struct TimeWindow: Sendable, Hashable {
    public var from: Int64?
    public var to: Int64?

    public static let everything = TimeWindow(from: nil, to: nil)

    public init(from: Int64?, to: Int64?) {
        self.from = from
        self.to = to
    }

    public func contains(_ timestamp: Int64) -> Bool {
        if let from = self.from, timestamp < from { return false }
        if let to = self.to, timestamp >= to { return false }
        return true
    }

    /// Whether `[minTime, maxTime]` (a segment's or a block's) can hold a timestamp of the window.
    public func overlaps(minTime: Int64, maxTime: Int64) -> Bool {
        if let from = self.from, maxTime < from { return false }
        if let to = self.to, minTime >= to { return false }
        return true
    }
}
