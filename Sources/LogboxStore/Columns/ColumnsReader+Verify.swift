extension ColumnsReader {
    /// Decodes every value and checks it against the indexes built at open: the doc count, per-block min/max
    /// (so range skipping never drops a matching doc), presence order, ordinals within their dictionary and the
    /// stored ordinal counts.
    ///
    /// - Throws: `StoreError(.corrupt)` with the offset of the section that failed.
    /// - Complexity: O(docs x columns).
    public func verify(docCount: Int) throws(StoreError) {
        guard docCount == self.docCount else {
            throw StoreError(.corrupt, offset: 0, "columns hold \(self.docCount) docs, segment has \(docCount)")
        }
        let failure: StoreError? = self.body.withUnsafeBufferPointer { bytes in
            if let message = Self.check(self.timestampKeys, bytes) {
                return StoreError(.corrupt, offset: Int64(self.timestampOffset), "timestamps: \(message)")
            }
            for name in self.numericFields {
                let column = self.numericColumns[name]!
                for sub in [column.integers, column.decimals] {
                    guard let sub else { continue }
                    if let message = Self.check(sub.keys, bytes) ?? Self.check(sub, bytes) {
                        return StoreError(.corrupt, offset: Int64(self.numericOffsets[name]!), "\(name): \(message)")
                    }
                }
                if let integers = column.integers, let decimals = column.decimals {
                    var both = false
                    integers.presence.forEach(in: 0..<UInt32(self.docCount), bytes) { doc, _ in
                        if decimals.presence.index(of: doc, bytes) != nil { both = true }
                    }
                    if both {
                        return StoreError(
                            .corrupt,
                            offset: Int64(self.numericOffsets[name]!),
                            "\(name): a doc has two values"
                        )
                    }
                }
            }
            for name in self.keywordFields {
                let column = self.keywordColumns[name]!
                if let blocks = column.blocks, let message = Self.check(blocks, bytes) {
                    return StoreError(.corrupt, offset: Int64(self.keywordOffsets[name]!), "\(name): \(message)")
                }
                var counts = [Int](repeating: 0, count: column.dictionary.count + 1)
                for doc in 0..<self.docCount {
                    let raw = column.storedOrdinal(doc, bytes)
                    guard raw <= UInt64(column.dictionary.count) else {
                        return StoreError(
                            .corrupt,
                            offset: Int64(self.keywordOffsets[name]!),
                            "\(name): doc \(doc) ordinal \(raw)"
                        )
                    }
                    counts[Int(raw)] += 1
                }
                if counts != column.storedCounts {
                    return StoreError(.corrupt, offset: Int64(self.keywordOffsets[name]!), "\(name): counts differ")
                }
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// Checks that each block's values lie in its header's range and reach both ends.
    private static func check(_ keys: ColumnKeyBlocks, _ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        for block in 0..<keys.blockCount {
            var low = UInt64.max
            var high = UInt64.min
            for index in keys.range(ofBlock: block) {
                let width = Int(keys.widths[block])
                let offset = ColumnBitPacking.read(bytes, start: keys.starts[block], index: index & 127, width: width)
                let (scaled, overflow) = offset.multipliedReportingOverflow(by: keys.divisors[block])
                guard !overflow, scaled <= keys.spreads[block] else { return "block \(block) value out of range" }
                low = min(low, scaled)
                high = max(high, scaled)
            }
            guard low == 0, high == keys.spreads[block] else { return "block \(block) min/max do not match" }
        }
        return nil
    }

    /// Checks that each ordinal block's offsets start at 0 (the base is the block's minimum) and need its width.
    private static func check(_ blocks: ColumnOrdinalBlocks, _ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        for block in 0..<blocks.blockCount {
            let base = blocks.base(block, in: bytes)
            var low = UInt64.max
            var high = UInt64.min
            for index in blocks.range(ofBlock: block) {
                let offset = blocks.ordinal(index, in: bytes) &- base
                low = min(low, offset)
                high = max(high, offset)
            }
            guard low == 0, ColumnBitPacking.width(high) == blocks.width(block, in: bytes) else {
                return "ordinal block \(block) base or width does not match its values"
            }
        }
        return nil
    }

    /// Checks presence order against the block doc ranges, and decimal block stats against the values; each
    /// value of a scaled decimal block must map back to its stored integer.
    private static func check(_ sub: NumericSubColumn, _ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        let presence = sub.presence
        var docs: [UInt32] = []
        docs.reserveCapacity(presence.valueCount)
        presence.forEach(in: 0..<UInt32(presence.docCount), bytes) { doc, index in
            if index == docs.count { docs.append(doc) }
        }
        guard docs.count == presence.valueCount else {
            return "presence yields \(docs.count) of \(presence.valueCount) docs"
        }
        for block in 0..<presence.blockCount {
            let range = sub.keys.range(ofBlock: block)
            let blockDocs = docs[range]
            guard blockDocs.first == presence.firstDocs[block], blockDocs.last == presence.lastDocs[block] else {
                return "block \(block) doc range does not match its docs"
            }
            guard zip(blockDocs, blockDocs.dropFirst()).allSatisfy({ $0 < $1 }) else {
                return "block \(block) docs out of order"
            }
            guard sub.isDecimal else { continue }
            let divisor = sub.scaleDivisors[block]
            var low = UInt64.max
            var high = UInt64.min
            for index in range {
                let stored = sub.keys.key(index, in: bytes)
                let value = sub.decimal(stored, block: block)
                // A scaled block holds only values the writer saw come back exactly from their integer.
                if divisor != 0, ColumnDecimalScale.scaled(value, divisor: divisor) != ColumnKey.integer(stored) {
                    return "block \(block) scaled value \(ColumnKey.integer(stored)) does not round-trip"
                }
                let key = ColumnKey.key(value)
                if !value.isNaN {
                    low = min(low, key)
                    high = max(high, key)
                }
            }
            if low > high { low = 1; high = 0 }
            guard low == sub.statMinimums[block], high == sub.statMaximums[block] else {
                return "block \(block) decimal min/max do not match"
            }
        }
        return nil
    }
}
