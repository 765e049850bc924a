public import LogboxCore
import LogboxParse
public import LogboxStore

/// A filter with every value compiled: regexes (PCRE2, JIT), wildcards, CIDRs, range bounds and
/// the tokenizer's terms of words and phrases.
///
/// Made by `QueryEngine.prepare`. The index executor runs it per segment; `matches(_:names:sources:)`
/// evaluates one event outside the index (alerts, metrics, routes) with the same semantics.
public struct PreparedFilter: Sendable {
    /// The filter it was made from.
    public let filter: Filter
    let root: PreparedNode
    /// Number of leaves, so evaluation state (regex matchers) can be kept per leaf.
    let leafCount: Int

    /// Evaluation states (regex match data, tokenizer buffers) kept between calls, so matching
    /// one event after another allocates nothing in steady state.
    private let pool: StatePool

    init(filter: Filter, root: PreparedNode, leafCount: Int) {
        self.filter = filter
        self.root = root
        self.leafCount = leafCount
        self.pool = StatePool()
    }

    /// Compiles `filter` (regexes, wildcards, CIDRs, range bounds, the terms of words and
    /// phrases). Needs no store: what a pipeline's `when:` filters and alert rules use to match
    /// in-flight events; `QueryEngine.prepare` is the same.
    /// - Throws: `QueryError(.invalid)` at the column of a part that does not compile.
    public init(compiling filter: Filter) throws(QueryError) {
        var compiler = FilterCompiler()
        let root = try compiler.compile(filter)
        self.init(filter: filter, root: root, leafCount: compiler.leafCount)
    }

    /// Whether `event` (a stored event whose name and source ids index `names` and `sources`)
    /// matches; the time window is not applied.
    public func matches(_ event: StoredEvent, names: [String], sources: [String]) -> Bool {
        var state = self.pool.take() ?? EvaluationState(leafCount: self.leafCount)
        defer { self.pool.give(state) }
        return self.root.matches(StoredEventAccess(event: event, names: names, sources: sources), &state)
    }

    /// Whether event `index` of `batch`, read from input `source` (and `file`), matches; the time
    /// window is not applied.
    public func matches(event index: Int, in batch: EventBatch, source: String, file: String?) -> Bool {
        var state = self.pool.take() ?? EvaluationState(leafCount: self.leafCount)
        defer { self.pool.give(state) }
        return self.root.matches(BatchEventAccess(batch: batch, index: index, source: source, file: file), &state)
    }

    /// Whether every leaf can be answered from the index alone (no stored event is read).
    public var isIndexAnswerable: Bool { self.root.isIndexAnswerable }
}

/// A compiled filter tree.
indirect enum PreparedNode: Sendable {
    case all
    case none
    case and([PreparedNode])
    case or([PreparedNode])
    case not(PreparedNode)
    case leaf(PreparedLeaf)

    var isIndexAnswerable: Bool {
        switch self {
        case .all, .none: true
        case .and(let children), .or(let children): children.allSatisfy(\.isIndexAnswerable)
        case .not(let child): child.isIndexAnswerable
        case .leaf(let leaf): leaf.isIndexAnswerable
        }
    }
}

/// One compiled clause.
struct PreparedLeaf: Sendable {
    /// Index among the filter's leaves (for per-leaf evaluation state).
    let id: Int
    /// 1-based column of the clause, for cost-limit errors.
    let column: Int
    let test: LeafTest

    var isIndexAnswerable: Bool {
        switch self.test {
        case .messageRegex, .messageExists, .messagePrefixPhrase, .verifyField: false
        default: true
        }
    }
}

/// What a leaf checks.
enum LeafTest: Sendable {
    /// Message terms: one term, or a phrase at consecutive positions.
    case messageTerms([[UInt8]])
    /// A message term starting with the bytes.
    case messagePrefix([UInt8])
    /// A phrase whose last term is a prefix (`foo-ba*`).
    case messagePrefixPhrase(terms: [[UInt8]], prefix: [UInt8])
    /// A message term matching the (lower-cased) pattern.
    case messageWildcard(Glob)
    /// The message text (or the line when there is no message field) matches; every match holds
    /// `requiredTerms` as whole terms (`RegexRequiredTerms`), which narrows the events to read.
    case messageRegex(PCRE2Regex, requiredTerms: [[UInt8]])
    /// The event has a message field.
    case messageExists
    /// The field's exact term passes `test` (any of its values, for a repeated field).
    case field(name: String, test: ValueTest)
    /// The field has a value.
    case fieldExists(String)
    /// The field has a number inside the bounds.
    case numericRange(
        name: String,
        lower: NumericValue?,
        lowerInclusive: Bool,
        upper: NumericValue?,
        upperInclusive: Bool
    )
    /// The event time is in `[from, to)` (nil: open).
    case timeRange(from: Int64?, to: Int64?)
    /// A test the index cannot answer (the message's value as a whole, time-carrying fields):
    /// checked against stored events.
    case verifyField(name: String, test: ValueTest)
}

/// A test of one exact term (the value as `IndexingRules.exactTerm` makes it).
enum ValueTest: Sendable {
    case equals([UInt8])
    case prefix([UInt8])
    case wildcard(Glob)
    case regex(PCRE2Regex, literalPrefix: [UInt8]?)
    case byteRange(lower: [UInt8]?, lowerInclusive: Bool, upper: [UInt8]?, upperInclusive: Bool)
    case numericRange(lower: NumericValue?, lowerInclusive: Bool, upper: NumericValue?, upperInclusive: Bool)
    case cidr(CIDR)
    case exists

    /// Whether the term passes (`numericRange` and `exists` are decided on the value's kind by
    /// the caller).
    func matches(_ term: ArraySlice<UInt8>, _ matcher: () -> PCRE2Matcher) -> Bool {
        switch self {
        case .equals(let value): return term.elementsEqual(value)
        case .prefix(let value): return term.starts(with: value)
        case .wildcard(let glob): return glob.matches(term)
        case .regex:
            let m = matcher()
            return term.withUnsafeBufferPointer { m.matches($0.span) }
        case .byteRange(let lower, let lowerInclusive, let upper, let upperInclusive):
            return ByteOrder.inRange(term, lower, lowerInclusive, upper, upperInclusive)
        case .cidr(let network):
            guard let address = IPAddressText.parse(term) else { return false }
            return IPAddressText.contains(network, address)
        case .numericRange, .exists:
            return true
        }
    }
}

enum ByteOrder {
    static func compare(_ a: ArraySlice<UInt8>, _ b: [UInt8]) -> Int {
        var i = a.startIndex
        var j = 0
        while i < a.endIndex, j < b.count {
            if a[i] != b[j] { return a[i] < b[j] ? -1 : 1 }
            i += 1
            j += 1
        }
        return (a.endIndex - i) - (b.count - j)
    }

    static func inRange(
        _ term: ArraySlice<UInt8>,
        _ lower: [UInt8]?,
        _ lowerInclusive: Bool,
        _ upper: [UInt8]?,
        _ upperInclusive: Bool
    ) -> Bool {
        if let lower {
            let order = Self.compare(term, lower)
            if order < 0 || (order == 0 && !lowerInclusive) { return false }
        }
        if let upper {
            let order = Self.compare(term, upper)
            if order > 0 || (order == 0 && !upperInclusive) { return false }
        }
        return true
    }

    static func numericInRange(
        _ value: NumericValue,
        _ lower: NumericValue?,
        _ lowerInclusive: Bool,
        _ upper: NumericValue?,
        _ upperInclusive: Bool
    ) -> Bool {
        if let lower {
            guard let order = value.compare(to: lower), order > 0 || (order == 0 && lowerInclusive) else {
                return false
            }
        }
        if let upper {
            guard let order = value.compare(to: upper), order < 0 || (order == 0 && upperInclusive) else {
                return false
            }
        }
        if lower == nil && upper == nil && value.isNaN { return false }
        return true
    }
}
