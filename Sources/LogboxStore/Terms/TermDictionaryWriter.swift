/// Builds the term dictionary body: per field, its terms in byte order, each with its postings address.
///
/// Body layout (little-endian; varint = unsigned LEB128, zigzag = signed varint, as `ByteWriter` writes):
/// ```
/// header        u16 formatVersion (3) | u16 reserved (0)
/// sections      one per field, in field order:
///   blocks        the field's terms in blocks of 32 (the last block holds the rest), back to back;
///                 each entry:
///                   varint shared     bytes shared with the previous term (0 for a block's first entry)
///                   varint length     length << 1 | hex, then the suffix of `length` bytes:
///                                     hex 0: the bytes as they are
///                                     hex 1: every byte is 0-9 or a-f (length >= 2), stored two per
///                                            byte, high nibble first (0-9 = '0'-'9', 10-15 = 'a'-'f');
///                                            (length + 1) / 2 bytes, the unused low nibble of an odd
///                                            length 0
///                   zigzag offset     postings offset minus the previous entry's (0 before a block's
///                                     first entry, so the first is absolute)
///                   varint docs       docCount << 1 | hasPositions
///   sparse index  per block: varint length + the block's first term,
///                 varint block offset from the start of the section minus the previous block's
/// field table   varint fieldCount, then per field in ascending byte order of the name:
///                 varint name length + UTF-8 name
///                 varint section offset (from the start of the body)
///                 varint blocks length (the sparse index starts right after the blocks)
///                 varint sparse index length
///                 varint term count (>= 1)
/// trailer       u64 offset of the field table
/// ```
/// A reader loads the field table and the sparse indexes, so a lookup binary-searches the sparse
/// index and decodes one block of at most 32 entries. Version 1 is the same but for `length`,
/// which is the plain suffix length there (no hex packing). Version 2 has the same bytes as 3, but
/// its `message` field holds words only; from version 3 it may also hold span terms (marker byte
/// 0x01, then a value as written), and a field named 0x01 + name may hold the 4-byte hashes of
/// another field's values (`IndexingRules`): a reader that ignored either would miss events, so
/// older readers refuse the file. Hex packing halves trace and span ids,
/// hashes and most numbers: on the benchmark corpus the dictionary of `trace_id` is most of the
/// terms file.
///
/// Call order: fields in ascending byte order of their UTF-8 names, and within a field terms in
/// strictly ascending byte order; the writer traps otherwise (a sort bug upstream).
public struct TermDictionaryWriter: Sendable {
    /// Version of the body layout, written in the header and, by the segment writer, in the footer.
    public static let formatVersion: UInt16 = 3
    /// The versions `TermDictionaryReader` opens.
    public static let readableVersions: ClosedRange<UInt16> = 1...3
    static let headerSize = 4
    /// Terms per block.
    static let blockSize = 32

    private struct FieldEntry {
        var name: [UInt8]
        var sectionOffset: Int
        var blocksLength: Int
        var sparseLength: Int
        var termCount: Int
    }

    private var output: ByteWriter
    private var fields: [FieldEntry] = []
    // The open field.
    private var fieldName: [UInt8] = []
    private var isFieldOpen = false
    private var sectionStart = 0
    private var termCount = 0
    private var previousTerm: [UInt8] = []
    private var previousOffset: UInt64 = 0
    private var previousBlockOffset = 0
    private var sparse = ByteWriter()

    /// - Parameter capacity: bytes to reserve for the body (a merge knows about how many it writes).
    public init(capacity: Int = 1 << 16) {
        self.output = ByteWriter(capacity: capacity)
        self.output.u16(Self.formatVersion)
        self.output.u16(0)
    }

    /// Adds `term` of `field` with its postings address.
    public mutating func add(field: String, term: Span<UInt8>, address: PostingsAddress) {
        precondition(address.docCount > 0, "a term needs at least one doc")
        if !self.isFieldOpen || !Self.equal(field, self.fieldName) {
            self.openField(field)
        }
        let common = Self.sharedPrefix(self.previousTerm, term)
        if self.termCount > 0 {
            precondition(
                Self.precedes(self.previousTerm, term, shared: common),
                "terms of field \"\(field)\" must arrive in strictly ascending byte order"
            )
        }
        let shared: Int
        if self.termCount % Self.blockSize == 0 {
            let blockOffset = self.output.count - self.sectionStart
            self.sparse.varint(term.count)
            term.withUnsafeBufferPointer { self.sparse.append($0) }
            self.sparse.varint(blockOffset - self.previousBlockOffset)
            self.previousBlockOffset = blockOffset
            self.previousOffset = 0
            shared = 0
        } else {
            shared = common
        }
        self.output.varint(shared)
        let suffix = term.extracting(shared..<term.count)
        if Self.isHex(suffix) {
            self.output.varint((term.count - shared) << 1 | 1)
            Self.appendHex(suffix, to: &self.output)
        } else {
            self.output.varint((term.count - shared) << 1)
            suffix.withUnsafeBufferPointer { self.output.append($0) }
        }
        self.output.signedVarint(Int64(bitPattern: address.offset &- self.previousOffset))
        self.output.varint(UInt64(address.docCount) << 1 | (address.hasPositions ? 1 : 0))
        self.previousOffset = address.offset
        self.previousTerm.removeSubrange(shared...)
        term.extracting(shared..<term.count).withUnsafeBufferPointer { self.previousTerm.append(contentsOf: $0) }
        self.termCount += 1
    }

    public mutating func add(field: String, term: [UInt8], address: PostingsAddress) {
        self.add(field: field, term: term.span, address: address)
    }

    public mutating func add(field: String, term: ArraySlice<UInt8>, address: PostingsAddress) {
        self.add(field: field, term: term.span, address: address)
    }

    /// The body: header, every field's section, the field table and its offset.
    public consuming func finish() -> [UInt8] {
        if self.isFieldOpen { self.closeField() }
        let tableOffset = self.output.count
        self.output.varint(self.fields.count)
        for field in self.fields {
            self.output.lengthPrefixed(field.name)
            self.output.varint(field.sectionOffset)
            self.output.varint(field.blocksLength)
            self.output.varint(field.sparseLength)
            self.output.varint(field.termCount)
        }
        self.output.u64(UInt64(tableOffset))
        return self.output.bytes
    }

    private mutating func openField(_ field: String) {
        if self.isFieldOpen {
            precondition(
                self.fieldName.lexicographicallyPrecedes(field.utf8),
                "fields must arrive in ascending byte order: \"\(field)\" after \"\(String(decoding: self.fieldName, as: UTF8.self))\""
            )
            self.closeField()
        }
        self.isFieldOpen = true
        self.fieldName = Array(field.utf8)
        self.sectionStart = self.output.count
        self.termCount = 0
        self.previousTerm.removeAll(keepingCapacity: true)
        self.previousBlockOffset = 0
        self.sparse.bytes.removeAll(keepingCapacity: true)
    }

    private mutating func closeField() {
        let blocksLength = self.output.count - self.sectionStart
        self.output.append(self.sparse.bytes)
        self.fields.append(
            FieldEntry(
                name: self.fieldName,
                sectionOffset: self.sectionStart,
                blocksLength: blocksLength,
                sparseLength: self.sparse.count,
                termCount: self.termCount
            )
        )
        self.isFieldOpen = false
    }

    /// Whether `suffix` is stored hex-packed: two or more bytes, each 0-9 or a-f.
    static func isHex(_ suffix: Span<UInt8>) -> Bool {
        guard suffix.count >= 2 else { return false }
        for i in suffix.indices {
            let byte = suffix[i]
            guard (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte) else { return false }
        }
        return true
    }

    private static func appendHex(_ suffix: Span<UInt8>, to output: inout ByteWriter) {
        var i = 0
        while i < suffix.count {
            let high = Self.nibble(suffix[i])
            let low = i + 1 < suffix.count ? Self.nibble(suffix[i + 1]) : 0
            output.u8(high << 4 | low)
            i += 2
        }
    }

    @inline(__always)
    private static func nibble(_ byte: UInt8) -> UInt8 { byte <= 0x39 ? byte - 0x30 : byte - 0x57 }

    private static func equal(_ field: String, _ name: [UInt8]) -> Bool {
        var field = field
        return field.withUTF8 { utf8 in
            guard utf8.count == name.count else { return false }
            return name.withUnsafeBufferPointer { utf8.elementsEqual($0) }
        }
    }

    private static func sharedPrefix(_ a: [UInt8], _ b: Span<UInt8>) -> Int {
        let limit = min(a.count, b.count)
        var i = 0
        while i < limit, a[i] == b[i] { i += 1 }
        return i
    }

    /// Whether `a` < `b`, given that they share their first `shared` bytes.
    private static func precedes(_ a: [UInt8], _ b: Span<UInt8>, shared: Int) -> Bool {
        if shared == a.count { return b.count > shared }
        if shared == b.count { return false }
        return a[shared] < b[shared]
    }
}
