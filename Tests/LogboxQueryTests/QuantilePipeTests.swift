import Glibc
import Testing

@testable import LogboxQuery

/// Quantiles exact up to 100 000 values per group, then within 1 % from the sketch; distinct
/// counts exact, then HyperLogLog.
@Suite("Quantile pipe")
struct QuantilePipeTests {
    /// Deterministic values spread over several orders of magnitude, some negative and zero.
    static func values(_ count: Int, seed: UInt64) -> [Double] {
        var state = seed
        return (0..<count).map { index in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let unit = Double(state >> 11) / Double(1 << 53)
            if index % 97 == 0 { return 0 }
            let magnitude = pow(10, unit * 12 - 3)
            return index % 13 == 0 ? -magnitude : magnitude
        }
    }

    @Test("exact up to the limit, by nearest rank")
    func exact() {
        var state = QuantileState()
        for value in [4.0, 1, 3, 2] { state.add(value) }
        let answers = [0.5, 0, 1, 0.76, 0.74].map { state.quantile($0) }
        #expect(answers == [2, 1, 4, 4, 3])
        var empty = QuantileState()
        let none = empty.quantile(0.5)
        #expect(none == nil)
    }

    @Test("past 100 000 values the sketch answers within 1 % of the exact quantile")
    func sketchAccuracy() throws {
        let values = Self.values(150_000, seed: 5)
        var state = QuantileState()
        for value in values { state.add(value) }
        #expect(state.sketch != nil)
        #expect(state.values.isEmpty)
        let sorted = values.sorted()
        for q in [0.0, 0.01, 0.1, 0.5, 0.9, 0.95, 0.99, 0.999, 1] {
            let exact = sorted[QuantileState.rank(q, count: sorted.count)]
            let answer = state.quantile(q)
            let estimate = try #require(answer)
            #expect(abs(estimate - exact) <= 0.01 * abs(exact), "q=\(q): \(estimate) vs \(exact)")
        }
    }

    @Test("count_uniq is exact up to the limit, then within 3 %")
    func distinct() {
        var small = DistinctCounter()
        for index in 0..<1000 { small.insert(.integer(Int64(index % 250))) }
        #expect(small.count == 250)
        var large = DistinctCounter()
        for index in 0..<150_000 { large.insert(.text("user-\(index)")) }
        #expect(!large.isExact)
        #expect(abs(large.count - 150_000) < 4_500)
    }
}
