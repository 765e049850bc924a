// The column file of a segment: per-doc timestamps, numbers and low-cardinality keywords, so time ranges,
// numeric ranges and `stats ... by (field)` run without decompressing stored events.
//
// Body layout, format version 2 (little-endian; varint = unsigned LEB128; signedVarint = zigzag + LEB128).
// Version 1 differs in two places, marked below: no scaled decimal blocks (block forms 2...11) and keyword
// ordinals in one run instead of per-block frames. Readers take both versions.
// The common 20-byte footer (Codec/FileFooter.swift, kind `columns`) follows the body and is not part of it.
//
// ```
// header
//   u16     formatVersion            2 (or 1)
//   u16     reserved                 0
//   varint  docCount                 doc ids are 0 ..< docCount
//   i64     minTime, i64 maxTime     ns; Int64.max, Int64.min when docCount is 0
//   varint  numericCount, varint keywordCount
// timestamps                         one key block per 128 docs, keys = ColumnKey(Int64); per block a
//                                    base (min), spread (max - min) and common divisor (10^9 for second
//                                    precision), then (key - base) / divisor bit-packed
//   key block headers, then key block data (layout in ColumnKeyBlocks.swift)
// numericCount x numeric column      names unique; written sorted by UTF-8 bytes
//   varint-prefixed name (UTF-8)
//   varint  length                   bytes of the two sub-columns below
//   sub-column integers              keys = ColumnKey(Int64)
//   sub-column decimals              per block, keys = ColumnKey(Double) (every bit pattern, NaN payloads
//                                    included) or, for a scaled block, ColumnKey(Int64(n)) (see below)
// keywordCount x keyword column      names unique; written sorted by UTF-8 bytes
//   varint-prefixed name
//   varint  length                   bytes of what follows
//   varint  dictionaryCount          >= 1
//   dictionaryCount x varint-prefixed bytes, strictly ascending (unsigned bytewise)
//   (dictionaryCount + 1) x varint   docs per ordinal; [0] = docs without the field; sum = docCount
//   ordinals                         docCount values in doc order; 0 = absent, k = dictionary[k - 1]
//     version 2                      per block of 128 docs, a width byte, a base (the block's smallest
//                                    ordinal) and (ordinal - base) packed at that width
//                                    (ColumnOrdinalBlocks.swift): a block of docs without the field, or all
//                                    with one value, takes a byte and bits(dictionaryCount) bits
//     version 1                      bit-packed in one run at bits(dictionaryCount)
//
// sub-column (the values of one kind, in doc order, at most one per doc)
//   varint  valueCount               0: nothing follows
//   u8      presence                 0 = every doc has a value (valueCount = docCount)
//                                    1 = bitset over docCount docs
//                                    2 = sorted doc ids, packed per block
//   presence 1, 2: per block of 128 values: varint firstDoc - (previous lastDoc + 1, or 0), varint lastDoc - firstDoc
//   key block headers (ColumnKeyBlocks.swift)
//   decimals only, per block: u8 form, then per form:
//     0                              keys are ColumnKey(Double); every value is NaN, so the block has no
//                                    min/max and range filters skip it (NaN matches no range)
//     1                              keys are ColumnKey(Double); varint minKey - base, varint maxKey - base:
//                                    the keys of the smallest and largest non-NaN value
//     2 + k, k in 0...9 (version 2)  scaled: key i is ColumnKey(Int64(n_i)), value i = Double(n_i) / 10^k
//                                    (one IEEE division by the exact Double 10^k), |n_i| <= 2^53. Written
//                                    only when every value of the block comes back bit-exactly that way (so
//                                    never for -0.0, NaN, infinities, subnormals), k is the smallest such,
//                                    and the packed width is not wider than with ColumnKey(Double) keys.
//                                    Nothing follows: min/max are the values of the header's base and
//                                    base + spread (n -> value is monotonic)
//   presence data                    1: ((docCount + 63) / 64) x u64 words, bit d%64 of word d/64 = doc d
//                                    2: per block, (doc - firstDoc) bit-packed at bits(lastDoc - firstDoc)
//   key block data
// ```
//
// Bit-packed runs are LSB first (ColumnBitPacking.swift). Blocks hold 128 values, the last one fewer. A reader
// parses all headers at open (the per-block min/max index), and reads packed values lazily by index.

/// Builds the column file body of a segment, one doc at a time.
///
/// Call order: docs arrive in doc-id order. `addTimestamp` is called exactly once per doc (its n-th call is doc
/// n); field values of doc `d` may come before or after doc `d`'s timestamp, but a field's docs must not go
/// backwards, and all docs must be below the timestamp count at `finish`. A second value for the same field and
/// doc is ignored (the first one wins), so a repeated key in an event cannot break the one-value-per-doc rule.
///
/// Keyword columns are bounded: a field that reaches more than `maxDictionarySize` distinct values is dropped
/// (memory freed at once) and named in `finish`'s result; the term dictionary still indexes it.
public struct ColumnsWriter: Sendable {
    /// Version of the body layout above; also the footer's `formatVersion` for the columns file.
    public static let formatVersion: UInt16 = 2
    /// Body versions `ColumnsReader` reads: version 1 is version 2 without scaled decimal blocks.
    public static let readableVersions: ClosedRange<UInt16> = 1...formatVersion
    /// Values per block: the unit of bit-packing and of the per-block min/max index.
    public static let blockSize = 128

    public let maxDictionarySize: Int
    /// The body version `finish` writes; tests set 1 to write the version-1 layout (no scaled blocks).
    var bodyVersion = Self.formatVersion

    private var timestamps: [Int64] = []
    private var numericHandles: [String: Int] = [:]
    private var numericColumns: [NumericBuilder] = []
    private var keywordHandles: [String: Int] = [:]
    private var keywordColumns: [KeywordBuilder] = []

    public init(maxDictionarySize: Int = 4096) {
        precondition(maxDictionarySize >= 0, "maxDictionarySize must not be negative")
        self.maxDictionarySize = maxDictionarySize
    }

    /// Docs so far (timestamps added).
    public var docCount: Int { self.timestamps.count }

    /// Reserves room for `docs` timestamps, to avoid regrowth when the segment size is known.
    public mutating func reserveCapacity(_ docs: Int) { self.timestamps.reserveCapacity(docs) }

    /// Adds the timestamp (ns since the epoch) of the next doc.
    public mutating func addTimestamp(_ ns: Int64) {
        precondition(self.timestamps.count <= Int(UInt32.max), "a segment holds at most 2^32 docs")
        self.timestamps.append(ns)
    }

    // MARK: Numeric fields

    /// A small index for the numeric column `name`, to pass to `addInteger(fieldIndex:...)` on the hot path.
    public mutating func numericField(named name: String) -> Int {
        if let index = self.numericHandles[name] { return index }
        let index = self.numericColumns.count
        self.numericHandles[name] = index
        self.numericColumns.append(NumericBuilder(name: name))
        return index
    }

    public mutating func addInteger(field: String, doc: UInt32, _ value: Int64) {
        self.addInteger(fieldIndex: self.numericField(named: field), doc: doc, value)
    }

    public mutating func addDecimal(field: String, doc: UInt32, _ value: Double) {
        self.addDecimal(fieldIndex: self.numericField(named: field), doc: doc, value)
    }

    /// - Complexity: amortized O(1), no allocation beyond array growth.
    public mutating func addInteger(fieldIndex: Int, doc: UInt32, _ value: Int64) {
        guard self.numericColumns[fieldIndex].accept(doc) else { return }
        self.numericColumns[fieldIndex].integers.docs.append(doc)
        self.numericColumns[fieldIndex].integers.keys.append(ColumnKey.key(value))
    }

    /// - Complexity: amortized O(1), no allocation beyond array growth.
    public mutating func addDecimal(fieldIndex: Int, doc: UInt32, _ value: Double) {
        guard self.numericColumns[fieldIndex].accept(doc) else { return }
        self.numericColumns[fieldIndex].decimals.docs.append(doc)
        self.numericColumns[fieldIndex].decimals.keys.append(ColumnKey.key(value))
    }

    // MARK: Keyword fields

    /// A small index for the keyword column `name`, to pass to `addKeyword(fieldIndex:...)` on the hot path.
    public mutating func keywordField(named name: String) -> Int {
        if let index = self.keywordHandles[name] { return index }
        let index = self.keywordColumns.count
        self.keywordHandles[name] = index
        self.keywordColumns.append(KeywordBuilder(name: name))
        return index
    }

    public mutating func addKeyword(field: String, doc: UInt32, _ bytes: ArraySlice<UInt8>) {
        self.addKeyword(fieldIndex: self.keywordField(named: field), doc: doc, bytes)
    }

    /// - Complexity: O(bytes) to hash and compare; allocates only when the value is new to the field.
    public mutating func addKeyword(fieldIndex: Int, doc: UInt32, _ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBufferPointer { self.addKeyword(fieldIndex: fieldIndex, doc: doc, buffer: $0) }
    }

    /// - Complexity: O(bytes) to hash and compare; allocates only when the value is new to the field.
    public mutating func addKeyword(fieldIndex: Int, doc: UInt32, _ bytes: Span<UInt8>) {
        bytes.withUnsafeBufferPointer { self.addKeyword(fieldIndex: fieldIndex, doc: doc, buffer: $0) }
    }

    private mutating func addKeyword(fieldIndex: Int, doc: UInt32, buffer: UnsafeBufferPointer<UInt8>) {
        guard !self.keywordColumns[fieldIndex].isDropped, self.keywordColumns[fieldIndex].accept(doc) else { return }
        let (id, isNew) = self.keywordColumns[fieldIndex].interner.intern(buffer)
        if isNew && self.keywordColumns[fieldIndex].interner.count > self.maxDictionarySize {
            self.keywordColumns[fieldIndex].drop()
            return
        }
        self.keywordColumns[fieldIndex].docs.append(doc)
        self.keywordColumns[fieldIndex].ids.append(UInt32(id))
    }

    // MARK: Finishing

    /// The body bytes, and the keyword fields dropped for too many distinct values (sorted).
    ///
    /// Fields that received no value are left out of the file.
    public consuming func finish() -> (body: [UInt8], droppedKeywordFields: [String]) {
        let docCount = self.timestamps.count
        var out = ByteWriter(capacity: 64 + docCount * 4)
        precondition(Self.readableVersions.contains(self.bodyVersion), "cannot write version \(self.bodyVersion)")
        out.u16(self.bodyVersion)
        out.u16(0)
        out.varint(docCount)
        out.i64(self.timestamps.min() ?? Int64.max)
        out.i64(self.timestamps.max() ?? Int64.min)

        let numeric = self.numericColumns.filter { !$0.integers.docs.isEmpty || !$0.decimals.docs.isEmpty }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        let keyword = self.keywordColumns.filter { !$0.isDropped && !$0.docs.isEmpty }
            .sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        out.varint(numeric.count)
        out.varint(keyword.count)

        var data: [UInt8] = []
        ColumnKeyBlocks.encode(self.timestamps.map(ColumnKey.key), headers: &out, data: &data)
        out.append(data)

        for column in numeric {
            precondition(
                column.order.lastDoc < docCount,
                "field \(column.name) has doc \(column.order.lastDoc) of \(docCount)"
            )
            var section = ByteWriter()
            Self.encode(column.integers, isDecimal: false, docCount: docCount, to: &section)
            let scaling = self.bodyVersion >= 2
            Self.encode(column.decimals, isDecimal: true, scaling: scaling, docCount: docCount, to: &section)
            out.string(column.name)
            out.lengthPrefixed(section.bytes)
        }
        for column in keyword {
            precondition(
                column.order.lastDoc < docCount,
                "field \(column.name) has doc \(column.order.lastDoc) of \(docCount)"
            )
            var section = ByteWriter()
            Self.encode(column, version: self.bodyVersion, docCount: docCount, to: &section)
            out.string(column.name)
            out.lengthPrefixed(section.bytes)
        }
        let dropped = self.keywordColumns.filter(\.isDropped).map(\.name)
            .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return (out.bytes, dropped)
    }

    private static func encode(
        _ values: SparseValues,
        isDecimal: Bool,
        scaling: Bool = false,
        docCount: Int,
        to out: inout ByteWriter
    ) {
        out.varint(values.docs.count)
        guard !values.docs.isEmpty else { return }
        let blockSize = ColumnKeyBlocks.blockSize
        let blockCount = (values.docs.count + blockSize - 1) / blockSize
        func blockRange(_ block: Int) -> Range<Int> {
            block * blockSize..<min(block * blockSize + blockSize, values.docs.count)
        }

        // Presence: nothing when every doc has a value, else the smaller of a bitset and packed doc ids.
        let presence: UInt8
        if values.docs.count == docCount {
            presence = 0
        } else {
            let bitsetBytes = (docCount + 63) / 64 * 8
            var sortedBytes = 0
            for block in 0..<blockCount {
                let range = blockRange(block)
                let spread = UInt64(values.docs[range.upperBound - 1] - values.docs[range.lowerBound])
                sortedBytes += (range.count * ColumnBitPacking.width(spread) + 7) / 8
            }
            presence = sortedBytes < bitsetBytes ? 2 : 1
        }
        out.u8(presence)
        if presence != 0 {
            var next: UInt32 = 0
            for block in 0..<blockCount {
                let range = blockRange(block)
                let first = values.docs[range.lowerBound]
                let last = values.docs[range.upperBound - 1]
                out.varint(UInt64(first - next))
                out.varint(UInt64(last - first))
                next = last &+ 1
            }
        }

        // Decimal blocks that are all short decimals store scaled integers instead (layout above).
        var keys = values.keys
        var scales = [Int?](repeating: nil, count: isDecimal ? blockCount : 0)
        if isDecimal && scaling {
            for block in 0..<blockCount {
                let range = blockRange(block)
                guard let scale = ColumnDecimalScale.smallestScale(of: keys[range]) else { continue }
                let scaled = keys[range].map { key in
                    ColumnKey.key(ColumnDecimalScale.scaled(ColumnKey.decimal(key), scale: scale)!)
                }
                let raw = ColumnKeyBlocks.frame(of: keys[range])
                let new = ColumnKeyBlocks.frame(of: scaled[...])
                // Big values with many digits can pack narrower as IEEE keys; keep those.
                let width = ColumnBitPacking.width(new.spread / new.divisor)
                guard width <= ColumnBitPacking.width(raw.spread / raw.divisor) else { continue }
                keys.replaceSubrange(range, with: scaled)
                scales[block] = scale
            }
        }

        var data: [UInt8] = []
        ColumnKeyBlocks.encode(keys, headers: &out, data: &data)

        if isDecimal {
            for block in 0..<blockCount {
                if let scale = scales[block] {
                    out.u8(NumericSubColumn.firstScaledForm + UInt8(scale))
                    continue
                }
                let keys = keys[blockRange(block)]
                let base = keys.min()!
                var low = UInt64.max
                var high = UInt64.min
                for key in keys where !ColumnKey.decimal(key).isNaN {
                    low = min(low, key)
                    high = max(high, key)
                }
                if low > high {
                    out.u8(0)
                } else {
                    out.u8(1)
                    out.varint(low - base)
                    out.varint(high - base)
                }
            }
        }

        switch presence {
        case 1:
            var words = [UInt64](repeating: 0, count: (docCount + 63) / 64)
            for doc in values.docs { words[Int(doc >> 6)] |= 1 << UInt64(doc & 63) }
            for word in words { out.u64(word) }
        case 2:
            var packed: [UInt8] = []
            for block in 0..<blockCount {
                let docs = values.docs[blockRange(block)]
                let first = docs.first!
                let width = ColumnBitPacking.width(UInt64(docs.last! - first))
                ColumnBitPacking.append(docs.lazy.map { UInt64($0 - first) }, width: width, to: &packed)
            }
            out.append(packed)
        default:
            break
        }
        out.append(data)
    }

    private static func encode(_ column: KeywordBuilder, version: UInt16, docCount: Int, to out: inout ByteWriter) {
        let interner = column.interner
        let sorted = (0..<interner.count).sorted {
            interner.entry($0).lexicographicallyPrecedes(interner.entry($1))
        }
        // Ordinals are 1-based positions in the sorted dictionary; 0 means absent.
        var ordinalOfID = [UInt32](repeating: 0, count: interner.count)
        for (position, id) in sorted.enumerated() { ordinalOfID[id] = UInt32(position + 1) }

        out.varint(sorted.count)
        for id in sorted { out.lengthPrefixed(interner.entry(id)) }

        var counts = [Int](repeating: 0, count: sorted.count + 1)
        counts[0] = docCount - column.docs.count
        for id in column.ids { counts[Int(ordinalOfID[Int(id)])] += 1 }
        for count in counts { out.varint(count) }

        if version >= 2 {
            // Per block of 128 docs, so blocks without the field, or with one value, pack at 0 bits.
            var ordinals = [UInt32](repeating: 0, count: docCount)
            for (doc, id) in zip(column.docs, column.ids) { ordinals[Int(doc)] = ordinalOfID[Int(id)] }
            ColumnOrdinalBlocks.encode(ordinals, dictionaryCount: sorted.count, to: &out.bytes)
            return
        }
        var packer = ColumnBitWriter(width: ColumnBitPacking.width(UInt64(sorted.count)))
        var next = 0
        for doc in 0..<docCount {
            if next < column.docs.count, Int(column.docs[next]) == doc {
                packer.append(UInt64(ordinalOfID[Int(column.ids[next])]), to: &out.bytes)
                next += 1
            } else {
                packer.append(0, to: &out.bytes)
            }
        }
        packer.flush(to: &out.bytes)
    }
}

/// Values of one kind of one numeric field, in doc order.
private struct SparseValues: Sendable {
    var docs: [UInt32] = []
    var keys: [UInt64] = []
}

/// The docs a column has seen go forward: a repeat of the last doc is ignored (its first value
/// wins), going back is a caller's bug.
private struct DocOrder: Sendable {
    var lastDoc = -1

    /// Whether `doc` is the field's next doc; false for a repeat of the last one.
    mutating func accept(_ doc: UInt32, field: String) -> Bool {
        let doc = Int(doc)
        guard doc > self.lastDoc else {
            precondition(doc == self.lastDoc, "field \(field): doc \(doc) after doc \(self.lastDoc)")
            return false
        }
        self.lastDoc = doc
        return true
    }
}

private struct NumericBuilder: Sendable {
    let name: String
    var integers = SparseValues()
    var decimals = SparseValues()
    var order = DocOrder()

    init(name: String) { self.name = name }

    mutating func accept(_ doc: UInt32) -> Bool { self.order.accept(doc, field: self.name) }
}

private struct KeywordBuilder: Sendable {
    let name: String
    var interner = ColumnKeywordInterner()
    var docs: [UInt32] = []
    /// Interner id per entry of `docs`.
    var ids: [UInt32] = []
    var order = DocOrder()
    var isDropped = false

    init(name: String) { self.name = name }

    mutating func accept(_ doc: UInt32) -> Bool { self.order.accept(doc, field: self.name) }

    /// Frees the values: the field has too many distinct ones to be a column.
    mutating func drop() {
        self.isDropped = true
        self.interner = ColumnKeywordInterner()
        self.docs = []
        self.ids = []
    }
}
