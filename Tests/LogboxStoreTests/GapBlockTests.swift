import LogboxParse
import Testing

@testable import LogboxStore

/// Doc-id gap blocks (postings version 3): bit-packed or Rice-coded, whichever is smaller.
@Suite("Postings gap blocks")
struct GapBlockTests {
    /// `count` gaps: geometric with mean `mean`, or (mean 0) uniform over 32 bits.
    static func gaps(_ count: Int, mean: Double, random: inout SeededRandom) -> [UInt32] {
        (0..<count).map { _ in
            guard mean > 0 else { return UInt32(truncatingIfNeeded: random.next()) }
            var gap: UInt32 = 0
            while !random.chance(1 / (mean + 1)) { gap += 1 }
            return gap
        }
    }

    static func roundTrip(_ gaps: [UInt32]) throws -> (bytes: [UInt8], decoded: [UInt32]) {
        var writer = ByteWriter()
        writer.u8(0xEE)  // a byte before the block, so offsets are not 0
        GapBlock.append(gaps.span, into: &writer)
        writer.u8(0xDD)  // and one after it
        var decoded = [UInt32](repeating: 0, count: 128)
        var at = 1
        try GapBlock.decode(writer.bytes.span, at: &at, count: gaps.count, into: &decoded)
        #expect(at == writer.bytes.count - 1, "the block ends where the next byte starts")
        return (writer.bytes, Array(decoded[..<gaps.count]))
    }

    @Test("random gaps of every block size read back, in both codings", arguments: [0.0, 0.3, 2, 9, 100, 5000])
    func roundTrips(mean: Double) throws {
        var random = SeededRandom(seed: UInt64(mean * 10) + 1)
        var modes: Set<Bool> = []
        for count in [1, 2, 7, 8, 9, 63, 127, 128] {
            for _ in 0..<20 {
                let gaps = Self.gaps(count, mean: mean, random: &random)
                let (bytes, decoded) = try Self.roundTrip(gaps)
                #expect(decoded == gaps, "mean \(mean), \(count) gaps")
                if count == 128 { modes.insert(bytes[1] & GapBlock.riceFlag != 0) }
            }
        }
        // Full blocks of geometric gaps with a mean of 2 or more code as Rice; of 32-bit noise, pack.
        if mean >= 2 { #expect(modes.contains(true)) }
        if mean == 0 { #expect(modes == [false]) }
    }

    @Test("edge values: zeros, one huge outlier among small gaps, UInt32.max")
    func edges() throws {
        for gaps in [
            [UInt32](repeating: 0, count: 128),
            [UInt32](repeating: 3, count: 100) + [4_000_000_000],
            [UInt32](repeating: UInt32.max, count: 9),
            (0..<128).map { UInt32($0 % 5) },
            [1_000_000] + [UInt32](repeating: 1, count: 127),
        ] {
            #expect(try Self.roundTrip(gaps).decoded == gaps)
        }
    }

    @Test("Rice beats packing on geometric gaps by about the packing overhead")
    func riceIsSmaller() throws {
        var random = SeededRandom(seed: 9)
        var packed = 0
        var coded = 0
        for _ in 0..<200 {
            let gaps = Self.gaps(128, mean: 16, random: &random)
            let width = UInt32.bitWidth - gaps.reduce(0, |).leadingZeroBitCount
            packed += 1 + 16 * width
            coded += try Self.roundTrip(gaps).bytes.count - 2
        }
        // Packing needs about 7 bits a gap here, Rice about 5.7 (entropy: 5.4).
        #expect(Double(coded) < Double(packed) * 0.85, "\(coded) against \(packed)")
    }

    @Test("a bad mode, a cut block or a gap past 32 bits is damage, never a crash")
    func damage() throws {
        var random = SeededRandom(seed: 3)
        let gaps = Self.gaps(128, mean: 40, random: &random)
        let (bytes, _) = try Self.roundTrip(gaps)
        #expect(bytes[1] & GapBlock.riceFlag != 0)
        var out = [UInt32](repeating: 0, count: 128)
        for mode: UInt8 in [33, 0x80, 0xC3, 0x7F] {
            var damaged = bytes
            damaged[1] = mode
            var at = 1
            #expect(throws: StoreError.self, "mode \(mode)") {
                try GapBlock.decode(damaged.span, at: &at, count: 128, into: &out)
            }
        }
        for cut in [2, 10, bytes.count / 2] {
            var at = 1
            #expect(throws: StoreError.self, "cut at \(cut)") {
                try GapBlock.decode(Array(bytes[..<cut]).span, at: &at, count: 128, into: &out)
            }
        }
        // All one-bits: a unary run longer than any gap.
        var ones = [UInt8](repeating: 0xFF, count: 600)
        ones[0] = GapBlock.riceFlag
        var at = 0
        #expect(throws: StoreError.self) { try GapBlock.decode(ones.span, at: &at, count: 128, into: &out) }
        // Every flipped byte decodes to something or throws.
        for position in 2..<bytes.count - 1 {
            var damaged = bytes
            damaged[position] ^= 0x5A
            var at = 1
            _ = try? GapBlock.decode(damaged.span, at: &at, count: 128, into: &out)
        }
    }
}
