import LogboxCore
import LogboxParse
import LogboxStore

/// Turns a `Filter` into a `PreparedNode`: values compiled, fields resolved to how the index
/// keeps them, bad parts reported as `QueryError(.invalid)` at the clause's column.
///
/// Decisions where the contract leaves room:
/// - A range whose bounds are all numbers compares numbers: it matches values typed as numbers
///   (the numeric column), not text that happens to sort between the bounds. Any other range
///   compares exact terms byte-wise, numbers' text included.
/// - `field:[* TO *]` and `field:*` both mean the field is present.
/// - On `timestamp`/`_time`, a time without a zone and a bare date are read as UTC; a date as
///   a lower bound means its midnight, as an inclusive upper bound the end of that day, and
///   `timestamp:2026-11-29` the whole day.
/// - Clauses on the fields that carry the time as text (`ts`, `time`, `@timestamp`) have no
///   exact term in the index, and on the message as a whole (a range, a CIDR, `message:*`)
///   no term either: they are checked against stored events, within what the rest of an AND
///   left, under `CostLimits.maximumVerifiedEvents`.
struct FilterCompiler {
    private(set) var leafCount = 0
    private var tokenizer = Tokenizer()

    static let timestampFields: Set<String> = ["timestamp", "_time"]

    mutating func compile(_ filter: Filter) throws(QueryError) -> PreparedNode {
        switch filter {
        case .all: return .all
        case .and(let children):
            var out: [PreparedNode] = []
            for child in children { out.append(try self.compile(child)) }
            if out.isEmpty { return .all }
            return out.count == 1 ? out[0] : .and(out)
        case .or(let children):
            var out: [PreparedNode] = []
            for child in children { out.append(try self.compile(child)) }
            if out.isEmpty { return .none }
            return out.count == 1 ? out[0] : .or(out)
        case .not(let child): return .not(try self.compile(child))
        case .match(let clause): return try self.compile(clause)
        }
    }

    private mutating func leaf(_ clause: Clause, _ test: LeafTest) -> PreparedNode {
        defer { self.leafCount += 1 }
        return .leaf(PreparedLeaf(id: self.leafCount, column: clause.column, test: test))
    }

    private mutating func compile(_ clause: Clause) throws(QueryError) -> PreparedNode {
        let field = clause.field
        if field == nil || field == IndexingRules.messageField { return try self.compileMessage(clause) }
        let name = field!
        if Self.timestampFields.contains(name) { return try self.compileTimestamp(clause) }
        // Fields that carry the time as text have no exact term: checked on stored events.
        let indexed = !IndexingRules.timeFields.contains(name)
        func valueLeaf(_ test: ValueTest) -> PreparedNode {
            self.leaf(clause, indexed ? .field(name: name, test: test) : .verifyField(name: name, test: test))
        }
        switch clause.matcher {
        case .word(let value), .phrase(let value):
            var bytes = Array(value.utf8)
            if name == "level", let level = Level(word: bytes.span) { bytes = Array(level.description.utf8) }
            // A longer value was indexed cut (`IndexingRules.maximumExactTermLength`): cut it the
            // same way, so that it finds its event, as a long word in the message does.
            if indexed, bytes.count > IndexingRules.maximumExactTermLength {
                bytes.removeSubrange(IndexingRules.maximumExactTermLength...)
            }
            return valueLeaf(.equals(bytes))
        case .prefix(let value):
            if value.isEmpty {
                return self.leaf(clause, indexed ? .fieldExists(name) : .verifyField(name: name, test: .exists))
            }
            return valueLeaf(.prefix(Array(value.utf8)))
        case .wildcard(let pattern):
            return valueLeaf(.wildcard(Glob(pattern: Array(pattern.utf8))))
        case .exists:
            return self.leaf(clause, indexed ? .fieldExists(name) : .verifyField(name: name, test: .exists))
        case .regex(let pattern):
            let regex = try Self.regex(pattern, clause)
            return valueLeaf(.regex(regex, literalPrefix: RegexPrefix.literalPrefix(pattern)))
        case .cidr(let network):
            try Self.check(network, clause)
            return valueLeaf(.cidr(network))
        case .range(let lower, let upper):
            if lower == nil && upper == nil {
                return self.leaf(clause, indexed ? .fieldExists(name) : .verifyField(name: name, test: .exists))
            }
            let lowerNumber = lower.flatMap { Self.number($0.value) }
            let upperNumber = upper.flatMap { Self.number($0.value) }
            if (lower == nil || lowerNumber != nil) && (upper == nil || upperNumber != nil) {
                let test = LeafTest.numericRange(
                    name: name,
                    lower: lowerNumber,
                    lowerInclusive: lower?.inclusive ?? true,
                    upper: upperNumber,
                    upperInclusive: upper?.inclusive ?? true
                )
                if indexed { return self.leaf(clause, test) }
                return self.leaf(
                    clause,
                    .verifyField(
                        name: name,
                        test: .numericRange(
                            lower: lowerNumber,
                            lowerInclusive: lower?.inclusive ?? true,
                            upper: upperNumber,
                            upperInclusive: upper?.inclusive ?? true
                        )
                    )
                )
            }
            return valueLeaf(
                .byteRange(
                    lower: lower.map { Array($0.value.utf8) },
                    lowerInclusive: lower?.inclusive ?? true,
                    upper: upper.map { Array($0.value.utf8) },
                    upperInclusive: upper?.inclusive ?? true
                )
            )
        }
    }

    private mutating func compileMessage(_ clause: Clause) throws(QueryError) -> PreparedNode {
        switch clause.matcher {
        case .word(let text), .phrase(let text):
            let terms = self.terms(text)
            guard !terms.isEmpty else {
                throw QueryError(
                    .syntax,
                    "nothing to search for",
                    column: clause.column,
                    hint: "search for a word with letters or digits, or quote a phrase"
                )
            }
            return self.leaf(clause, .messageTerms(terms))
        case .prefix(let text):
            let bytes = Array(text.utf8)
            if bytes.isEmpty { return self.leaf(clause, .messageExists) }
            let terms = self.terms(text)
            guard !terms.isEmpty else {
                throw QueryError(.syntax, "nothing to search for", column: clause.column)
            }
            let endsInWord = Tokenizer.isWordByte(bytes[bytes.count - 1])
            if terms.count == 1 && bytes.allSatisfy(Tokenizer.isWordByte) {
                return self.leaf(clause, .messagePrefix(terms[0]))
            }
            if !endsInWord { return self.leaf(clause, .messageTerms(terms)) }
            return self.leaf(
                clause,
                .messagePrefixPhrase(terms: Array(terms.dropLast()), prefix: terms[terms.count - 1])
            )
        case .wildcard(let pattern):
            let folded = pattern.utf8.map { $0 &- UInt8(ascii: "A") < 26 ? $0 | 0x20 : $0 }
            return self.leaf(clause, .messageWildcard(Glob(pattern: folded)))
        case .exists:
            return self.leaf(clause, .messageExists)
        case .regex(let pattern):
            return self.leaf(
                clause,
                .messageRegex(try Self.regex(pattern, clause), requiredTerms: RegexRequiredTerms.terms(of: pattern))
            )
        case .cidr(let network):
            try Self.check(network, clause)
            return self.leaf(clause, .verifyField(name: IndexingRules.messageField, test: .cidr(network)))
        case .range(let lower, let upper):
            return self.leaf(
                clause,
                .verifyField(
                    name: IndexingRules.messageField,
                    test: .byteRange(
                        lower: lower.map { Array($0.value.utf8) },
                        lowerInclusive: lower?.inclusive ?? true,
                        upper: upper.map { Array($0.value.utf8) },
                        upperInclusive: upper?.inclusive ?? true
                    )
                )
            )
        }
    }

    private mutating func compileTimestamp(_ clause: Clause) throws(QueryError) -> PreparedNode {
        func bound(_ text: String) throws(QueryError) -> (nanoseconds: Int64, isDate: Bool) {
            guard let value = TimeBound.parse(text) else {
                throw QueryError(
                    .invalid,
                    "'\(text)' is not a time",
                    column: clause.column,
                    hint: "write an RFC 3339 time (2026-11-29T14:00:00Z) or a date (2026-11-29)"
                )
            }
            return value
        }
        switch clause.matcher {
        case .exists:
            return .all
        case .word(let text), .phrase(let text):
            let (at, isDate) = try bound(text)
            return self.leaf(clause, .timeRange(from: at, to: at + (isDate ? TimeBound.day : 1)))
        case .range(let lower, let upper):
            var from: Int64?
            var to: Int64?
            if let lower {
                let (at, isDate) = try bound(lower.value)
                from = lower.inclusive ? at : at + (isDate ? TimeBound.day : 1)
            }
            if let upper {
                let (at, isDate) = try bound(upper.value)
                to = upper.inclusive ? at + (isDate ? TimeBound.day : 1) : at
            }
            return self.leaf(clause, .timeRange(from: from, to: to))
        default:
            throw QueryError(
                .invalid,
                "the timestamp takes a time or a time range",
                column: clause.column,
                hint: "write timestamp:[2026-11-29 TO 2026-11-30] or use --since/--until"
            )
        }
    }

    private mutating func terms(_ text: String) -> [[UInt8]] {
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { self.tokenizer.tokenize($0) }
        return (0..<self.tokenizer.count).map { Array(self.tokenizer.term($0)) }
    }

    static func number(_ text: String) -> NumericValue? {
        let bytes = Array(text.utf8)
        if let integer = NumberScanner.integer(bytes.span) { return .integer(integer) }
        if let decimal = NumberScanner.decimal(bytes.span), !decimal.isNaN { return .decimal(decimal) }
        return nil
    }

    private static func regex(_ pattern: String, _ clause: Clause) throws(QueryError) -> PCRE2Regex {
        do {
            return try PCRE2Regex(pattern)
        } catch {
            throw QueryError(
                .invalid,
                "the regex does not compile: \(error.message)",
                column: clause.column,
                hint: "PCRE2 syntax; escape / as \\/ and ( as \\("
            )
        }
    }

    private static func check(_ network: CIDR, _ clause: Clause) throws(QueryError) {
        guard network.address.count == 16, network.prefixLength >= 0, network.prefixLength <= 128 else {
            throw QueryError(.invalid, "not a valid network", column: clause.column)
        }
    }
}
