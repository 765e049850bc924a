/// Packs blocks of 128 unsigned 32-bit values at one bit width, least significant bit first.
///
/// A block of width `w` takes exactly `16 × w` bytes (128 × w bits), so a block's size follows from
/// its width byte and a reader can bounds-check it before unpacking.
enum BitPacking {
    static let blockSize = 128

    /// Bytes one packed block of `width` bits takes.
    @inline(__always)
    static func byteCount(width: Int) -> Int { width * (Self.blockSize / 8) }

    /// Bits the largest of `values` needs: 0 when all are 0, 32 when one has the top bit set.
    static func width(of values: Span<UInt32>) -> Int {
        var all: UInt32 = 0
        for i in values.indices { all |= values[i] }
        return Self.width(of: all)
    }

    /// Bits `value` needs (0 for 0).
    @inline(__always)
    static func width(of value: UInt32) -> Int { UInt32.bitWidth - value.leadingZeroBitCount }

    /// Appends the 128 `values` at `width` bits each (every value must fit).
    static func pack(_ values: Span<UInt32>, width: Int, into out: inout ByteWriter) {
        precondition(values.count == Self.blockSize, "a packed block holds exactly \(Self.blockSize) values")
        precondition((0...32).contains(width), "bit width \(width) is out of 0...32")
        guard width > 0 else { return }
        var accumulator: UInt64 = 0
        var bits = 0
        for i in 0..<Self.blockSize {
            accumulator |= UInt64(values[i]) << UInt64(bits)
            bits += width
            while bits >= 8 {
                out.u8(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
        }
    }

    /// Decodes 128 values of `width` bits from `bytes` (exactly `byteCount(width:)` long) into `out`.
    ///
    /// - Complexity: O(bytes), one pass, no allocation.
    static func unpack(_ bytes: Span<UInt8>, width: Int, into out: inout MutableSpan<UInt32>) {
        precondition((0...32).contains(width), "bit width \(width) is out of 0...32")
        precondition(bytes.count == Self.byteCount(width: width), "packed block has the wrong length")
        precondition(out.count >= Self.blockSize, "output holds fewer than \(Self.blockSize) values")
        guard width > 0 else {
            for i in 0..<Self.blockSize { out[unchecked: i] = 0 }  // checked: out.count >= blockSize
            return
        }
        let mask: UInt64 = (1 << UInt64(width)) - 1
        let raw = bytes.bytes
        var accumulator: UInt64 = 0
        var bits = 0
        var next = 0
        for i in 0..<Self.blockSize {
            if bits < width {
                // In bounds: 128 values consume exactly 16 × width bytes, a multiple of 4, checked
                // above; fewer than 32 bits are left before a refill, so 32 more fit in 64.
                let word = UInt32(littleEndian: raw.unsafeLoadUnaligned(fromUncheckedByteOffset: next, as: UInt32.self))
                accumulator |= UInt64(word) << UInt64(bits)
                next += 4
                bits += 32
            }
            out[unchecked: i] = UInt32(truncatingIfNeeded: accumulator & mask)
            accumulator >>= UInt64(width)
            bits -= width
        }
    }
}
