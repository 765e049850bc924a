// Proleptic Gregorian calendar arithmetic on day numbers, without Foundation.
//
// Day 0 is 1970-01-01. The conversions follow the era/day-of-era method (400-year eras of
// 146,097 days, years starting on March 1 so the leap day falls last), which needs no tables and
// no loops, and is exact for every year whose day number fits comfortably in an `Int64`
// (|year| below about 10^15).

/// Days since 1970-01-01 of a proleptic Gregorian date.
///
/// `month` is 1...12 and `day` 1...31; a day past the month's end rolls into the next month
/// (`daysFromCivil(year: 2026, month: 2, day: 29)` is March 1), which callers validating input
/// must check first with `daysInMonth(year:month:)`.
/// - Complexity: O(1), a dozen integer operations.
@inlinable
public func daysFromCivil(year: Int64, month: Int, day: Int) -> Int64 {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400  // 0...399
    let m = Int64(month)
    let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1  // 0...365, from March 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear  // 0...146096
    return era * 146_097 + dayOfEra - 719_468
}

/// The proleptic Gregorian date of a day number (days since 1970-01-01).
/// - Complexity: O(1), a dozen integer operations.
@inlinable
public func civilFromDays(_ days: Int64) -> (year: Int64, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097  // 0...146096
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365  // 0...399
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0...365, from March 1
    let monthFromMarch = (5 * dayOfYear + 2) / 153  // 0...11
    let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
    let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (year, Int(month), Int(day))
}

/// Whether `year` has a February 29 in the proleptic Gregorian calendar.
@inlinable
public func isLeapYear(_ year: Int64) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in `month` (1...12) of `year`; 0 for a month outside 1...12.
@inlinable
public func daysInMonth(year: Int64, month: Int) -> Int {
    switch month {
    case 1, 3, 5, 7, 8, 10, 12: 31
    case 4, 6, 9, 11: 30
    case 2: isLeapYear(year) ? 29 : 28
    default: 0
    }
}

/// Day of the week of a day number: 0 is Sunday, 6 is Saturday (1970-01-01 was a Thursday, 4).
@inlinable
public func weekday(days: Int64) -> Int {
    let r = (days + 4) % 7
    return Int(r < 0 ? r + 7 : r)
}

/// Seconds since the epoch of a civil date and time, read as UTC (or as local wall-clock seconds
/// when the caller applies a zone offset afterwards).
///
/// Fields are not range-checked; `second` may be 60 and then counts as the next second.
@inlinable
public func secondsFromCivil(year: Int64, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64 {
    daysFromCivil(year: year, month: month, day: day) * 86_400
        + Int64(hour * 3600 + minute * 60 + second)
}
