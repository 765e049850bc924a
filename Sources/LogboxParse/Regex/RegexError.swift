/// Why a regular expression or a grok pattern was rejected, and where.
///
/// One error type serves PCRE2 compilation and grok expansion, so that a caller
/// compiling a user's pattern reports every problem the same way: a message and
/// the 1-based column in the pattern the user wrote.
public struct RegexError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// PCRE2 rejected the pattern; the payload is PCRE2's error code.
        case syntax(code: Int32)
        /// A `%{NAME}` reference names a block the library does not define.
        case unknownBlock(String)
        /// A `%{` is not followed by `NAME`, `NAME:field` or `NAME:field:type` and `}`.
        case malformedReference
        /// A block refers to itself, directly or through other blocks.
        case recursiveBlock(String)
        /// Expanding the blocks nests too deeply or produces too large a pattern.
        case tooComplex
        /// PCRE2 failed while matching (a match or depth limit, for instance).
        case match(code: Int32)
    }

    /// What went wrong.
    public var kind: Kind
    /// A sentence for a person, without the position.
    public var message: String
    /// The 1-based UTF-8 byte column in the pattern as written; 0 when a match failed.
    public var column: Int

    public init(kind: Kind, message: String, column: Int) {
        self.kind = kind
        self.message = message
        self.column = column
    }

    public var description: String {
        self.column > 0 ? "column \(self.column): \(self.message)" : self.message
    }
}
