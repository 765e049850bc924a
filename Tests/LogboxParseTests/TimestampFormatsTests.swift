import LogboxCore
import LogboxParse
import Testing

private let second: Int64 = 1_000_000_000

private func httpDate(_ text: String) -> (value: TimestampValue, end: Int)? {
    let bytes = Array(text.utf8)
    return TimestampParser.parseHTTPDate(bytes.span, from: 0)
}

private func epoch(_ text: String) -> (value: TimestampValue, end: Int)? {
    let bytes = Array(text.utf8)
    return TimestampParser.parseEpoch(bytes.span, from: 0)
}

/// Expected instants computed with Python's `datetime`.
@Suite("HTTP dates, Unix time and format detection")
struct TimestampFormatsTests {
    @Test(
        "HTTP dates with negative, positive and zero offsets",
        arguments: [
            ("10/Oct/2000:13:55:36 -0700", 971_211_336 * second, 0),
            ("01/Jan/2026:00:00:00 +0530", 1_767_205_800 * second, 0),
            ("29/Feb/2024:23:59:59 +0000", 1_709_251_199 * second, 0),
            ("01/Nov/2026:00:02:41 +0100", 1_793_487_761 * second, 0),
            ("01/NOV/2026:00:02:41 -1000", 1_793_527_361 * second, 0),
            ("01/nov/2026:00:02:41 +01:00", 1_793_487_761 * second, 0),
            ("10/Oct/2000:13:55:36.250 -0700", 971_211_336 * second + 250_000_000, 3),
        ] as [(String, Int64, Int8)]
    )
    func httpDates(text: String, nanoseconds: Int64, digits: Int8) throws {
        let result = try #require(httpDate(text))
        #expect(result.value == TimestampValue(nanoseconds: nanoseconds, fractionDigits: digits))
        #expect(result.end == text.utf8.count)
    }

    @Test(
        "HTTP dates that are malformed",
        arguments: [
            "[10/Oct/2000:13:55:36 -0700]",  // brackets are the caller's
            "10/Oct/2000:13:55:36",  // no offset
            "10/Oct/2000:13:55:36 0700",  // unsigned offset
            "10/Oct/2000 13:55:36 -0700",
            "1/Oct/2000:13:55:36 -0700",
            "31/Nov/2000:13:55:36 -0700",
            "29/Feb/2023:13:55:36 -0700",
            "10/Okt/2000:13:55:36 -0700",
            "10/Oct/2000:25:55:36 -0700",
            "10/Oct/2000:13:55:36 -07",
            "",
        ]
    )
    func httpDateRejects(text: String) {
        #expect(httpDate(text) == nil)
    }

    @Test(
        "Unix time in s, ms, µs, ns and seconds with a fraction",
        arguments: [
            ("1700000000", 1_700_000_000 * second, 0, 10),
            ("1700000000123", 1_700_000_000_123_000_000, 3, 13),
            ("1700000000123456", 1_700_000_000_123_456_000, 6, 16),
            ("1700000000123456789", 1_700_000_000_123_456_789, 9, 19),
            ("1700000000.123", 1_700_000_000_123_000_000, 3, 14),
            ("1700000000.5", 1_700_000_000_500_000_000, 1, 12),
            ("1700000000.123456789", 1_700_000_000_123_456_789, 9, 20),
            ("1700000000,", 1_700_000_000 * second, 0, 10),
            ("1700000000.x", 1_700_000_000 * second, 0, 10),
            ("0000000000", 0, 0, 10),
            ("9223372036854775807", Int64.max, 9, 19),
        ] as [(String, Int64, Int8, Int)]
    )
    func epochs(text: String, nanoseconds: Int64, digits: Int8, end: Int) throws {
        let result = try #require(epoch(text))
        #expect(result.value == TimestampValue(nanoseconds: nanoseconds, fractionDigits: digits))
        #expect(result.end == end)
    }

    @Test(
        "Unix time with other digit counts or out of range",
        arguments: [
            "170000000",  // 9 digits
            "17000000001",  // 11
            "170000000012",  // 12
            "17000000001234",  // 14
            "17000000001234567",  // 17
            "1700000000123456789012",  // 22
            "9999999999999",  // 13 digits of ms past 2262
            "9999999999999999",  // 16 digits of µs past 2262
            "9223372036854775808",  // Int64.max + 1 ns
            "9999999999",  // seconds past 2262
            "1700000000.1234567890",  // ten fraction digits
            "-1700000000",
            "",
            "x",
        ]
    )
    func epochRejects(text: String) {
        #expect(epoch(text) == nil)
    }

    @Test(
        "parseAny picks the format by the first bytes",
        arguments: [
            ("2026-11-01T00:02:41.019Z", TimestampFormat.rfc3339, 1_793_491_361_019_000_000),
            ("2026-11-01 00:02:41", .isoLocal, 1_793_491_361 * second),
            ("01/Nov/2026:00:02:41 +0100", .httpDate, 1_793_487_761 * second),
            ("1793491361", .epoch, 1_793_491_361 * second),
            ("1793491361019", .epoch, 1_793_491_361_019_000_000),
            ("Nov  1 00:02:41", .bsd, 1_793_491_361 * second),
        ] as [(String, TimestampFormat, Int64)]
    )
    func any(text: String, format: TimestampFormat, nanoseconds: Int64) throws {
        var inference = YearInference(referenceNanoseconds: 1_793_491_400 * second)
        let bytes = Array(text.utf8)
        let result = try #require(TimestampParser.parseAny(bytes.span, from: 0, inference: &inference))
        #expect(result.format == format)
        #expect(result.value.nanoseconds == nanoseconds)
        #expect(result.end == bytes.count)
        // The named entry point agrees.
        let named = try #require(TimestampParser.parse(format, bytes.span, from: 0, inference: &inference))
        #expect(named.value == result.value && named.end == result.end)
    }

    @Test("parseAny reads times without a zone in the inference's zone")
    func anyUsesZone() throws {
        var inference = YearInference(
            referenceNanoseconds: 1_793_491_400 * second,
            zone: try TimeZoneRules(named: "+05:30")
        )
        let bytes = Array("2026-11-01T00:02:41".utf8)
        let result = try #require(TimestampParser.parseAny(bytes.span, from: 0, inference: &inference))
        #expect(result.format == .isoLocal)
        #expect(result.value.nanoseconds == 1_793_471_561 * second)
    }

    @Test(
        "parseAny rejects what no format accepts",
        arguments: ["", "-", " 2026-11-01T00:02:41Z", "true", "12:00:00", "2026-11-01"]
    )
    func anyRejects(text: String) {
        var inference = YearInference(referenceNanoseconds: 0)
        let bytes = Array(text.utf8)
        #expect(TimestampParser.parseAny(bytes.span, from: 0, inference: &inference) == nil)
    }
}
