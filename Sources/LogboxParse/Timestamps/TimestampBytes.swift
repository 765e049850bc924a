import LogboxCore

/// Bounds-checked byte readers shared by the timestamp parsers.
///
/// Each reader checks the index against the span before an unchecked read and reports "not
/// there" with a sentinel (-1, 0) instead of an optional, so the parsers stay branch-light.
enum TimestampBytes {
    /// The byte at `i`, or 0 (which no parser expects) when `i` is outside the span.
    @inline(__always)
    static func byte(_ span: Span<UInt8>, _ i: Int) -> UInt8 {
        guard i >= 0, i < span.count else { return 0 }
        return span[unchecked: i]  // bounds checked above
    }

    /// The decimal digit at `i`, or -1.
    @inline(__always)
    static func digit(_ span: Span<UInt8>, _ i: Int) -> Int {
        let d = Self.byte(span, i) &- UInt8(ascii: "0")
        return d < 10 ? Int(d) : -1
    }

    /// Two decimal digits at `i`, or -1.
    @inline(__always)
    static func twoDigits(_ span: Span<UInt8>, _ i: Int) -> Int {
        let high = Self.digit(span, i)
        let low = Self.digit(span, i + 1)
        return high < 0 || low < 0 ? -1 : high * 10 + low
    }

    /// Four decimal digits at `i`, or -1.
    @inline(__always)
    static func fourDigits(_ span: Span<UInt8>, _ i: Int) -> Int {
        let high = Self.twoDigits(span, i)
        let low = Self.twoDigits(span, i + 2)
        return high < 0 || low < 0 ? -1 : high * 100 + low
    }

    /// `hh:mm:ss` at `i` as (hour, minute, second), range-checked; a leap second `60` reads as 59.
    @inline(__always)
    static func clock(_ span: Span<UInt8>, _ i: Int) -> (hour: Int, minute: Int, second: Int)? {
        let hour = Self.twoDigits(span, i)
        let minute = Self.twoDigits(span, i + 3)
        let second = Self.twoDigits(span, i + 6)
        guard hour >= 0, hour < 24, minute >= 0, minute < 60, second >= 0, second <= 60,
            Self.byte(span, i + 2) == UInt8(ascii: ":"), Self.byte(span, i + 5) == UInt8(ascii: ":")
        else { return nil }
        return (hour, minute, min(second, 59))
    }

    /// A fraction's digits starting at `i` (just after the `.` or `,`): 1...9 digits as
    /// nanoseconds, the digit count and the index after them; nil for none or more than nine.
    @inline(__always)
    static func fraction(_ span: Span<UInt8>, _ i: Int) -> (nanoseconds: Int64, digits: Int8, end: Int)? {
        var value: Int64 = 0
        var j = i
        while true {
            let d = Self.digit(span, j)
            if d < 0 { break }
            guard j - i < 9 else { return nil }
            value = value * 10 + Int64(d)
            j += 1
        }
        let count = j - i
        guard count > 0 else { return nil }
        for _ in count..<9 { value *= 10 }
        return (value, Int8(count), j)
    }

    /// Month 1...12 from a three-letter English name at `i` (`Nov`, `NOV` or `nov`), or 0.
    @inline(__always)
    static func month(_ span: Span<UInt8>, _ i: Int) -> Int {
        let a = Self.byte(span, i)
        let b = Self.byte(span, i + 1)
        let c = Self.byte(span, i + 2)
        // Case pattern: Xxx, XXX or xxx (b and c share a case; a is upper unless all are lower).
        let lowerB = b & 0x20 != 0
        guard lowerB == (c & 0x20 != 0), lowerB || a & 0x20 == 0 else { return 0 }
        let key = UInt32(a | 0x20) << 16 | UInt32(b | 0x20) << 8 | UInt32(c | 0x20)
        switch key {
        case 0x6A_616E: return 1  // jan
        case 0x66_6562: return 2  // feb
        case 0x6D_6172: return 3  // mar
        case 0x61_7072: return 4  // apr
        case 0x6D_6179: return 5  // may
        case 0x6A_756E: return 6  // jun
        case 0x6A_756C: return 7  // jul
        case 0x61_7567: return 8  // aug
        case 0x73_6570: return 9  // sep
        case 0x6F_6374: return 10  // oct
        case 0x6E_6F76: return 11  // nov
        case 0x64_6563: return 12  // dec
        default: return 0
        }
    }

    /// A zone offset at `i`: `Z`/`z`, or `+`/`-` then `hh`, `hhmm` or `hh:mm` (hours < 24).
    /// Returns seconds east of UTC and the index after it; nil when there is none or it is malformed.
    @inline(__always)
    static func zoneOffset(_ span: Span<UInt8>, _ i: Int) -> (offset: Int32, end: Int)? {
        let first = Self.byte(span, i)
        if first == UInt8(ascii: "Z") || first == UInt8(ascii: "z") { return (0, i + 1) }
        let sign: Int32
        switch first {
        case UInt8(ascii: "+"): sign = 1
        case UInt8(ascii: "-"): sign = -1
        default: return nil
        }
        let hours = Self.twoDigits(span, i + 1)
        guard hours >= 0, hours < 24 else { return nil }
        var minutes = 0
        var end = i + 3
        if Self.byte(span, end) == UInt8(ascii: ":") {
            minutes = Self.twoDigits(span, end + 1)
            guard minutes >= 0 else { return nil }
            end += 3
        } else if Self.digit(span, end) >= 0 {
            minutes = Self.twoDigits(span, end)
            guard minutes >= 0 else { return nil }
            end += 2
        }
        guard minutes < 60 else { return nil }
        return (sign * Int32(hours * 3600 + minutes * 60), end)
    }

    /// The value for `seconds` since the epoch plus `nanoseconds`, or nil when it does not fit
    /// in `Int64` nanoseconds (before 1677 or after 2262).
    @inline(__always)
    static func value(seconds: Int64, nanoseconds: Int64, digits: Int8) -> TimestampValue? {
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (total, overflow2) = scaled.addingReportingOverflow(nanoseconds)
        guard !overflow2 else { return nil }
        return TimestampValue(nanoseconds: total, fractionDigits: digits)
    }
}
