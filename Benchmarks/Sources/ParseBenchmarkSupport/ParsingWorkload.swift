import LogboxCore
public import LogboxParse

/// One parser over a file's pre-framed batches, with one reused `EventBatch`: the steady state.
///
/// The first pass grows the event batch and interns the field names; after it, a batch should
/// allocate nothing.
public final class ParsingWorkload: Workload {
    public let file: CorpusFile
    private var parser: BatchParser
    private var events = EventBatch()

    public init(file: CorpusFile, parser: any LogParser) {
        self.file = file
        self.parser = BatchParser(parser: parser)
    }

    /// Counters over every batch parsed so far (lines, parsed, failures by reason).
    public var stats: ParseStats { self.parser.stats }

    /// Parses batch `index` into the reused event batch; returns the number of fields.
    /// - Complexity: O(n) in the batch's bytes.
    public func run(batch index: Int) -> Int {
        self.parser.parse(self.file.batches[index], into: &self.events)
        return self.events.fields.count
    }
}
