/// Decimal values stored as scaled integers: a block whose values are all `n / 10^k` for a small `k` stores `n`.
///
/// Log decimals (`request_time` 0.004, `latency_ms` 12.5) differ in ~50 low bits of their IEEE pattern, but their
/// scaled integers (4, 125) pack in a few bits. The map is only used when it round-trips bit-exactly: `encode`
/// checks that `decode(encode(v)) == v` bit for bit, so -0.0 (which would come back as 0.0), NaN, infinities,
/// subnormals and values with too many digits are never scaled, and their block keeps `ColumnKey(Double)` keys.
enum ColumnDecimalScale {
    /// Largest scale tried: 10^9, nanosecond-style fractions.
    static let maxScale = 9
    /// 10^k for k in 0...maxScale; each is exact in a Double.
    static let divisors: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9]
    /// |n| must not exceed 2^53, where every integer is exact in a Double.
    static let limit: Double = 9_007_199_254_740_992

    /// The decimal that the scaled integer `n` stands for at scale `k` (`divisor` = 10^k): one correctly rounded
    /// division, the same on write and read.
    @inline(__always)
    static func decimal(_ n: Int64, divisor: Double) -> Double { Double(n) / divisor }

    /// The scaled integer of `value` at `scale`, or nil when `decimal(n, 10^scale)` would not give back `value`
    /// bit for bit, or |n| > 2^53.
    @inline(__always)
    static func scaled(_ value: Double, scale: Int) -> Int64? {
        Self.scaled(value, divisor: Self.divisors[scale])
    }

    /// `scaled(_:scale:)` with the divisor 10^scale given.
    @inline(__always)
    static func scaled(_ value: Double, divisor: Double) -> Int64? {
        let rounded = (value * divisor).rounded()
        // Also false for NaN, so the conversion below sees a finite value within Int64.
        guard rounded.magnitude <= Self.limit else { return nil }
        let n = Int64(rounded)
        guard Self.decimal(n, divisor: divisor).bitPattern == value.bitPattern else { return nil }
        return n
    }

    /// The smallest scale in `0...maxScale` at which every value of `keys` (as `ColumnKey(Double)`) round-trips;
    /// nil when there is none.
    ///
    /// - Complexity: O(n x scales) at worst; a scale usually fails on its first value.
    static func smallestScale(of keys: ArraySlice<UInt64>) -> Int? {
        scales: for scale in 0...Self.maxScale {
            for key in keys where Self.scaled(ColumnKey.decimal(key), scale: scale) == nil { continue scales }
            return scale
        }
        return nil
    }
}
