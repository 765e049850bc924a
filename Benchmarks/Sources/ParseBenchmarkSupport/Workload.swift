/// Something measured over a file one batch at a time: line splitting, framing or a parser.
///
/// A benchmark iteration is one batch (10,000 lines), so the tool's allocation count is per batch;
/// a report pass runs every batch of the file in order.
public protocol Workload: AnyObject {
    var file: CorpusFile { get }

    /// Processes batch `index`; the result goes to a black hole so the work is not optimized away.
    func run(batch index: Int) -> Int
}

extension Workload {
    /// Runs every batch of the file once, in order.
    public func runAll() -> Int {
        var total = 0
        for index in self.file.batches.indices { total &+= self.run(batch: index) }
        return total
    }
}
