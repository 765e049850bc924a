/// Frame-of-reference runs: up to 128 unsigned 32-bit values as their minimum plus bit-packed offsets.
///
/// Run layout (little-endian, varint = unsigned LEB128):
/// ```
/// varint base    the smallest value of the run (0...UInt32.max)
/// u8     width   bits per packed value, 0...32
/// packed         count × (value − base) at `width` bits each, least significant bit first,
///                ceil(count × width / 8) bytes; the last byte's high bits are zero
/// ```
/// The count is not stored: the reader knows it from the structure around the run. A run whose
/// values are all equal costs its base and one byte, whatever its length, so a term that sits at the
/// same position in every line of a template costs next to nothing.
enum FrameOfReference {
    /// Values one run holds at most.
    static let maximumCount = BitPacking.blockSize

    /// Appends one run of 1...128 `values`.
    static func append(_ values: Span<UInt32>, into out: inout ByteWriter) {
        precondition((1...Self.maximumCount).contains(values.count), "a run holds 1...\(Self.maximumCount) values")
        var low = UInt32.max
        for i in values.indices { low = min(low, values[i]) }
        var all: UInt32 = 0
        for i in values.indices { all |= values[i] - low }
        let width = UInt32.bitWidth - all.leadingZeroBitCount
        out.varint(UInt64(low))
        out.u8(UInt8(width))
        guard width > 0 else { return }
        var accumulator: UInt64 = 0
        var bits = 0
        for i in values.indices {
            accumulator |= UInt64(values[i] - low) << UInt64(bits)
            bits += width
            while bits >= 8 {
                out.u8(UInt8(truncatingIfNeeded: accumulator))
                accumulator >>= 8
                bits -= 8
            }
        }
        if bits > 0 { out.u8(UInt8(truncatingIfNeeded: accumulator)) }
    }

    /// Decodes a run of `count` (1...128) values at `offset`, appending them to `out`; moves `offset`
    /// past the run.
    ///
    /// - Throws: `StoreError(.corrupt)` when the run runs past the end, its width exceeds 32 or a value
    ///   exceeds `UInt32.max`.
    /// - Complexity: O(count), no allocation beyond `out`'s growth.
    static func decode(
        _ bytes: Span<UInt8>,
        at offset: inout Int,
        count: Int,
        into out: inout [UInt32]
    ) throws(StoreError) {
        precondition((1...Self.maximumCount).contains(count), "a run holds 1...\(Self.maximumCount) values")
        let start = offset
        var at = offset
        let base = try bytes.varint(at: &at)
        guard base <= UInt64(UInt32.max) else {
            throw StoreError(.corrupt, offset: Int64(start), "run base \(base) exceeds UInt32.max")
        }
        guard at < bytes.count else {
            throw StoreError(.corrupt, offset: Int64(at), "run width runs past the end")
        }
        let width = Int(bytes[at])
        at += 1
        guard width <= 32 else {
            throw StoreError(.corrupt, offset: Int64(at - 1), "run bit width \(width) exceeds 32")
        }
        let length = (count * width + 7) / 8
        guard length <= bytes.count - at else {
            throw StoreError(.corrupt, offset: Int64(at), "run of \(count) values at \(width) bits runs past the end")
        }
        let limit = UInt64(UInt32.max) - base
        if width == 0 {
            for _ in 0..<count { out.append(UInt32(base)) }
            offset = at
            return
        }
        let mask: UInt64 = (1 << UInt64(width)) - 1
        var accumulator: UInt64 = 0
        var bits = 0
        var next = at
        for _ in 0..<count {
            while bits < width {
                // In bounds: `count × width` bits need exactly `length` bytes, checked above.
                accumulator |= UInt64(bytes[next]) << UInt64(bits)
                next += 1
                bits += 8
            }
            let value = accumulator & mask
            accumulator >>= UInt64(width)
            bits -= width
            guard value <= limit else {
                throw StoreError(.corrupt, offset: Int64(start), "run value exceeds UInt32.max")
            }
            out.append(UInt32(base + value))
        }
        offset = at + length
    }
}
