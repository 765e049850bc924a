/// Reads a segment's column file body (layout in ColumnsWriter.swift): timestamps, numeric and keyword columns.
///
/// `init` parses headers and per-block indexes and checks every length against the body, so later reads
/// cannot run past it; values are read lazily from the packed bytes. Immutable after `init`, so queries share
/// one reader across tasks. `verify` decodes everything and checks the indexes against the values.
public final class ColumnsReader: Sendable {
    public let docCount: Int
    /// Earliest and latest timestamp (ns); `Int64.max` and `Int64.min` for an empty segment.
    public let minTime: Int64
    public let maxTime: Int64
    /// Field names with a numeric column, sorted.
    public let numericFields: [String]
    /// Field names with a keyword column, sorted.
    public let keywordFields: [String]

    let body: ByteStorage
    let timestampKeys: ColumnKeyBlocks
    let numericColumns: [String: NumericColumn]
    let keywordColumns: [String: KeywordColumn]
    /// Where each section starts in the body, for error offsets in `verify`.
    let timestampOffset: Int
    let numericOffsets: [String: Int]
    let keywordOffsets: [String: Int]
    /// Bytes of each part of the body, for `logbox index stats --fields`: `timestamp`, and per field
    /// its numeric and keyword sections added up.
    public let sectionBytes: [String: Int]

    /// - Throws: `StoreError(.corrupt)` with the body offset when the bytes do not decode.
    public init(body: ByteStorage) throws(StoreError) {
        self.body = body
        var reader = ByteReader(body)
        let version = try reader.u16()
        guard ColumnsWriter.readableVersions.contains(version) else {
            throw StoreError(
                .corrupt,
                offset: 0,
                "columns format version \(version), this build reads \(ColumnsWriter.readableVersions)"
            )
        }
        guard try reader.u16() == 0 else { throw StoreError(.corrupt, offset: 2, "reserved bits set") }
        let docCount = try reader.count(limit: Int(UInt32.max))
        let timesAt = reader.offset
        let minTime = try reader.i64()
        let maxTime = try reader.i64()
        let numericCount = try reader.count()
        let keywordCount = try reader.count()

        self.timestampOffset = reader.offset
        var keys = try ColumnKeyBlocks(headersOf: docCount, from: &reader)
        try keys.placeData(&reader)
        var sectionBytes = ["timestamp": reader.offset - timesAt]
        self.timestampKeys = keys
        var low = Int64.max
        var high = Int64.min
        for block in 0..<keys.blockCount {
            low = Swift.min(low, ColumnKey.integer(keys.minimum(block)))
            high = Swift.max(high, ColumnKey.integer(keys.maximum(block)))
        }
        guard low == minTime, high == maxTime else {
            throw StoreError(.corrupt, offset: Int64(timesAt), "segment time range does not match its blocks")
        }
        self.docCount = docCount
        self.minTime = minTime
        self.maxTime = maxTime

        var numericOffsets: [String: Int] = [:]
        var numeric: [String: NumericColumn] = [:]
        for _ in 0..<numericCount {
            let (name, section, at) = try Self.section(&reader, seen: numericOffsets)
            var sub = ByteReader(body[body.startIndex..<(body.startIndex + section.upperBound)])
            sub.offset = section.lowerBound
            let integers = try NumericSubColumn.parse(isDecimal: false, docCount: docCount, from: &sub)
            let decimals = try NumericSubColumn.parse(
                isDecimal: true,
                version: version,
                docCount: docCount,
                from: &sub
            )
            guard sub.isAtEnd, integers != nil || decimals != nil else {
                throw StoreError(.corrupt, offset: Int64(at), "numeric column \(name) is empty or has trailing bytes")
            }
            numericOffsets[name] = at
            sectionBytes[name, default: 0] += section.upperBound - at
            numeric[name] = NumericColumn(name: name, body: body, integers: integers, decimals: decimals)
        }
        var keywordOffsets: [String: Int] = [:]
        var keyword: [String: KeywordColumn] = [:]
        for _ in 0..<keywordCount {
            let (name, section, at) = try Self.section(&reader, seen: keywordOffsets)
            var sub = ByteReader(body[body.startIndex..<(body.startIndex + section.upperBound)])
            sub.offset = section.lowerBound
            let column = try KeywordColumn(name: name, version: version, docCount: docCount, body: body, from: &sub)
            guard sub.isAtEnd else {
                throw StoreError(.corrupt, offset: Int64(at), "keyword column \(name) has trailing bytes")
            }
            keywordOffsets[name] = at
            sectionBytes[name, default: 0] += section.upperBound - at
            keyword[name] = column
        }
        guard reader.isAtEnd else {
            throw StoreError(.corrupt, offset: Int64(reader.offset), "\(reader.remaining) bytes after the last column")
        }
        self.numericColumns = numeric
        self.keywordColumns = keyword
        self.numericFields = numeric.keys.sorted()
        self.keywordFields = keyword.keys.sorted()
        self.numericOffsets = numericOffsets
        self.keywordOffsets = keywordOffsets
        self.sectionBytes = sectionBytes
    }

    /// Reads a copy of `body` (tests, and bodies not read from a file).
    public convenience init(body: ArraySlice<UInt8>) throws(StoreError) {
        try self.init(body: ByteStorage(body))
    }

    public convenience init(body: [UInt8]) throws(StoreError) {
        try self.init(body: ByteStorage(body))
    }

    /// Reads a column's name and length; returns the section's byte range (relative to the body) and where the
    /// column starts.
    private static func section(
        _ reader: inout ByteReader,
        seen: [String: Int]
    ) throws(StoreError) -> (String, Range<Int>, Int) {
        let at = reader.offset
        let name = try reader.string()
        guard seen[name] == nil else { throw StoreError(.corrupt, offset: Int64(at), "column \(name) twice") }
        let length = try reader.count()
        let start = reader.offset
        try reader.skip(length)
        return (name, start..<(start + length), at)
    }

    // MARK: Timestamps

    /// The timestamp (ns) of `doc`.
    ///
    /// - Complexity: O(1).
    public func timestamp(_ doc: UInt32) -> Int64 {
        precondition(Int(doc) < self.docCount, "doc \(doc) out of 0..<\(self.docCount)")
        return self.body.withUnsafeBufferPointer { ColumnKey.integer(self.timestampKeys.key(Int(doc), in: $0)) }
    }

    /// Appends the timestamps of the docs in `range` to `out`, in doc order.
    ///
    /// - Complexity: O(range.count), no allocation beyond the growth of `out`.
    public func timestamps(in range: Range<UInt32>, into out: inout [Int64]) {
        precondition(Int(range.upperBound) <= self.docCount, "range \(range) out of 0..<\(self.docCount)")
        out.reserveCapacity(out.count + range.count)
        let keys = self.timestampKeys
        self.body.withUnsafeBufferPointer { bytes in
            for doc in range { out.append(ColumnKey.integer(keys.key(Int(doc), in: bytes))) }
        }
    }

    /// The per-block time index: one entry per 128 docs.
    public var timestampBlocks: [TimestampBlock] {
        let keys = self.timestampKeys
        return (0..<keys.blockCount).map { block in
            let docs = keys.range(ofBlock: block)
            return TimestampBlock(
                docs: UInt32(docs.lowerBound)..<UInt32(docs.upperBound),
                minTime: ColumnKey.integer(keys.minimum(block)),
                maxTime: ColumnKey.integer(keys.maximum(block))
            )
        }
    }

    /// Doc ranges of the blocks that may hold a timestamp in `from ... to` (both inclusive), merged and in doc
    /// order. Timestamps are not sorted (logs arrive out of order), so a caller still checks each doc's time.
    ///
    /// - Complexity: O(blocks), reading only the in-memory block index.
    public func blocks(overlapping from: Int64, _ to: Int64) -> [Range<UInt32>] {
        guard self.docCount > 0, from <= to, from <= self.maxTime, to >= self.minTime else { return [] }
        if from <= self.minTime && to >= self.maxTime { return [0..<UInt32(self.docCount)] }
        var ranges: [Range<UInt32>] = []
        let keys = self.timestampKeys
        // Compare in key space (order-preserving), so the loop reads two arrays and converts nothing.
        let low = ColumnKey.key(from)
        let high = ColumnKey.key(to)
        for block in 0..<keys.blockCount {
            guard keys.minimum(block) <= high, keys.maximum(block) >= low else { continue }
            let docs = keys.range(ofBlock: block)
            let range = UInt32(docs.lowerBound)..<UInt32(docs.upperBound)
            if let last = ranges.last, last.upperBound == range.lowerBound {
                ranges[ranges.count - 1] = last.lowerBound..<range.upperBound
            } else {
                ranges.append(range)
            }
        }
        return ranges
    }

    // MARK: Fields

    /// The numeric column of `field`, or nil when no doc of the segment has a number there.
    public func numeric(_ field: String) -> NumericColumn? { self.numericColumns[field] }

    /// The keyword column of `field`, or nil when no doc has it or it was dropped for too many values.
    public func keyword(_ field: String) -> KeywordColumn? { self.keywordColumns[field] }
}

/// A block of 128 docs of the timestamp column and its time range.
public struct TimestampBlock: Sendable, Hashable {
    public var docs: Range<UInt32>
    public var minTime: Int64
    public var maxTime: Int64

    public init(docs: Range<UInt32>, minTime: Int64, maxTime: Int64) {
        self.docs = docs
        self.minTime = minTime
        self.maxTime = maxTime
    }
}
