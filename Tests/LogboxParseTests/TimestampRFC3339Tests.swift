import LogboxCore
import LogboxParse
import Testing

private func rfc3339(_ text: String, from index: Int = 0) -> (value: TimestampValue, end: Int)? {
    let bytes = Array(text.utf8)
    return TimestampParser.parseRFC3339(bytes.span, from: index)
}

private func isoLocal(_ text: String, zone: TimeZoneRules) -> (value: TimestampValue, end: Int)? {
    let bytes = Array(text.utf8)
    return TimestampParser.parseISOLocal(bytes.span, from: 0, zone: zone)
}

/// Expected nanoseconds computed with Python's `datetime` (see the test names for the instants).
@Suite("RFC 3339 and ISO 8601 timestamps")
struct TimestampRFC3339Tests {
    @Test(
        "accepts RFC 3339 variants",
        arguments: [
            ("2026-11-01T00:02:41Z", 1_793_491_361_000_000_000, 0),
            ("2026-11-01t00:02:41z", 1_793_491_361_000_000_000, 0),
            ("2026-11-01 00:02:41Z", 1_793_491_361_000_000_000, 0),
            ("2026-11-01T00:02:41+00:00", 1_793_491_361_000_000_000, 0),
            ("2026-11-01T00:02:41-00:00", 1_793_491_361_000_000_000, 0),
            ("2026-11-01T00:02:41.123456+05:30", 1_793_471_561_123_456_000, 6),
            ("2026-11-01T00:02:41.123456+0530", 1_793_471_561_123_456_000, 6),
            ("2026-11-01T00:02:41-08:00", 1_793_520_161_000_000_000, 0),
            ("2026-11-01T00:02:41-0800", 1_793_520_161_000_000_000, 0),
            ("2026-11-01T00:02:41+05", 1_793_473_361_000_000_000, 0),
            ("2026-11-01T00:02:41.019Z", 1_793_491_361_019_000_000, 3),
            ("2026-11-01T00:02:41.5Z", 1_793_491_361_500_000_000, 1),
            ("2026-11-01T00:02:41.000Z", 1_793_491_361_000_000_000, 3),
            ("2026-11-01T00:02:41.123456789Z", 1_793_491_361_123_456_789, 9),
            ("2026-11-01T00:02:41,25Z", 1_793_491_361_250_000_000, 2),
            ("2024-02-29T12:00:00Z", 1_709_208_000_000_000_000, 0),
            ("1969-12-31T23:59:59.5Z", -500_000_000, 1),
            ("1900-01-01T00:00:00Z", -2_208_988_800_000_000_000, 0),
        ] as [(String, Int64, Int8)]
    )
    func accepts(text: String, nanoseconds: Int64, digits: Int8) throws {
        let result = try #require(rfc3339(text))
        #expect(result.value == TimestampValue(nanoseconds: nanoseconds, fractionDigits: digits))
        #expect(result.end == text.utf8.count)
    }

    @Test("a leap second :60 reads as :59")
    func leapSecond() throws {
        let result = try #require(rfc3339("2016-12-31T23:59:60Z"))
        #expect(result.value.nanoseconds == 1_483_228_799_000_000_000)
    }

    @Test(
        "rejects invalid dates, times, zones and junk",
        arguments: [
            "2026-13-01T00:00:00Z",  // month 13
            "2026-00-01T00:00:00Z",  // month 0
            "2026-11-31T00:00:00Z",  // November has 30 days
            "2026-11-00T00:00:00Z",  // day 0
            "2025-02-29T00:00:00Z",  // not a leap year
            "2100-02-29T00:00:00Z",  // not a leap year either
            "2026-11-01T24:00:00Z",  // hour 24
            "2026-11-01T23:60:00Z",  // minute 60
            "2026-11-01T23:59:61Z",  // second 61
            "2026-11-01X00:02:41Z",  // bad separator
            "2026-11-01T00:02:41",  // no zone (that is isoLocal)
            "2026-11-01T00:02:41.Z",  // empty fraction
            "2026-11-01T00:02:41.1234567890Z",  // ten fraction digits
            "2026-11-01T00:02:41+24:00",  // offset hour 24
            "2026-11-01T00:02:41+05:60",  // offset minute 60
            "2026-11-01T00:02:41+05:3",  // truncated offset
            "2026-11-01T00:02:41+5",  // one-digit offset
            "2026-11-01T00:02",  // truncated time
            "2026-1-01T00:02:41Z",  // one-digit month
            "9999-12-31T23:59:59Z",  // beyond Int64 nanoseconds
            "1600-01-01T00:00:00Z",  // before Int64 nanoseconds
            "junk",
            "",
            "Nov  1 00:02:41",
            "1700000000",
        ]
    )
    func rejects(text: String) {
        #expect(rfc3339(text) == nil)
    }

    @Test("starts at the given index and ends just past the zone")
    func offsets() throws {
        let line = "<34>2026-11-01T00:02:41.019Z host app: hi"
        let result = try #require(rfc3339(line, from: 4))
        #expect(result.end == 28)
        #expect(result.value.fractionDigits == 3)
        #expect(rfc3339(line, from: 3) == nil)
        #expect(rfc3339(line, from: -1) == nil)
        #expect(rfc3339(line, from: line.utf8.count) == nil)
        #expect(rfc3339(line, from: 1000) == nil)
        #expect(rfc3339(line, from: Int.max) == nil)
        #expect(rfc3339(line, from: Int.min) == nil)
    }

    @Test("formatting then parsing gives the value back")
    func roundTrip() throws {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let nanoseconds = Int64(bitPattern: state) / 2  // years 1824...2116, far from overflow
            for digits: Int8 in [0, 3, 6, 9] {
                var scale: Int64 = 1
                for _ in 0..<(9 - Int(digits)) { scale *= 10 }
                // Truncate towards the past to what `digits` can show.
                let whole = nanoseconds / scale * scale
                let truncated = whole > nanoseconds ? whole - scale : whole
                let text = RFC3339.string(TimestampValue(nanoseconds: truncated, fractionDigits: digits))
                let parsed = try #require(rfc3339(text), "\(text)")
                #expect(parsed.value == TimestampValue(nanoseconds: truncated, fractionDigits: digits), "\(text)")
            }
        }
    }

    @Test(
        "ISO 8601 without a zone is read in the given zone",
        arguments: [
            ("2026-11-01 00:02:41,123", "UTC", 1_793_491_361_123_000_000, 3),
            ("2026-11-01 00:02:41.123", "UTC", 1_793_491_361_123_000_000, 3),
            ("2026-11-01T00:02:41", "UTC", 1_793_491_361_000_000_000, 0),
            ("2026-11-01T00:02:41", "+05:30", 1_793_471_561_000_000_000, 0),
            ("2026-07-01T12:00:00", "CET-1CEST,M3.5.0,M10.5.0/3", 1_782_900_000_000_000_000, 0),
            // A zone in the text wins over the configured one.
            ("2026-11-01T00:02:41Z", "+05:30", 1_793_491_361_000_000_000, 0),
            // The DST gap and overlap in Berlin (Python zoneinfo, fold=0).
            ("2026-03-29 02:30:00", "CET-1CEST,M3.5.0,M10.5.0/3", 1_774_747_800_000_000_000, 0),
            ("2026-10-25 02:30:00", "CET-1CEST,M3.5.0,M10.5.0/3", 1_792_888_200_000_000_000, 0),
        ] as [(String, String, Int64, Int8)]
    )
    func isoLocalTimes(text: String, zone: String, nanoseconds: Int64, digits: Int8) throws {
        let rules = try TimeZoneRules(named: zone)
        let result = try #require(isoLocal(text, zone: rules))
        #expect(result.value == TimestampValue(nanoseconds: nanoseconds, fractionDigits: digits))
        #expect(result.end == text.utf8.count)
    }

    @Test(
        "ISO 8601 without a zone rejects what RFC 3339 rejects",
        arguments: [
            "2026-11-31 00:00:00", "2026-11-01 24:00:00", "2026-11-01 00:02:41.", "2026-11-01", "2026-11-01 00:02:41+",
        ]
    )
    func isoLocalRejects(text: String) {
        #expect(isoLocal(text, zone: .utc) == nil)
    }
}
