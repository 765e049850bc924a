/// A small, fast pseudo-random generator (xoshiro256**) whose sequence is the same on every platform.
///
/// Sample logs, fixtures and benchmarks must be byte-identical from one machine and Swift release to
/// the next, so this type implements its own bounded integers (Lemire's multiply-and-reject) and unit
/// doubles instead of the standard library's `random(in:using:)` helpers, whose algorithms are not
/// promised to stay fixed. The 256-bit state is expanded from a 64-bit seed with SplitMix64, as the
/// xoshiro authors recommend. Not for cryptography.
public struct SeededRandom: RandomNumberGenerator, Sendable, Hashable {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// A generator whose whole sequence is a function of `seed`.
    public init(seed: UInt64) {
        var mixer = seed
        self.s0 = Self.splitMix64(&mixer)
        self.s1 = Self.splitMix64(&mixer)
        self.s2 = Self.splitMix64(&mixer)
        self.s3 = Self.splitMix64(&mixer)
    }

    /// A generator for one named stream of a seed (`"auth.log"`, `"auth.log/malformed"`).
    ///
    /// Separate streams keep parts independent: drawing more numbers for one file does not shift
    /// the numbers another file sees.
    public init(seed: UInt64, stream: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, 64-bit
        for byte in stream.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        var mixer = hash
        self.init(seed: seed ^ Self.splitMix64(&mixer))
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = Self.rotateLeft(self.s1 &* 5, 7) &* 9
        let t = self.s1 << 17
        self.s2 ^= self.s0
        self.s3 ^= self.s1
        self.s1 ^= self.s2
        self.s0 ^= self.s3
        self.s2 ^= t
        self.s3 = Self.rotateLeft(self.s3, 45)
        return result
    }

    /// A uniform integer in `0..<bound` (Lemire's method: one multiplication, rare rejections).
    ///
    /// `bound` must be positive.
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0, "SeededRandom.next(below:) needs a positive bound")
        var product = self.next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = self.next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// A uniform integer in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(bitPattern: Int64(range.upperBound &- range.lowerBound)) &+ 1
        if width == 0 {  // the full 64-bit range
            return Int(truncatingIfNeeded: self.next())
        }
        return range.lowerBound &+ Int(truncatingIfNeeded: self.next(below: width))
    }

    /// A uniform integer in `range`, which must not be empty.
    public mutating func int(in range: Range<Int>) -> Int {
        precondition(!range.isEmpty, "SeededRandom.int(in:) needs a non-empty range")
        return self.int(in: range.lowerBound...(range.upperBound - 1))
    }

    /// A uniform `Int64` in `range`.
    public mutating func int64(in range: ClosedRange<Int64>) -> Int64 {
        Int64(self.int(in: Int(range.lowerBound)...Int(range.upperBound)))
    }

    /// A uniform double in `0..<1` with 53 random bits (exact, so identical on every platform).
    public mutating func unitDouble() -> Double {
        Double(self.next() >> 11) * 0x1p-53
    }

    /// `true` with probability `probability` (clamped to 0...1).
    public mutating func chance(_ probability: Double) -> Bool {
        self.unitDouble() < probability
    }

    /// A uniformly chosen element of a non-empty collection.
    public mutating func pick<C: RandomAccessCollection>(_ elements: C) -> C.Element {
        precondition(!elements.isEmpty, "SeededRandom.pick(_:) needs a non-empty collection")
        let offset = Int(self.next(below: UInt64(elements.count)))
        return elements[elements.index(elements.startIndex, offsetBy: offset)]
    }

    /// An index into `weights`, chosen with probability proportional to its weight.
    ///
    /// Weights must be non-negative with a positive sum.
    public mutating func pickIndex(weights: [Int]) -> Int {
        var total = 0
        for weight in weights { total += weight }
        precondition(total > 0, "SeededRandom.pickIndex(weights:) needs a positive total weight")
        var roll = Int(self.next(below: UInt64(total)))
        for (index, weight) in weights.enumerated() {
            if roll < weight { return index }
            roll -= weight
        }
        return weights.count - 1
    }

    /// Shuffles `elements` in place (Fisher–Yates).
    public mutating func shuffle<T>(_ elements: inout [T]) {
        var i = elements.count - 1
        while i > 0 {
            let j = Int(self.next(below: UInt64(i + 1)))
            elements.swapAt(i, j)
            i -= 1
        }
    }

    private static func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }

    private static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
