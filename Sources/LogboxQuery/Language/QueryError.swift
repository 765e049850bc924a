/// Why a query could not run: a syntax error, a value that does not compile (a regex, a CIDR, a
/// time), or a limit reached while running.
///
/// `column` is 1-based in the query text, where it went wrong; `hint` says what to do about it.
public struct QueryError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The text is not a query: `message` says what was expected at `column`.
        case syntax
        /// The query parses but a part of it is not valid (a bad regex, a bad number in a range,
        /// an unknown function).
        case invalid
        /// Running it would cost more than the limit allows.
        case costLimit
        /// The store could not be read.
        case store
    }

    public var kind: Kind
    public var message: String
    public var column: Int?
    public var hint: String?

    public init(_ kind: Kind, _ message: String, column: Int? = nil, hint: String? = nil) {
        self.kind = kind
        self.message = message
        self.column = column
        self.hint = hint
    }

    public var description: String {
        if let column = self.column { return "column \(column): \(self.message)" }
        return self.message
    }

    /// The error as a terminal shows it: the query, a caret under the column, the message and the
    /// hint, each on its own line.
    public func rendered(query text: String) -> String {
        var lines: [String] = []
        if let column = self.column {
            lines.append("  \(text)")
            // Columns count Unicode scalars, so a caret lines up under non-ASCII text too.
            lines.append("  " + String(repeating: " ", count: max(0, column - 1)) + "^")
            lines.append("column \(column): \(self.message)")
        } else {
            lines.append(self.message)
        }
        if let hint = self.hint { lines.append("hint: \(hint)") }
        return lines.joined(separator: "\n")
    }
}
