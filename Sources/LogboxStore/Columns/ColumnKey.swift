/// Order-preserving maps from Int64 and Double to UInt64 "keys", so one frame-of-reference codec serves both.
///
/// Integers flip the sign bit (Int64.min -> 0). Doubles use the usual total-order trick: positive values set
/// the sign bit, negative values invert all bits; -NaN < -inf < ... < -0 < +0 < ... < +inf < +NaN. Both maps
/// are bijections, so every bit pattern (NaN payloads included) round-trips.
enum ColumnKey {
    static let signBit: UInt64 = 1 << 63

    @inline(__always)
    static func key(_ value: Int64) -> UInt64 { UInt64(bitPattern: value) ^ Self.signBit }

    @inline(__always)
    static func integer(_ key: UInt64) -> Int64 { Int64(bitPattern: key ^ Self.signBit) }

    @inline(__always)
    static func key(_ value: Double) -> UInt64 {
        let bits = value.bitPattern
        return bits & Self.signBit != 0 ? ~bits : bits | Self.signBit
    }

    @inline(__always)
    static func decimal(_ key: UInt64) -> Double {
        Double(bitPattern: key & Self.signBit != 0 ? key ^ Self.signBit : ~key)
    }

    /// Greatest common divisor (binary GCD); gcd(0, x) = x. Timestamps of second or millisecond precision
    /// share a divisor of 10^9 or 10^6 ns, which shrinks their bit width by 30 or 20 bits.
    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        if a == 0 { return b }
        if b == 0 { return a }
        var a = a
        var b = b
        let shift = (a | b).trailingZeroBitCount
        a >>= UInt64(a.trailingZeroBitCount)
        repeat {
            b >>= UInt64(b.trailingZeroBitCount)
            if a > b { swap(&a, &b) }
            b -= a
        } while b != 0
        return a << UInt64(shift)
    }
}
