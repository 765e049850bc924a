public import LogboxCore
import LogboxParse

/// A pipeline's `enrich:` list made runnable: each step with its `sources` and `when` selection,
/// applied in order to every parsed batch.
///
/// One chain per input task: steps keep scratch buffers and PCRE2 match state (a class), so a chain
/// is neither shared nor copied between tasks; make one per task with `init` (cheap beyond reading
/// lookup tables).
public struct EnrichChain {
    /// A step with the events it applies to.
    struct Entry {
        var step: any EnrichStep
        var sources: [String]
        var filter: (any EventFilter)?
        /// `drop` applies to what its filter matches; other steps to what theirs matches too.
    }

    private var entries: [Entry]
    private var mask: [Bool] = []

    /// Makes the steps of `config`.
    /// - Parameters:
    ///   - referenceTime: for parsers of `parse` steps (year inference of BSD timestamps).
    ///   - makeFilter: compiles a `when` filter; the query language's by default.
    /// - Throws: every step that cannot be made (a lookup table that is gone, say), as config issues.
    public init(
        config: PipelineConfig,
        referenceTime: Int64,
        makeFilter: (FilterText) throws(ConfigIssue) -> any EventFilter = QueryFilters.make
    ) throws(PipelineConfigError) {
        var entries: [Entry] = []
        var issues: [ConfigIssue] = []
        for stepConfig in config.enrich {
            func issue(_ message: String) {
                issues.append(
                    ConfigIssue(file: config.file, line: stepConfig.line, path: stepConfig.name, message: message)
                )
            }
            var filter: (any EventFilter)?
            if let when = stepConfig.when {
                do {
                    filter = try makeFilter(when)
                } catch {
                    var problem = error
                    if problem.file.isEmpty { problem.file = config.file }
                    issues.append(problem)
                    continue
                }
            }
            let step: any EnrichStep
            let name = stepConfig.name
            switch stepConfig.kind {
            case .assign(let fields, let overwrite):
                step = AssignFieldsStep(name: name, fields: fields, overwrite: overwrite)
            case .rename(let pairs):
                step = RenameFieldsStep(name: name, pairs: pairs)
            case .dropFields(let fields):
                step = SelectFieldsStep(name: name, fields: fields, keep: false)
            case .keepFields(let fields):
                step = SelectFieldsStep(name: name, fields: fields, keep: true)
            case .level(let from):
                step = LevelStep(name: name, from: from)
            case .parse(let parse):
                do {
                    step = try ParseFieldStep(name: name, config: parse, referenceTime: referenceTime)
                } catch {
                    issue(error.message)
                    continue
                }
            case .lookup(let lookup):
                do {
                    step = try LookupStep(name: name, config: lookup)
                } catch {
                    issue(error.message)
                    continue
                }
            case .classifyIP(let classify):
                step = ClassifyIPStep(name: name, config: classify)
            case .redact(let redact):
                do {
                    step = try RedactStep(name: name, config: redact)
                } catch {
                    issue("bad regex: \(error)")
                    continue
                }
            case .drop:
                step = DropEventsStep(name: name)
            case .sample(let rate):
                step = SampleStep(name: name, rate: rate)
            }
            entries.append(Entry(step: step, sources: stepConfig.sources, filter: filter))
        }
        guard issues.isEmpty else { throw PipelineConfigError(issues: issues) }
        self.entries = entries
    }

    /// A chain of steps made in code (tests, embedding), applied to every event.
    public init(steps: [any EnrichStep]) {
        self.entries = steps.map { Entry(step: $0, sources: [], filter: nil) }
    }

    public var isEmpty: Bool { self.entries.isEmpty }

    /// The steps, for their counters (`RedactStep.counts`, `DropEventsStep.dropped`, …).
    public var steps: [any EnrichStep] { self.entries.map(\.step) }

    /// Replacements per redaction rule, summed over the chain's `redact` steps.
    public var redactionCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for entry in self.entries {
            guard let redact = entry.step as? RedactStep else { continue }
            counts.merge(redact.countsByRule, uniquingKeysWith: +)
        }
        return counts
    }

    /// Events removed by `drop` and `sample` steps.
    public var droppedEvents: Int {
        self.entries.reduce(0) { total, entry in
            if let drop = entry.step as? DropEventsStep { return total + drop.dropped }
            if let sample = entry.step as? SampleStep { return total + sample.dropped }
            return total
        }
    }

    /// Runs every step over `batch`, whose events have `source` (and `file` for a file) as `when`
    /// filters see them; `input` is the pipeline source that read it, for steps' `sources:` lists
    /// (the same as `source` in the daemon; `import` stores a file's name as `source`).
    /// - Complexity: each step's work, plus one filter evaluation per event for a step with `when`.
    public mutating func run(_ batch: inout EventBatch, source: String, file: String? = nil, input: String? = nil) {
        let input = input ?? source
        for index in self.entries.indices {
            guard batch.count > 0 else { return }
            // Read the parts, not the entry: a copy of the entry would share the step's scratch
            // buffers and make `apply` copy them.
            let sources = self.entries[index].sources
            if !sources.isEmpty, !sources.contains(input) { continue }
            var selection = EventSelection.all
            if let filter = self.entries[index].filter {
                self.mask.removeAll(keepingCapacity: true)
                var any = false
                for event in 0..<batch.count {
                    let matched = filter.matches(event: event, in: batch, source: source, file: file)
                    any = any || matched
                    self.mask.append(matched)
                }
                guard any else { continue }
                selection = EventSelection(mask: self.mask)
            }
            self.entries[index].step.apply(to: &batch, selection: selection)
        }
    }
}
