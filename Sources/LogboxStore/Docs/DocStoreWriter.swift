public import LogboxCore

/// Builds a segment's `docs` body: every event's record, in doc id order, in LZ4 blocks.
///
/// Layout of the body (little-endian; varints are unsigned LEB128). `FileFooter` follows it in the file.
/// ```
/// block × blockCount, back to back from offset 0:
///   firstDoc          u32   doc id of the block's first record
///   docCount          u32   >= 1
///   uncompressedSize  u32   bytes of the block's payload once decompressed
///   storedSize        u32   bytes that follow; == uncompressedSize means stored uncompressed
///   timestampBase     i64   the first record's timestamp; every record stores its delta from it
///   payload           storedSize bytes: LZ4 block (fast, or HC when the writer's level > 0)
/// decompressed payload:
///   headLength        varint × docCount
///   head              × docCount   each record's head (EventRecord layout up to its line)
///   line              × docCount   each record's line bytes, as long as its head says
/// block index, at indexOffset:
///   firstDoc u32, blockOffset u64        × blockCount (offsets of the block headers, ascending)
/// trailer, the last 20 bytes:
///   indexOffset u64 | blockCount u32 | docCount u32 | version u16 (1) | compressionLevel u8 | reserved u8 (0)
/// ```
/// Blocks close once their records reach `blockSize` bytes, so a block holds at least one record
/// and at most `blockSize` plus one record. Heads and lines lie in two runs so that LZ4 sees text
/// next to text and the heads' repeated structure next to itself (on `Samples/` this saves about a
/// sixth against whole records back to back). The head lengths, and the line length each head
/// starts with, let a reader reach any record of a decompressed block without decoding the others.
///
/// Call order: `add` in doc id order (ids are 0, 1, … in that order), then `finish()` once.
public struct DocStoreWriter: Sendable {
    public static let formatVersion: UInt16 = 1
    /// Bytes of a block header.
    static let blockHeaderSize = 24
    /// Bytes of one block index entry.
    static let indexEntrySize = 12
    /// Bytes of the trailer.
    static let trailerSize = 20

    /// Uncompressed bytes of records at which a block closes.
    public let blockSize: Int
    /// 0 for LZ4 fast (fresh segments), 1...12 for LZ4HC at that level (merges).
    public let compressionLevel: Int32

    /// Documents added so far: the next doc id.
    public private(set) var count: Int = 0

    /// Finished blocks.
    private var output = ByteWriter()
    /// Record heads of the open block, back to back.
    private var heads = ByteWriter()
    /// Lines of the open block, back to back.
    private var lines = ByteWriter()
    /// End offset in `heads` of each record of the open block.
    private var headEnds: [Int] = []
    /// The payload of the block being closed (reused).
    private var payload = ByteWriter()
    private var blockFirstDoc: UInt32 = 0
    private var blockBase: Int64 = 0
    private var indexFirstDocs: [UInt32] = []
    private var indexOffsets: [UInt64] = []

    public init(blockSize: Int = 32 * 1024, compressionLevel: Int32 = 0) {
        precondition(blockSize > 0, "block size must be positive")
        precondition((0...12).contains(compressionLevel), "LZ4 level \(compressionLevel) is not 0...12")
        self.blockSize = blockSize
        self.compressionLevel = compressionLevel
        self.heads = ByteWriter(capacity: blockSize / 2)
        self.lines = ByteWriter(capacity: blockSize + blockSize / 4)
        self.payload = ByteWriter(capacity: blockSize + blockSize / 4)
    }

    /// Bytes written so far (closed blocks), for progress and sizing.
    public var writtenBytes: Int { self.output.count }

    /// Adds `event` as the next document.
    public mutating func add(_ event: StoredEvent) {
        self.beginRecord(timestamp: event.timestamp)
        EventRecord.encodeHead(event, timestampBase: self.blockBase, into: &self.heads)
        self.lines.bytes.append(contentsOf: event.line)
        self.endRecord()
    }

    /// Adds event `index` of `batch` as the next document, encoding it straight into the open block.
    ///
    /// See `EventRecord.encode(batch:event:nameIDs:source:file:receivedAt:timestampBase:into:)`.
    /// - Complexity: O(line length + fields); allocates only when a buffer must grow or a block closes.
    public mutating func add(
        batch: EventBatch, event index: Int, nameIDs: [UInt32], source: UInt32, file: UInt32, receivedAt: Int64
    ) {
        self.beginRecord(timestamp: EventRecord.timestamp(of: index, in: batch, receivedAt: receivedAt))
        EventRecord.encodeHead(
            batch: batch, event: index, nameIDs: nameIDs, source: source, file: file, receivedAt: receivedAt,
            timestampBase: self.blockBase, into: &self.heads)
        self.lines.bytes.append(contentsOf: batch.lines.bytes[batch.lineSlot(of: index).range])
        self.endRecord()
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
        self.output.u8(UInt8(self.compressionLevel))
        self.output.u8(0)
        return self.output.bytes
    }

    // MARK: Blocks

    @inline(__always)
    private mutating func beginRecord(timestamp: Int64) {
        precondition(self.count < Int(UInt32.max), "a doc store holds fewer than 2^32 documents")
        if self.headEnds.isEmpty {
            self.blockFirstDoc = UInt32(self.count)
            self.blockBase = timestamp
        }
    }

    @inline(__always)
    private mutating func endRecord() {
        self.headEnds.append(self.heads.count)
        self.count += 1
        if self.heads.count + self.lines.count >= self.blockSize { self.closeBlock() }
    }

    private mutating func closeBlock() {
        guard !self.headEnds.isEmpty else { return }
        self.payload.bytes.removeAll(keepingCapacity: true)
        var previous = 0
        for end in self.headEnds {
            self.payload.varint(end - previous)
            previous = end
        }
        self.payload.bytes.append(contentsOf: self.heads.bytes)
        self.payload.bytes.append(contentsOf: self.lines.bytes)
        let uncompressedSize = self.payload.count
        precondition(uncompressedSize <= Int(Int32.max), "a doc block of \(uncompressedSize) bytes is too large")
        let compressed = LZ4Block.compress(self.payload.bytes[...], level: self.compressionLevel)
        let stored = compressed.count < uncompressedSize

        self.indexFirstDocs.append(self.blockFirstDoc)
        self.indexOffsets.append(UInt64(self.output.count))
        self.output.u32(self.blockFirstDoc)
        self.output.u32(UInt32(self.headEnds.count))
        self.output.u32(UInt32(uncompressedSize))
        self.output.u32(UInt32(stored ? compressed.count : uncompressedSize))
        self.output.i64(self.blockBase)
        if stored {
            self.output.bytes.append(contentsOf: compressed)
        } else {
            self.output.bytes.append(contentsOf: self.payload.bytes)
        }
        self.heads.bytes.removeAll(keepingCapacity: true)
        self.lines.bytes.removeAll(keepingCapacity: true)
        self.headEnds.removeAll(keepingCapacity: true)
    }
}
