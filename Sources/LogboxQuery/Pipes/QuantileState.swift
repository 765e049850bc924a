import Glibc

/// The values of one group for `quantile(q, f)` / `p95(f)`: exact while small, then a sketch.
///
/// Up to `exactLimit` values are kept and the answer is exact, by nearest rank: the value at
/// 1-based rank `max(1, ceil(q × n))` of the sorted values (p50 of 1, 2, 3, 4 is 2). Past the
/// limit the values move into a `QuantileSketch` and memory stays bounded whatever the count.
struct QuantileState: Sendable {
    static let exactLimit = 100_000

    private(set) var values: [Double] = []
    private(set) var sketch: QuantileSketch?

    var count: Int { self.sketch?.count ?? self.values.count }

    mutating func add(_ value: Double) {
        guard !value.isNaN else { return }
        if self.sketch != nil {
            self.sketch!.add(value)
            return
        }
        self.values.append(value)
        if self.values.count > Self.exactLimit {
            var sketch = QuantileSketch()
            for value in self.values { sketch.add(value) }
            self.values = []
            self.sketch = sketch
        }
    }

    /// The quantile `q` (0...1), nil when the group has no value.
    mutating func quantile(_ q: Double) -> Double? {
        if let sketch = self.sketch { return sketch.quantile(q) }
        guard !self.values.isEmpty else { return nil }
        self.values.sort()
        return self.values[Self.rank(q, count: self.values.count)]
    }

    /// The 0-based index of the nearest-rank quantile.
    static func rank(_ q: Double, count: Int) -> Int {
        let rank = Int((min(max(q, 0), 1) * Double(count)).rounded(.up))
        return min(max(rank, 1), count) - 1
    }
}

/// A bounded-memory quantile sketch with relative error (the DDSketch idea).
///
/// Each value `x` goes to the bucket `ceil(log_γ |x|)` with `γ = (1 + α) / (1 − α)` and
/// `α = 0.005`; a bucket answers with the value in its middle (`2γ^i / (γ + 1)`), which is within
/// `α` (0.5 %) of every value in the bucket, so any answer is within 0.5 % of the exact
/// nearest-rank quantile. Negative values use mirrored buckets; values below 1e-9 in magnitude
/// count as zero. Buckets are counted in dictionaries, one entry per non-empty bucket; when more
/// than `maximumBuckets` exist the lowest-magnitude ones are merged, which only coarsens the
/// smallest values (about 4 800 buckets cover 1e-9 … 1e12, so this needs very wide data).
struct QuantileSketch: Sendable {
    static let relativeAccuracy = 0.005
    static let maximumBuckets = 8192
    static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    static let logGamma = log(gamma)
    static let zeroThreshold = 1e-9

    private var positive: [Int32: Int] = [:]
    private var negative: [Int32: Int] = [:]
    private var zeros = 0
    private(set) var count = 0
    private(set) var minimum = Double.infinity
    private(set) var maximum = -Double.infinity

    mutating func add(_ value: Double) {
        guard !value.isNaN else { return }
        self.count += 1
        self.minimum = min(self.minimum, value)
        self.maximum = max(self.maximum, value)
        let magnitude = abs(value)
        if magnitude < Self.zeroThreshold {
            self.zeros += 1
            return
        }
        let key = Self.key(magnitude)
        if value > 0 {
            self.positive[key, default: 0] += 1
            if self.positive.count > Self.maximumBuckets { Self.collapse(&self.positive) }
        } else {
            self.negative[key, default: 0] += 1
            if self.negative.count > Self.maximumBuckets { Self.collapse(&self.negative) }
        }
    }

    static func key(_ magnitude: Double) -> Int32 {
        let raw = (log(magnitude) / Self.logGamma).rounded(.up)
        return Int32(min(max(raw, -1_000_000), 1_000_000))
    }

    static func value(_ key: Int32) -> Double {
        2 * pow(Self.gamma, Double(key)) / (Self.gamma + 1)
    }

    /// Merges the lowest-magnitude buckets into one until the count is under the limit.
    private static func collapse(_ buckets: inout [Int32: Int]) {
        let keys = buckets.keys.sorted()
        let excess = keys.count - Self.maximumBuckets / 2
        guard excess > 0 else { return }
        var merged = 0
        for key in keys.prefix(excess + 1) { merged += buckets.removeValue(forKey: key) ?? 0 }
        buckets[keys[excess], default: 0] += merged
    }

    /// The nearest-rank quantile `q`, clamped to the exact minimum and maximum seen.
    func quantile(_ q: Double) -> Double? {
        guard self.count > 0 else { return nil }
        let target = QuantileState.rank(q, count: self.count)
        if target == 0 { return self.minimum }
        if target == self.count - 1 { return self.maximum }
        var seen = 0
        // Ascending: negatives by descending magnitude, zeros, positives by ascending magnitude.
        for key in self.negative.keys.sorted(by: >) {
            seen += self.negative[key]!
            if seen > target { return self.clamp(-Self.value(key)) }
        }
        seen += self.zeros
        if seen > target { return 0 }
        for key in self.positive.keys.sorted() {
            seen += self.positive[key]!
            if seen > target { return self.clamp(Self.value(key)) }
        }
        return self.maximum
    }

    private func clamp(_ value: Double) -> Double { min(max(value, self.minimum), self.maximum) }
}
