import LogboxCore
import LogboxParse
import Testing

/// Random and mutated bytes through every timestamp parser: none may trap, and every result
/// must end inside the span after its start.
@Suite("Timestamp parsers on random bytes")
struct TimestampFuzzTests {
    /// SplitMix64, so the run is the same every time.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            self.state &+= 0x9E37_79B9_7F4A_7C15
            var z = self.state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(self.next() % UInt64(n)) }
    }

    static let seeds = [
        "2026-11-01T00:02:41.123456+05:30", "2026-11-01 00:02:41,123", "Nov  1 00:02:41.123",
        "10/Oct/2000:13:55:36 -0700", "1700000000.123", "1700000000123456789", "Feb 29 23:59:60",
    ]
    /// Bytes that timestamps are made of, so random input often gets deep into a parser.
    static let alphabet = Array("0123456789-:.,+ TtZzNovFebJanDec/x\u{7F}".utf8) + [0, 0xFF, 0xC3]

    static func exercise(_ bytes: [UInt8], _ zone: TimeZoneRules, _ inference: inout YearInference) {
        let span = bytes.span
        for start in -1...(bytes.count + 1) {
            var ends: [Int?] = []
            ends.append(TimestampParser.parseRFC3339(span, from: start)?.end)
            ends.append(TimestampParser.parseISOLocal(span, from: start, zone: zone)?.end)
            ends.append(TimestampParser.parseBSD(span, from: start, inference: &inference)?.end)
            ends.append(TimestampParser.parseHTTPDate(span, from: start)?.end)
            ends.append(TimestampParser.parseEpoch(span, from: start)?.end)
            ends.append(TimestampParser.parseAny(span, from: start, inference: &inference)?.end)
            for case let end? in ends where end <= start || end > bytes.count {
                Issue.record("end \(end) for start \(start) in \(bytes)")
            }
        }
    }

    @Test("random bytes never trap", arguments: [1, 2, 3, 4])
    func randomBytes(seed: UInt64) throws {
        var random = Generator(state: seed)
        let zone = try TimeZoneRules(posix: "CET-1CEST,M3.5.0,M10.5.0/3")
        var inference = YearInference(referenceNanoseconds: 1_793_491_361_000_000_000, zone: zone)
        for _ in 0..<1500 {
            let count = random.below(40)
            var bytes: [UInt8] = []
            for _ in 0..<count {
                bytes.append(
                    random.below(4) == 0
                        ? UInt8(truncatingIfNeeded: random.next()) : Self.alphabet[random.below(Self.alphabet.count)]
                )
            }
            Self.exercise(bytes, zone, &inference)
        }
    }

    @Test("mutated and truncated timestamps never trap")
    func mutations() throws {
        var random = Generator(state: 42)
        let zone = try TimeZoneRules(posix: "EST5EDT,M3.2.0,M11.1.0")
        for reference in [Int64.min, 0, 1_793_491_361_000_000_000, Int64.max] {
            var inference = YearInference(referenceNanoseconds: reference, zone: zone)
            for seed in Self.seeds {
                let original = Array(seed.utf8)
                for length in 0...original.count {
                    Self.exercise(Array(original[0..<length]), zone, &inference)
                }
                for _ in 0..<300 {
                    var bytes = original
                    for _ in 0...random.below(3) {
                        bytes[random.below(bytes.count)] = Self.alphabet[random.below(Self.alphabet.count)]
                    }
                    Self.exercise(bytes, zone, &inference)
                }
            }
        }
    }
}
