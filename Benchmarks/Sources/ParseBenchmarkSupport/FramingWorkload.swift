import LogboxCore
import LogboxParse

/// `LineFramer` over a batch's bytes: lines found and copied into one reused `LineBatch`.
///
/// This is the work a file source does before parsing; next to `LineSplitWorkload` it shows the cost
/// of the copy and the per-line slot.
public final class FramingWorkload: Workload {
    public let file: CorpusFile
    private var framer = LineFramer(maxLineLength: 1 << 20)
    private var batch: LineBatch

    public init(file: CorpusFile) {
        self.file = file
        self.batch = LineBatch(source: file.name, capacity: file.batchRanges.map(\.count).max() ?? 0)
    }

    /// Frames batch `index` into the reused batch; returns its line count.
    /// - Complexity: O(n); allocates only while the reused batch grows.
    public func run(batch index: Int) -> Int {
        let range = self.file.batchRanges[index]
        self.batch.removeAll(keepingCapacity: true)
        self.file.bytes.withUnsafeBytes { raw in
            self.framer.append(UnsafeRawBufferPointer(rebasing: raw[range]), into: &self.batch)
        }
        if index == self.file.batchRanges.count - 1 { self.framer.finish(into: &self.batch) }
        return self.batch.count
    }
}
