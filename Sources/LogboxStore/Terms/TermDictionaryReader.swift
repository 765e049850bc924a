import Synchronization

/// Reads a term dictionary body (layout in `TermDictionaryWriter.swift`).
///
/// `init` reads only the field table. A field's sparse index (the first term of every block of
/// 32, copied into one contiguous buffer) is read on the field's first lookup and kept; a lookup
/// binary-searches it and decodes one block. So opening a segment costs nothing per term, and a
/// query pays for the fields it uses (on a mapped file, only their pages are read).
/// Immutable after `init`, so concurrent queries share one reader. Bad bytes throw
/// `StoreError(.corrupt)` with the body offset, never trap.
public final class TermDictionaryReader: Sendable {
    /// One block of the sparse index: its first term (in `firstTerms`) and where the block starts.
    private struct Block: Sendable {
        /// The first 8 bytes of the first term, big-endian, zero-padded: when two keys differ they
        /// order the terms, so most binary-search steps touch no term bytes.
        var key: UInt64
        var firstTermStart: Int
        var firstTermCount: Int
        /// Body offset of the block.
        var offset: Int
    }

    private struct Field: Sendable {
        var name: String
        var nameBytes: [UInt8]
        var blocksStart: Int
        var blocksEnd: Int
        /// Where the field's sparse index ends (it starts at `blocksEnd`).
        var sparseEnd: Int
        var termCount: Int
    }

    /// One field's sparse index, read on first use.
    private final class SparseIndex: Sendable {
        let blocks: [Block]
        /// The first term of every block, back to back (kept contiguous so a binary search stays in cache).
        let firstTerms: [UInt8]

        init(blocks: [Block], firstTerms: [UInt8]) {
            self.blocks = blocks
            self.firstTerms = firstTerms
        }
    }

    private let body: ByteStorage
    private let table: [Field]
    /// Whether entries' lengths carry the hex-packing bit (format version 2).
    private let hexPacking: Bool
    /// Per field of `table`, its sparse index once read.
    private let sparse: Mutex<[SparseIndex?]>
    /// The field names, in ascending byte order.
    public let fields: [String]

    public init(body: ByteStorage) throws(StoreError) {
        let headerSize = TermDictionaryWriter.headerSize
        guard body.count >= headerSize + 8 else {
            throw StoreError(.corrupt, offset: 0, "term dictionary of \(body.count) bytes is too short")
        }
        var header = ByteReader(body)
        let version = try header.u16()
        guard TermDictionaryWriter.readableVersions.contains(version) else {
            throw StoreError(.corrupt, offset: 0, "term dictionary format version \(version) is not supported")
        }
        guard try header.u16() == 0 else {
            throw StoreError(.corrupt, offset: 2, "term dictionary header reserved field is not 0")
        }
        header.offset = body.count - 8
        let tableOffsetValue = try header.u64()
        guard tableOffsetValue >= UInt64(headerSize), tableOffsetValue <= UInt64(body.count - 8) else {
            throw StoreError(
                .corrupt,
                offset: Int64(body.count - 8),
                "field table offset \(tableOffsetValue) is out of range"
            )
        }
        let tableOffset = Int(tableOffsetValue)
        var reader = Self.reader(body, from: tableOffset, to: body.count - 8)
        let fieldCount = try reader.count(limit: reader.remaining)
        var table: [Field] = []
        table.reserveCapacity(fieldCount)
        var sectionEnd = headerSize
        for _ in 0..<fieldCount {
            let entryStart = reader.offset
            let name = try reader.lengthPrefixed()
            let sectionOffset = try reader.count(limit: tableOffset)
            let blocksLength = try reader.count(limit: tableOffset)
            let sparseLength = try reader.count(limit: tableOffset)
            let termCount = try reader.count(limit: blocksLength)
            guard sectionOffset == sectionEnd, blocksLength + sparseLength <= tableOffset - sectionOffset else {
                throw StoreError(.corrupt, offset: Int64(entryStart), "field section is out of place")
            }
            guard termCount > 0 else {
                throw StoreError(.corrupt, offset: Int64(entryStart), "field without terms")
            }
            if let previous = table.last, !previous.nameBytes.lexicographicallyPrecedes(name) {
                throw StoreError(.corrupt, offset: Int64(entryStart), "field names are not in ascending order")
            }
            let blocksEnd = sectionOffset + blocksLength
            sectionEnd = blocksEnd + sparseLength
            table.append(
                Field(
                    name: String(decoding: name, as: UTF8.self),
                    nameBytes: Array(name),
                    blocksStart: sectionOffset,
                    blocksEnd: blocksEnd,
                    sparseEnd: sectionEnd,
                    termCount: termCount
                )
            )
        }
        guard reader.isAtEnd, sectionEnd == tableOffset else {
            throw StoreError(.corrupt, offset: Int64(reader.offset), "field table does not match the sections")
        }
        self.body = body
        self.table = table
        self.hexPacking = version >= 2
        self.sparse = Mutex([SparseIndex?](repeating: nil, count: table.count))
        self.fields = table.map(\.name)
    }

    /// The sparse index of field `index` of the table, read and checked on first use.
    private func sparseIndex(_ field: Int) throws(StoreError) -> SparseIndex {
        if let known = self.sparse.withLock({ $0[field] }) { return known }
        let info = self.table[field]
        let blockSize = TermDictionaryWriter.blockSize
        let blocksLength = info.blocksEnd - info.blocksStart
        let blockCount = (info.termCount + blockSize - 1) / blockSize
        var blocks: [Block] = []
        blocks.reserveCapacity(blockCount)
        var firstTerms: [UInt8] = []
        var sparse = Self.reader(self.body, from: info.blocksEnd, to: info.sparseEnd)
        var blockOffset = 0
        for number in 0..<blockCount {
            let termCount = try sparse.count(limit: sparse.remaining)
            let termStart = sparse.offset
            try sparse.skip(termCount)
            let deltaStart = sparse.offset
            let delta = try sparse.count(limit: blocksLength)
            blockOffset += delta
            guard number == 0 ? delta == 0 : delta > 0, blockOffset < blocksLength else {
                throw StoreError(.corrupt, offset: Int64(deltaStart), "sparse index block offset is out of range")
            }
            let term = self.body[self.body.startIndex + termStart..<self.body.startIndex + termStart + termCount]
            blocks.append(
                Block(
                    key: Self.key(term.span),
                    firstTermStart: firstTerms.count,
                    firstTermCount: termCount,
                    offset: info.blocksStart + blockOffset
                )
            )
            firstTerms.append(contentsOf: term)
        }
        guard sparse.isAtEnd else {
            throw StoreError(.corrupt, offset: Int64(sparse.offset), "sparse index has trailing bytes")
        }
        let built = SparseIndex(blocks: blocks, firstTerms: firstTerms)
        return self.sparse.withLock { cache in
            if let raced = cache[field] { return raced }
            cache[field] = built
            return built
        }
    }

    /// Reads a copy of `body` (tests, and bodies not read from a file).
    public convenience init(body: ArraySlice<UInt8>) throws(StoreError) {
        try self.init(body: ByteStorage(body))
    }

    public convenience init(body: [UInt8]) throws(StoreError) {
        try self.init(body: ByteStorage(body))
    }

    /// Number of terms of `field`, 0 when the field has none.
    public func termCount(field: String) -> Int {
        self.field(named: field).map { self.table[$0].termCount } ?? 0
    }

    /// Bytes of `field`'s section (its term blocks and sparse index), 0 when the field has none.
    public func sectionBytes(field: String) -> Int {
        self.field(named: field).map { self.table[$0].sparseEnd - self.table[$0].blocksStart } ?? 0
    }

    /// The postings address of `term` in `field`, or nil when the term is absent.
    ///
    /// - Complexity: O(log blocks) comparisons, then one block of at most 32 entries decoded
    ///   without allocating.
    public func lookup(field: String, term: Span<UInt8>) throws(StoreError) -> PostingsAddress? {
        guard let fieldIndex = self.field(named: field) else { return nil }
        let info = self.table[fieldIndex]
        let index = try self.sparseIndex(fieldIndex)
        let block = self.lastBlock(startingAtMost: term, in: index)
        guard block >= 0 else { return nil }
        let entries = min(TermDictionaryWriter.blockSize, info.termCount - block * TermDictionaryWriter.blockSize)
        let body = self.body
        let bytes = body.span.extracting(0..<info.blocksEnd)
        var at = index.blocks[block].offset
        var previousOffset: UInt64 = 0
        // Invariant: the previous term is below `term` and shares its first `matched` bytes.
        var matched = 0
        var previousLength = 0
        for entry in 0..<entries {
            let shared = try bytes.count(at: &at, limit: entry == 0 ? 0 : previousLength)
            let (length, hex) = try Self.suffix(bytes, at: &at, hexPacking: self.hexPacking)
            let suffix = at
            at += hex ? (length + 1) / 2 : length
            let address = try Self.address(bytes, at: &at, previous: &previousOffset)
            previousLength = shared + length
            if shared > matched { continue }  // same byte as the previous term where it was below `term`
            if shared < matched { return nil }  // above the previous term where it equalled `term`
            var k = 0
            while k < length, matched + k < term.count,
                Self.suffixByte(bytes, suffix, k, hex: hex) == term[matched + k]
            {
                k += 1
            }
            if k == length {
                if matched + k == term.count { return address }
                matched += k  // a proper prefix of `term`: below it
                continue
            }
            if matched + k == term.count || Self.suffixByte(bytes, suffix, k, hex: hex) > term[matched + k] {
                return nil
            }
            matched += k
        }
        return nil
    }

    /// The postings address of `term` in `field`, or nil when the term is absent.
    public func lookup(field: String, term: some Collection<UInt8>) throws(StoreError) -> PostingsAddress? {
        let result = term.withContiguousStorageIfAvailable { buffer in
            Result { () throws(StoreError) in try self.lookup(field: field, term: buffer.span) }
        }
        if let result { return try result.get() }
        let copy = Array(term)
        return try self.lookup(field: field, term: copy.span)
    }

    /// Calls `body` with each term of `field` between the bounds, in ascending byte order, until it
    /// returns false. A nil bound is open.
    ///
    /// The term slice shares a buffer the enumeration reuses: keeping it past the call costs a copy.
    public func enumerate(
        field: String,
        from lower: [UInt8]? = nil,
        lowerInclusive: Bool = true,
        to upper: [UInt8]? = nil,
        upperInclusive: Bool = true,
        _ body: (ArraySlice<UInt8>, PostingsAddress) throws -> Bool
    ) throws {
        guard let fieldIndex = self.field(named: field) else { return }
        let info = self.table[fieldIndex]
        var below = lower != nil
        let index = try self.sparseIndex(fieldIndex)
        let startBlock = lower.map { max(0, self.lastBlock(startingAtMost: $0.span, in: index)) } ?? 0
        let storage = self.body
        var cursor = TermCursor(
            bytes: storage.span,
            field: info,
            block: startBlock,
            at: index.blocks[startBlock].offset,
            hexPacking: self.hexPacking
        )
        while try cursor.next() {
            if below, let lower {
                let order = Self.compare(cursor.term.span, lower.span)
                if order < 0 || (order == 0 && !lowerInclusive) { continue }
                below = false
            }
            if let upper {
                let order = Self.compare(cursor.term.span, upper.span)
                if order > 0 || (order == 0 && !upperInclusive) { return }
            }
            if try !body(cursor.term[...], cursor.address) { return }
        }
    }

    /// Calls `body` with each term of `field` that starts with `prefix`, in ascending byte order,
    /// until it returns false.
    public func enumeratePrefix(
        field: String,
        prefix: [UInt8],
        _ body: (ArraySlice<UInt8>, PostingsAddress) throws -> Bool
    ) throws {
        try self.enumerate(field: field, from: prefix) { term, address in
            guard term.starts(with: prefix) else { return false }
            return try body(term, address)
        }
    }

    /// Decodes every block of every field and checks it: terms strictly ascending, the sparse index
    /// matching the blocks, doc counts at least 1 and at most `docCount`, postings offsets inside a
    /// postings body of `postingsLength` bytes (each check only when its limit is given).
    public func verify(postingsLength: UInt64? = nil, docCount: UInt32? = nil) throws(StoreError) {
        var previous: [UInt8] = []
        let body = self.body
        for (number, info) in self.table.enumerated() {
            let sparse = try self.sparseIndex(number)
            let firstTerms = sparse.firstTerms
            var cursor = TermCursor(
                bytes: body.span,
                field: info,
                block: 0,
                at: info.blocksStart,
                hexPacking: self.hexPacking
            )
            for entry in 0..<info.termCount {
                guard try cursor.next() else { break }
                if entry % TermDictionaryWriter.blockSize == 0 {
                    let block = sparse.blocks[entry / TermDictionaryWriter.blockSize]
                    let first = firstTerms.span.extracting(
                        block.firstTermStart..<block.firstTermStart + block.firstTermCount
                    )
                    guard cursor.entryStart == block.offset, Self.compare(cursor.term.span, first) == 0 else {
                        throw StoreError(
                            .corrupt,
                            offset: Int64(cursor.entryStart),
                            "sparse index does not match block"
                        )
                    }
                } else if Self.compare(previous.span, cursor.term.span) >= 0 {
                    throw StoreError(.corrupt, offset: Int64(cursor.entryStart), "terms are not strictly ascending")
                }
                if let docCount, cursor.address.docCount > docCount {
                    throw StoreError(
                        .corrupt,
                        offset: Int64(cursor.entryStart),
                        "term has \(cursor.address.docCount) docs, the segment only \(docCount)"
                    )
                }
                if let postingsLength {
                    let offset = cursor.address.offset
                    guard offset >= UInt64(PostingsWriter.headerSize), offset < postingsLength else {
                        throw StoreError(
                            .corrupt,
                            offset: Int64(cursor.entryStart),
                            "postings offset \(offset) is out of range"
                        )
                    }
                }
                previous.removeAll(keepingCapacity: true)
                previous.append(contentsOf: cursor.term)
            }
            guard cursor.offset == info.blocksEnd else {
                throw StoreError(.corrupt, offset: Int64(cursor.offset), "term blocks do not end where the table says")
            }
        }
    }

    // MARK: Helpers

    private func field(named name: String) -> Int? {
        var low = 0
        var high = self.table.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = self.table[middle].nameBytes
            if candidate.elementsEqual(name.utf8) { return middle }
            if candidate.lexicographicallyPrecedes(name.utf8) { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// The last block whose first term is <= `term`, or -1 when `term` precedes every term.
    private func lastBlock(startingAtMost term: Span<UInt8>, in index: SparseIndex) -> Int {
        let firstTerms = index.firstTerms
        let bytes = firstTerms.span
        let key = Self.key(term)
        var low = 0
        var high = index.blocks.count
        while low < high {
            let middle = (low + high) / 2
            let block = index.blocks[middle]
            let atMost: Bool
            if block.key != key {
                atMost = block.key < key
            } else {
                let first = bytes.extracting(block.firstTermStart..<block.firstTermStart + block.firstTermCount)
                atMost = Self.compare(first, term) <= 0
            }
            if atMost { low = middle + 1 } else { high = middle }
        }
        return low - 1
    }

    /// The first 8 bytes of `term` as a big-endian integer, zero-padded.
    private static func key(_ term: Span<UInt8>) -> UInt64 {
        var key: UInt64 = 0
        for i in 0..<8 { key = key << 8 | (i < term.count ? UInt64(term[i]) : 0) }
        return key
    }

    /// Byte-order comparison: negative, zero or positive as `a` is below, equal to or above `b`.
    static func compare(_ a: Span<UInt8>, _ b: Span<UInt8>) -> Int {
        let shared = min(a.count, b.count)
        for i in 0..<shared where a[i] != b[i] {
            return a[i] < b[i] ? -1 : 1
        }
        return a.count - b.count
    }

    /// A reader over `body[from..<to]` whose offsets count from the start of `body`.
    private static func reader(_ body: ByteStorage, from: Int, to: Int) -> ByteReader {
        var reader = ByteReader(body[body.startIndex..<body.startIndex + to])
        reader.offset = from
        return reader
    }

    /// Reads an entry's suffix length and whether it is hex-packed, and checks that its stored bytes
    /// (`(length + 1) / 2` when packed) lie inside `bytes`.
    @inline(__always)
    fileprivate static func suffix(
        _ bytes: Span<UInt8>,
        at offset: inout Int,
        hexPacking: Bool
    ) throws(StoreError) -> (length: Int, hex: Bool) {
        let start = offset
        let remaining = bytes.count - offset
        guard hexPacking else { return (try bytes.count(at: &offset, limit: remaining), false) }
        let value = try bytes.count(at: &offset, limit: 4 * remaining + 1)
        let length = value >> 1
        let hex = value & 1 == 1
        guard hex ? length >= 2 && (length + 1) / 2 <= bytes.count - offset : length <= bytes.count - offset else {
            throw StoreError(.corrupt, offset: Int64(start), "term suffix of \(length) bytes runs past its block")
        }
        return (length, hex)
    }

    /// Byte `k` of a suffix stored at `start`, unpacking a hex-packed one.
    @inline(__always)
    fileprivate static func suffixByte(_ bytes: Span<UInt8>, _ start: Int, _ k: Int, hex: Bool) -> UInt8 {
        guard hex else { return bytes[start + k] }
        let pair = bytes[start + k >> 1]
        let nibble = k & 1 == 0 ? pair >> 4 : pair & 0x0F
        return nibble < 10 ? 0x30 + nibble : 0x57 + nibble
    }

    /// Decodes an entry's postings address; `previous` is the offset of the entry before it.
    fileprivate static func address(
        _ bytes: Span<UInt8>,
        at offset: inout Int,
        previous: inout UInt64
    ) throws(StoreError) -> PostingsAddress {
        let raw = try bytes.varint(at: &offset)
        let postingsOffset = previous &+ ((raw >> 1) ^ (0 &- (raw & 1)))  // zigzag-decoded delta
        let start = offset
        let packed = try bytes.varint(at: &offset)
        let docCount = packed >> 1
        guard docCount >= 1, docCount <= UInt64(UInt32.max) else {
            throw StoreError(.corrupt, offset: Int64(start), "term doc count \(docCount) is out of range")
        }
        previous = postingsOffset
        return PostingsAddress(offset: postingsOffset, docCount: UInt32(docCount), hasPositions: packed & 1 == 1)
    }

    /// Decodes a field's entries one after another from the start of a block.
    private struct TermCursor: ~Escapable {
        /// The body up to the end of the field's blocks.
        let bytes: Span<UInt8>
        /// Body offset of the next entry.
        var offset: Int
        let termCount: Int
        var index: Int
        var term: [UInt8] = []
        var address = PostingsAddress(offset: 0, docCount: 1, hasPositions: false)
        /// Body offset of the entry decoded last.
        var entryStart = 0
        var previousOffset: UInt64 = 0
        let hexPacking: Bool

        /// Starts at block `block` of `field`, whose body offset is `offset`.
        @_lifetime(copy bytes)
        init(bytes: Span<UInt8>, field: Field, block: Int, at offset: Int, hexPacking: Bool) {
            self.bytes = bytes.extracting(0..<field.blocksEnd)
            self.offset = offset
            self.hexPacking = hexPacking
            self.termCount = field.termCount
            self.index = block * TermDictionaryWriter.blockSize
        }

        /// Decodes the next entry into `term` and `address`; false after the field's last term.
        mutating func next() throws(StoreError) -> Bool {
            guard self.index < self.termCount else { return false }
            self.entryStart = self.offset
            let isBlockStart = self.index % TermDictionaryWriter.blockSize == 0
            let shared = try self.bytes.count(at: &self.offset, limit: isBlockStart ? 0 : self.term.count)
            let (length, hex) = try TermDictionaryReader.suffix(
                self.bytes,
                at: &self.offset,
                hexPacking: self.hexPacking
            )
            self.term.removeSubrange(shared...)
            if hex {
                for k in 0..<length {
                    self.term.append(TermDictionaryReader.suffixByte(self.bytes, self.offset, k, hex: true))
                }
                // The unused low nibble of an odd length is 0, so each term has one encoding.
                if length & 1 == 1, self.bytes[self.offset + length >> 1] & 0x0F != 0 {
                    throw StoreError(.corrupt, offset: Int64(self.offset), "hex-packed term has a stray nibble")
                }
                self.offset += (length + 1) / 2
            } else {
                self.bytes.extracting(self.offset..<self.offset + length).withUnsafeBufferPointer {
                    self.term.append(contentsOf: $0)
                }
                self.offset += length
            }
            if isBlockStart { self.previousOffset = 0 }
            self.address = try TermDictionaryReader.address(
                self.bytes,
                at: &self.offset,
                previous: &self.previousOffset
            )
            self.index += 1
            return true
        }
    }
}
