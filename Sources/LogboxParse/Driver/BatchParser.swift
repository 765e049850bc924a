public import LogboxCore

/// Runs a parser over every line of a `LineBatch`: one event per line, whatever the bytes.
///
/// A line the parser rejects keeps no partial fields: its `message` is the whole line and its
/// issue says why and where. A line that parses but holds NUL, binary or invalid UTF-8 bytes keeps
/// its fields and is flagged with the first bad byte, so bad bytes are always visible and counted.
public struct BatchParser {
    public var parser: any LogParser
    public private(set) var stats = ParseStats()

    public init(parser: any LogParser) {
        self.parser = parser
    }

    /// Parses `lines` into `batch` (emptied first; its interned names are kept).
    /// - Complexity: O(bytes); allocates only when `batch` must grow.
    public mutating func parse(_ lines: LineBatch, into batch: inout EventBatch) {
        batch.removeAll()
        batch.lines = lines
        // A second reference to the same storage: reading it while `batch` grows copies nothing.
        let bytes = lines.bytes
        let span = bytes.span
        for index in 0..<lines.slots.count {
            let slot = lines.slots[index]
            let line = span.extracting(slot.range)
            batch.beginEvent(line: index)
            let problem = ByteCheck.firstProblem(line)
            var issue: ParseIssue?
            do {
                try self.parser.parse(line, into: &batch)
                issue = problem
            } catch {
                batch.discardCurrentFields()
                batch.append(.message, .text, 0..<line.count)
                issue = problem ?? error
            }
            batch.finishEvent(issue: issue)
            self.stats.lines += 1
            self.stats.bytes += Int64(slot.length)
            if slot.truncatedBytes > 0 { self.stats.truncated += 1 }
            if let issue {
                self.stats.failedByReason[issue.reason, default: 0] += 1
            } else {
                self.stats.parsed += 1
            }
        }
    }
}
