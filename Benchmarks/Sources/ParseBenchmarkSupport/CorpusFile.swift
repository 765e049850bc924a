public import LogboxCore
import LogboxParse

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One corpus file in memory, framed once into `LineBatch`es: the input every workload reads.
///
/// Framing happens here, outside any timing, so the parse benchmarks measure parsing alone.
/// `batchRanges` are the bytes of each batch in `bytes`, terminators included, so the line
/// splitting and framing workloads read exactly the bytes the parsers read.
public struct CorpusFile: Sendable {
    public let name: String
    public let bytes: [UInt8]
    public let batches: [LineBatch]
    public let batchRanges: [Range<Int>]
    public let lineCount: Int

    public init(name: String, bytes: [UInt8], linesPerBatch: Int) {
        precondition(linesPerBatch > 0, "linesPerBatch must be positive")
        self.name = name
        self.bytes = bytes
        let ranges = Self.batchRanges(of: bytes, linesPerBatch: linesPerBatch)
        var framer = LineFramer(maxLineLength: 1 << 20)
        var batches: [LineBatch] = []
        bytes.withUnsafeBytes { raw in
            for (index, range) in ranges.enumerated() {
                var batch = LineBatch(source: name, capacity: range.count)
                framer.append(UnsafeRawBufferPointer(rebasing: raw[range]), into: &batch)
                if index == ranges.count - 1 { framer.finish(into: &batch) }
                batches.append(batch)
            }
        }
        self.batchRanges = ranges
        self.batches = batches
        self.lineCount = batches.reduce(0) { $0 + $1.count }
    }

    /// Splits `bytes` after every `linesPerBatch`-th newline; the last range takes the rest.
    private static func batchRanges(of bytes: [UInt8], linesPerBatch: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var start = 0
            var position = 0
            var lines = 0
            while position < raw.count {
                guard let found = memchr(base + position, 0x0A, raw.count - position) else { break }
                position = UnsafeRawPointer(found) - base + 1
                lines += 1
                if lines == linesPerBatch {
                    ranges.append(start..<position)
                    start = position
                    lines = 0
                }
            }
            if start < raw.count { ranges.append(start..<raw.count) }
        }
        return ranges
    }
}
