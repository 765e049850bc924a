/// Fixed-width bit packing for the column file: `count` values of `width` bits, LSB first, little-endian.
///
/// Value `i` starts at bit `i * width` of the run; a run takes `(count * width + 7) / 8` bytes, so a full block
/// of 128 values takes exactly `16 * width` bytes. A fixed width gives O(1) random access, which `timestamp(doc)`
/// and `ordinal(doc)` need; the width is chosen per block (frame of reference), so small spreads stay small.
enum ColumnBitPacking {
    /// Bits needed to write `value` (0 for 0).
    @inline(__always)
    static func width(_ value: UInt64) -> Int { 64 - value.leadingZeroBitCount }

    /// Bytes taken by `count` values of `width` bits, or nil when that overflows `Int`.
    @inline(__always)
    static func byteCount(count: Int, width: Int) -> Int? {
        let (bits, overflow) = count.multipliedReportingOverflow(by: width)
        guard !overflow, bits <= Int.max - 7 else { return nil }
        return (bits + 7) / 8
    }

    /// Appends `values` packed at `width` bits; each value must fit in `width` bits.
    ///
    /// - Complexity: O(n), one pass, no allocation beyond the growth of `out`.
    static func append(_ values: some Sequence<UInt64>, width: Int, to out: inout [UInt8]) {
        var writer = ColumnBitWriter(width: width)
        for value in values { writer.append(value, to: &out) }
        writer.flush(to: &out)
    }

    /// Value `index` of the run that starts at byte `start` of `bytes`.
    ///
    /// The caller has checked that the run (`start + byteCount(count, width)`) lies inside `bytes` and that
    /// `index < count`; under that check every byte read below is in bounds.
    @inline(__always)
    static func read(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, index: Int, width: Int) -> UInt64 {
        if width == 0 { return 0 }
        let bit = index &* width
        let first = start &+ (bit >> 3)
        let shift = bit & 7
        var value: UInt64
        if first &+ 8 <= bytes.count {
            // In bounds: checked just above.
            let word = UnsafeRawPointer(bytes.baseAddress! + first).loadUnaligned(as: UInt64.self)
            value = UInt64(littleEndian: word) >> UInt64(shift)
            if shift &+ width > 64 {
                // The value's last bits sit in byte `first + 8`, inside the run, so inside `bytes`.
                value |= UInt64(bytes[first &+ 8]) << UInt64(64 &- shift)
            }
        } else {
            // Near the end of the buffer: gather byte by byte, never past the run's last byte.
            let last = start &+ ((bit &+ width &- 1) >> 3)
            value = 0
            var position = first
            var offset = -shift
            while position <= last {
                let byte = UInt64(bytes[position])
                value |= offset >= 0 ? byte << UInt64(offset) : byte >> UInt64(-offset)
                offset &+= 8
                position &+= 1
            }
        }
        return width == 64 ? value : value & ((1 << UInt64(width)) &- 1)
    }
}

/// Packs values one at a time at a fixed width (the streaming form of `ColumnBitPacking.append`).
struct ColumnBitWriter {
    let width: Int
    private var buffer: UInt64 = 0
    private var bufferBits = 0

    init(width: Int) {
        precondition(width >= 0 && width <= 64, "bit width \(width) out of 0...64")
        self.width = width
    }

    /// Appends `value`, which must fit in `width` bits; whole 8-byte words go to `out` as they fill.
    @inline(__always)
    mutating func append(_ value: UInt64, to out: inout [UInt8]) {
        guard self.width > 0 else { return }
        // `<<` and `>>` by 64 or more give 0 for UInt64, which is what the edge cases need.
        self.buffer |= value << UInt64(self.bufferBits)
        self.bufferBits += self.width
        if self.bufferBits >= 64 {
            withUnsafeBytes(of: self.buffer.littleEndian) { out.append(contentsOf: $0) }
            self.bufferBits -= 64
            self.buffer = self.bufferBits == 0 ? 0 : value >> UInt64(self.width - self.bufferBits)
        }
    }

    /// Writes the bytes still buffered: the run ends on a byte boundary.
    mutating func flush(to out: inout [UInt8]) {
        while self.bufferBits > 0 {
            out.append(UInt8(truncatingIfNeeded: self.buffer))
            self.buffer >>= 8
            self.bufferBits -= 8
        }
        self.bufferBits = 0
        self.buffer = 0
    }
}
