/// A low-cardinality text field of a segment: a sorted dictionary of its distinct values and one ordinal per doc
/// (0 = the doc lacks the field, k = `dictionary[k - 1]`).
///
/// `stats count() by (host)` reads `counts()` (stored in the file) or the packed ordinals of the matching docs,
/// never the stored events.
public struct KeywordColumn: Sendable {
    public let name: String
    /// Distinct values, ascending by unsigned bytes (copied out of the body at open: at most
    /// `maxDictionarySize` short strings, and zero-based arrays are safer to hand out than body slices).
    public let dictionary: [[UInt8]]
    public let docCount: Int
    let body: ByteStorage
    let storedCounts: [Int]
    /// Version 1: offset of the packed ordinals in `body`, and their bit width (one run over all docs).
    let ordinalsStart: Int
    let width: Int
    /// Version 2: the ordinals in blocks of 128 docs, each above its own base at its own width.
    let blocks: ColumnOrdinalBlocks?

    /// Parses the column's section (layout in ColumnsWriter.swift) of a body of format `version`.
    init(
        name: String,
        version: UInt16 = ColumnsWriter.formatVersion,
        docCount: Int,
        body: ByteStorage,
        from reader: inout ByteReader
    ) throws(StoreError) {
        self.name = name
        self.docCount = docCount
        self.body = body
        let countAt = reader.offset
        // Each entry takes at least its one-byte length.
        let limit = reader.remaining
        let entries = try reader.count(limit: limit)
        guard entries >= 1 else { throw StoreError(.corrupt, offset: Int64(countAt), "empty dictionary") }
        var dictionary: [[UInt8]] = []
        dictionary.reserveCapacity(entries)
        for _ in 0..<entries {
            let at = reader.offset
            let entry = try reader.lengthPrefixed()
            if let previous = dictionary.last, !previous.lexicographicallyPrecedes(entry) {
                throw StoreError(.corrupt, offset: Int64(at), "dictionary not strictly ascending")
            }
            dictionary.append(Array(entry))
        }
        self.dictionary = dictionary
        let countsAt = reader.offset
        guard entries < reader.remaining else {
            throw StoreError(.corrupt, offset: Int64(countsAt), "\(entries + 1) counts do not fit")
        }
        var counts: [Int] = []
        counts.reserveCapacity(entries + 1)
        var total = 0
        for _ in 0...entries {
            let count = try reader.count(limit: docCount)
            total += count
            counts.append(count)
        }
        guard total == docCount else {
            throw StoreError(.corrupt, offset: Int64(countsAt), "ordinal counts sum to \(total), not \(docCount)")
        }
        self.storedCounts = counts
        self.width = ColumnBitPacking.width(UInt64(entries))
        guard version >= 2 else {
            self.blocks = nil
            self.ordinalsStart = reader.offset
            guard let size = ColumnBitPacking.byteCount(count: docCount, width: self.width) else {
                throw StoreError(.corrupt, offset: Int64(reader.offset), "ordinals overflow")
            }
            try reader.skip(size)
            return
        }
        self.ordinalsStart = reader.offset
        self.blocks = try ColumnOrdinalBlocks(count: docCount, dictionaryCount: entries, from: &reader)
    }

    /// Docs with the field.
    public var count: Int { self.docCount - self.storedCounts[0] }

    /// The ordinal stored for `doc`, unchecked (`verify` checks it against the dictionary).
    @inline(__always)
    func storedOrdinal(_ doc: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        if let blocks = self.blocks { return blocks.ordinal(doc, in: bytes) }
        return ColumnBitPacking.read(bytes, start: self.ordinalsStart, index: doc, width: self.width)
    }

    @inline(__always)
    private func ordinal(_ doc: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let value = self.storedOrdinal(doc, bytes)
        // Only a damaged body (which `verify` reports) holds an ordinal past the dictionary; read it as absent.
        return value <= UInt64(self.dictionary.count) ? UInt32(value) : 0
    }

    /// The ordinal of `doc`: 0 when it lacks the field, else its 1-based position in `dictionary`.
    ///
    /// - Complexity: O(1).
    public func ordinal(_ doc: UInt32) -> Int {
        precondition(Int(doc) < self.docCount, "doc \(doc) out of 0..<\(self.docCount)")
        return Int(self.body.withUnsafeBufferPointer { self.ordinal(Int(doc), $0) })
    }

    /// The value of `doc`, or nil when it lacks the field.
    public func value(_ doc: UInt32) -> [UInt8]? {
        let ordinal = self.ordinal(doc)
        return ordinal == 0 ? nil : self.dictionary[ordinal - 1]
    }

    /// Appends the ordinal of every doc in `range` to `out`.
    ///
    /// - Complexity: O(range.count), no allocation beyond the growth of `out`.
    public func ordinals(in range: Range<UInt32>, into out: inout [UInt32]) {
        precondition(Int(range.upperBound) <= self.docCount, "range \(range) out of 0..<\(self.docCount)")
        out.reserveCapacity(out.count + range.count)
        self.body.withUnsafeBufferPointer { bytes in
            for doc in range { out.append(self.ordinal(Int(doc), bytes)) }
        }
    }

    /// Docs per ordinal over the whole segment: `[0]` counts docs without the field.
    public func counts() -> [Int] { self.storedCounts }

    /// Docs per ordinal among `docs` (doc ids below `docCount`).
    public func counts(of docs: some Sequence<UInt32>) -> [Int] {
        var counts = [Int](repeating: 0, count: self.dictionary.count + 1)
        self.body.withUnsafeBufferPointer { bytes in
            for doc in docs {
                precondition(Int(doc) < self.docCount, "doc \(doc) out of 0..<\(self.docCount)")
                counts[Int(self.ordinal(Int(doc), bytes))] += 1
            }
        }
        return counts
    }

    /// The ordinal of `value`, or nil when no doc has it (binary search of the dictionary).
    public func ordinal(of value: some Collection<UInt8>) -> Int? {
        var low = 0
        var high = self.dictionary.count
        while low < high {
            let middle = (low + high) / 2
            if self.dictionary[middle].lexicographicallyPrecedes(value) { low = middle + 1 } else { high = middle }
        }
        guard low < self.dictionary.count, self.dictionary[low].elementsEqual(value) else { return nil }
        return low + 1
    }
}
