public import LogboxCore

/// Decides which sinks each event of a batch goes to: a sink's `sources` and `when` make it a route.
public struct Router {
    public let sinks: [SinkConfig]
    private let filters: [(any EventFilter)?]
    private var masks: [[Bool]]

    /// - Throws: every `when` filter that does not compile, as config issues.
    public init(
        config: PipelineConfig,
        makeFilter: (FilterText) throws(ConfigIssue) -> any EventFilter = QueryFilters.make
    ) throws(PipelineConfigError) {
        var filters: [(any EventFilter)?] = []
        var issues: [ConfigIssue] = []
        for sink in config.sinks {
            guard let when = sink.when else {
                filters.append(nil)
                continue
            }
            do {
                filters.append(try makeFilter(when))
            } catch {
                var issue = error
                if issue.file.isEmpty { issue.file = config.file }
                issues.append(issue)
                filters.append(nil)
            }
        }
        guard issues.isEmpty else { throw PipelineConfigError(issues: issues) }
        self.sinks = config.sinks
        self.filters = filters
        self.masks = Array(repeating: [], count: config.sinks.count)
    }

    /// The events of `batch` each sink takes, in the order of `sinks`; nil for a sink that takes none.
    /// - Complexity: one filter evaluation per event for each sink with `when`.
    public mutating func route(_ batch: EventBatch, source: String, file: String? = nil) -> [EventSelection?] {
        var result: [EventSelection?] = []
        result.reserveCapacity(self.sinks.count)
        for (index, sink) in self.sinks.enumerated() {
            if !sink.sources.isEmpty, !sink.sources.contains(source) {
                result.append(nil)
                continue
            }
            guard let filter = self.filters[index] else {
                result.append(batch.count > 0 ? .all : nil)
                continue
            }
            self.masks[index].removeAll(keepingCapacity: true)
            var any = false
            for event in 0..<batch.count {
                let matched = filter.matches(event: event, in: batch, source: source, file: file)
                any = any || matched
                self.masks[index].append(matched)
            }
            result.append(any ? EventSelection(mask: self.masks[index]) : nil)
        }
        return result
    }
}
