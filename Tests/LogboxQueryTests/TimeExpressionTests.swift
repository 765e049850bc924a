import LogboxParse
import LogboxQuery
import Testing

@Suite("Time expressions")
struct TimeExpressionTests {
    static let second: Int64 = 1_000_000_000
    /// 2026-11-29T15:30:45.5Z
    static let now: Int64 = 1_795_966_245 * 1_000_000_000 + 500_000_000
    static let berlin = TimeZoneRules(name: "+01:00", fixedOffset: 3_600)

    func parse(_ text: String, zone: TimeZoneRules = .utc) throws -> Int64 {
        try TimeExpression.parse(text, now: Self.now, zone: zone)
    }

    @Test func relative() throws {
        #expect(try self.parse("30s") == Self.now - 30 * Self.second)
        #expect(try self.parse("15m") == Self.now - 900 * Self.second)
        #expect(try self.parse("2h") == Self.now - 7_200 * Self.second)
        #expect(try self.parse("7d") == Self.now - 7 * 86_400 * Self.second)
        #expect(try self.parse("1w") == Self.now - 604_800 * Self.second)
        #expect(try self.parse("1h30m") == Self.now - 5_400 * Self.second)
        #expect(try self.parse(" 15m ") == Self.now - 900 * Self.second)
        #expect(try self.parse("0s") == Self.now)
    }

    @Test func named() throws {
        #expect(try self.parse("now") == Self.now)
        #expect(try self.parse("NOW") == Self.now)
        let midnightUTC: Int64 = 1_795_910_400 * Self.second  // 2026-11-29T00:00:00Z
        #expect(try self.parse("today") == midnightUTC)
        #expect(try self.parse("yesterday") == midnightUTC - 86_400 * Self.second)
        // In UTC+1 the local day also began at 2026-11-29 00:00 local = 23:00Z the day before.
        #expect(try self.parse("today", zone: Self.berlin) == midnightUTC - 3_600 * Self.second)
        // At 23:30Z it is already the next day in UTC+1.
        let late = midnightUTC + (23 * 3_600 + 1_800) * Self.second
        #expect(
            try TimeExpression.parse("today", now: late, zone: Self.berlin) == midnightUTC + 23 * 3_600 * Self.second
        )
        // Before 1970 the floor division still finds the right day.
        #expect(try TimeExpression.parse("today", now: -1, zone: .utc) == -86_400 * Self.second)
    }

    @Test func absolute() throws {
        let midnightUTC: Int64 = 1_795_910_400 * Self.second
        #expect(try self.parse("2026-11-29T14:00:00Z") == midnightUTC + 14 * 3_600 * Self.second)
        #expect(try self.parse("2026-11-29T14:00:00.25+01:00") == midnightUTC + 13 * 3_600 * Self.second + 250_000_000)
        #expect(try self.parse("2026-11-29") == midnightUTC)
        #expect(try self.parse("2026-11-29", zone: Self.berlin) == midnightUTC - 3_600 * Self.second)
        #expect(try self.parse("2026-11-29T14:00", zone: Self.berlin) == midnightUTC + 13 * 3_600 * Self.second)
        #expect(try self.parse("2026-11-29 14:00") == midnightUTC + 14 * 3_600 * Self.second)
        #expect(try self.parse("2026-11-29 14:00:05") == midnightUTC + (14 * 3_600 + 5) * Self.second)
        #expect(try self.parse("2026-11-29T14:00Z") == midnightUTC + 14 * 3_600 * Self.second)
        #expect(try self.parse("1795910400") == midnightUTC)
        #expect(try self.parse("1795910400000") == midnightUTC)
    }

    @Test func daylightSavingDay() throws {
        let berlin = try TimeZoneRules(posix: "CET-1CEST,M3.5.0,M10.5.0/3")
        let noon: Int64 = 1_774_778_400 * Self.second  // 2026-03-29T10:00Z, 12:00 CEST
        // The day began at 00:00 CET, before clocks jumped to summer time.
        #expect(try TimeExpression.parse("today", now: noon, zone: berlin) == 1_774_738_800 * Self.second)
        // 02:30 does not exist that night; it is read with the offset before the gap.
        #expect(try TimeExpression.parse("2026-03-29 02:30", now: noon, zone: berlin) == 1_774_747_800 * Self.second)
    }

    @Test(arguments: [
        "", "soon", "15", "15x", "m", "-15m", "15M", "2026-13-01", "2026-02-30", "2026-11-29T25:00", "2026-11-29 14",
        "2026-11-29T14:00:00Zjunk", "99999999999999999999d", "1h 30m", "tomorrow", "2026/11/29",
    ])
    func rejects(_ text: String) {
        let error = #expect(throws: QueryError.self) { try self.parse(text) }
        #expect(error?.kind == .invalid)
        #expect(error?.message == "'\(text)' is not a time")
        #expect(error?.hint != nil)
    }
}
