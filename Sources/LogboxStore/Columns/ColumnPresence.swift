/// Which docs of a sparse sub-column have a value, and the index of that value (its rank among present docs).
///
/// Three forms (see ColumnsWriter.swift): every doc, a bitset (dense fields) or packed doc ids per block of 128
/// values (sparse fields). Lookups and iteration read the body bytes in place; the bitset gets a rank directory
/// (set bits before each 512-bit stretch) built at open, so `index(of:)` costs at most 8 popcounts.
struct ColumnPresence: Sendable {
    enum Form: UInt8, Sendable {
        case every = 0
        case bitset = 1
        case sorted = 2
    }

    let form: Form
    let valueCount: Int
    let docCount: Int
    /// Per block of 128 values: its first and last doc (also for `.every`, where they are implied).
    private(set) var firstDocs: [UInt32] = []
    private(set) var lastDocs: [UInt32] = []
    /// `.bitset`: offset of the first word in the body, and set bits before each group of 8 words.
    private(set) var wordsStart = 0
    private(set) var rankDirectory: [UInt32] = []
    /// `.sorted`: offset of each block's packed ids (plus the end), and their widths.
    private(set) var idStarts: [Int] = []
    private(set) var idWidths: [UInt8] = []

    var blockCount: Int { self.firstDocs.count }
    private var wordCount: Int { (self.docCount + 63) / 64 }

    /// Reads the form byte and the per-block doc ranges.
    init(valueCount: Int, docCount: Int, from reader: inout ByteReader) throws(StoreError) {
        self.valueCount = valueCount
        self.docCount = docCount
        let at = reader.offset
        guard let form = Form(rawValue: try reader.u8()) else {
            throw StoreError(.corrupt, offset: Int64(at), "unknown presence form")
        }
        self.form = form
        guard valueCount <= docCount, form != .every || valueCount == docCount else {
            throw StoreError(.corrupt, offset: Int64(at), "\(valueCount) values for \(docCount) docs")
        }
        let blockSize = ColumnKeyBlocks.blockSize
        let blockCount = (valueCount + blockSize - 1) / blockSize
        if form == .every {
            self.firstDocs.reserveCapacity(blockCount)
            self.lastDocs.reserveCapacity(blockCount)
            for block in 0..<blockCount {
                self.firstDocs.append(UInt32(block * blockSize))
                self.lastDocs.append(UInt32(min(block * blockSize + blockSize, valueCount) - 1))
            }
            return
        }
        guard blockCount <= reader.remaining / 2 else {
            throw StoreError(.corrupt, offset: Int64(reader.offset), "\(blockCount) blocks do not fit")
        }
        self.firstDocs.reserveCapacity(blockCount)
        self.lastDocs.reserveCapacity(blockCount)
        var next: UInt64 = 0
        for block in 0..<blockCount {
            let blockAt = reader.offset
            let first = next &+ (try reader.varint())
            let spread = try reader.varint()
            let last = first &+ spread
            let values = UInt64(min(block * blockSize + blockSize, valueCount) - block * blockSize)
            // A block of n values spans at least n docs, all below docCount.
            guard first >= next, last >= first, last < UInt64(docCount), spread >= values - 1 else {
                throw StoreError(.corrupt, offset: Int64(blockAt), "block docs out of order or out of range")
            }
            self.firstDocs.append(UInt32(first))
            self.lastDocs.append(UInt32(last))
            next = last + 1
        }
    }

    /// Records where the presence data lies, checks what is cheap to check, and moves `reader` past it.
    mutating func placeData(_ reader: inout ByteReader) throws(StoreError) {
        switch self.form {
        case .every:
            return
        case .bitset:
            let at = reader.offset
            let words = try reader.bytes(self.wordCount * 8)
            self.wordsStart = at
            var total = 0
            self.rankDirectory.reserveCapacity(self.wordCount / 8 + 1)
            words.withUnsafeBytes { raw in
                for word in 0..<self.wordCount {
                    if word & 7 == 0 { self.rankDirectory.append(UInt32(truncatingIfNeeded: total)) }
                    total +=
                        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self))
                        .nonzeroBitCount
                }
            }
            guard total == self.valueCount else {
                throw StoreError(.corrupt, offset: Int64(at), "bitset holds \(total) docs, expected \(self.valueCount)")
            }
            if self.docCount & 63 != 0 {
                let last = words.withUnsafeBytes {
                    UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: (self.wordCount - 1) * 8, as: UInt64.self))
                }
                guard last >> UInt64(self.docCount & 63) == 0 else {
                    throw StoreError(.corrupt, offset: Int64(at), "bitset has docs past the end")
                }
            }
        case .sorted:
            self.idStarts.reserveCapacity(self.blockCount + 1)
            self.idWidths.reserveCapacity(self.blockCount)
            for block in 0..<self.blockCount {
                let width = ColumnBitPacking.width(UInt64(self.lastDocs[block] - self.firstDocs[block]))
                let values = min(self.valueCount - block * ColumnKeyBlocks.blockSize, ColumnKeyBlocks.blockSize)
                self.idStarts.append(reader.offset)
                self.idWidths.append(UInt8(width))
                try reader.skip((values * width + 7) / 8)
            }
            self.idStarts.append(reader.offset)
        }
    }

    // MARK: Lookups

    @inline(__always)
    private func word(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        // In bounds: `placeData` checked that all words lie inside the body.
        UInt64(
            littleEndian: UnsafeRawPointer(bytes.baseAddress! + self.wordsStart + index * 8)
                .loadUnaligned(as: UInt64.self)
        )
    }

    @inline(__always)
    private func sortedDoc(block: Int, _ position: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let offset = ColumnBitPacking.read(
            bytes,
            start: self.idStarts[block],
            index: position,
            width: Int(self.idWidths[block])
        )
        return self.firstDocs[block] &+ UInt32(truncatingIfNeeded: offset)
    }

    /// Values in block `block`.
    func count(ofBlock block: Int) -> Int {
        min(self.valueCount - block * ColumnKeyBlocks.blockSize, ColumnKeyBlocks.blockSize)
    }

    /// The value index of `doc`, or nil when `doc` has no value.
    func index(of doc: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard Int(doc) < self.docCount else { return nil }
        switch self.form {
        case .every:
            return Int(doc)
        case .bitset:
            let word = Int(doc >> 6)
            let bit = UInt64(1) << UInt64(doc & 63)
            let current = self.word(word, bytes)
            guard current & bit != 0 else { return nil }
            var rank = Int(self.rankDirectory[word >> 3])
            var index = word & ~7
            while index < word {
                rank += self.word(index, bytes).nonzeroBitCount
                index += 1
            }
            return rank + (current & (bit - 1)).nonzeroBitCount
        case .sorted:
            let block = self.firstBlock(endingAtOrAfter: doc)
            guard block < self.blockCount, self.firstDocs[block] <= doc else { return nil }
            var low = 0
            var high = self.count(ofBlock: block)
            while low < high {
                let middle = (low + high) / 2
                if self.sortedDoc(block: block, middle, bytes) < doc { low = middle + 1 } else { high = middle }
            }
            guard low < self.count(ofBlock: block), self.sortedDoc(block: block, low, bytes) == doc else { return nil }
            return block * ColumnKeyBlocks.blockSize + low
        }
    }

    /// The first block whose last doc is `doc` or later (`blockCount` when none).
    func firstBlock(endingAtOrAfter doc: UInt32) -> Int {
        var low = 0
        var high = self.blockCount
        while low < high {
            let middle = (low + high) / 2
            if self.lastDocs[middle] < doc { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Calls `body(doc, valueIndex)` for each doc in `range` that has a value, in doc order.
    func forEach<E: Error>(
        in range: Range<UInt32>,
        _ bytes: UnsafeBufferPointer<UInt8>,
        _ body: (UInt32, Int) throws(E) -> Void
    ) throws(E) {
        var cursor = Cursor(self, from: range.lowerBound, bytes)
        while cursor.doc < Int(range.upperBound) {
            try body(UInt32(cursor.doc), cursor.index)
            cursor.advance(self, bytes)
        }
    }

    /// Walks present docs in order; `doc` is `Int.max` once past the end.
    struct Cursor {
        private(set) var doc: Int = Int.max
        private(set) var index: Int = 0

        init(_ presence: ColumnPresence, from lower: UInt32, _ bytes: UnsafeBufferPointer<UInt8>) {
            switch presence.form {
            case .every:
                self.index = Int(lower)
                self.doc = self.index < presence.valueCount ? self.index : Int.max
            case .bitset:
                guard Int(lower) < presence.docCount else { return }
                // Rank of `lower` = set bits before it; then find the first set bit at or after it.
                let word = Int(lower >> 6)
                var rank = Int(presence.rankDirectory[word >> 3])
                for index in (word & ~7)..<word { rank += presence.word(index, bytes).nonzeroBitCount }
                let below = (UInt64(1) << UInt64(lower & 63)) &- 1
                rank += (presence.word(word, bytes) & below).nonzeroBitCount
                self.index = rank
                self.doc = Int(lower) - 1
                self.nextSetBit(presence, bytes)
            case .sorted:
                let block = presence.firstBlock(endingAtOrAfter: lower)
                guard block < presence.blockCount else { return }
                var low = 0
                var high = presence.count(ofBlock: block)
                while low < high {
                    let middle = (low + high) / 2
                    if presence.sortedDoc(block: block, middle, bytes) < lower {
                        low = middle + 1
                    } else {
                        high = middle
                    }
                }
                self.index = block * ColumnKeyBlocks.blockSize + low
                self.loadSorted(presence, bytes)
            }
        }

        mutating func advance(_ presence: ColumnPresence, _ bytes: UnsafeBufferPointer<UInt8>) {
            guard self.doc != Int.max else { return }
            self.index += 1
            switch presence.form {
            case .every:
                self.doc = self.index < presence.valueCount ? self.index : Int.max
            case .bitset:
                self.nextSetBit(presence, bytes)
            case .sorted:
                self.loadSorted(presence, bytes)
            }
        }

        /// Moves `doc` to the first set bit after it.
        private mutating func nextSetBit(_ presence: ColumnPresence, _ bytes: UnsafeBufferPointer<UInt8>) {
            let start = self.doc + 1
            var word = start >> 6
            guard word < presence.wordCount else {
                self.doc = Int.max
                return
            }
            var bits = presence.word(word, bytes) & (~UInt64(0) << UInt64(start & 63))
            while bits == 0 {
                word += 1
                guard word < presence.wordCount else {
                    self.doc = Int.max
                    return
                }
                bits = presence.word(word, bytes)
            }
            self.doc = word * 64 + bits.trailingZeroBitCount
        }

        private mutating func loadSorted(_ presence: ColumnPresence, _ bytes: UnsafeBufferPointer<UInt8>) {
            guard self.index < presence.valueCount else {
                self.doc = Int.max
                return
            }
            let block = self.index >> 7
            let doc = Int(presence.sortedDoc(block: block, self.index & 127, bytes))
            // Only a damaged body (which `verify` reports) gives a doc past the end; stop there.
            self.doc = doc < presence.docCount ? doc : Int.max
        }
    }
}
