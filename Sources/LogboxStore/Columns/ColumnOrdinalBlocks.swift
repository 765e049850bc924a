/// Keyword ordinals in blocks of 128 docs, each block packed above its own base at its own width, so a block of
/// docs without the field, or all with one value, takes no data bits.
///
/// Cheap to open: the only per-block work at open is summing the width bytes into data offsets (no varints),
/// which matters because every query opens every keyword column of every segment.
/// ```
/// blockCount x u8   width_b = bits(max_b - min_b), at most bits(dictionaryCount); blockCount = (count + 127) / 128
/// bases             blockCount values bit-packed at bits(dictionaryCount): min_b, the block's smallest ordinal
/// data              per block, (ordinal - min_b) bit-packed at width_b: (count_b * width_b + 7) / 8 bytes
/// ```
struct ColumnOrdinalBlocks: Sendable {
    static let blockSize = 128

    /// Number of ordinals (docs).
    let count: Int
    /// Bit width of the bases: bits(dictionaryCount).
    let baseWidth: Int
    /// Body offsets of the width bytes and of the packed bases.
    let widthsStart: Int
    let basesStart: Int
    /// Body offset of each block's packed data; one extra entry for the end.
    let starts: [Int]

    var blockCount: Int { self.starts.count - 1 }

    /// Ordinals of block `block`: `block * 128 ..< min(block * 128 + 128, count)`.
    func range(ofBlock block: Int) -> Range<Int> {
        let lower = block * Self.blockSize
        return lower..<Swift.min(lower + Self.blockSize, self.count)
    }

    /// The bit width of block `block`'s offsets.
    @inline(__always)
    func width(_ block: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int { Int(bytes[self.widthsStart + block]) }

    /// The base (smallest ordinal) of block `block`.
    @inline(__always)
    func base(_ block: Int, in bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        ColumnBitPacking.read(bytes, start: self.basesStart, index: block, width: self.baseWidth)
    }

    /// Ordinal `index`, as stored (a damaged body may hold one past the dictionary); `bytes` is the whole body.
    @inline(__always)
    func ordinal(_ index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let block = index >> 7
        let offset = ColumnBitPacking.read(
            bytes,
            start: self.starts[block],
            index: index & 127,
            width: self.width(block, in: bytes)
        )
        return self.base(block, in: bytes) &+ offset
    }

    // MARK: Writing

    /// Appends the widths, bases and packed data of `ordinals` (each at most `dictionaryCount`) to `out`.
    static func encode(_ ordinals: [UInt32], dictionaryCount: Int, to out: inout [UInt8]) {
        let blockCount = (ordinals.count + Self.blockSize - 1) / Self.blockSize
        var bases: [UInt64] = []
        bases.reserveCapacity(blockCount)
        var widths: [Int] = []
        widths.reserveCapacity(blockCount)
        for block in 0..<blockCount {
            let lower = block * Self.blockSize
            let values = ordinals[lower..<Swift.min(lower + Self.blockSize, ordinals.count)]
            let low = UInt64(values.min()!)
            bases.append(low)
            widths.append(ColumnBitPacking.width(UInt64(values.max()!) - low))
        }
        for width in widths { out.append(UInt8(width)) }
        ColumnBitPacking.append(bases, width: ColumnBitPacking.width(UInt64(dictionaryCount)), to: &out)
        for block in 0..<blockCount {
            let lower = block * Self.blockSize
            let values = ordinals[lower..<Swift.min(lower + Self.blockSize, ordinals.count)]
            let base = bases[block]
            ColumnBitPacking.append(values.lazy.map { UInt64($0) - base }, width: widths[block], to: &out)
        }
    }

    // MARK: Reading

    /// Places the blocks of `count` ordinals of a `dictionaryCount`-value dictionary and moves `reader` past them.
    ///
    /// - Throws: `StoreError(.corrupt)` when a width exceeds bits(dictionaryCount) or the data does not fit.
    init(count: Int, dictionaryCount: Int, from reader: inout ByteReader) throws(StoreError) {
        self.count = count
        self.baseWidth = ColumnBitPacking.width(UInt64(dictionaryCount))
        let blockCount = (count + Self.blockSize - 1) / Self.blockSize
        self.widthsStart = reader.offset
        let widths = try reader.bytes(blockCount)
        self.basesStart = reader.offset
        guard let basesSize = ColumnBitPacking.byteCount(count: blockCount, width: self.baseWidth) else {
            throw StoreError(.corrupt, offset: Int64(reader.offset), "ordinal bases overflow")
        }
        try reader.skip(basesSize)
        var starts: [Int] = []
        starts.reserveCapacity(blockCount + 1)
        var start = reader.offset
        let baseWidth = self.baseWidth
        let widthsStart = self.widthsStart
        try widths.withUnsafeBufferPointer { (widths) throws(StoreError) in
            for (block, width) in widths.enumerated() {
                starts.append(start)
                guard width <= baseWidth else {
                    throw StoreError(.corrupt, offset: Int64(widthsStart + block), "ordinal block width \(width)")
                }
                // Widths are at most 64 and blocks hold 128 values, so this cannot overflow.
                let values = block == blockCount - 1 ? count - block * Self.blockSize : Self.blockSize
                start += (values * Int(width) + 7) / 8
            }
        }
        starts.append(start)
        try reader.skip(start - reader.offset)
        self.starts = starts
    }
}
