public import LogboxCore

/// Builds a segment's `docs` body: every event's record, in doc id order, in compressed blocks.
///
/// Layout of the body (little-endian; varints are unsigned LEB128). `FileFooter` follows it in the file.
/// ```
/// block × blockCount, back to back from offset 0:
///   firstDoc          u32   doc id of the block's first record
///   docCount          u32   >= 1
///   uncompressedSize  u32   bytes of the block's payload once decompressed
///   storedSize        u32   bytes that follow; == uncompressedSize means stored uncompressed
///   timestampBase     i64   the first record's timestamp
///   payload           storedSize bytes: one block of the trailer's compression (LZ4 block format, a
///                     zlib stream: RFC 1950 header, deflate, Adler-32, or one zstd frame, RFC 8878,
///                     with its content size)
/// decompressed payload, interleaved (layout 0): docCount times
///   recordLength      varint
///   record            EventRecord layout (2; 1 in docs version 1); its timestamp base is the timestamp of the record before it
///                     (the block's timestampBase for the first), so ordered logs store deltas of a few units
/// decompressed payload, transposed (layout 1, docs version 4): the heads, then the tails
///   heads             docCount times: varint recordLength | varint headLength | the record's first headLength bytes
///   tails             docCount times: the rest of the record (its line and extra values), recordLength - headLength bytes
/// block index, at indexOffset:
///   firstDoc u32, blockOffset u64        × blockCount (offsets of the block headers, ascending)
/// trailer, the last 20 bytes:
///   indexOffset u64 | blockCount u32 | docCount u32 | version u16 (5) | compression u8 | layout u8
///   compression: 0 = LZ4 fast, 1...12 = LZ4HC at that level, 0x80 | 1...9 = zlib at that level,
///   0x40 | 1...22 = zstd at that level (versions 1 and 2: 0...12 only; 3 and 4: no zstd)
///   layout: 0 = interleaved, 1 = transposed (version 4 only; versions 1 to 3 have a reserved 0 here)
/// ```
/// Blocks close once their records reach `blockSize` bytes, so a block holds at least one record
/// and at most `blockSize` plus one record. The lengths let a reader reach any record of a
/// decompressed block by skipping, without decoding the others.
///
/// Which layout: zlib and zstd blocks are transposed, LZ4 ones interleaved. Deflate's Huffman codes fit the
/// heads (field names, kinds, small offsets) and the text better apart, and its 32 KiB window
/// still spans several heads: the 1M-line benchmark corpus, compacted at level 6, stores its docs
/// in 30.5 MB transposed against 31.2 MB interleaved; at zstd 12 in 1 MiB blocks, 23.8 MB against 24.5 MB. LZ4 has no entropy coder and gains only from
/// repeats, and a head and the start of its line repeat together: LZ4HC 3 blocks of that corpus
/// are the same size either way (38.5 MB).
///
/// Call order: `add` in doc id order (ids are 0, 1, … in that order), then `finish()` once.
public struct DocStoreWriter: Sendable {
    /// 2: records may carry values not in the line (EventRecord layout 2); 3: zlib blocks; 4: the
    /// trailer's last byte names the block layout; 5: zstd blocks. Versions 1 to 4 still read.
    public static let formatVersion: UInt16 = 5
    /// The versions `DocStoreReader` opens.
    public static let readableVersions: ClosedRange<UInt16> = 1...5
    /// Bytes of a block header.
    static let blockHeaderSize = 24
    /// Bytes of one block index entry.
    static let indexEntrySize = 12
    /// Bytes of the trailer.
    static let trailerSize = 20

    /// Uncompressed bytes of records at which a block closes.
    public let blockSize: Int
    /// How blocks are compressed: LZ4 fast for fresh segments, zstd for merged ones (older stores
    /// also hold LZ4HC and zlib).
    public let compression: DocCompression
    /// Whether blocks hold their record heads apart from their tails (layout 1): zlib blocks do.
    public let isTransposed: Bool

    /// Documents added so far: the next doc id.
    public private(set) var count: Int = 0

    /// Finished blocks.
    private var output = ByteWriter()
    /// Length-prefixed records of the open block (interleaved), or its heads run (transposed).
    private var records = ByteWriter()
    /// Transposed: the tails run of the open block.
    private var tails = ByteWriter()
    /// Documents in the open block.
    private var blockCount = 0
    /// The record being added (reused), copied into `records` behind its length.
    private var record = ByteWriter()
    private var blockFirstDoc: UInt32 = 0
    private var blockBase: Int64 = 0
    /// The timestamp of the previous record of the open block: the next one's base.
    private var previousTimestamp: Int64 = 0
    private var indexFirstDocs: [UInt32] = []
    private var indexOffsets: [UInt64] = []

    /// - Parameter capacity: bytes to reserve for the body (a merge knows about how many it writes).
    public init(blockSize: Int = 32 * 1024, compression: DocCompression = .lz4, capacity: Int = 0) {
        precondition(blockSize > 0, "block size must be positive")
        precondition(compression.isValid, "\(compression) has no such level")
        self.blockSize = blockSize
        self.compression = compression
        self.isTransposed = compression.transposesBlocks
        self.records = ByteWriter(capacity: blockSize + blockSize / 4)
        if self.isTransposed { self.tails = ByteWriter(capacity: blockSize + blockSize / 4) }
        self.output = ByteWriter(capacity: capacity)
    }

    /// A writer of LZ4 blocks: `compressionLevel` 0 is LZ4 fast, 1...12 LZ4HC at that level.
    public init(blockSize: Int = 32 * 1024, compressionLevel: Int32) {
        self.init(blockSize: blockSize, compression: DocCompression(lz4Level: compressionLevel))
    }

    /// Bytes written so far (closed blocks), for progress and sizing.
    public var writtenBytes: Int { self.output.count }

    /// Adds `event` as the next document.
    public mutating func add(_ event: StoredEvent) {
        self.beginRecord(timestamp: event.timestamp)
        EventRecord.encode(event, timestampBase: self.previousTimestamp, into: &self.record)
        self.endRecord(timestamp: event.timestamp)
    }

    /// Adds event `index` of `batch` as the next document, encoding it from the batch.
    ///
    /// See `EventRecord.encode(batch:event:nameIDs:source:file:receivedAt:timestampBase:into:)`.
    /// - Complexity: O(line length + fields); allocates only when a buffer must grow or a block closes.
    public mutating func add(
        batch: EventBatch,
        event index: Int,
        nameIDs: [UInt32],
        source: UInt32,
        file: UInt32,
        receivedAt: Int64
    ) {
        let timestamp = EventRecord.timestamp(of: index, in: batch, receivedAt: receivedAt)
        self.beginRecord(timestamp: timestamp)
        EventRecord.encode(
            batch: batch,
            event: index,
            nameIDs: nameIDs,
            source: source,
            file: file,
            receivedAt: receivedAt,
            timestampBase: self.previousTimestamp,
            into: &self.record
        )
        self.endRecord(timestamp: timestamp)
    }

    /// The body: blocks, block index, trailer.
    public consuming func finish() -> [UInt8] {
        self.closeBlock()
        let indexOffset = self.output.count
        for (firstDoc, offset) in zip(self.indexFirstDocs, self.indexOffsets) {
            self.output.u32(firstDoc)
            self.output.u64(offset)
        }
        self.output.u64(UInt64(indexOffset))
        self.output.u32(UInt32(self.indexOffsets.count))
        self.output.u32(UInt32(self.count))
        self.output.u16(Self.formatVersion)
        self.output.u8(self.compression.trailerByte)
        self.output.u8(self.isTransposed ? 1 : 0)
        return self.output.bytes
    }

    // MARK: Blocks

    @inline(__always)
    private mutating func beginRecord(timestamp: Int64) {
        precondition(self.count < Int(UInt32.max), "a doc store holds fewer than 2^32 documents")
        if self.blockCount == 0 {
            self.blockFirstDoc = UInt32(self.count)
            self.blockBase = timestamp
            self.previousTimestamp = timestamp
        }
        self.record.bytes.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    private mutating func endRecord(timestamp: Int64) {
        self.previousTimestamp = timestamp
        self.records.varint(self.record.count)
        if self.isTransposed {
            let headLength = self.record.count - EventRecord.tailLength(self.record.bytes)
            self.records.varint(headLength)
            self.records.bytes.append(contentsOf: self.record.bytes[..<headLength])
            self.tails.bytes.append(contentsOf: self.record.bytes[headLength...])
        } else {
            self.records.bytes.append(contentsOf: self.record.bytes)
        }
        self.blockCount += 1
        self.count += 1
        if self.records.count + self.tails.count >= self.blockSize { self.closeBlock() }
    }

    private mutating func closeBlock() {
        guard self.blockCount > 0 else { return }
        if self.isTransposed {
            self.records.bytes.append(contentsOf: self.tails.bytes)
            self.tails.bytes.removeAll(keepingCapacity: true)
        }
        let uncompressedSize = self.records.count
        precondition(uncompressedSize <= Int(Int32.max), "a doc block of \(uncompressedSize) bytes is too large")
        let compressed = self.compression.compress(self.records.bytes[...])
        let stored = compressed.count < uncompressedSize

        self.indexFirstDocs.append(self.blockFirstDoc)
        self.indexOffsets.append(UInt64(self.output.count))
        self.output.u32(self.blockFirstDoc)
        self.output.u32(UInt32(self.blockCount))
        self.output.u32(UInt32(uncompressedSize))
        self.output.u32(UInt32(stored ? compressed.count : uncompressedSize))
        self.output.i64(self.blockBase)
        if stored {
            self.output.bytes.append(contentsOf: compressed)
        } else {
            self.output.bytes.append(contentsOf: self.records.bytes)
        }
        self.records.bytes.removeAll(keepingCapacity: true)
        self.blockCount = 0
    }
}
