/// What one call of the engine may still spend: verified events and wall-clock time.
final class ExecutionBudget {
    let limits: CostLimits
    private let deadline: ContinuousClock.Instant?
    private(set) var verifiedEvents = 0

    init(limits: CostLimits) {
        self.limits = limits
        self.deadline = limits.timeBudget.map { ContinuousClock.now.advanced(by: $0) }
    }

    func checkTime(column: Int?) throws(QueryError) {
        guard let deadline = self.deadline, ContinuousClock.now > deadline else { return }
        throw QueryError(
            .costLimit,
            "the query ran longer than \(self.limits.timeBudget!)",
            column: column,
            hint: CostLimits.hint
        )
    }

    func spendVerified(_ count: Int, column: Int) throws(QueryError) {
        self.verifiedEvents += count
        guard self.verifiedEvents <= self.limits.maximumVerifiedEvents else {
            throw QueryError(
                .costLimit,
                "this clause needs more than \(self.limits.maximumVerifiedEvents) events read one by one",
                column: column,
                hint: CostLimits.hint
            )
        }
    }
}
