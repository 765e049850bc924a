/// Walks one postings list in doc order, skipping whole blocks through the skip table.
///
/// A new iterator stands before the first doc: `next()` or `advance(to:)` moves it onto a doc.
/// `doc` is the current doc, `UInt32.max` before the first move and once exhausted. After an
/// error the iterator is exhausted. Holds one block of decoded doc ids (at most 128) and, once
/// positions are asked for in a packed block, that block's positions, nothing more.
public struct PostingsIterator: Sendable {
    /// The current doc; `UInt32.max` before the first `next()`/`advance(to:)` and when exhausted.
    public private(set) var doc: UInt32 = .max
    /// Number of docs in the list.
    public let count: Int
    /// Whether `positions()` can be asked for.
    public let hasPositions: Bool

    private let body: ByteStorage
    private let listOffset: Int
    private let blockCount: Int
    /// Version 1 and 2 skip entries: bytes per entry (4 per field).
    private let entrySize: Int
    /// Version 3 skip entries: bits per field, bits per entry, and where the packed entries start.
    private let skipWidths: (UInt8, UInt8, UInt8)
    private let skipEntryBits: Int
    private let skipEntriesStart: Int
    /// Body offset of the doc region (right after the skip table).
    private let regionStart: Int
    /// Current block, -1 before the first move.
    private var block = -1
    /// Index of the current doc in `docs`.
    private var index = 0
    private var blockDocCount = 0
    private var docs: [UInt32]
    private var isExhausted = false
    /// Body offset just past the current block's doc bytes.
    private var blockDocEnd = 0
    /// Body offset where the positions of doc `positionCursorIndex` (of the current block) start.
    private var positionCursor = 0
    private var positionCursorIndex = 0
    /// Body format version: 1 codes every block's positions as varints.
    private let version: UInt16
    /// The current block's positions, once decoded (packed blocks only): doc i's are
    /// `blockPositions[positionEnds[i]..<positionEnds[i + 1]]`.
    private var positionsDecoded = false
    private var blockPositions: [UInt32] = []
    private var positionEnds: [Int] = []
    private var runScratch: [UInt32] = []
    private var firstScratch: [UInt32] = []
    /// Body offset just past the current block's positions, once decoded.
    private var blockPositionEnd = 0

    init(body: ByteStorage, address: PostingsAddress, version: UInt16 = PostingsWriter.formatVersion) throws(StoreError)
    {
        let offset = Int(clamping: address.offset)
        guard offset >= PostingsWriter.headerSize, offset < body.count else {
            throw StoreError(.corrupt, offset: Int64(offset), "postings offset \(address.offset) is outside the body")
        }
        guard address.docCount > 0 else {
            throw StoreError(.corrupt, offset: Int64(offset), "postings list with no docs")
        }
        let count = Int(address.docCount)
        let blockCount = (count + BitPacking.blockSize - 1) / BitPacking.blockSize
        let entrySize = address.hasPositions ? 12 : 8
        let fields = address.hasPositions ? 3 : 2
        var widths: (UInt8, UInt8, UInt8) = (0, 0, 0)
        var skipSize = blockCount >= 2 ? blockCount * entrySize : 0
        if version >= 3 && blockCount >= 2 {
            guard fields <= body.count - offset else {
                throw StoreError(.corrupt, offset: Int64(offset), "skip table header runs past the end")
            }
            let bytes = body.span
            widths = (bytes[offset], bytes[offset + 1], fields == 3 ? bytes[offset + 2] : 0)
            guard widths.0 <= 32, widths.1 <= 32, widths.2 <= 32 else {
                throw StoreError(.corrupt, offset: Int64(offset), "skip table bit widths exceed 32")
            }
            let bits = Int(widths.0) + Int(widths.1) + Int(widths.2)
            skipSize = fields + (blockCount * bits + 7) / 8
        }
        guard skipSize <= body.count - offset else {
            throw StoreError(.corrupt, offset: Int64(offset), "skip table of \(blockCount) blocks runs past the end")
        }
        self.skipWidths = widths
        self.skipEntryBits = Int(widths.0) + Int(widths.1) + Int(widths.2)
        self.skipEntriesStart = offset + fields
        self.body = body
        self.count = count
        self.hasPositions = address.hasPositions
        self.listOffset = offset
        self.version = version
        self.blockCount = blockCount
        self.entrySize = entrySize
        self.regionStart = offset + skipSize
        self.docs = [UInt32](repeating: 0, count: min(count, BitPacking.blockSize))
    }

    /// Moves to the next doc and returns it, or nil at the end.
    public mutating func next() throws(StoreError) -> UInt32? {
        if self.isExhausted { return nil }
        if self.block >= 0, self.index + 1 < self.blockDocCount {
            self.index += 1
            self.doc = self.docs[self.index]
            return self.doc
        }
        let nextBlock = self.block + 1
        guard nextBlock < self.blockCount else {
            self.exhaust()
            return nil
        }
        try self.load(block: nextBlock)
        self.doc = self.docs[0]
        return self.doc
    }

    /// Moves to the first doc >= `target` and returns it, or nil when there is none.
    ///
    /// Stays put when the current doc is already >= `target`. Blocks whose last doc is below
    /// `target` are skipped through the skip table without being decoded.
    /// - Complexity: O(log d) skip entries read for a jump of d blocks, plus decoding one block.
    public mutating func advance(to target: UInt32) throws(StoreError) -> UInt32? {
        do {
            return try self.seek(target)
        } catch {
            self.exhaust()
            throw error
        }
    }

    private mutating func seek(_ target: UInt32) throws(StoreError) -> UInt32? {
        if self.isExhausted { return nil }
        if self.block >= 0, self.doc >= target { return self.doc }
        var searchFrom = 0
        if self.block >= 0 {
            if target <= self.docs[self.blockDocCount - 1] {
                searchFrom = self.index + 1
            } else if self.block + 1 < self.blockCount {
                try self.load(block: self.findBlock(from: self.block + 1, target: target))
            } else {
                self.exhaust()
                return nil
            }
        } else {
            try self.load(block: self.blockCount >= 2 ? self.findBlock(from: 0, target: target) : 0)
        }
        if self.isExhausted { return nil }
        // First index in searchFrom..<blockDocCount whose doc >= target.
        var low = searchFrom
        var high = self.blockDocCount
        while low < high {
            let middle = (low + high) / 2
            if self.docs[middle] < target { low = middle + 1 } else { high = middle }
        }
        guard low < self.blockDocCount else {
            // Only in a list of one block: with skip data, the block chosen ends at or after `target`.
            self.exhaust()
            return nil
        }
        self.index = low
        self.doc = self.docs[low]
        return self.doc
    }

    /// The positions of the term in the current doc, ascending.
    public mutating func positions() throws(StoreError) -> [UInt32] {
        var out: [UInt32] = []
        try self.positions(into: &out)
        return out
    }

    /// Replaces the contents of `out` with the positions of the term in the current doc.
    ///
    /// Walks forward from the last doc whose positions were read in this block, so reading the
    /// positions of every doc costs one pass over the block's positions.
    public mutating func positions(into out: inout [UInt32]) throws(StoreError) {
        guard self.hasPositions else {
            throw StoreError(.invalidArgument, "this postings list has no positions")
        }
        guard self.block >= 0, !self.isExhausted else {
            throw StoreError(.invalidArgument, "the iterator is not on a doc")
        }
        if self.isPackedPositionsBlock {
            if !self.positionsDecoded { try self.decodePositions() }
            out.removeAll(keepingCapacity: true)
            out.append(
                contentsOf: self.blockPositions[self.positionEnds[self.index]..<self.positionEnds[self.index + 1]]
            )
            return
        }
        let body = self.body
        let bytes = body.span
        var at = self.positionCursor
        while self.positionCursorIndex < self.index {
            try self.skipShortDoc(bytes, at: &at)
            self.positionCursorIndex += 1
            self.positionCursor = at
        }
        let (count, single) = try self.shortDocHeader(bytes, at: &at)
        out.removeAll(keepingCapacity: true)
        if let single {
            out.append(single)
            return
        }
        out.reserveCapacity(count)
        var position: UInt64 = 0
        for _ in 0..<count {
            let start = at
            let delta = try bytes.varint(at: &at)
            guard delta <= UInt64(UInt32.max) - position else {
                throw StoreError(.corrupt, offset: Int64(start), "position exceeds UInt32.max")
            }
            position += delta
            out.append(UInt32(position))
        }
    }

    /// Reads the header of one doc's positions in a short (varint) block: its count, and the position
    /// itself when the header holds a single one (version 2).
    private func shortDocHeader(_ bytes: Span<UInt8>, at: inout Int) throws(StoreError) -> (count: Int, single: UInt32?)
    {
        guard self.version >= 2 else { return (try bytes.count(at: &at, limit: bytes.count - at), nil) }
        let start = at
        let header = try bytes.varint(at: &at)
        if header & 1 == 1 {
            guard header >> 1 <= UInt64(UInt32.max) else {
                throw StoreError(.corrupt, offset: Int64(start), "position exceeds UInt32.max")
            }
            return (1, UInt32(header >> 1))
        }
        guard header >> 1 <= UInt64(max(bytes.count - at, 0)) else {
            throw StoreError(.corrupt, offset: Int64(start), "position count \(header >> 1) exceeds the bytes left")
        }
        return (Int(header >> 1), nil)
    }

    /// Moves `at` past one doc's positions in a short (varint) block.
    private func skipShortDoc(_ bytes: Span<UInt8>, at: inout Int) throws(StoreError) {
        let (count, single) = try self.shortDocHeader(bytes, at: &at)
        if single == nil { try bytes.skipVarints(count, at: &at) }
    }

    /// Whether the current block's positions are frame-of-reference runs (layout in `PostingsWriter`).
    private var isPackedPositionsBlock: Bool {
        self.version >= 2 && self.blockDocCount >= PostingsWriter.packedPositionsMinimum
    }

    /// Decodes every position of the current (packed) block into `blockPositions`.
    private mutating func decodePositions() throws(StoreError) {
        let body = self.body
        let bytes = body.span
        var at = self.positionCursor
        let n = self.blockDocCount
        self.runScratch.removeAll(keepingCapacity: true)
        try FrameOfReference.decode(bytes, at: &at, count: n, into: &self.runScratch)
        var total: UInt64 = 0
        var nonEmpty = 0
        for count in self.runScratch {
            total += UInt64(count)
            if count > 0 { nonEmpty += 1 }
        }
        let restCount = total - UInt64(nonEmpty)
        // Each run of up to 128 takes at least 2 bytes: a corrupt count cannot claim more than this.
        guard restCount <= UInt64(max(bytes.count - at, 0)) * 64 else {
            throw StoreError(.corrupt, offset: Int64(at), "position counts \(total) exceed what the body can hold")
        }
        self.positionEnds.removeAll(keepingCapacity: true)
        self.positionEnds.append(0)
        var end = 0
        for count in self.runScratch {
            end += Int(count)
            self.positionEnds.append(end)
        }
        self.firstScratch.removeAll(keepingCapacity: true)
        if nonEmpty > 0 { try FrameOfReference.decode(bytes, at: &at, count: nonEmpty, into: &self.firstScratch) }
        // The counts move to `positionEnds`; `runScratch` now takes the deltas.
        let counts = self.runScratch
        self.runScratch = []
        var deltas: [UInt32] = []
        swap(&deltas, &self.blockPositions)
        deltas.removeAll(keepingCapacity: true)
        var remaining = Int(restCount)
        while remaining > 0 {
            let runCount = min(remaining, FrameOfReference.maximumCount)
            try FrameOfReference.decode(bytes, at: &at, count: runCount, into: &deltas)
            remaining -= runCount
        }
        var positions = counts
        positions.removeAll(keepingCapacity: true)
        positions.reserveCapacity(Int(total))
        var first = 0
        var next = 0
        for count in counts where count > 0 {
            var position = UInt64(self.firstScratch[first])
            first += 1
            positions.append(UInt32(position))
            for _ in 1..<count {
                position += UInt64(deltas[next])
                next += 1
                guard position <= UInt64(UInt32.max) else {
                    throw StoreError(.corrupt, offset: Int64(self.positionCursor), "position exceeds UInt32.max")
                }
                positions.append(UInt32(position))
            }
        }
        self.runScratch = deltas
        self.blockPositions = positions
        self.blockPositionEnd = at
        self.positionsDecoded = true
    }

    // MARK: Blocks

    private mutating func exhaust() {
        self.isExhausted = true
        self.doc = .max
    }

    /// `field` 0: last doc, 1: doc offset, 2: positions offset, of skip entry `block`.
    private func skipValue(_ block: Int, field: Int) throws(StoreError) -> UInt32 {
        if self.version >= 3 {
            // Bounds: `init` checked that the packed entries lie inside the body.
            let width = field == 0 ? self.skipWidths.0 : field == 1 ? self.skipWidths.1 : self.skipWidths.2
            let before =
                field == 0 ? 0 : field == 1 ? Int(self.skipWidths.0) : Int(self.skipWidths.0 + self.skipWidths.1)
            let bit = block * self.skipEntryBits + before
            let bytes = self.body.span
            let first = self.skipEntriesStart + bit >> 3
            let last = self.skipEntriesStart + (bit + Int(width) + 7) >> 3
            var word: UInt64 = 0
            for i in first..<last { word |= UInt64(bytes[i]) << UInt64(8 * (i - first)) }
            return UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & ((1 << UInt64(width)) - 1))
        }
        let at = self.listOffset + block * self.entrySize + field * 4
        let bytes = self.body.span
        guard at >= 0, at <= bytes.count - 4 else {
            throw StoreError(.corrupt, offset: Int64(at), "skip entry runs past the end")
        }
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(bytes[at + i]) << UInt32(8 * i) }
        return value
    }

    /// The first block at or after `from` whose last doc is >= `target`; exhausts when none.
    ///
    /// Gallops (from, from + 1, from + 3, from + 7, ...) before a binary search, so the short
    /// jumps of an intersection touch few skip entries.
    private mutating func findBlock(from: Int, target: UInt32) throws(StoreError) -> Int {
        var low = from
        var high = self.blockCount
        var probe = from
        var step = 1
        while probe < self.blockCount {
            if try self.skipValue(probe, field: 0) >= target {
                high = probe
                break
            }
            low = probe + 1
            probe += step
            step <<= 1
        }
        while low < high {
            let middle = (low + high) / 2
            if try self.skipValue(middle, field: 0) < target { low = middle + 1 } else { high = middle }
        }
        if low == self.blockCount { self.exhaust() }
        return low
    }

    /// Decodes block `block` into `docs` and points the positions cursor at its first doc.
    private mutating func load(block: Int) throws(StoreError) {
        if self.isExhausted { return }
        do {
            try self.decode(block: block)
        } catch {
            self.exhaust()
            throw error
        }
    }

    private mutating func decode(block: Int) throws(StoreError) {
        let isFull = block < self.blockCount - 1 || self.count % BitPacking.blockSize == 0
        let docCount = isFull ? BitPacking.blockSize : self.count % BitPacking.blockSize
        let start =
            self.blockCount == 1 ? self.regionStart : self.regionStart + Int(try self.skipValue(block, field: 1))
        // `next` is the smallest doc the block may start with: one past the previous block's last.
        var next: UInt64 = block == 0 ? 0 : UInt64(try self.skipValue(block - 1, field: 0)) + 1
        if self.version >= 3 && docCount >= PostingsWriter.packedPositionsMinimum {
            next = try self.decodeGapBlock(at: start, count: docCount, base: next)
        } else if isFull {
            guard start < self.body.count else {
                throw StoreError(.corrupt, offset: Int64(start), "postings block starts past the end")
            }
            let width = Int(self.body[self.body.startIndex + start])
            guard width <= 32 else {
                throw StoreError(.corrupt, offset: Int64(start), "postings block bit width \(width) exceeds 32")
            }
            let length = BitPacking.byteCount(width: width)
            guard length <= self.body.count - start - 1 else {
                throw StoreError(.corrupt, offset: Int64(start), "postings block runs past the end")
            }
            next = self.unpack(at: start + 1, length: length, width: width, base: next)
            self.blockDocEnd = start + 1 + length
        } else if self.version >= 2 && docCount >= PostingsWriter.packedPositionsMinimum {
            let body = self.body
            let bytes = body.span
            var at = start
            self.runScratch.removeAll(keepingCapacity: true)
            try FrameOfReference.decode(bytes, at: &at, count: docCount, into: &self.runScratch)
            for i in 0..<docCount {
                let gap = UInt64(self.runScratch[i])
                guard next < UInt64(UInt32.max), gap < UInt64(UInt32.max) - next else {
                    throw StoreError(.corrupt, offset: Int64(start), "doc id reaches UInt32.max")
                }
                next += gap
                self.docs[i] = UInt32(next)
                next += 1
            }
            self.blockDocEnd = at
        } else {
            let body = self.body
            let bytes = body.span
            var at = start
            for i in 0..<docCount {
                let gapStart = at
                let gap = try bytes.varint(at: &at)
                guard next < UInt64(UInt32.max), gap < UInt64(UInt32.max) - next else {
                    throw StoreError(.corrupt, offset: Int64(gapStart), "doc id reaches UInt32.max")
                }
                next += gap
                self.docs[i] = UInt32(next)
                next += 1
            }
            self.blockDocEnd = at
        }
        guard next <= UInt64(UInt32.max) else {
            throw StoreError(.corrupt, offset: Int64(start), "doc ids in postings block overflow UInt32")
        }
        if self.blockCount >= 2 {
            let lastDoc = try self.skipValue(block, field: 0)
            guard self.docs[docCount - 1] == lastDoc else {
                throw StoreError(
                    .corrupt,
                    offset: Int64(start),
                    "postings block ends at doc \(self.docs[docCount - 1]), its skip entry says \(lastDoc)"
                )
            }
        }
        self.block = block
        self.blockDocCount = docCount
        self.index = 0
        self.positionCursorIndex = 0
        self.positionsDecoded = false
        if self.hasPositions {
            self.positionCursor =
                self.blockCount == 1 ? self.blockDocEnd : self.regionStart + Int(try self.skipValue(block, field: 2))
        }
    }

    /// Decodes a version 3 gap block of `count` docs at `start` into `docs` as doc ids from `base`;
    /// returns one past the last.
    private mutating func decodeGapBlock(at start: Int, count: Int, base: UInt64) throws(StoreError) -> UInt64 {
        var docs = self.docs
        self.docs = []  // keep `docs` uniquely referenced while it is written
        defer { self.docs = docs }
        var at = start
        let body = self.body
        try GapBlock.decode(body.span, at: &at, count: count, into: &docs)
        var next = base
        for i in 0..<count {
            let gap = UInt64(docs[i])
            guard next < UInt64(UInt32.max), gap < UInt64(UInt32.max) - next else {
                throw StoreError(.corrupt, offset: Int64(start), "doc id reaches UInt32.max")
            }
            next += gap
            docs[i] = UInt32(next)
            next += 1
        }
        self.blockDocEnd = at
        return next
    }

    /// Unpacks the gaps of a full block into `docs` as doc ids from `base`; returns one past the last.
    private mutating func unpack(at start: Int, length: Int, width: Int, base: UInt64) -> UInt64 {
        var next = base
        let body = self.body
        var docs = self.docs
        self.docs = []  // keep `docs` uniquely referenced while it is written
        do {
            let bytes = body.span.extracting(start..<start + length)
            var out = docs.mutableSpan
            BitPacking.unpack(bytes, width: width, into: &out)
            for i in 0..<BitPacking.blockSize {
                // 128 gaps below 2^32 each: `next` stays far below UInt64.max.
                let doc = next + UInt64(out[unchecked: i])  // checked: unpack required out.count >= 128
                out[unchecked: i] = UInt32(truncatingIfNeeded: doc)
                next = doc + 1
            }
        }
        self.docs = docs
        return next
    }

    /// Body offsets of the list's doc region and, with positions, of its positions region.
    mutating func regionStarts() throws(StoreError) -> (docs: Int, positions: Int?) {
        guard self.hasPositions else { return (self.regionStart, nil) }
        if self.blockCount >= 2 { return (self.regionStart, self.regionStart + Int(try self.skipValue(0, field: 2))) }
        try self.load(block: 0)
        return (self.regionStart, self.blockDocEnd)
    }

    // MARK: Verify

    /// Decodes every block and every position, checking the skip table against the bytes.
    mutating func verifyAll(docLimit: UInt32) throws(StoreError) {
        var expectedDocStart = self.regionStart
        for block in 0..<self.blockCount {
            if self.blockCount >= 2 {
                let start = self.regionStart + Int(try self.skipValue(block, field: 1))
                guard start == expectedDocStart else {
                    throw StoreError(
                        .corrupt,
                        offset: Int64(self.listOffset + block * self.entrySize),
                        "skip entry \(block) points at \(start), the block starts at \(expectedDocStart)"
                    )
                }
            }
            try self.load(block: block)
            expectedDocStart = self.blockDocEnd
            let last = self.docs[self.blockDocCount - 1]
            guard last < docLimit else {
                throw StoreError(.corrupt, offset: Int64(self.blockDocEnd), "doc id \(last) is not below \(docLimit)")
            }
        }
        guard self.hasPositions else { return }
        var expectedPositionStart = expectedDocStart
        var scratch: [UInt32] = []
        for block in 0..<self.blockCount {
            try self.load(block: block)
            guard self.positionCursor == expectedPositionStart else {
                throw StoreError(
                    .corrupt,
                    offset: Int64(self.listOffset + block * self.entrySize),
                    "positions of block \(block) start at \(self.positionCursor), expected \(expectedPositionStart)"
                )
            }
            if self.isPackedPositionsBlock {
                try self.decodePositions()
                expectedPositionStart = self.blockPositionEnd
                continue
            }
            for index in 0..<self.blockDocCount {
                self.index = index
                self.doc = self.docs[index]
                try self.positions(into: &scratch)
            }
            // Step past the last doc's positions to find where the next block's must start.
            let body = self.body
            let bytes = body.span
            var at = self.positionCursor
            try self.skipShortDoc(bytes, at: &at)
            expectedPositionStart = at
        }
    }
}
