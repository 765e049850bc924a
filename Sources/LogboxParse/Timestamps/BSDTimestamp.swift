public import LogboxCore

/// Supplies the year (and zone) that BSD syslog timestamps (`Nov  1 00:02:41`) leave out.
///
/// The year is chosen so that the instant lies in `(reference − 358 days, reference + 7 days]`:
/// take the reference's year in `zone`; if the result is more than 7 days after the reference,
/// use the year before; if it is 358 days or more before it, the year after. A file's lines use
/// the file's modification time as reference (its last line is the newest), a stream uses each
/// line's receive time; both tolerate clocks a week fast and logs nearly a year old.
///
/// February 29 exists only in leap years: it takes whichever of the reference's year and its two
/// neighbours is a leap year with the instant inside the window, and is rejected (nil) otherwise.
///
/// The value also caches per-year work (the reference's year, the day number of the last
/// year and month, and the last span of wall-clock time with one UTC offset), so that a line
/// costs a few integer operations. Keep one per input and pass it `inout`.
public struct YearInference: Sendable {
    /// The instant the timestamps are near, nanoseconds since the epoch.
    public var referenceNanoseconds: Int64
    /// The zone the timestamps are written in; also used for ISO 8601 times without a zone.
    public var zone: TimeZoneRules {
        didSet { self.cache = Cache() }
    }

    private var cache = Cache()

    /// Memoized results; each entry is keyed by everything it depends on except `zone`.
    private struct Cache: Sendable {
        /// UTC seconds `referenceFrom..<referenceUntil` all fall in local year `referenceYear`.
        var referenceFrom: Int64 = 1
        var referenceUntil: Int64 = 0
        var referenceYear: Int64 = 0
        /// Day number of the first of `monthYear`-`month`.
        var monthYear: Int64 = Int64.min
        var month: Int = 0
        var monthDays: Int64 = 0
        /// Wall-clock seconds `localFrom..<localUntil` all map to UTC by subtracting `offset`.
        var localFrom: Int64 = 1
        var localUntil: Int64 = 0
        var offset: Int32 = 0
    }

    public init(referenceNanoseconds: Int64, zone: TimeZoneRules = .utc) {
        self.referenceNanoseconds = referenceNanoseconds
        self.zone = zone
    }

    /// The reference's year in `zone`.
    mutating func referenceYear(atUTC seconds: Int64) -> Int64 {
        if seconds >= self.cache.referenceFrom && seconds < self.cache.referenceUntil {
            return self.cache.referenceYear
        }
        let clamped = min(max(seconds, -(1 << 40)), 1 << 40)
        let local = clamped + Int64(self.zone.offset(atUTC: clamped))
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let year = civilFromDays(days).year
        let from = self.zone.utcSeconds(fromLocal: daysFromCivil(year: year, month: 1, day: 1) * 86_400)
        let until = self.zone.utcSeconds(fromLocal: daysFromCivil(year: year + 1, month: 1, day: 1) * 86_400)
        if clamped == seconds && seconds >= from && seconds < until {
            self.cache.referenceFrom = from
            self.cache.referenceUntil = until
            self.cache.referenceYear = year
        }
        return year
    }

    /// UTC seconds of a validated wall-clock date and time in `zone`.
    mutating func utcSeconds(year: Int64, month: Int, day: Int, secondOfDay: Int) -> Int64 {
        if year != self.cache.monthYear || month != self.cache.month {
            self.cache.monthYear = year
            self.cache.month = month
            self.cache.monthDays = daysFromCivil(year: year, month: month, day: 1)
        }
        let local = (self.cache.monthDays + Int64(day - 1)) * 86_400 + Int64(secondOfDay)
        if local < self.cache.localFrom || local >= self.cache.localUntil {
            let resolved = self.zone.resolve(local: local)
            self.cache.localFrom = resolved.from
            self.cache.localUntil = resolved.until
            self.cache.offset = resolved.offset
        }
        return local - Int64(self.cache.offset)
    }
}

extension TimestampParser {
    /// BSD syslog (RFC 3164) time: `Nov  1 00:02:41`, `Nov 01 00:02:41`, `Nov 1 00:02:41`, with an
    /// optional fraction (`Nov  1 00:02:41.123`, as some devices send); the year and zone come from
    /// `inference` (see `YearInference` for the rule).
    ///
    /// Months are `Nov`, `NOV` or `nov`. A `.` not followed by a digit ends the timestamp before it.
    /// - Complexity: O(1): a few integer operations once `inference`'s caches are warm.
    public static func parseBSD(
        _ span: Span<UInt8>,
        from index: Int,
        inference: inout YearInference
    ) -> (value: TimestampValue, end: Int)? {
        typealias B = TimestampBytes
        guard index >= 0, index < span.count else { return nil }  // so index + k cannot overflow
        let month = B.month(span, index)
        guard month != 0, B.byte(span, index + 3) == UInt8(ascii: " ") else { return nil }
        var j = index + 4
        var day: Int
        if B.byte(span, j) == UInt8(ascii: " ") {
            day = B.digit(span, j + 1)
            j += 2
        } else if B.digit(span, j + 1) >= 0 {
            day = B.twoDigits(span, j)
            j += 2
        } else {
            day = B.digit(span, j)
            j += 1
        }
        // A day is at most 29 in February, whatever the year; leap years are checked below.
        guard day >= 1, day <= daysInMonth(year: 2000, month: month), B.byte(span, j) == UInt8(ascii: " "),
            let clock = B.clock(span, j + 1)
        else { return nil }
        j += 9
        var nanoseconds: Int64 = 0
        var digits: Int8 = 0
        let separator = B.byte(span, j)
        if (separator == UInt8(ascii: ".") || separator == UInt8(ascii: ",")) && B.digit(span, j + 1) >= 0 {
            guard let fraction = B.fraction(span, j + 1) else { return nil }
            (nanoseconds, digits, j) = fraction
        }

        let reference = inference.referenceNanoseconds
        let referenceSeconds = reference >= 0 ? reference / 1_000_000_000 : (reference + 1) / 1_000_000_000 - 1
        let referenceYear = inference.referenceYear(atUTC: referenceSeconds)
        let (upper, upperOverflow) = reference.addingReportingOverflow(7 * 86_400 * 1_000_000_000)
        let (lower, lowerOverflow) = reference.subtractingReportingOverflow(358 * 86_400 * 1_000_000_000)
        let windowUpper = upperOverflow ? Int64.max : upper
        let windowLower = lowerOverflow ? Int64.min : lower
        let secondOfDay = clock.hour * 3600 + clock.minute * 60 + clock.second

        func instant(_ year: Int64) -> TimestampValue? {
            let seconds = inference.utcSeconds(year: year, month: month, day: day, secondOfDay: secondOfDay)
            return B.value(seconds: seconds, nanoseconds: nanoseconds, digits: digits)
        }

        if month == 2 && day == 29 {
            for year in (referenceYear - 1)...(referenceYear + 1) where isLeapYear(year) {
                if let value = instant(year), value.nanoseconds > windowLower, value.nanoseconds <= windowUpper {
                    return (value, j)
                }
            }
            return nil
        }
        guard var value = instant(referenceYear) else { return nil }
        if value.nanoseconds > windowUpper {
            guard let earlier = instant(referenceYear - 1) else { return nil }
            value = earlier
        } else if value.nanoseconds <= windowLower {
            guard let later = instant(referenceYear + 1) else { return nil }
            value = later
        }
        return (value, j)
    }
}
