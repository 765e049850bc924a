public import LogboxCore

/// Counters of one parsing run: what `logbox parse` prints and later the daemon's metrics.
public struct ParseStats: Sendable {
    public var lines = 0
    public var bytes: Int64 = 0
    /// Lines with no issue.
    public var parsed = 0
    /// Lines with an issue, by reason.
    public var failedByReason: [ParseIssue.Reason: Int] = [:]
    /// Lines cut to the maximum line length.
    public var truncated = 0

    public init() {}

    public var failed: Int { self.failedByReason.values.reduce(0, +) }

    public mutating func add(_ other: ParseStats) {
        self.lines += other.lines
        self.bytes += other.bytes
        self.parsed += other.parsed
        self.truncated += other.truncated
        for (reason, count) in other.failedByReason { self.failedByReason[reason, default: 0] += count }
    }
}
