/// One block of doc-id gaps (postings version 3): bit-packed or Rice-coded, whichever is smaller.
///
/// Layout (the gap count is not stored: the list's doc count gives it):
/// ```
/// u8 mode   0...32:       bit-packed, count × mode bits, least significant bit first
///           0x40 | k:     Rice-coded with parameter k (0...31): per gap, q = gap >> k as q one-bits
///                         and a zero bit, then the k low bits of the gap, least significant bit first
/// payload   padded with zero bits to a whole byte
/// ```
/// A full block of 128 packed gaps is 16 × width bytes, as in version 2. Rice is only written where
/// it is smaller than packing, so a Rice block of n gaps is shorter than n × 4 bytes.
///
/// Why: a term's docs are about a Bernoulli draw, so its gaps are about geometric. Packing pays for
/// the block's largest gap on every gap; Rice with the best k stays close to the entropy of such
/// gaps. On the 1M-line benchmark corpus, compacted, doc ids went from 16.8 MB to 14.1 MB
/// (`logbox index stats`).
enum GapBlock {
    static let riceFlag: UInt8 = 0x40

    /// Appends `gaps` (1...128 of them) as one block.
    static func append(_ gaps: Span<UInt32>, into out: inout ByteWriter) {
        precondition((1...BitPacking.blockSize).contains(gaps.count), "a gap block holds 1...128 gaps")
        var sum: UInt64 = 0
        for i in gaps.indices { sum += UInt64(gaps[i]) }
        let width = BitPacking.width(of: gaps)
        let packedBits = gaps.count * width
        // The best k is floor(log2(mean × ln 2)) or one more; packing at 0 or 1 bit is as small as
        // Rice can be.
        let target = sum * 69 / (100 * UInt64(gaps.count))
        let center = target == 0 ? 0 : 63 - target.leadingZeroBitCount
        var bestK = -1
        var bestBits = packedBits
        for k in center...min(31, center + 1) where width > 1 {
            var bits = gaps.count * (1 + k)
            for i in gaps.indices { bits += Int(gaps[i] >> UInt32(k)) }
            if bits < bestBits {
                bestBits = bits
                bestK = k
            }
        }
        if bestK < 0 {
            out.u8(UInt8(width))
            if gaps.count == BitPacking.blockSize {
                BitPacking.pack(gaps, width: width, into: &out)
                return
            }
        } else {
            out.u8(Self.riceFlag | UInt8(bestK))
        }
        // Bits go to a stack buffer, appended once: a byte at a time through `out` costs a
        // capacity and uniqueness check each.
        let byteCount = (bestBits + 7) / 8
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: byteCount + 8) { buffer in
            var writer = BitWriter(buffer.baseAddress!)
            if bestK < 0 {
                for i in gaps.indices { writer.put(UInt64(gaps[i]), bits: width) }
            } else {
                let mask = (UInt64(1) << UInt64(bestK)) - 1
                for i in gaps.indices {
                    var ones = Int(gaps[i] >> UInt32(bestK))
                    while ones >= 32 {
                        writer.put(0xFFFF_FFFF, bits: 32)
                        ones -= 32
                    }
                    // `ones` one-bits, then the terminating zero, then the low bits.
                    writer.put((UInt64(1) << UInt64(ones)) - 1, bits: ones + 1)
                    writer.put(UInt64(gaps[i]) & mask, bits: bestK)
                }
            }
            let written = writer.finish()
            precondition(written == byteCount, "gap block wrote \(written) bytes, planned \(byteCount)")
            out.append(UnsafeBufferPointer(start: buffer.baseAddress, count: written))
        }
    }

    /// Decodes a block of `count` gaps at `offset` into `out[0..<count]`; moves `offset` past it.
    ///
    /// - Throws: `StoreError(.corrupt)` for a bad mode, a block running past the end of `bytes`, or
    ///   a gap over `UInt32.max`.
    static func decode(
        _ bytes: Span<UInt8>,
        at offset: inout Int,
        count: Int,
        into out: inout [UInt32]
    ) throws(StoreError) {
        precondition((1...BitPacking.blockSize).contains(count) && out.count >= count, "bad gap block request")
        let start = offset
        guard start < bytes.count else {
            throw StoreError(.corrupt, offset: Int64(start), "postings block starts past the end")
        }
        let mode = bytes[start]
        if mode & Self.riceFlag == 0 {
            let width = Int(mode)
            guard width <= 32 else {
                throw StoreError(.corrupt, offset: Int64(start), "postings block bit width \(width) exceeds 32")
            }
            let length = (count * width + 7) / 8
            guard length <= bytes.count - start - 1 else {
                throw StoreError(.corrupt, offset: Int64(start), "postings block runs past the end")
            }
            if count == BitPacking.blockSize {
                var span = out.mutableSpan
                BitPacking.unpack(bytes.extracting(start + 1..<start + 1 + length), width: width, into: &span)
            } else {
                var reader = BitReader(bytes, from: start + 1, to: start + 1 + length)
                for i in 0..<count { out[i] = UInt32(truncatingIfNeeded: reader.take(width)) }
            }
            offset = start + 1 + length
            return
        }
        let k = Int(mode & ~Self.riceFlag)
        guard mode & 0x80 == 0, k <= 31 else {
            throw StoreError(.corrupt, offset: Int64(start), "postings block mode \(mode) is not a coding")
        }
        // A Rice block is smaller than packing its gaps at 32 bits.
        var reader = BitReader(bytes, from: start + 1, to: min(bytes.count, start + 1 + count * 4))
        for i in 0..<count {
            var high: UInt64 = 0
            while true {
                guard let ones = reader.countOnes() else {
                    throw StoreError(.corrupt, offset: Int64(start), "Rice-coded postings block runs past its end")
                }
                high += UInt64(ones.count)
                if ones.terminated { break }
            }
            guard reader.bitsLeft >= k else {
                throw StoreError(.corrupt, offset: Int64(start), "Rice-coded postings block runs past its end")
            }
            let gap = high << UInt64(k) | reader.take(k)
            guard high < 1 << 32, gap <= UInt64(UInt32.max) else {
                throw StoreError(.corrupt, offset: Int64(start), "postings gap exceeds UInt32.max")
            }
            out[i] = UInt32(gap)
        }
        offset = start + 1 + reader.bytesRead
    }
}

/// Bits written least significant first into memory the caller sized (gap blocks, skip tables).
struct BitWriter {
    private let base: UnsafeMutablePointer<UInt8>
    private var at = 0
    private var accumulator: UInt64 = 0
    private var count = 0

    init(_ base: UnsafeMutablePointer<UInt8>) { self.base = base }

    /// Appends the low `bits` (0...32) bits of `value`.
    @inline(__always)
    mutating func put(_ value: UInt64, bits: Int) {
        self.accumulator |= (value & ((1 << UInt64(bits)) - 1)) << UInt64(self.count)
        self.count += bits
        if self.count >= 32 {
            // In bounds: the caller sized the buffer for every bit put, plus 8 bytes.
            UnsafeMutableRawPointer(self.base + self.at).storeBytes(
                of: UInt32(truncatingIfNeeded: self.accumulator).littleEndian,
                as: UInt32.self
            )
            self.at += 4
            self.accumulator >>= 32
            self.count -= 32
        }
    }

    /// Writes the last bits, zero-padded to a byte; returns the bytes written in all.
    mutating func finish() -> Int {
        while self.count > 0 {
            self.base[self.at] = UInt8(truncatingIfNeeded: self.accumulator)
            self.at += 1
            self.accumulator >>= 8
            self.count -= 8
        }
        return self.at
    }
}

/// Reads bits least significant first from `bytes[from..<to]`; past `to` reads as zero.
private struct BitReader: ~Escapable {
    private let bytes: Span<UInt8>
    private let end: Int
    private let start: Int
    /// Bit position from `start`.
    private var position = 0

    @_lifetime(copy bytes)
    init(_ bytes: Span<UInt8>, from start: Int, to end: Int) {
        self.bytes = bytes
        self.start = start
        self.end = end
    }

    var bitsLeft: Int { (self.end - self.start) * 8 - self.position }
    var bytesRead: Int { (self.position + 7) / 8 }

    /// Up to 64 bits from the current position (fewer near the end: the rest are zero), and how many are real.
    @inline(__always)
    private func peek() -> (word: UInt64, valid: Int) {
        let byte = self.start + (self.position >> 3)
        let shift = self.position & 7
        var word: UInt64 = 0
        if byte + 8 <= self.end {
            word = UInt64(
                littleEndian: self.bytes.bytes.unsafeLoadUnaligned(fromUncheckedByteOffset: byte, as: UInt64.self)
            )
        } else {
            var i = 0
            while byte + i < self.end {
                word |= UInt64(self.bytes[byte + i]) << UInt64(8 * i)
                i += 1
            }
        }
        return (word >> UInt64(shift), min(64 - shift, self.bitsLeft))
    }

    /// Takes `bits` (0...32) bits; the caller checked that many are left.
    @inline(__always)
    mutating func take(_ bits: Int) -> UInt64 {
        guard bits > 0 else { return 0 }
        let value = self.peek().word & ((1 << UInt64(bits)) - 1)
        self.position += bits
        return value
    }

    /// Counts the one-bits from the current position and moves past them, and past the zero that
    /// ends them when it is within the next 64 bits (`terminated`); nil when no bits are left.
    @inline(__always)
    mutating func countOnes() -> (count: Int, terminated: Bool)? {
        let (word, valid) = self.peek()
        guard valid > 0 else { return nil }
        let ones = (~word).trailingZeroBitCount
        if ones < valid {
            self.position += ones + 1
            return (ones, true)
        }
        self.position += valid
        return (valid, false)
    }
}
