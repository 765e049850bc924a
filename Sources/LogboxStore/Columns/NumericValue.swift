/// One value of a numeric column, in the kind it was written: integer fields stay exact at Int64's extremes.
public enum NumericValue: Sendable, Hashable, CustomStringConvertible {
    case integer(Int64)
    case decimal(Double)

    /// The value as a Double (rounded for integers beyond 2^53).
    public var doubleValue: Double {
        switch self {
        case .integer(let value): Double(value)
        case .decimal(let value): value
        }
    }

    public var isNaN: Bool {
        if case .decimal(let value) = self { return value.isNaN }
        return false
    }

    public var description: String {
        switch self {
        case .integer(let value): String(value)
        case .decimal(let value): String(value)
        }
    }

    /// Exact numeric order across kinds: negative, zero or positive as `self` is below, equal to or above `other`;
    /// nil when either is NaN. `.integer(2^53 + 1)` is above `.decimal(2^53)`, which a Double comparison would miss.
    public func compare(to other: NumericValue) -> Int? {
        switch (self, other) {
        case (.integer(let a), .integer(let b)):
            return a < b ? -1 : (a == b ? 0 : 1)
        case (.decimal(let a), .decimal(let b)):
            if a.isNaN || b.isNaN { return nil }
            return a < b ? -1 : (a == b ? 0 : 1)
        case (.integer(let a), .decimal(let b)):
            return Self.compare(a, b)
        case (.decimal(let a), .integer(let b)):
            return Self.compare(b, a).map { -$0 }
        }
    }

    /// Order of an integer against a double, without rounding the integer.
    private static func compare(_ integer: Int64, _ decimal: Double) -> Int? {
        if decimal.isNaN { return nil }
        // 2^63 is exact in Double; [-2^63, 2^63) converts to Int64 after rounding down.
        if decimal >= 9_223_372_036_854_775_808.0 { return -1 }
        if decimal < -9_223_372_036_854_775_808.0 { return 1 }
        let floor = decimal.rounded(.down)
        let whole = Int64(floor)
        if integer != whole { return integer < whole ? -1 : 1 }
        return decimal > floor ? -1 : 0
    }
}
