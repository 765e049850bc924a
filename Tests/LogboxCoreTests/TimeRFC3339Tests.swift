import LogboxCore
import Testing

@Suite("RFC 3339 formatting")
struct TimeRFC3339Tests {
    @Test(
        "formats UTC with exactly fractionDigits digits",
        arguments: [
            (1_793_491_361_000_000_000, 0, "2026-11-01T00:02:41Z"),
            (1_793_491_361_019_000_000, 3, "2026-11-01T00:02:41.019Z"),
            (1_793_491_361_123_456_000, 6, "2026-11-01T00:02:41.123456Z"),
            (1_793_491_361_123_456_789, 9, "2026-11-01T00:02:41.123456789Z"),
            (1_793_491_361_123_456_789, 0, "2026-11-01T00:02:41Z"),
            (1_793_491_361_123_456_789, 3, "2026-11-01T00:02:41.123Z"),
            (0, 0, "1970-01-01T00:00:00Z"),
            (-500_000_000, 1, "1969-12-31T23:59:59.5Z"),
            (-500_000_000, 3, "1969-12-31T23:59:59.500Z"),
            (-1, 9, "1969-12-31T23:59:59.999999999Z"),
            (-2_208_988_800_000_000_000, 0, "1900-01-01T00:00:00Z"),
            (Int64.min, 9, "1677-09-21T00:12:43.145224192Z"),
            (Int64.max, 9, "2262-04-11T23:47:16.854775807Z"),
            (1_709_208_000_000_000_000, 0, "2024-02-29T12:00:00Z"),
        ] as [(Int64, Int8, String)]
    )
    func format(nanoseconds: Int64, digits: Int8, text: String) {
        let value = TimestampValue(nanoseconds: nanoseconds, fractionDigits: digits)
        #expect(RFC3339.string(value) == text)
        var out: [UInt8] = Array("ts=".utf8)
        RFC3339.format(value, into: &out)
        #expect(out == Array(("ts=" + text).utf8))
    }

    @Test("out-of-range fraction digits are clamped to 0...9")
    func clampedDigits() {
        #expect(
            RFC3339.string(TimestampValue(nanoseconds: 1_500_000_000, fractionDigits: -1)) == "1970-01-01T00:00:01Z"
        )
        #expect(
            RFC3339.string(TimestampValue(nanoseconds: 1_500_000_000, fractionDigits: 12))
                == "1970-01-01T00:00:01.500000000Z"
        )
    }

    @Test(
        "seconds and nanosecondOfSecond floor towards the past",
        arguments: [
            (-1, -1, 999_999_999), (-1_000_000_000, -1, 0), (1_999_999_999, 1, 999_999_999), (0, 0, 0),
        ] as [(Int64, Int64, Int64)]
    )
    func secondsSplit(nanoseconds: Int64, seconds: Int64, fraction: Int64) {
        let value = TimestampValue(nanoseconds: nanoseconds)
        #expect(value.seconds == seconds)
        #expect(value.nanosecondOfSecond == fraction)
    }
}
