import LogboxCore

/// Turns query text into a `Query`: a hand-written lexer and recursive-descent parser.
///
/// The filter grammar, loosest binding first (`AND`, `OR`, `NOT` only in capitals):
/// ```
/// query   := [or] ('|' pipe)*
/// or      := and ('OR' and)*
/// and     := unary (['AND'] unary)*
/// unary   := 'NOT' unary | '-' unary | primary        ('-' touching its operand)
/// primary := '(' or ')' | term
/// term    := "phrase" | /regex/ | word | field ':' value
/// value   := "phrase" | /regex/ | word | pre* | a*b?c | * | [a TO b] | >=n | 10.0.0.0/8 | '(' values ')'
/// ```
/// Nested `and`s and `or`s are flattened, so `a (b c)` is one `and` of three clauses; the
/// renderer (`Filter.queryText`) writes every canonical tree back to text that parses to it.
/// An unquoted word may escape any character with `\` (`a\ b`, `\*`, `\-x`); inside quotes only
/// `\"` and `\\` are escapes. Errors carry the 1-based column (in Unicode scalars) where the text
/// stops making sense.
public enum QueryParser {
    /// Parses a whole query: the filter, then its pipes.
    public static func parse(_ text: String) throws(QueryError) -> Query {
        var parser = QuerySyntaxParser(text)
        let (filter, pipes) = try parser.parseQuery()
        return Query(text: text, filter: filter, pipes: pipes)
    }

    /// Parses a filter alone (no pipes), as pipeline `when:` conditions and alert rules write them.
    public static func parseFilter(_ text: String) throws(QueryError) -> Filter {
        var parser = QuerySyntaxParser(text)
        let filter = try parser.parseFilterOnly()
        return filter
    }

    /// Deeper nesting is refused rather than risking the stack.
    static let maximumDepth = 100
}

/// The parser's state: the scanner and which part of the grammar it is in.
struct QuerySyntaxParser {
    var scanner: QueryScanner

    init(_ text: String) {
        self.scanner = QueryScanner(text)
    }

    /// Where a term is being read: the filter, a `where` pipe (comparisons such as `count > 10`
    /// and result columns such as `p95(x):>1` allowed), or the values of `field:( … )`.
    enum Context {
        case top
        case whereFilter
        case list(field: String, fieldStart: Int)
    }

    /// What the next non-space text is, as far as the boolean grammar cares.
    enum Token: Equatable {
        case end, pipe, leftParen, rightParen, and, or, not, minus
        /// A phrase, regex, word or `field:value`: read by `parseTerm`.
        case term
    }

    // MARK: Query

    mutating func parseQuery() throws(QueryError) -> (Filter, [Pipe]) {
        let filter = try self.parseLeadingFilter()
        return (filter, try self.parsePipes())
    }

    mutating func parseFilterOnly() throws(QueryError) -> Filter {
        let filter = try self.parseLeadingFilter()
        if !self.scanner.isAtEnd {
            throw QueryError(
                .syntax,
                "pipes are not allowed here",
                column: self.scanner.column,
                hint: "write only a filter; '|' starts a pipe"
            )
        }
        return filter
    }

    /// The filter before the first pipe: everything (`.all`) when there is none.
    private mutating func parseLeadingFilter() throws(QueryError) -> Filter {
        self.scanner.skipSpace()
        var filter = Filter.all
        if !self.scanner.isAtEnd, self.scanner.peek() != "|" {
            filter = try self.parseOr(.top, depth: 0)
        }
        try self.expectEndOfFilter()
        return filter
    }

    /// After a filter only a pipe or the end may follow; a stray `)` is the usual culprit.
    mutating func expectEndOfFilter() throws(QueryError) {
        self.scanner.skipSpace()
        if self.peekToken() == .rightParen {
            throw QueryError(
                .syntax,
                "unexpected ')': there is no '(' to close",
                column: self.scanner.column,
                hint: "remove it, or write \\) to search for a parenthesis"
            )
        }
    }

    // MARK: Tokens

    func peekToken() -> Token {
        guard let s = self.scanner.peek() else { return .end }
        switch s {
        case "|": return .pipe
        case "(": return .leftParen
        case ")": return .rightParen
        case "-":
            if let next = self.scanner.peek(1), !QueryScanner.isSpace(next), next != "-", next != ")", next != "|" {
                return .minus
            }
            return .term
        case "A": return self.isOperator("AND") ? .and : .term
        case "O": return self.isOperator("OR") ? .or : .term
        case "N": return self.isOperator("NOT") ? .not : .term
        default: return .term
        }
    }

    /// Whether the word at the read position is exactly `word` (an operator in capitals).
    private func isOperator(_ word: String) -> Bool {
        var k = 0
        for s in word.unicodeScalars {
            guard self.scanner.peek(k) == s else { return false }
            k += 1
        }
        guard let after = self.scanner.peek(k) else { return true }
        return QueryScanner.endsWord(after)
    }

    // MARK: Boolean structure

    mutating func parseOr(_ context: Context, depth: Int) throws(QueryError) -> Filter {
        guard depth <= QueryParser.maximumDepth else {
            throw QueryError(
                .syntax,
                "the query nests deeper than \(QueryParser.maximumDepth) levels",
                column: self.scanner.column
            )
        }
        var items = [try self.parseAnd(context, depth: depth, after: nil)]
        while true {
            self.scanner.skipSpace()
            guard self.peekToken() == .or else { break }
            self.scanner.index += 2
            items.append(try self.parseAnd(context, depth: depth, after: "OR"))
        }
        return Self.makeOr(items)
    }

    mutating func parseAnd(_ context: Context, depth: Int, after: String?) throws(QueryError) -> Filter {
        var items = [try self.parseUnary(context, depth: depth, after: after)]
        while true {
            self.scanner.skipSpace()
            switch self.peekToken() {
            case .end, .pipe, .rightParen, .or:
                return Self.makeAnd(items)
            case .and:
                self.scanner.index += 3
                items.append(try self.parseUnary(context, depth: depth, after: "AND"))
            default:
                items.append(try self.parseUnary(context, depth: depth, after: nil))
            }
        }
    }

    mutating func parseUnary(_ context: Context, depth: Int, after: String?) throws(QueryError) -> Filter {
        self.scanner.skipSpace()
        guard depth <= QueryParser.maximumDepth else {
            throw QueryError(
                .syntax,
                "the query nests deeper than \(QueryParser.maximumDepth) levels",
                column: self.scanner.column
            )
        }
        switch self.peekToken() {
        case .not:
            self.scanner.index += 3
            return .not(try self.parseUnary(context, depth: depth + 1, after: "NOT"))
        case .minus:
            self.scanner.index += 1
            return .not(try self.parseUnary(context, depth: depth + 1, after: "-"))
        default:
            return try self.parsePrimary(context, depth: depth, after: after)
        }
    }

    mutating func parsePrimary(_ context: Context, depth: Int, after: String?) throws(QueryError) -> Filter {
        self.scanner.skipSpace()
        let token = self.peekToken()
        switch token {
        case .end, .pipe, .rightParen, .and, .or:
            let column = self.scanner.column
            if let after {
                let hint = token == .pipe ? "'|' starts a pipe; write OR between alternatives" : nil
                throw QueryError(.syntax, "expected a term after '\(after)'", column: column, hint: hint)
            }
            if token == .and || token == .or {
                let word = token == .and ? "AND" : "OR"
                throw QueryError(.syntax, "expected a term before '\(word)'", column: column)
            }
            if token == .rightParen {
                throw QueryError(.syntax, "unexpected ')': there is no '(' to close", column: column)
            }
            throw QueryError(.syntax, "expected a term", column: column)
        case .leftParen:
            let open = self.scanner.index
            self.scanner.index += 1
            self.scanner.skipSpace()
            if self.peekToken() == .rightParen {
                throw QueryError(
                    .syntax,
                    "expected a query inside '()'",
                    column: self.scanner.column,
                    hint: "write \\(\\) to search for the characters"
                )
            }
            let inner = try self.parseOr(context, depth: depth + 1)
            try self.expectClose(open)
            return inner
        case .not, .minus, .term:
            return try self.parseTerm(context)
        }
    }

    /// Consumes the `)` matching the `(` at index `open`.
    mutating func expectClose(_ open: Int) throws(QueryError) {
        self.scanner.skipSpace()
        guard self.scanner.peek() == ")" else {
            let hint = self.scanner.peek() == "|" ? "close the parentheses before the first '|'" : nil
            throw QueryError(
                .syntax,
                "expected ')' to close '(' at column \(open + 1)",
                column: self.scanner.column,
                hint: hint
            )
        }
        self.scanner.index += 1
    }

    static func makeAnd(_ items: [Filter]) -> Filter {
        if items.count == 1 { return items[0] }
        var flat: [Filter] = []
        for item in items {
            if case .and(let inner) = item { flat += inner } else { flat.append(item) }
        }
        return .and(flat)
    }

    static func makeOr(_ items: [Filter]) -> Filter {
        if items.count == 1 { return items[0] }
        var flat: [Filter] = []
        for item in items {
            if case .or(let inner) = item { flat += inner } else { flat.append(item) }
        }
        return .or(flat)
    }

    // MARK: Terms

    /// One term at the read position, which is not a space, an operator or a parenthesis.
    mutating func parseTerm(_ context: Context) throws(QueryError) -> Filter {
        let start = self.scanner.index
        if case .list(let field, let fieldStart) = context {
            return try self.parseValue(field: field, fieldStart: fieldStart)
        }
        guard let first = self.scanner.peek() else { throw QueryError(.syntax, "expected a term", column: start + 1) }
        if first == "\"" {
            let phrase = try self.scanner.scanQuoted()
            try self.checkSearchable(phrase, start: start)
            return .match(Clause(field: nil, matcher: .phrase(phrase), column: start + 1))
        }
        if first == "/", let regex = self.scanner.scanRegex() {
            return .match(Clause(field: nil, matcher: .regex(regex), column: start + 1))
        }
        if case .whereFilter = context, let comparison = try self.parseResultComparison() {
            return comparison
        }
        let nameLength = self.scanner.nameLength(at: start)
        if nameLength > 0, first != "-", self.scanner.scalar(at: start + nameLength) == ":" {
            let field = self.scanner.text(start..<(start + nameLength))
            self.scanner.index = start + nameLength + 1
            return try self.parseValue(field: field, fieldStart: start)
        }
        let word = try self.scanner.scanRawWord(endingAt: QueryScanner.endsWord)
        guard !word.isEmpty else {
            throw QueryError(.syntax, "unexpected '\(first)'", column: start + 1)
        }
        return try self.messageWord(word)
    }

    /// A bare word on the message: `*` (everything), a prefix `fail*`, a wildcard, or a word.
    mutating func messageWord(_ word: RawWord) throws(QueryError) -> Filter {
        let column = word.start + 1
        if word.isExactly("*") { return .all }
        let wildcards = word.wildcardIndexes
        if wildcards.isEmpty {
            let text = word.text
            try self.checkSearchable(text, start: word.start)
            return .match(Clause(field: nil, matcher: .word(text), column: column))
        }
        if wildcards == [word.scalars.count - 1], word.scalars.last == "*" {
            var prefix = word
            prefix.scalars.removeLast()
            prefix.escaped.removeLast()
            try self.checkSearchable(prefix.text, start: word.start)
            return .match(Clause(field: nil, matcher: .prefix(prefix.text), column: column))
        }
        try Self.checkWildcard(word)
        return .match(Clause(field: nil, matcher: .wildcard(word.text), column: column))
    }

    /// A message search needs at least one term; `--` or `"..."` would match nothing useful.
    func checkSearchable(_ text: String, start: Int) throws(QueryError) {
        var tokenizer = Tokenizer()
        Array(text.utf8).withUnsafeBufferPointer { tokenizer.tokenize($0) }
        guard tokenizer.count == 0 else { return }
        let written = self.scanner.text(start..<max(self.scanner.index, start + 1))
        throw QueryError(
            .syntax,
            "'\(written)' is not a query: nothing to search for",
            column: start + 1,
            hint: "bare words search the message's letters and digits; use field:value for other values"
        )
    }

    static func checkWildcard(_ word: RawWord) throws(QueryError) {
        for i in word.scalars.indices where word.escaped[i] && (word.scalars[i] == "*" || word.scalars[i] == "?") {
            throw QueryError(
                .syntax,
                "a wildcard pattern cannot also contain a literal '\(word.scalars[i])'",
                column: word.start + 1,
                hint: "use a /regex/ instead"
            )
        }
    }

    // MARK: Field values

    /// The value after `field:` (or one value inside `field:( … )`), at the read position.
    mutating func parseValue(field: String, fieldStart: Int) throws(QueryError) -> Filter {
        let column = fieldStart + 1
        let start = self.scanner.index
        func clause(_ matcher: Matcher) -> Filter { .match(Clause(field: field, matcher: matcher, column: column)) }
        guard let first = self.scanner.peek(), !QueryScanner.isSpace(first), first != ")", first != "|" else {
            throw QueryError(
                .syntax,
                "expected a value after '\(self.scanner.text(fieldStart..<start))'",
                column: start + 1,
                hint: "write field:value, field:\"a phrase\" or field:* with no space after ':'"
            )
        }
        switch first {
        case "\"":
            return clause(.phrase(try self.scanner.scanQuoted()))
        case "(":
            self.scanner.index += 1
            self.scanner.skipSpace()
            if self.scanner.peek() == ")" {
                throw QueryError(.syntax, "expected a value inside '\(field):()'", column: self.scanner.column)
            }
            let inner = try self.parseOr(.list(field: field, fieldStart: fieldStart), depth: 1)
            try self.expectClose(start)
            return inner
        case "[", "{":
            return clause(try self.parseRange())
        case ">", "<":
            return clause(try self.parseComparison(fieldStart: fieldStart))
        case "/":
            if let regex = self.scanner.scanRegex() { return clause(.regex(regex)) }
        default:
            break
        }
        let word = try self.scanner.scanRawWord(endingAt: QueryScanner.endsWord)
        guard !word.isEmpty else {
            throw QueryError(.syntax, "expected a value after '\(field):'", column: start + 1)
        }
        return clause(try Self.fieldMatcher(word))
    }

    /// What an unquoted field value means: exists, prefix, wildcard, network or an exact value.
    static func fieldMatcher(_ word: RawWord) throws(QueryError) -> Matcher {
        if word.isExactly("*") { return .exists }
        let wildcards = word.wildcardIndexes
        if wildcards.isEmpty {
            if !word.hasEscapes, word.scalars.contains("/") {
                switch CIDRText.read(word.scalars) {
                case .network(let cidr):
                    return .cidr(cidr)
                case .badPrefix(let length, let maximum):
                    throw QueryError(
                        .invalid,
                        "prefix length /\(length) is out of range: at most /\(maximum)",
                        column: word.start + 1,
                        hint: "write \\/ to search for the text as written"
                    )
                case .notNetwork:
                    break
                }
            }
            return .word(word.text)
        }
        if wildcards == [word.scalars.count - 1], word.scalars.last == "*" {
            var prefix = word
            prefix.scalars.removeLast()
            prefix.escaped.removeLast()
            return .prefix(prefix.text)
        }
        try Self.checkWildcard(word)
        return .wildcard(word.text)
    }

    /// `[a TO b]`, `{a TO b}` or a mix, at the read position; `*` is an open bound.
    mutating func parseRange() throws(QueryError) -> Matcher {
        let open = self.scanner.index
        let lowerInclusive = self.scanner.peek() == "["
        self.scanner.index += 1
        self.scanner.skipSpace()
        let lower = try self.parseBound(rangeStart: open)
        self.scanner.skipSpace()
        guard self.scanner.hasKeyword("TO") else {
            throw QueryError(
                .syntax,
                "expected 'TO' in the range started at column \(open + 1)",
                column: self.scanner.column,
                hint: "write [low TO high], with * for an open end"
            )
        }
        self.scanner.index += 2
        self.scanner.skipSpace()
        let upper = try self.parseBound(rangeStart: open)
        self.scanner.skipSpace()
        guard let close = self.scanner.peek(), close == "]" || close == "}" else {
            throw QueryError(
                .syntax,
                "expected ']' or '}' to close the range started at column \(open + 1)",
                column: self.scanner.column
            )
        }
        self.scanner.index += 1
        return .range(
            lower: lower.map { RangeBound($0, inclusive: lowerInclusive) },
            upper: upper.map { RangeBound($0, inclusive: close == "]") }
        )
    }

    /// One bound of a range: quoted, or unquoted up to a space or bracket; nil for `*`.
    mutating func parseBound(rangeStart: Int) throws(QueryError) -> String? {
        if self.scanner.peek() == "\"" { return try self.scanner.scanQuoted() }
        let word = try self.scanner.scanRawWord(endingAt: QueryScanner.endsBound)
        guard !word.isEmpty else {
            throw QueryError(
                .syntax,
                "expected a bound in the range started at column \(rangeStart + 1)",
                column: self.scanner.column,
                hint: "write [low TO high], with * for an open end"
            )
        }
        return word.isExactly("*") ? nil : word.text
    }

    /// `>=n`, `>n`, `<=n` or `<n` at the read position.
    mutating func parseComparison(fieldStart: Int) throws(QueryError) -> Matcher {
        let greater = self.scanner.peek() == ">"
        self.scanner.index += 1
        let inclusive = self.scanner.peek() == "="
        if inclusive { self.scanner.index += 1 }
        let bound = try self.comparisonValue(after: fieldStart)
        return greater
            ? .range(lower: RangeBound(bound, inclusive: inclusive), upper: nil)
            : .range(lower: nil, upper: RangeBound(bound, inclusive: inclusive))
    }

    /// The value after a comparison operator: quoted, or unquoted and not `*`.
    mutating func comparisonValue(after start: Int) throws(QueryError) -> String {
        if self.scanner.peek() == "\"" { return try self.scanner.scanQuoted() }
        let valueStart = self.scanner.index
        let word = try self.scanner.scanRawWord(endingAt: QueryScanner.endsWord)
        guard !word.isEmpty, !word.isExactly("*") else {
            var end = valueStart
            while end > start, let s = self.scanner.scalar(at: end - 1), QueryScanner.isSpace(s) { end -= 1 }
            throw QueryError(
                .syntax,
                "expected a value after '\(self.scanner.text(start..<end))'",
                column: valueStart + 1,
                hint: word.isExactly("*") ? "a comparison needs a value; write [* TO *] for any" : nil
            )
        }
        return word.text
    }

    // MARK: where

    /// In a `where` pipe: a result column compared with `>`, `>=`, `<`, `<=`, `=`, `!=`
    /// (`count > 10`), or a column named like an aggregation followed by `:` (`p95(x):>1`).
    /// Returns nil, reading nothing, when the text is not one of those.
    mutating func parseResultComparison() throws(QueryError) -> Filter? {
        let start = self.scanner.index
        let nameLength = self.scanner.nameLength(at: start)
        guard nameLength > 0, self.scanner.scalars[start] != "-" else { return nil }
        var end = start + nameLength
        if self.scanner.scalar(at: end) == "(" {
            var k = end + 1
            while let s = self.scanner.scalar(at: k), s != ")", s != "(", s != "\"", s != "|" { k += 1 }
            guard self.scanner.scalar(at: k) == ")" else { return nil }
            end = k + 1
        }
        let field = self.scanner.text(start..<end)
        if self.scanner.scalar(at: end) == ":" {
            guard end > start + nameLength else { return nil }  // a plain `name:` is an ordinary field
            self.scanner.index = end + 1
            return try self.parseValue(field: field, fieldStart: start)
        }
        var k = end
        while let s = self.scanner.scalar(at: k), QueryScanner.isSpace(s) { k += 1 }
        let first = self.scanner.scalar(at: k)
        let second = self.scanner.scalar(at: k + 1)
        let op: String
        switch (first, second) {
        case (">", "="): op = ">="
        case ("<", "="): op = "<="
        case ("!", "="): op = "!="
        case ("=", "="): op = "=="
        case (">", _): op = ">"
        case ("<", _): op = "<"
        case ("=", _): op = "="
        default: return nil
        }
        self.scanner.index = k + op.unicodeScalars.count
        self.scanner.skipSpace()
        let value = try self.comparisonValue(after: start)
        let column = start + 1
        func clause(_ matcher: Matcher) -> Filter { .match(Clause(field: field, matcher: matcher, column: column)) }
        switch op {
        case ">", ">=": return clause(.range(lower: RangeBound(value, inclusive: op == ">="), upper: nil))
        case "<", "<=": return clause(.range(lower: nil, upper: RangeBound(value, inclusive: op == "<=")))
        case "!=": return .not(clause(.word(value)))
        default: return clause(.word(value))
        }
    }
}
