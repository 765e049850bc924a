/// A one-line histogram of counts over time, drawn with block characters, and its scale.
///
/// `logbox query` prints one above its results at a terminal, so the shape of an incident (a burst,
/// a steady trickle, a gap) shows before a single line is read. An empty bucket is a space, so a
/// gap in the data stays visible next to a bucket with one event.
struct Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    let counts: [Int]
    /// Start of the first bucket and end of the last, in nanoseconds since the epoch.
    let from: Int64
    let to: Int64

    var maximum: Int { self.counts.max() ?? 0 }
    var total: Int { self.counts.reduce(0, +) }

    /// Nanoseconds one bucket covers (rounded up, as the engine's histogram makes them).
    var bucketNanoseconds: Int64 {
        guard !self.counts.isEmpty else { return 0 }
        let buckets = Int64(self.counts.count)
        return max(1, (self.to - self.from + buckets - 1) / buckets)
    }

    /// The bars alone: one character per bucket, the tallest bucket a full block.
    var bars: String {
        let maximum = self.maximum
        guard maximum > 0 else { return String(repeating: " ", count: self.counts.count) }
        var text = ""
        text.reserveCapacity(self.counts.count * 3)
        for count in self.counts {
            if count == 0 {
                text.append(" ")
            } else {
                // 1 ... maximum onto 0 ... 7, so the smallest non-zero count still shows a bar.
                let level = (count * Self.blocks.count - 1) / maximum
                text.append(Self.blocks[min(level, Self.blocks.count - 1)])
            }
        }
        return text
    }

    /// `2026-11-01 00:00 ▁▂ ▇█▃ 2026-11-02 00:00  max 312 per 30m`: the bars between the window's
    /// first and last time (as `label` writes them), then the scale.
    func line(label: (Int64) -> String) -> String {
        "\(label(self.from)) \(self.bars) \(label(self.to))  max \(self.maximum) per \(Self.duration(self.bucketNanoseconds))"
    }

    /// How many buckets fit a terminal `width` columns wide next to two 16-column times and a scale.
    static func bucketCount(width: Int) -> Int {
        max(10, min(100, width - 2 * 17 - 24))
    }

    /// A short human duration: `250ms`, `45s`, `5m`, `1h30m`, `2d4h`.
    static func duration(_ nanoseconds: Int64) -> String {
        let milliseconds = nanoseconds / 1_000_000
        if milliseconds < 1000 { return "\(max(milliseconds, 1))ms" }
        let seconds = milliseconds / 1000
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 {
            let rest = seconds % 60
            return rest == 0 ? "\(seconds / 60)m" : "\(seconds / 60)m\(rest)s"
        }
        if seconds < 86_400 {
            let minutes = seconds / 60 % 60
            return minutes == 0 ? "\(seconds / 3600)h" : "\(seconds / 3600)h\(minutes)m"
        }
        let hours = seconds / 3600 % 24
        return hours == 0 ? "\(seconds / 86_400)d" : "\(seconds / 86_400)d\(hours)h"
    }
}
