/// How much work one query may do before it is stopped with `QueryError(.costLimit)`.
///
/// A query over a terminal must answer or say why it cannot, never hang: a regex over every
/// message of a month, or a wildcard that expands to every value of a high-cardinality field, is
/// refused with a hint instead of scanning for minutes.
public struct CostLimits: Sendable, Hashable {
    /// Terms one clause may expand to in one segment (prefix, wildcard, regex, range, CIDR).
    public var maximumExpandedTerms: Int
    /// Stored events one query may read to check a clause the index cannot answer (a bare
    /// `/regex/`, a clause on a time field).
    public var maximumVerifiedEvents: Int
    /// Wall-clock time one call may take; nil is unbounded.
    public var timeBudget: Duration?

    public init(maximumExpandedTerms: Int, maximumVerifiedEvents: Int, timeBudget: Duration?) {
        self.maximumExpandedTerms = maximumExpandedTerms
        self.maximumVerifiedEvents = maximumVerifiedEvents
        self.timeBudget = timeBudget
    }

    /// Generous for a single box: about a million events verified, 30 seconds.
    public static let `default` = CostLimits(
        maximumExpandedTerms: 250_000,
        maximumVerifiedEvents: 1_000_000,
        timeBudget: .seconds(30)
    )

    /// No limit at all (tests and batch jobs).
    public static let unlimited = CostLimits(
        maximumExpandedTerms: .max,
        maximumVerifiedEvents: .max,
        timeBudget: nil
    )

    /// The hint every cost-limit error carries.
    static let hint = "narrow it with a field clause, a shorter time window (--since) or a literal prefix"
}
