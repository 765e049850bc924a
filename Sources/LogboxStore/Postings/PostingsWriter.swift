/// Builds the postings body: one sorted doc-id list per term, optionally with term positions.
///
/// Body layout (little-endian; varint = unsigned LEB128, as `ByteWriter.varint` writes it):
/// ```
/// header      u16 formatVersion (3) | u16 reserved (0)
/// lists       back to back, each at the offset its PostingsAddress names
/// ```
/// A list of n docs (n >= 1) is cut into ceil(n / 128) blocks: every block but the last holds 128 docs,
/// the last holds 1...128. Docs are coded as gaps `doc - previous - 1` (before the first doc, previous
/// is -1, so the first gap is the doc itself): consecutive docs cost zero bits. The base of block b is
/// the last doc of block b - 1, so a reader can start decoding at any block.
/// ```
/// skip table   only when the list has 2 or more blocks (bit-packed since version 3: 0.68 MB on the
///              1M-line benchmark corpus, compacted, where u32 fields took 1.43 MB):
///                u8 × 2 (3 with positions)  bit widths w0, w1 (, w2) of the fields below (0...32)
///                then one entry per block, bit-packed least significant bit first at w0 + w1 (+ w2)
///                bits, the last byte zero-padded; an entry is found by its index alone:
///                  lastDoc     w0 bits   the block's last doc id
///                  docOffset   w1 bits   start of the block's doc bytes, from the start of the doc region
///                  posOffset   w2 bits   only with positions: start of the block's positions, same base
/// doc region   the blocks back to back:
///                a block of 8...128 docs (every block but a list's last has 128): the gaps as one
///                  gap block, bit-packed or Rice-coded (layout in `GapBlock.swift`)
///                a last block of fewer than 8 docs: one varint gap per doc
/// positions    only with positions, right after the doc region; per block, in block order:
///                a block of 8 docs or more ("packed"), as frame-of-reference runs (layout in
///                  `FrameOfReference.swift`; each run's count follows from what came before it):
///                    counts   one run of the block's n docs' position counts
///                    firsts   one run of the first position of each doc whose count is not 0
///                             (absent when every count is 0)
///                    rest     the other positions as deltas from the previous position of the same
///                             doc, in doc order, in runs of 128 (the last run shorter; none if empty)
///                a block of fewer than 8 docs (only a list's last block can be one), per doc:
///                  one position p:  varint p << 1 | 1 (the common case of a rare word: one varint)
///                  otherwise:       varint count << 1, then `count` varint deltas (first from 0,
///                                   then from the previous)
/// ```
/// The doc region starts right after the skip table (or at the list's offset when there is none).
/// Doc count and the positions flag live in the address, not in the list, so a one-doc list
/// without positions is one varint. Doc ids are below `UInt32.max`, which iterators use for
/// "exhausted". Offsets in the skip table are u32: one list must stay below 4 GiB.
///
/// Version 2 differs in the skip table (entries of u32 fields, no widths) and in the doc gaps: a block of 128 is always bit-packed (u8 width, then 16 ×
/// width bytes: a gap block's packed form), a last block of 8...127 is one frame-of-reference run.
/// Version 1 differs from 2 in the last block and the positions: a last block of fewer than 128 docs is
/// always varint gaps, and every block's positions, whatever its size, are coded per doc as varint
/// count, then the varint deltas. Readers still read it.
public struct PostingsWriter: Sendable {
    /// Version of the body layout, written in the header and, by the segment writer, in the footer.
    public static let formatVersion: UInt16 = 3
    /// The versions a reader accepts: 1 (positions as varints), 2 (doc gaps bit-packed) and this one.
    public static let readableVersions: ClosedRange<UInt16> = 1...formatVersion
    /// Blocks of at least this many docs code their positions (and a last block its doc gaps) as
    /// frame-of-reference runs; smaller ones as varints, where a run's base and width byte would cost more.
    static let packedPositionsMinimum = 8
    /// Bytes of the header before the first list.
    public static let headerSize = 4
    static let blockSize = BitPacking.blockSize

    private struct SkipEntry {
        var lastDoc: UInt32
        var docOffset: Int
        var positionOffset: Int
    }

    private var output: ByteWriter
    // State of the list being written, reused from term to term.
    private var isOpen = false
    private var hasPositions = false
    private var docCount = 0
    private var previousDoc: UInt32 = 0
    private var blockGaps: [UInt32] = []
    /// Position counts and positions of the docs of the block being filled.
    private var blockCounts: [UInt32] = []
    private var blockPositions: [UInt32] = []
    private var firsts: [UInt32] = []
    private var rest: [UInt32] = []
    private var docRegion = ByteWriter()
    private var positionRegion = ByteWriter()
    private var skipEntries: [SkipEntry] = []

    /// - Parameter capacity: bytes to reserve for the body (a merge knows about how many it writes).
    public init(capacity: Int = 1 << 16) {
        self.output = ByteWriter(capacity: capacity)
        self.output.u16(Self.formatVersion)
        self.output.u16(0)
        self.blockGaps.reserveCapacity(Self.blockSize)
    }

    /// Bytes written so far (the offset the next list will get).
    public var byteCount: Int { self.output.count }

    /// Starts a term's list; follow with `addDoc` for each doc in ascending order, then `endTerm()`.
    public mutating func beginTerm(hasPositions: Bool) {
        precondition(!self.isOpen, "beginTerm called while a term is open; call endTerm first")
        self.isOpen = true
        self.hasPositions = hasPositions
    }

    /// Adds the next doc of a list begun with `hasPositions: false`.
    public mutating func addDoc(_ doc: UInt32) {
        precondition(!self.hasPositions, "this term was begun with positions; pass them to addDoc")
        self.appendDoc(doc)
        if self.blockGaps.count == Self.blockSize { self.flushBlock() }
    }

    /// Adds the next doc of a list begun with `hasPositions: true`, with the term's positions in it
    /// (ascending; duplicates allowed; may be empty).
    public mutating func addDoc(_ doc: UInt32, positions: Span<UInt32>) {
        precondition(self.hasPositions, "this term was begun without positions")
        self.appendDoc(doc)
        var previous: UInt32 = 0
        for i in positions.indices {
            let position = positions[i]
            precondition(position >= previous, "positions must be ascending: \(position) after \(previous)")
            self.blockPositions.append(position)
            previous = position
        }
        self.blockCounts.append(UInt32(positions.count))
        if self.blockGaps.count == Self.blockSize { self.flushBlock() }
    }

    /// Ends the open list and returns its address for the term dictionary.
    public mutating func endTerm() -> PostingsAddress {
        precondition(self.isOpen, "endTerm called without beginTerm")
        precondition(self.docCount > 0, "a postings list needs at least one doc")
        if !self.blockGaps.isEmpty { self.flushBlock() }
        precondition(
            self.docRegion.count + self.positionRegion.count <= Int(UInt32.max),
            "one postings list exceeds 4 GiB"
        )
        let offset = self.output.count
        if self.skipEntries.count >= 2 {
            self.writeSkipTable()
        }
        self.output.append(self.docRegion.bytes)
        self.output.append(self.positionRegion.bytes)
        let address = PostingsAddress(
            offset: UInt64(offset),
            docCount: UInt32(self.docCount),
            hasPositions: self.hasPositions
        )
        self.isOpen = false
        self.docCount = 0
        self.docRegion.bytes.removeAll(keepingCapacity: true)
        self.positionRegion.bytes.removeAll(keepingCapacity: true)
        self.skipEntries.removeAll(keepingCapacity: true)
        return address
    }

    /// Writes the skip table of the list being ended (layout at the top of the file).
    private mutating func writeSkipTable() {
        let fields = self.hasPositions ? 3 : 2
        let base = self.docRegion.count
        var widths = [0, 0, 0]
        for entry in self.skipEntries {
            widths[0] = max(widths[0], BitPacking.width(of: entry.lastDoc))
            widths[1] = max(widths[1], BitPacking.width(of: UInt32(entry.docOffset)))
            widths[2] = max(widths[2], BitPacking.width(of: UInt32(base + entry.positionOffset)))
        }
        for field in 0..<fields { self.output.u8(UInt8(widths[field])) }
        let entryBits = widths[0] + widths[1] + (fields == 3 ? widths[2] : 0)
        let byteCount = (self.skipEntries.count * entryBits + 7) / 8
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: byteCount + 8) { buffer in
            var writer = BitWriter(buffer.baseAddress!)
            for entry in self.skipEntries {
                writer.put(UInt64(entry.lastDoc), bits: widths[0])
                writer.put(UInt64(entry.docOffset), bits: widths[1])
                if fields == 3 { writer.put(UInt64(base + entry.positionOffset), bits: widths[2]) }
            }
            let written = writer.finish()
            precondition(written == byteCount, "skip table wrote \(written) bytes, planned \(byteCount)")
            self.output.append(UnsafeBufferPointer(start: buffer.baseAddress, count: written))
        }
    }

    /// Writes a whole list from the flat arrays a segment builder keeps per term.
    ///
    /// - Parameters:
    ///   - docs: the doc ids, strictly ascending, at least one.
    public mutating func add(docs: Span<UInt32>) -> PostingsAddress {
        self.beginTerm(hasPositions: false)
        for i in docs.indices { self.addDoc(docs[i]) }
        return self.endTerm()
    }

    /// Writes a whole list with positions from flat arrays: `counts[i]` positions of `docs[i]`,
    /// taken in order from `positions`.
    public mutating func add(docs: Span<UInt32>, positions: Span<UInt32>, counts: Span<UInt32>) -> PostingsAddress {
        precondition(counts.count == docs.count, "one position count per doc: \(counts.count) for \(docs.count) docs")
        self.beginTerm(hasPositions: true)
        var start = 0
        for i in docs.indices {
            let end = start + Int(counts[i])
            precondition(end <= positions.count, "position counts add up to more than \(positions.count)")
            self.addDoc(docs[i], positions: positions.extracting(start..<end))
            start = end
        }
        precondition(start == positions.count, "position counts add up to \(start), not \(positions.count)")
        return self.endTerm()
    }

    /// Writes a whole list; convenient when positions are at hand per doc (tests, small callers).
    public mutating func add(docs: [UInt32], positions: [[UInt32]]? = nil) -> PostingsAddress {
        guard let positions else { return self.add(docs: docs.span) }
        precondition(positions.count == docs.count, "one positions array per doc")
        self.beginTerm(hasPositions: true)
        for (doc, docPositions) in zip(docs, positions) { self.addDoc(doc, positions: docPositions.span) }
        return self.endTerm()
    }

    /// The body: header and every list added.
    public consuming func finish() -> [UInt8] {
        precondition(!self.isOpen, "finish called while a term is open")
        return self.output.bytes
    }

    private mutating func appendDoc(_ doc: UInt32) {
        precondition(self.isOpen, "addDoc called without beginTerm")
        precondition(doc != UInt32.max, "doc id UInt32.max is reserved")
        let gap: UInt32
        if self.docCount == 0 {
            gap = doc
        } else {
            precondition(doc > self.previousDoc, "doc ids must be strictly ascending: \(doc) after \(self.previousDoc)")
            gap = doc - self.previousDoc - 1
        }
        self.blockGaps.append(gap)
        self.previousDoc = doc
        self.docCount += 1
    }

    private mutating func flushBlock() {
        let docOffset = self.docRegion.count
        if self.blockGaps.count >= Self.packedPositionsMinimum {
            let gaps = self.blockGaps
            GapBlock.append(gaps.span, into: &self.docRegion)
        } else {
            for gap in self.blockGaps { self.docRegion.varint(UInt64(gap)) }
        }
        let positionOffset = self.positionRegion.count
        if self.hasPositions { self.writeBlockPositions() }
        self.skipEntries.append(
            SkipEntry(lastDoc: self.previousDoc, docOffset: docOffset, positionOffset: positionOffset)
        )
        self.blockGaps.removeAll(keepingCapacity: true)
        self.blockCounts.removeAll(keepingCapacity: true)
        self.blockPositions.removeAll(keepingCapacity: true)
    }

    /// Codes the positions of the block just filled (layout at the top of the file).
    private mutating func writeBlockPositions() {
        guard self.blockCounts.count >= Self.packedPositionsMinimum else {
            var at = 0
            for count in self.blockCounts {
                if count == 1 {
                    self.positionRegion.varint(UInt64(self.blockPositions[at]) << 1 | 1)
                    at += 1
                    continue
                }
                self.positionRegion.varint(UInt64(count) << 1)
                var previous: UInt32 = 0
                for position in self.blockPositions[at..<at + Int(count)] {
                    self.positionRegion.varint(UInt64(position - previous))
                    previous = position
                }
                at += Int(count)
            }
            return
        }
        // Locals, so the spans read below do not overlap the write access to `positionRegion`.
        var region = ByteWriter()
        swap(&region, &self.positionRegion)
        var firsts = self.firsts
        var rest = self.rest
        self.firsts = []
        self.rest = []
        firsts.removeAll(keepingCapacity: true)
        rest.removeAll(keepingCapacity: true)
        let counts = self.blockCounts
        let positions = self.blockPositions
        FrameOfReference.append(counts.span, into: &region)
        var at = 0
        for count in counts where count > 0 {
            firsts.append(positions[at])
            for i in at + 1..<at + Int(count) { rest.append(positions[i] - positions[i - 1]) }
            at += Int(count)
        }
        if !firsts.isEmpty { FrameOfReference.append(firsts.span, into: &region) }
        var start = 0
        while start < rest.count {
            let end = min(start + FrameOfReference.maximumCount, rest.count)
            FrameOfReference.append(rest.span.extracting(start..<end), into: &region)
            start = end
        }
        swap(&region, &self.positionRegion)
        self.firsts = firsts
        self.rest = rest
    }
}
