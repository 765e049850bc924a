/// The values of one numeric field in a segment: integers and decimals, at most one per doc, with a
/// per-block min/max index for range filters.
///
/// Integers and decimals are two sub-columns, each with its own presence; a doc has a value in at most one.
/// Reads go straight to the packed bytes of the segment's column file; nothing is decoded ahead.
public struct NumericColumn: Sendable {
    public let name: String
    let body: ByteStorage
    let integers: NumericSubColumn?
    let decimals: NumericSubColumn?
    /// Smallest and largest non-NaN value; nil when the column holds only NaN.
    public let min: NumericValue?
    public let max: NumericValue?

    init(name: String, body: ByteStorage, integers: NumericSubColumn?, decimals: NumericSubColumn?) {
        self.name = name
        self.body = body
        self.integers = integers
        self.decimals = decimals
        var low: NumericValue?
        var high: NumericValue?
        for sub in [integers, decimals] {
            guard let sub else { continue }
            for block in 0..<sub.keys.blockCount {
                if let value = sub.minimum(block), low.map({ (value.compare(to: $0) ?? 0) < 0 }) ?? true { low = value }
                if let value = sub.maximum(block), high.map({ (value.compare(to: $0) ?? 0) > 0 }) ?? true {
                    high = value
                }
            }
        }
        self.min = low
        self.max = high
    }

    /// Docs with a value.
    public var count: Int { self.integerCount + self.decimalCount }
    /// Docs with an integer value.
    public var integerCount: Int { self.integers?.keys.count ?? 0 }
    /// Docs with a decimal value.
    public var decimalCount: Int { self.decimals?.keys.count ?? 0 }

    /// The value of `doc`, or nil when it has none.
    ///
    /// - Complexity: O(1) for dense fields; O(log blocks) for sparse ones.
    public func value(_ doc: UInt32) -> NumericValue? {
        self.body.withUnsafeBufferPointer { bytes in
            if let integers = self.integers, let index = integers.presence.index(of: doc, bytes) {
                return integers.value(at: index, bytes)
            }
            if let decimals = self.decimals, let index = decimals.presence.index(of: doc, bytes) {
                return decimals.value(at: index, bytes)
            }
            return nil
        }
    }

    /// Calls `body(doc, value)` for every doc in `range` that has a value, in doc order.
    public func forEach<E: Error>(
        in range: Range<UInt32>,
        _ body: (UInt32, NumericValue) throws(E) -> Void
    ) throws(E) {
        let result: Result<Void, E> = self.body.withUnsafeBufferPointer { bytes in
            do throws(E) {
                switch (self.integers, self.decimals) {
                case (nil, nil):
                    break
                case (let sub?, nil), (nil, let sub?):
                    try sub.presence.forEach(in: range, bytes) { (doc, index) throws(E) in
                        try body(doc, sub.value(at: index, bytes))
                    }
                case (let integers?, let decimals?):
                    // Merge the two sub-columns in doc order.
                    var a = ColumnPresence.Cursor(integers.presence, from: range.lowerBound, bytes)
                    var b = ColumnPresence.Cursor(decimals.presence, from: range.lowerBound, bytes)
                    let end = Int(range.upperBound)
                    while a.doc < end || b.doc < end {
                        if a.doc <= b.doc {
                            try body(UInt32(a.doc), integers.value(at: a.index, bytes))
                            a.advance(integers.presence, bytes)
                        } else {
                            try body(UInt32(b.doc), decimals.value(at: b.index, bytes))
                            b.advance(decimals.presence, bytes)
                        }
                    }
                }
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// The per-block index: integer blocks, then decimal blocks, each in doc order. Blocks of the two kinds may
    /// overlap in docs.
    public var blocks: [NumericBlock] {
        var blocks: [NumericBlock] = []
        for sub in [self.integers, self.decimals] {
            guard let sub else { continue }
            for block in 0..<sub.keys.blockCount {
                blocks.append(
                    NumericBlock(
                        docs: sub.presence.firstDocs[block]..<(sub.presence.lastDocs[block] + 1),
                        count: sub.presence.count(ofBlock: block),
                        min: sub.minimum(block),
                        max: sub.maximum(block)
                    )
                )
            }
        }
        return blocks
    }

    /// Doc ranges of the blocks that may hold a value `v` with `lower <= v <= upper` (nil bound: unbounded),
    /// merged and sorted; NaN never matches.
    public func blocks(from lower: NumericValue?, through upper: NumericValue?) -> [Range<UInt32>] {
        var ranges = self.blocks.compactMap { block -> Range<UInt32>? in
            guard let low = block.min, let high = block.max else { return nil }
            if let lower, (high.compare(to: lower) ?? -1) < 0 { return nil }
            if let upper, (low.compare(to: upper) ?? 1) > 0 { return nil }
            return block.docs
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [Range<UInt32>] = []
        for range in ranges {
            if let last = merged.last, range.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<Swift.max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        return merged
    }
}

/// A block of a numeric column: which docs it spans and the range of its values, for skipping on range filters.
public struct NumericBlock: Sendable, Hashable {
    /// From the block's first doc to one past its last (docs in between may lack the field).
    public var docs: Range<UInt32>
    /// Values in the block.
    public var count: Int
    /// Smallest and largest non-NaN value; nil when the block holds only NaN.
    public var min: NumericValue?
    public var max: NumericValue?

    public init(docs: Range<UInt32>, count: Int, min: NumericValue?, max: NumericValue?) {
        self.docs = docs
        self.count = count
        self.min = min
        self.max = max
    }
}

/// The values of one kind (integer or decimal) of a numeric column: presence, then frame-of-reference blocks.
///
/// A class, so a lookup retains one object instead of each of its index arrays.
final class NumericSubColumn: Sendable {
    /// Decimal block forms (layout in ColumnsWriter.swift): all NaN, IEEE keys with stats, then scaled by 10^k
    /// from this value on.
    static let allNaNForm: UInt8 = 0
    static let keysForm: UInt8 = 1
    static let firstScaledForm: UInt8 = 2

    let isDecimal: Bool
    let presence: ColumnPresence
    let keys: ColumnKeyBlocks
    /// Decimals only: per block, the min and max key (as `ColumnKey(Double)`) over non-NaN values (min > max
    /// when all are NaN).
    let statMinimums: [UInt64]
    let statMaximums: [UInt64]
    /// Decimals only: per block, 10^k for a block of integers scaled by 10^k, 0 for a block of `ColumnKey(Double)`.
    let scaleDivisors: [Double]

    /// Parses one sub-column (layout in ColumnsWriter.swift); nil when it holds no value.
    static func parse(
        isDecimal: Bool,
        version: UInt16 = ColumnsWriter.formatVersion,
        docCount: Int,
        from reader: inout ByteReader
    ) throws(StoreError) -> NumericSubColumn? {
        let valueCount = try reader.count(limit: docCount)
        guard valueCount > 0 else { return nil }
        return try NumericSubColumn(
            isDecimal: isDecimal,
            version: version,
            valueCount: valueCount,
            docCount: docCount,
            from: &reader
        )
    }

    private init(
        isDecimal: Bool,
        version: UInt16,
        valueCount: Int,
        docCount: Int,
        from reader: inout ByteReader
    ) throws(StoreError) {
        self.isDecimal = isDecimal
        var presence = try ColumnPresence(valueCount: valueCount, docCount: docCount, from: &reader)
        var keys = try ColumnKeyBlocks(headersOf: valueCount, from: &reader)
        var minimums: [UInt64] = []
        var maximums: [UInt64] = []
        var divisors: [Double] = []
        if isDecimal {
            minimums.reserveCapacity(keys.blockCount)
            maximums.reserveCapacity(keys.blockCount)
            divisors.reserveCapacity(keys.blockCount)
            let lastForm = version >= 2 ? Self.firstScaledForm + UInt8(ColumnDecimalScale.maxScale) : Self.keysForm
            for block in 0..<keys.blockCount {
                let at = reader.offset
                let form = try reader.u8()
                guard form <= lastForm else {
                    throw StoreError(.corrupt, offset: Int64(at), "decimal block form \(form)")
                }
                if form >= Self.firstScaledForm {
                    // Scaled integers: the header's range is the values' range, within +-2^53.
                    let low = ColumnKey.integer(keys.minimum(block))
                    let (top, overflow) = keys.minimum(block).addingReportingOverflow(keys.spreads[block])
                    let high = ColumnKey.integer(top)
                    let limit = Int64(ColumnDecimalScale.limit)
                    guard !overflow, low >= -limit, high <= limit else {
                        throw StoreError(.corrupt, offset: Int64(at), "scaled decimal block beyond 2^53")
                    }
                    let divisor = ColumnDecimalScale.divisors[Int(form - Self.firstScaledForm)]
                    minimums.append(ColumnKey.key(ColumnDecimalScale.decimal(low, divisor: divisor)))
                    maximums.append(ColumnKey.key(ColumnDecimalScale.decimal(high, divisor: divisor)))
                    divisors.append(divisor)
                    continue
                }
                divisors.append(0)
                if form == Self.allNaNForm {
                    minimums.append(1)
                    maximums.append(0)
                    continue
                }
                let low = try reader.varint()
                let high = try reader.varint()
                guard low <= high, high <= keys.maximum(block) &- keys.minimum(block),
                    !ColumnKey.decimal(keys.minimum(block) &+ low).isNaN,
                    !ColumnKey.decimal(keys.minimum(block) &+ high).isNaN
                else {
                    throw StoreError(.corrupt, offset: Int64(at), "decimal block min/max outside the block or NaN")
                }
                minimums.append(keys.minimum(block) &+ low)
                maximums.append(keys.minimum(block) &+ high)
            }
        }
        try presence.placeData(&reader)
        try keys.placeData(&reader)
        self.presence = presence
        self.keys = keys
        self.statMinimums = minimums
        self.statMaximums = maximums
        self.scaleDivisors = divisors
    }

    @inline(__always)
    func value(at index: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> NumericValue {
        let key = self.keys.key(index, in: bytes)
        return self.isDecimal ? .decimal(self.decimal(key, block: index >> 7)) : .integer(ColumnKey.integer(key))
    }

    /// The decimal that `key` of decimal block `block` stands for.
    @inline(__always)
    func decimal(_ key: UInt64, block: Int) -> Double {
        let divisor = self.scaleDivisors[block]
        return divisor == 0
            ? ColumnKey.decimal(key) : ColumnDecimalScale.decimal(ColumnKey.integer(key), divisor: divisor)
    }

    func minimum(_ block: Int) -> NumericValue? {
        guard self.isDecimal else { return .integer(ColumnKey.integer(self.keys.minimum(block))) }
        guard self.statMinimums[block] <= self.statMaximums[block] else { return nil }
        return .decimal(ColumnKey.decimal(self.statMinimums[block]))
    }

    func maximum(_ block: Int) -> NumericValue? {
        guard self.isDecimal else { return .integer(ColumnKey.integer(self.keys.maximum(block))) }
        guard self.statMinimums[block] <= self.statMaximums[block] else { return nil }
        return .decimal(ColumnKey.decimal(self.statMaximums[block]))
    }
}
