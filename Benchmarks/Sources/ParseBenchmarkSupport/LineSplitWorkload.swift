#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The ceiling: finds every line of a batch's bytes with `memchr` and does nothing else.
///
/// No parser or framer can beat this over the same bytes, so each result is shown as a ratio to it.
public final class LineSplitWorkload: Workload {
    public let file: CorpusFile

    public init(file: CorpusFile) {
        self.file = file
    }

    /// Counts the lines of batch `index` (a last line without a newline counts too).
    /// - Complexity: O(n), one `memchr` call per line.
    public func run(batch index: Int) -> Int {
        let range = self.file.batchRanges[index]
        return self.file.bytes.withUnsafeBytes { raw -> Int in
            guard let base = raw.baseAddress else { return 0 }
            var position = range.lowerBound
            var lines = 0
            while position < range.upperBound {
                guard let found = memchr(base + position, 0x0A, range.upperBound - position) else {
                    lines += 1
                    break
                }
                let newline = UnsafeRawPointer(found) - base
                lines += 1
                position = newline + 1
            }
            return lines
        }
    }
}
