public import LogboxCore

/// A parser for one log format: reads one line's bytes, appends the event's fields.
///
/// Implementations read `line` by index, record fields as ranges relative to the line
/// (`out.append(.host, .text, 12..<18)`), type cheap values (integers, timestamps, levels) and never
/// build a `String` per field. A parser keeps caches (year inference, regex match data) as its own
/// state, hence `mutating`; each thread or task uses its own copy.
///
/// On a line that does not follow the format, a parser throws the reason and the 1-based column;
/// the caller (`BatchParser`) then discards what the parser appended and keeps the line raw as the
/// event's `message`, flagged with the issue. A parser never traps on any input.
public protocol LogParser {
    /// The name config and the CLI use (`rfc3164`, `json`, …).
    var name: String { get }

    /// Parses one line (without its terminator) into the current event of `out`.
    mutating func parse(_ line: Span<UInt8>, into out: inout EventBatch) throws(ParseIssue)
}
