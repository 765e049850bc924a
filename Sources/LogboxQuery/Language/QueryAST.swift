/// A parsed query: a filter over events, then the pipes that shape what matched.
///
/// `text` is the query as typed, so errors found after parsing (an unknown field, a regex that
/// does not compile) can still point at a column of it.
public struct Query: Sendable, Hashable {
    public var text: String
    public var filter: Filter
    public var pipes: [Pipe]

    public init(text: String, filter: Filter, pipes: [Pipe] = []) {
        self.text = text
        self.filter = filter
        self.pipes = pipes
    }
}

/// The filter half of a query, as a tree.
///
/// `field` is nil for the message text (bare words, phrases and `/regex/`). `column` is the
/// 1-based column in `Query.text` where the clause starts, for warnings such as an unknown field.
public indirect enum Filter: Sendable, Hashable {
    /// Every event: the empty query or `*`.
    case all
    case and([Filter])
    case or([Filter])
    case not(Filter)
    case match(Clause)
}

/// One leaf of a filter: a field (or the message) and how its value must look.
public struct Clause: Sendable, Hashable {
    /// nil: the message text.
    public var field: String?
    public var matcher: Matcher
    /// 1-based column in the query text where the clause starts.
    public var column: Int

    public init(field: String?, matcher: Matcher, column: Int) {
        self.field = field
        self.matcher = matcher
        self.column = column
    }
}

/// How a value must look.
///
/// On the message (`field == nil`) text is compared as the tokenizer's terms, case-insensitively:
/// `word` is one term (or, when the tokenizer splits it, the phrase of its terms), `phrase` is
/// consecutive terms. On any other field, `word` and `phrase` compare the field's exact value
/// (`IndexingRules.exactTerm`), byte for byte.
public enum Matcher: Sendable, Hashable {
    /// A bare word, or `field:value`.
    case word(String)
    /// `"two words"` or `field:"two words"`.
    case phrase(String)
    /// `field:pre*`: the value starts with the text.
    case prefix(String)
    /// `field:a*b?c`: `*` any run of bytes, `?` one byte; the whole value must match.
    case wildcard(String)
    /// `field:*`: the field is present.
    case exists
    /// `field:/re/` or bare `/re/`: PCRE2, unanchored, against the value (the message text for a
    /// bare regex).
    case regex(String)
    /// `field:[a TO b]`, `{a TO b}`, `>=n`, `>n`, `<n`, `<=n`; a nil bound is open (`*`).
    case range(lower: RangeBound?, upper: RangeBound?)
    /// `field:10.0.0.0/8` or an IPv6 network: the value is an IP address inside it.
    case cidr(CIDR)
}

/// One end of a range, as written; the executor decides per field whether it compares numbers,
/// timestamps or bytes.
public struct RangeBound: Sendable, Hashable {
    public var value: String
    public var inclusive: Bool

    public init(_ value: String, inclusive: Bool) {
        self.value = value
        self.inclusive = inclusive
    }
}

/// An IPv4 or IPv6 network: the address as 16 bytes (IPv4 mapped to `::ffff:a.b.c.d`) and the
/// prefix length in bits of that 128-bit form.
public struct CIDR: Sendable, Hashable {
    public var address: [UInt8]
    public var prefixLength: Int
    /// Whether it was written as IPv4, so it prints back as written.
    public var isIPv4: Bool

    public init(address: [UInt8], prefixLength: Int, isIPv4: Bool) {
        self.address = address
        self.prefixLength = prefixLength
        self.isIPv4 = isIPv4
    }
}

/// One stage after `|`.
public enum Pipe: Sendable, Hashable {
    /// `stats count(), p95(f) by (a, b)`.
    case stats(aggregations: [Aggregation], by: [String])
    /// `top N f` (most frequent values first) or `rare N f` (least frequent first).
    case top(limit: Int, field: String, rare: Bool)
    /// `timechart span=5m count(), p95(f) [by (a)]`: the aggregations per time bucket.
    case timechart(spanNanoseconds: Int64, aggregations: [Aggregation], by: [String])
    /// `sort by (count desc, host)`.
    case sort([SortKey])
    /// `head N`.
    case head(Int)
    /// `tail N`.
    case tail(Int)
    /// `fields a, b`: keep these columns, in this order.
    case fields([String])
    /// `where count:>10` (also `count > 10`): a filter over result rows, whose fields are the
    /// columns of the stage before.
    case `where`(Filter)
}

/// One aggregation of `stats` or `timechart`.
public struct Aggregation: Sendable, Hashable {
    public enum Function: Sendable, Hashable {
        case count
        case countUnique
        case sum
        case average
        case minimum
        case maximum
        /// `quantile(0.9, f)`, and `p50/p90/p95/p99(f)`; the fraction is in 0...1.
        case quantile(Double)
    }

    public var function: Function
    /// nil only for `count()`; `count(f)` counts events where `f` is present.
    public var field: String?
    /// The result column's name: as written (`count`, `p95(request_time)`, `count_uniq(user)`),
    /// or the alias after `as`.
    public var name: String

    public init(function: Function, field: String?, name: String) {
        self.function = function
        self.field = field
        self.name = name
    }
}

/// One key of `sort by (…)`.
public struct SortKey: Sendable, Hashable {
    public var field: String
    public var descending: Bool

    public init(field: String, descending: Bool) {
        self.field = field
        self.descending = descending
    }
}
