/// An instant as nanoseconds since the Unix epoch (UTC), plus how precisely the text gave it.
///
/// `fractionDigits` keeps the number of fraction digits the source text had, so output can echo
/// `00:02:41.019Z` as written instead of padding to nine digits or dropping the fraction.
/// The range of `Int64` nanoseconds is 1677-09-21 to 2262-04-11; parsers reject times outside it.
public struct TimestampValue: Sendable, Hashable {
    /// Nanoseconds since 1970-01-01T00:00:00Z; negative before.
    public var nanoseconds: Int64
    /// Digits of fraction the text had, 0...9.
    public var fractionDigits: Int8

    @inlinable
    public init(nanoseconds: Int64, fractionDigits: Int8 = 0) {
        self.nanoseconds = nanoseconds
        self.fractionDigits = fractionDigits
    }

    /// Whole seconds since the epoch, rounded towards negative infinity.
    @inlinable
    public var seconds: Int64 {
        let (quotient, remainder) = self.nanoseconds.quotientAndRemainder(dividingBy: 1_000_000_000)
        return remainder < 0 ? quotient - 1 : quotient
    }

    /// The nanoseconds within the second, 0..<1_000_000_000 (also for times before 1970).
    @inlinable
    public var nanosecondOfSecond: Int64 {
        let remainder = self.nanoseconds % 1_000_000_000
        return remainder < 0 ? remainder + 1_000_000_000 : remainder
    }
}
