import Foundation
import LogboxCore
import LogboxParse
import Testing

private func bsd(_ text: String, _ inference: inout YearInference) -> (value: TimestampValue, end: Int)? {
    let bytes = Array(text.utf8)
    return TimestampParser.parseBSD(bytes.span, from: 0, inference: &inference)
}

private let second: Int64 = 1_000_000_000
private let berlinPosix = "CET-1CEST,M3.5.0,M10.5.0/3"
private let zoneinfoHasBerlin = FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/Europe/Berlin")

/// Expected instants computed with Python's `datetime`/`zoneinfo` (fold=0 in gaps and overlaps).
@Suite("BSD syslog timestamps and year inference")
struct TimestampBSDTests {
    /// 2026-07-01T12:00:00Z; a November line is more than 7 days ahead, so it is from 2025.
    static let midsummer = 1_782_907_200 * second

    @Test(
        "accepts padded, zero-padded and one-digit days, case variants and fractions",
        arguments: [
            ("Nov  1 00:02:41", 1_761_955_361_000_000_000, 0, 15),
            ("Nov 01 00:02:41", 1_761_955_361_000_000_000, 0, 15),
            ("Nov 1 00:02:41", 1_761_955_361_000_000_000, 0, 14),
            ("NOV  1 00:02:41", 1_761_955_361_000_000_000, 0, 15),
            ("nov  1 00:02:41", 1_761_955_361_000_000_000, 0, 15),
            ("Nov  1 00:02:41.123", 1_761_955_361_123_000_000, 3, 19),
            ("Nov  1 00:02:41.123456 host", 1_761_955_361_123_456_000, 6, 22),
            ("Nov  1 00:02:41 host sshd[1]: hi", 1_761_955_361_000_000_000, 0, 15),
            // A dot not followed by a digit is not a fraction: the timestamp ends before it.
            ("Nov  1 00:02:41. host", 1_761_955_361_000_000_000, 0, 15),
        ] as [(String, Int64, Int8, Int)]
    )
    func accepts(text: String, nanoseconds: Int64, digits: Int8, end: Int) throws {
        var inference = YearInference(referenceNanoseconds: Self.midsummer)
        let result = try #require(bsd(text, &inference))
        #expect(result.value == TimestampValue(nanoseconds: nanoseconds, fractionDigits: digits))
        #expect(result.end == end)
    }

    @Test(
        "rejects malformed BSD timestamps",
        arguments: [
            "Nov 31 00:00:00",  // November has 30 days
            "Feb 30 00:00:00",
            "Nov  0 00:00:00",
            "Nov 32 00:00:00",
            "Nov  1 24:00:00",
            "Nov  1 00:60:00",
            "Nov  1 00:02",
            "Nov1 00:02:41",
            "Nov   1 00:02:41",
            "Nov  1  00:02:41",
            "Nov  1 0:02:41",
            "Nov  1 00:02:41.1234567890",
            "Foo  1 00:02:41",
            "nOV  1 00:02:41",
            "NoV  1 00:02:41",
            "nOv  1 00:02:41",
            "2026-11-01T00:02:41Z",
            "",
            "N",
        ]
    )
    func rejects(text: String) {
        var inference = YearInference(referenceNanoseconds: Self.midsummer)
        #expect(bsd(text, &inference) == nil)
    }

    @Test("a file with mtime 2026-01-01T00:10Z: Dec 31 is 2025, Jan 1 is 2026")
    func newYearInAFile() throws {
        var inference = YearInference(referenceNanoseconds: 1_767_226_200 * second)
        let december = try #require(bsd("Dec 31 23:59:58", &inference))
        #expect(december.value.nanoseconds == 1_767_225_598 * second)
        #expect(RFC3339.string(december.value) == "2025-12-31T23:59:58Z")
        let january = try #require(bsd("Jan  1 00:00:03", &inference))
        #expect(january.value.nanoseconds == 1_767_225_603 * second)
        #expect(RFC3339.string(january.value) == "2026-01-01T00:00:03Z")
        // And back again, with warm caches.
        #expect(try #require(bsd("Dec 31 23:59:58", &inference)).value.nanoseconds == 1_767_225_598 * second)
    }

    @Test("a stream received at 2025-12-31T23:59:59Z: a Jan 1 line is 2026")
    func newYearInAStream() throws {
        var inference = YearInference(referenceNanoseconds: 1_767_225_599 * second)
        let result = try #require(bsd("Jan  1 00:00:01", &inference))
        #expect(result.value.nanoseconds == 1_767_225_601 * second)
        // The next line arrives after midnight; the reference moves with it.
        inference.referenceNanoseconds = 1_767_225_602 * second
        #expect(try #require(bsd("Dec 31 23:59:59", &inference)).value.nanoseconds == 1_767_225_599 * second)
        #expect(try #require(bsd("Jan  1 00:00:02", &inference)).value.nanoseconds == 1_767_225_602 * second)
    }

    @Test("the reference's year is its year in the zone (Berlin is already in 2026 at 23:30Z)")
    func referenceYearIsLocal() throws {
        var inference = YearInference(
            referenceNanoseconds: 1_767_223_800 * second,
            zone: try TimeZoneRules(posix: berlinPosix)
        )
        #expect(try #require(bsd("Jan  1 00:00:03", &inference)).value.nanoseconds == 1_767_222_003 * second)
        #expect(try #require(bsd("Dec 31 23:59:58", &inference)).value.nanoseconds == 1_767_221_998 * second)
    }

    @Test(
        "window edges: up to 7 days ahead is this year, beyond is last year",
        arguments: [
            ("Jul  8 12:00:00", 1_783_512_000 * second),  // exactly +7 days: 2026
            ("Jul  9 12:00:00", 1_752_062_400 * second),  // +8 days: 2025
            ("Jul  1 12:00:00", 1_782_907_200 * second),  // the reference itself
        ] as [(String, Int64)]
    )
    func windowEdges(text: String, nanoseconds: Int64) throws {
        var inference = YearInference(referenceNanoseconds: Self.midsummer)
        #expect(try #require(bsd(text, &inference)).value.nanoseconds == nanoseconds)
    }

    @Test(
        "February 29 takes a neighbouring leap year inside the window, or is rejected",
        arguments: [
            (1_835_049_600 * second, 1_835_431_200 * second as Int64?),  // ref 2028-02-25: 2028-02-29
            (1_710_028_800 * second, 1_709_200_800 * second),  // ref 2024-03-10: 2024-02-29
            (1_741_564_800 * second, nil),  // ref 2025-03-10: 2024-02-29 is 375 days back
        ] as [(Int64, Int64?)]
    )
    func februaryTwentyNinth(reference: Int64, nanoseconds: Int64?) {
        var inference = YearInference(referenceNanoseconds: reference)
        #expect(bsd("Feb 29 10:00:00", &inference)?.value.nanoseconds == nanoseconds)
    }

    /// Europe/Berlin, 2026: clocks go 02:00 -> 03:00 on Mar 29 and 03:00 -> 02:00 on Oct 25.
    static let berlinCases: [(String, Int64)] = [
        ("Mar 29 01:59:59", 1_774_745_999),  // 00:59:59Z
        ("Mar 29 03:00:00", 1_774_746_000),  // 01:00:00Z
        ("Mar 29 02:30:00", 1_774_747_800),  // gap: read as 03:30 CEST, 01:30:00Z
        ("Oct 25 01:59:59", 1_792_886_399),  // 2026-10-24T23:59:59Z
        ("Oct 25 02:30:00", 1_792_888_200),  // ambiguous: the earlier instant, 00:30:00Z
        ("Oct 25 03:00:00", 1_792_893_600),  // 02:00:00Z
        ("Jul  1 14:00:00", 1_782_907_200),  // CEST: 12:00:00Z
        ("Jan 15 13:00:00", 1_768_478_400),  // CET: 12:00:00Z
    ]

    @Test("DST in Europe/Berlin through the POSIX string", arguments: Self.berlinCases)
    func berlinPosixDST(text: String, seconds: Int64) throws {
        var inference = YearInference(
            referenceNanoseconds: 1_793_491_361 * second,
            zone: try TimeZoneRules(posix: berlinPosix)
        )
        #expect(try #require(bsd(text, &inference)).value.nanoseconds == seconds * second)
    }

    @Test(
        "DST in Europe/Berlin through the zoneinfo file",
        .enabled(if: zoneinfoHasBerlin, "/usr/share/zoneinfo/Europe/Berlin is missing"),
        arguments: Self.berlinCases
    )
    func berlinZoneinfoDST(text: String, seconds: Int64) throws {
        let zone = try TimeZoneRules(named: "Europe/Berlin")
        var inference = YearInference(referenceNanoseconds: 1_793_491_361 * second, zone: zone)
        #expect(try #require(bsd(text, &inference)).value.nanoseconds == seconds * second)
    }

    @Test("all Berlin lines through one YearInference, so cached intervals are reused")
    func berlinSequential() throws {
        var inference = YearInference(
            referenceNanoseconds: 1_793_491_361 * second,
            zone: try TimeZoneRules(posix: berlinPosix)
        )
        for _ in 0..<3 {
            for (text, seconds) in Self.berlinCases {
                #expect(try #require(bsd(text, &inference)).value.nanoseconds == seconds * second, "\(text)")
            }
        }
    }

    @Test(
        "DST in America/New_York through the POSIX string",
        arguments: [
            ("Mar  8 01:59:59", 1_772_953_199),
            ("Mar  8 02:30:00", 1_772_955_000),  // gap: 03:30 EDT
            ("Mar  8 03:00:00", 1_772_953_200),
            ("Nov  1 01:30:00", 1_793_511_000),  // ambiguous: the earlier (EDT) instant
            ("Nov  1 02:00:00", 1_793_516_400),
            ("Jul  4 12:00:00", 1_783_180_800),
        ] as [(String, Int64)]
    )
    func newYorkPosixDST(text: String, seconds: Int64) throws {
        let zone = try TimeZoneRules(posix: "EST5EDT,M3.2.0,M11.1.0")
        var inference = YearInference(referenceNanoseconds: 1_794_700_800 * second, zone: zone)
        #expect(try #require(bsd(text, &inference)).value.nanoseconds == seconds * second)
    }

    @Test("changing the zone drops cached offsets")
    func zoneChange() throws {
        var inference = YearInference(referenceNanoseconds: 1_793_491_361 * second)
        #expect(try #require(bsd("Jul  1 14:00:00", &inference)).value.nanoseconds == 1_782_914_400 * second)
        inference.zone = try TimeZoneRules(posix: berlinPosix)
        #expect(try #require(bsd("Jul  1 14:00:00", &inference)).value.nanoseconds == 1_782_907_200 * second)
    }

    @Test("references at the ends of the Int64 range do not trap")
    func extremeReferences() {
        for reference in [Int64.min, Int64.min + 1, -1, 0, Int64.max - 1, Int64.max] {
            var inference = YearInference(referenceNanoseconds: reference)
            _ = bsd("Jan  1 00:00:00", &inference)
            _ = bsd("Dec 31 23:59:59", &inference)
            _ = bsd("Feb 29 00:00:00", &inference)
        }
    }
}
