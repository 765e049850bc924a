/// Reads a `docs` body (layout in `DocStoreWriter`): an event by doc id, or a range in order.
///
/// Immutable after `init`, which checks the trailer and the block index (ids dense from 0, blocks
/// back to back up to the index) and reads nothing else: on a mapped file, opening touches the
/// index pages only, not one page per block. A block's header is checked against the index when
/// the block is loaded, and by `verify`.
/// It is `Sendable` and shared by every query of a segment. It caches nothing: a caller that
/// reads neighbouring docs one by one uses a `DocCursor`, which keeps the last decompressed
/// block and belongs to that caller alone, so no lock is needed.
public final class DocStoreReader: Sendable {
    /// Where one block lies and what it holds, from the block index.
    struct Block: Sendable {
        var firstDoc: UInt32
        var docCount: UInt32
        /// Bytes of payload after the header (the gap to the next block, or to the index).
        var storedSize: Int
        /// Offset of the header in the body.
        var offset: Int
        var docs: Range<UInt32> { self.firstDoc..<self.firstDoc + self.docCount }
    }

    /// Number of documents: ids are `0..<count`.
    public let count: Int
    /// How the blocks are compressed.
    public let compression: DocCompression
    /// The EventRecord layout of the records (1 in docs version 1, else 2).
    let recordVersion: Int
    /// Whether blocks hold the record heads apart from the tails (trailer layout 1).
    let isTransposed: Bool
    private let body: ByteStorage
    let blocks: [Block]

    /// Reads a copy of `body` (tests, and bodies not read from a file).
    public convenience init(body: ArraySlice<UInt8>) throws(StoreError) {
        try self.init(body: ByteStorage(body))
    }

    /// Opens a body (the file without its footer).
    /// - Throws: `StoreError(.corrupt)` with the body offset of the first inconsistency.
    public init(body: ByteStorage) throws(StoreError) {
        let trailerSize = DocStoreWriter.trailerSize
        guard body.count >= trailerSize else {
            throw StoreError(.corrupt, offset: Int64(body.count), "docs body of \(body.count) bytes has no trailer")
        }
        let trailerAt = body.count - trailerSize
        var trailer = ByteReader(body[(body.startIndex + trailerAt)...])
        let indexOffset = try trailer.u64()
        let blockCount = Int(try trailer.u32())
        let docCount = Int(try trailer.u32())
        let version = try trailer.u16()
        let level = try trailer.u8()
        let layout = try trailer.u8()
        let at = Int64(trailerAt)
        guard DocStoreWriter.readableVersions.contains(version) else {
            throw StoreError(
                .corrupt,
                offset: at + 16,
                "docs format version \(version), this build reads \(DocStoreWriter.readableVersions)"
            )
        }
        guard let compression = DocCompression(trailerByte: level), version >= compression.minimumVersion else {
            throw StoreError(.corrupt, offset: at + 18, "bad compression \(level)")
        }
        guard layout == 0 || (layout == 1 && version >= 4) else {
            throw StoreError(.corrupt, offset: at + 19, "docs version \(version) has no block layout \(layout)")
        }
        guard indexOffset <= UInt64(trailerAt),
            UInt64(trailerAt) - indexOffset == UInt64(blockCount) * UInt64(DocStoreWriter.indexEntrySize)
        else {
            throw StoreError(
                .corrupt,
                offset: at,
                "block index at \(indexOffset) with \(blockCount) entries does not end at \(trailerAt)"
            )
        }
        let blocksEnd = Int(indexOffset)
        var index = ByteReader(body[(body.startIndex + blocksEnd)..<(body.startIndex + trailerAt)])
        var blocks: [Block] = []
        blocks.reserveCapacity(blockCount)
        var previousDoc = 0
        var previousOffset = 0
        for number in 0..<blockCount {
            let entryAt = Int64(blocksEnd + index.offset)
            let firstDoc = Int(try index.u32())
            let offset = try index.u64()
            // Ids and offsets rise: each earlier block holds at least one doc and its header.
            let valid =
                number == 0
                ? firstDoc == 0 && offset == 0
                : firstDoc > previousDoc && offset >= UInt64(previousOffset + DocStoreWriter.blockHeaderSize)
            guard valid, offset <= UInt64(blocksEnd), firstDoc < docCount else {
                throw StoreError(
                    .corrupt,
                    offset: entryAt,
                    "index entry \(number) says doc \(firstDoc) at \(offset), after doc \(previousDoc) at "
                        + "\(previousOffset), before the index at \(blocksEnd) and \(docCount) docs"
                )
            }
            if number > 0 {
                blocks[number - 1].docCount = UInt32(firstDoc - previousDoc)
                blocks[number - 1].storedSize = Int(offset) - previousOffset - DocStoreWriter.blockHeaderSize
            }
            blocks.append(Block(firstDoc: UInt32(firstDoc), docCount: 0, storedSize: 0, offset: Int(offset)))
            previousDoc = firstDoc
            previousOffset = Int(offset)
        }
        if blockCount > 0 {
            guard blocksEnd - previousOffset >= DocStoreWriter.blockHeaderSize else {
                throw StoreError(
                    .corrupt,
                    offset: Int64(previousOffset),
                    "block \(blockCount - 1) header runs into the index"
                )
            }
            blocks[blockCount - 1].docCount = UInt32(docCount - previousDoc)
            blocks[blockCount - 1].storedSize = blocksEnd - previousOffset - DocStoreWriter.blockHeaderSize
        } else {
            guard docCount == 0, blocksEnd == 0 else {
                throw StoreError(
                    .corrupt,
                    offset: at,
                    "no blocks, but \(docCount) docs and \(blocksEnd) bytes before the index"
                )
            }
        }
        self.body = body
        self.blocks = blocks
        self.count = docCount
        self.compression = compression
        self.recordVersion = version == 1 ? 1 : EventRecord.formatVersion
        self.isTransposed = layout == 1
        // The last block's header against the trailer and index: one page, and it bounds the doc
        // count a damaged trailer could claim (the other headers are checked as blocks load).
        if blockCount > 0 { _ = try self.header(blockCount - 1) }
    }

    /// Sum of the blocks' decompressed sizes (reads every block header).
    public var uncompressedSize: Int {
        var total = 0
        for number in self.blocks.indices {
            total += (try? self.header(number).uncompressedSize) ?? self.blocks[number].storedSize
        }
        return total
    }

    /// Reads block `number`'s header and checks it against the index.
    func header(_ number: Int) throws(StoreError) -> (uncompressedSize: Int, timestampBase: Int64) {
        let block = self.blocks[number]
        let start = self.body.startIndex + block.offset
        var header = ByteReader(self.body[start..<start + DocStoreWriter.blockHeaderSize])
        let headerDoc = try header.u32()
        let headerCount = try header.u32()
        let uncompressedSize = Int(try header.u32())
        let storedSize = Int(try header.u32())
        let timestampBase = try header.i64()
        let headerAt = Int64(block.offset)
        guard headerDoc == block.firstDoc, headerCount == block.docCount, Int(headerCount) <= uncompressedSize else {
            throw StoreError(
                .corrupt,
                offset: headerAt,
                "block \(number) header: doc \(headerDoc), \(headerCount) docs in \(uncompressedSize) bytes; "
                    + "the index says doc \(block.firstDoc), \(block.docCount) docs"
            )
        }
        // LZ4 expands at most about 255 times; more is damage, not a reason to allocate.
        guard storedSize == block.storedSize, storedSize <= uncompressedSize,
            uncompressedSize <= storedSize * 255 + 64
        else {
            throw StoreError(
                .corrupt,
                offset: headerAt + 8,
                "block \(number): \(storedSize) stored bytes for \(uncompressedSize), the index leaves \(block.storedSize)"
            )
        }
        return (uncompressedSize, timestampBase)
    }

    public var blockCount: Int { self.blocks.count }

    /// The doc ids of block `index`.
    public func docs(inBlock index: Int) -> Range<UInt32> { self.blocks[index].docs }

    /// The block holding `doc`, or nil when `doc` is not below `count`.
    public func block(containing doc: UInt32) -> Int? {
        guard Int(doc) < self.count else { return nil }
        var low = 0
        var high = self.blocks.count
        // Invariant: blocks[low].firstDoc <= doc < blocks[high].firstDoc (or high == blocks.count).
        while high - low > 1 {
            let middle = (low + high) / 2
            if self.blocks[middle].firstDoc <= doc { low = middle } else { high = middle }
        }
        return low
    }

    /// The event with id `doc`, decompressing its block. Use a `DocCursor` to read many.
    /// - Throws: `.invalidArgument` when `doc >= count`, `.corrupt` when its block does not decode.
    public func event(_ doc: UInt32) throws(StoreError) -> StoredEvent {
        var cursor = DocCursor(self)
        return try cursor.event(doc)
    }

    /// A cursor for reading events one by one, each block decompressed once while reads stay in it.
    public func makeCursor() -> DocCursor { DocCursor(self) }

    /// Calls `body` with each event of `range` in id order, decompressing each block once.
    /// - Throws: `.invalidArgument` when `range` goes past `count`, `.corrupt` on a damaged block
    ///   (events before it have been delivered).
    public func events(in range: Range<UInt32>, _ body: (UInt32, StoredEvent) -> Void) throws(StoreError) {
        guard Int(range.upperBound) <= self.count else {
            throw StoreError(.invalidArgument, "docs \(range) past the \(self.count) stored")
        }
        guard !range.isEmpty, var number = self.block(containing: range.lowerBound) else { return }
        var records = BlockRecords()
        while number < self.blocks.count, self.blocks[number].firstDoc < range.upperBound {
            try self.load(number, into: &records)
            for doc in self.blocks[number].docs.clamped(to: range) {
                body(doc, try self.decode(doc, block: number, records))
            }
            number += 1
        }
    }

    /// Decodes every block and every record, checking lengths, ranges and raw values.
    /// - Throws: `StoreError(.corrupt)` naming the first damaged block (offset of its header) and doc.
    public func verify() throws(StoreError) {
        var records = BlockRecords()
        for number in 0..<self.blocks.count {
            try self.load(number, into: &records)
            for doc in self.blocks[number].docs {
                _ = try self.decode(doc, block: number, records)
            }
        }
    }

    // MARK: Blocks

    /// A decompressed block and where each of its records starts.
    struct BlockRecords: Sendable {
        var bytes = ByteStorage()
        /// Record `i` (without its length prefix) is `starts[i]..<ends[i]`.
        var starts: [Int] = []
        var ends: [Int] = []
        /// The timestamp base of record `i`: the timestamp of the record before it.
        var bases: [Int64] = []
    }

    /// Decompresses block `number` into `records`, checking that its records fill it exactly.
    func load(_ number: Int, into records: inout BlockRecords) throws(StoreError) {
        let block = self.blocks[number]
        let (uncompressedSize, timestampBase) = try self.header(number)
        let payloadStart = self.body.startIndex + block.offset + DocStoreWriter.blockHeaderSize
        let payload = self.body[payloadStart..<payloadStart + block.storedSize]
        records.starts.removeAll(keepingCapacity: true)
        records.ends.removeAll(keepingCapacity: true)
        records.bases.removeAll(keepingCapacity: true)
        do throws(StoreError) {
            if block.storedSize < uncompressedSize {
                records.bytes = try self.compression.decompress(payload, size: uncompressedSize)
            } else {
                records.bytes = payload.rebased
            }
            let docCount = Int(block.docCount)
            if self.isTransposed { records.bytes = try Self.interleave(records.bytes, docCount: docCount) }
            records.starts.reserveCapacity(docCount)
            records.ends.reserveCapacity(docCount)
            records.bases.reserveCapacity(docCount)
            var reader = ByteReader(records.bytes)
            var base = timestampBase
            for _ in 0..<docCount {
                let length = try reader.count(limit: reader.remaining)
                let start = reader.offset
                try reader.skip(length)
                var record = ByteReader(records.bytes[start..<reader.offset])
                records.starts.append(start)
                records.ends.append(reader.offset)
                records.bases.append(base)
                base = try EventRecord.timestamp(ofRecord: &record, timestampBase: base, version: self.recordVersion)
            }
            guard reader.isAtEnd else {
                throw StoreError(
                    .corrupt,
                    "records end at \(reader.offset) of \(records.bytes.count) decompressed bytes"
                )
            }
        } catch {
            records.starts.removeAll(keepingCapacity: true)
            records.ends.removeAll(keepingCapacity: true)
            records.bases.removeAll(keepingCapacity: true)
            throw StoreError(.corrupt, offset: Int64(block.offset), "docs block \(number): \(error.message)")
        }
    }

    /// The interleaved payload (each record behind its length) of a transposed one.
    ///
    /// One copy of the block, so that everything after `load` reads one layout: a first pass
    /// checks the heads and sizes the copy, a second fills it.
    private static func interleave(_ payload: ByteStorage, docCount: Int) throws(StoreError) -> ByteStorage {
        var heads = ByteReader(payload)
        var size = 0
        var tailBytes = 0
        for _ in 0..<docCount {
            let record = try heads.count(limit: heads.remaining)
            let head = try heads.count(limit: min(record, heads.remaining))
            try heads.skip(head)
            tailBytes += record - head
            size += Self.varintSize(record) + record
        }
        guard tailBytes == heads.remaining else {
            throw StoreError(
                .corrupt,
                "the heads end at \(heads.offset) of \(payload.count) decompressed bytes, "
                    + "leaving \(heads.remaining) for \(tailBytes) bytes of tails"
            )
        }
        let out = HeapBytes(count: size)
        var tail = heads.offset
        heads = ByteReader(payload)
        var at = 0
        try payload.withUnsafeBufferPointer { (bytes) throws(StoreError) in
            for _ in 0..<docCount {
                // Checked in the first pass.
                let record = try heads.count()
                let head = try heads.count()
                var length = record
                while length >= 0x80 {
                    out.pointer[at] = UInt8(truncatingIfNeeded: length) | 0x80
                    length >>= 7
                    at += 1
                }
                out.pointer[at] = UInt8(length)
                at += 1
                (out.pointer + at).update(from: bytes.baseAddress! + heads.offset, count: head)
                at += head
                try heads.skip(head)
                (out.pointer + at).update(from: bytes.baseAddress! + tail, count: record - head)
                at += record - head
                tail += record - head
            }
        }
        return ByteStorage(owner: out, base: UnsafePointer(out.pointer), count: size)
    }

    private static func varintSize(_ value: Int) -> Int {
        var size = 1
        var rest = value >> 7
        while rest > 0 {
            size += 1
            rest >>= 7
        }
        return size
    }

    /// Decodes `doc` from its loaded block.
    func decode(_ doc: UInt32, block number: Int, _ records: BlockRecords) throws(StoreError) -> StoredEvent {
        let block = self.blocks[number]
        let slot = Int(doc - block.firstDoc)
        var reader = ByteReader(records.bytes[records.starts[slot]..<records.ends[slot]])
        do throws(StoreError) {
            let event = try EventRecord.decode(
                &reader,
                timestampBase: records.bases[slot],
                version: self.recordVersion
            )
            guard reader.isAtEnd else {
                throw StoreError(.corrupt, offset: Int64(reader.offset), "\(reader.remaining) bytes after the record")
            }
            return event
        } catch {
            throw StoreError(
                .corrupt,
                offset: Int64(block.offset),
                "docs block \(number), doc \(doc), record byte \(error.offset): \(error.message)"
            )
        }
    }
}

/// Reads events of one `DocStoreReader` by id, keeping the last decompressed block.
///
/// Reads that stay in a block (neighbouring ids, or ids in any order within ~`blockSize` bytes of
/// records) decompress it once. A cursor is a value owned by one task; make one per task.
public struct DocCursor: Sendable {
    public let reader: DocStoreReader
    private var loaded = -1
    private var records = DocStoreReader.BlockRecords()

    public init(_ reader: DocStoreReader) {
        self.reader = reader
    }

    /// The event with id `doc`.
    /// - Throws: `.invalidArgument` when `doc >= reader.count`, `.corrupt` when its block does not decode.
    public mutating func event(_ doc: UInt32) throws(StoreError) -> StoredEvent {
        guard let number = self.reader.block(containing: doc) else {
            throw StoreError(.invalidArgument, "doc \(doc) past the \(self.reader.count) stored")
        }
        if number != self.loaded {
            self.loaded = -1
            try self.reader.load(number, into: &self.records)
            self.loaded = number
        }
        return try self.reader.decode(doc, block: number, self.records)
    }
}
