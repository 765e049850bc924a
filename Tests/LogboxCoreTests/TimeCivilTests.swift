import LogboxCore
import Testing

@Suite("Civil time")
struct TimeCivilTests {
    /// Day numbers computed with Python's `date(y, m, d) - date(1970, 1, 1)`.
    @Test(
        "daysFromCivil matches known day numbers",
        arguments: [
            (1970, 1, 1, 0),
            (2026, 11, 1, 20758),
            (2000, 2, 29, 11016),
            (1, 1, 1, -719162),
            (9999, 12, 31, 2_932_896),
            (1969, 12, 31, -1),
        ] as [(Int64, Int, Int, Int64)]
    )
    func knownDays(year: Int64, month: Int, day: Int, days: Int64) {
        #expect(daysFromCivil(year: year, month: month, day: day) == days)
        let civil = civilFromDays(days)
        #expect(civil.year == year && civil.month == month && civil.day == day)
    }

    /// Walks every day from year -1200 to 3200 with `daysInMonth`, so both directions are checked
    /// against a plain calendar walk rather than against each other.
    @Test("civilFromDays and daysFromCivil round-trip over 4,400 years")
    func roundTrip() {
        var expected = daysFromCivil(year: -1200, month: 1, day: 1)
        for year in Int64(-1200)...3200 {
            for month in 1...12 {
                for day in 1...daysInMonth(year: year, month: month) {
                    let days = daysFromCivil(year: year, month: month, day: day)
                    guard days == expected else {
                        Issue.record("daysFromCivil(\(year)-\(month)-\(day)) = \(days), expected \(expected)")
                        return
                    }
                    let civil = civilFromDays(days)
                    guard civil.year == year, civil.month == month, civil.day == day else {
                        Issue.record("civilFromDays(\(days)) = \(civil), expected \(year)-\(month)-\(day)")
                        return
                    }
                    expected += 1
                }
            }
        }
    }

    @Test(
        "leap years follow the Gregorian rule",
        arguments: [
            (2024, true), (2025, false), (2000, true), (1900, false), (2100, false), (2400, true), (0, true),
            (-4, true),
        ]
            as [(Int64, Bool)]
    )
    func leapYears(year: Int64, leap: Bool) {
        #expect(isLeapYear(year) == leap)
        #expect(daysInMonth(year: year, month: 2) == (leap ? 29 : 28))
    }

    @Test(
        "days in month",
        arguments: [(1, 31), (4, 30), (6, 30), (7, 31), (8, 31), (9, 30), (11, 30), (12, 31), (0, 0), (13, 0)]
    )
    func monthLengths(month: Int, days: Int) {
        #expect(daysInMonth(year: 2026, month: month) == days)
    }

    /// 0 is Sunday: 1970-01-01 was a Thursday, 2026-11-01 a Sunday, 1969-12-28 a Sunday.
    @Test("weekday", arguments: [(0, 4), (20758, 0), (-4, 0), (-1, 3), (20764, 6)] as [(Int64, Int)])
    func weekdays(days: Int64, weekday expected: Int) {
        #expect(weekday(days: days) == expected)
    }

    @Test("secondsFromCivil")
    func seconds() {
        #expect(secondsFromCivil(year: 2026, month: 11, day: 1, hour: 0, minute: 2, second: 41) == 1_793_491_361)
        #expect(secondsFromCivil(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59) == -1)
    }
}
