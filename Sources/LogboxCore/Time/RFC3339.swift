/// RFC 3339 text for timestamps, always in UTC (`2026-11-01T00:02:41.019Z`).
///
/// Output is what JSON and table output print for `timestamp`: UTC so that lines from many
/// hosts sort as text, and exactly `fractionDigits` fraction digits so a value prints as it was
/// written (`.019` stays `.019`, a whole second stays without a fraction).
public enum RFC3339 {
    /// Appends the timestamp as `YYYY-MM-DDThh:mm:ss[.f…]Z`.
    ///
    /// The fraction has `t.fractionDigits` digits (clamped to 0...9), truncated, not rounded.
    /// Times before 1970 work (`1969-12-31T23:59:59.5Z` for -500 ms); every `Int64` value lies
    /// in years 1677...2262, so the year always has four digits.
    /// - Complexity: O(1); appends at most 30 bytes, allocating only if `out` must grow.
    public static func format(_ t: TimestampValue, into out: inout [UInt8]) {
        let seconds = t.seconds
        let fraction = t.nanosecondOfSecond
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let date = civilFromDays(days)
        Self.appendYear(date.year, into: &out)
        out.append(UInt8(ascii: "-"))
        Self.appendDigits(Int64(date.month), count: 2, into: &out)
        out.append(UInt8(ascii: "-"))
        Self.appendDigits(Int64(date.day), count: 2, into: &out)
        out.append(UInt8(ascii: "T"))
        Self.appendDigits(secondOfDay / 3600, count: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        Self.appendDigits(secondOfDay / 60 % 60, count: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        Self.appendDigits(secondOfDay % 60, count: 2, into: &out)
        let digits = Int(min(max(t.fractionDigits, 0), 9))
        if digits > 0 {
            var divisor: Int64 = 1
            for _ in 0..<(9 - digits) { divisor *= 10 }
            out.append(UInt8(ascii: "."))
            Self.appendDigits(fraction / divisor, count: digits, into: &out)
        }
        out.append(UInt8(ascii: "Z"))
    }

    /// The timestamp as RFC 3339 UTC text; for output paths that want a `String`.
    public static func string(_ t: TimestampValue) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(30)
        Self.format(t, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Four digits for years 0...9999; otherwise a sign when negative and as many digits as needed.
    private static func appendYear(_ year: Int64, into out: inout [UInt8]) {
        if year >= 0 && year <= 9999 {
            Self.appendDigits(year, count: 4, into: &out)
            return
        }
        if year < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = year.magnitude
        var count = 0
        var probe = magnitude
        repeat {
            count += 1
            probe /= 10
        } while probe > 0
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(count, 4)))
        var index = out.count - 1
        while magnitude > 0 && index >= start {
            out[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            index -= 1
        }
    }

    /// Appends a non-negative `value` as exactly `count` decimal digits, zero-padded on the left.
    private static func appendDigits(_ value: Int64, count: Int, into out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: count))
        var rest = value
        var index = start + count - 1
        while index >= start {
            out[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
            rest /= 10
            index -= 1
        }
    }
}
