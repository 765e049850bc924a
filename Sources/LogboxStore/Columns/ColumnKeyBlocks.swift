/// Blocks of up to 128 keys (see `ColumnKey`) stored as frame of reference: per block a base (the minimum), the
/// spread to the maximum, a common divisor of the offsets, then the offsets `(key - base) / gcd` bit-packed at
/// `width = bits(spread / gcd)`.
///
/// Headers of all blocks come first, so a reader can parse them into a small index (per-block min/max for range
/// skipping) before it places the packed data, which is read lazily by value index.
/// ```
/// per block:  signedVarint  base - previous base (wrapping; the first block's previous base is 0)
///             varint        spread = max key - base
///             varint        gcd (>= 1) of all offsets; 1 when the spread is 0
/// data:       per block, (count_b * width_b + 7) / 8 bytes, width_b = bits(spread_b / gcd_b)
/// ```
struct ColumnKeyBlocks: Sendable {
    static let blockSize = 128

    /// Number of keys.
    let count: Int
    private(set) var bases: [UInt64] = []
    private(set) var spreads: [UInt64] = []
    private(set) var divisors: [UInt64] = []
    private(set) var widths: [UInt8] = []
    /// Byte offset (in the body) of each block's packed data; one extra entry for the end.
    private(set) var starts: [Int] = []

    var blockCount: Int { self.bases.count }

    /// The smallest key of block `block`.
    func minimum(_ block: Int) -> UInt64 { self.bases[block] }
    /// The largest key of block `block`.
    func maximum(_ block: Int) -> UInt64 { self.bases[block] &+ self.spreads[block] }

    /// Keys of block `block`: `block * 128 ..< min(block * 128 + 128, count)`.
    func range(ofBlock block: Int) -> Range<Int> {
        let lower = block * Self.blockSize
        return lower..<Swift.min(lower + Self.blockSize, self.count)
    }

    /// Key `index`; `bytes` is the whole body the blocks were parsed from.
    @inline(__always)
    func key(_ index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let block = index >> 7
        let offset = ColumnBitPacking.read(
            bytes,
            start: self.starts[block],
            index: index & 127,
            width: Int(self.widths[block])
        )
        return self.bases[block] &+ offset &* self.divisors[block]
    }

    // MARK: Writing

    /// Appends the block headers of `keys` to `headers` and their packed offsets to `data`.
    static func encode(_ keys: [UInt64], headers: inout ByteWriter, data: inout [UInt8]) {
        var previousBase: UInt64 = 0
        var lower = 0
        while lower < keys.count {
            let upper = Swift.min(lower + Self.blockSize, keys.count)
            let block = keys[lower..<upper]
            let (base, spread, divisor) = Self.frame(of: block)
            headers.signedVarint(Int64(bitPattern: base &- previousBase))
            headers.varint(spread)
            headers.varint(divisor)
            let width = ColumnBitPacking.width(spread / divisor)
            var packer = ColumnBitWriter(width: width)
            if divisor == 1 {
                for key in block { packer.append(key &- base, to: &data) }
            } else {
                for key in block { packer.append((key &- base) / divisor, to: &data) }
            }
            packer.flush(to: &data)
            previousBase = base
            lower = upper
        }
    }

    /// The header of one block of keys: its minimum, the spread to its maximum and the common divisor of the
    /// offsets (1 when the spread is 0). The block's values pack at `bits(spread / divisor)`.
    static func frame(of block: ArraySlice<UInt64>) -> (base: UInt64, spread: UInt64, divisor: UInt64) {
        var base = UInt64.max
        var top = UInt64.min
        for key in block {
            base = Swift.min(base, key)
            top = Swift.max(top, key)
        }
        var divisor: UInt64 = 0
        if top != base {
            for key in block where divisor != 1 { divisor = ColumnKey.gcd(divisor, key &- base) }
        }
        return (base, top &- base, Swift.max(divisor, 1))
    }

    // MARK: Reading

    /// Parses the headers of `count` keys from `reader`; `placeData` must follow when the reader reaches the data.
    init(headersOf count: Int, from reader: inout ByteReader) throws(StoreError) {
        self.count = count
        let blockCount = (count + Self.blockSize - 1) / Self.blockSize
        // Each header takes at least 3 bytes: a bound before allocating on a count read from the file.
        guard blockCount <= reader.remaining / 3 else {
            throw StoreError(
                .corrupt,
                offset: Int64(reader.offset),
                "\(blockCount) blocks do not fit in \(reader.remaining) bytes"
            )
        }
        self.bases.reserveCapacity(blockCount)
        self.spreads.reserveCapacity(blockCount)
        self.divisors.reserveCapacity(blockCount)
        self.widths.reserveCapacity(blockCount)
        var base: UInt64 = 0
        for _ in 0..<blockCount {
            let at = reader.offset
            base &+= UInt64(bitPattern: try reader.signedVarint())
            let spread = try reader.varint()
            let divisor = try reader.varint()
            guard divisor >= 1 else { throw StoreError(.corrupt, offset: Int64(at), "block divisor is 0") }
            self.bases.append(base)
            self.spreads.append(spread)
            self.divisors.append(divisor)
            self.widths.append(UInt8(ColumnBitPacking.width(spread / divisor)))
        }
    }

    /// Records where each block's packed data lies and moves `reader` past it.
    mutating func placeData(_ reader: inout ByteReader) throws(StoreError) {
        self.starts.reserveCapacity(self.blockCount + 1)
        for block in 0..<self.blockCount {
            self.starts.append(reader.offset)
            let values = self.range(ofBlock: block).count
            guard let size = ColumnBitPacking.byteCount(count: values, width: Int(self.widths[block])) else {
                throw StoreError(.corrupt, offset: Int64(reader.offset), "block size overflows")
            }
            try reader.skip(size)
        }
        self.starts.append(reader.offset)
    }
}
