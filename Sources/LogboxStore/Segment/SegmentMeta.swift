/// The `meta` file of a segment: what it holds, in which tables its events' ids resolve.
///
/// Body layout (sealed with `FileFooter`, kind `.meta`, version 2), varints LEB128:
/// ```
/// id                 varint
/// level              u8        0 flushed from the memtable; n + 1 merged from level n
/// docCount           varint
/// minTime, maxTime   zigzag    nanoseconds; 0, 0 when docCount is 0
/// createdAt          zigzag    nanoseconds since the epoch
/// fieldCount         varint    field names (length-prefixed); doc records' name ids index them
/// sourceCount        varint    input names and paths (length-prefixed); records' source/file ids
/// fileCount          varint    per file of the segment: name (length-prefixed), bytes varint
/// truncatedTerms     varint    terms cut to the maximum length while indexing
/// skippedFields      varint    field values not indexed (over the per-segment field limit)
/// droppedColumns     varint    keyword columns dropped for too many values, then their names
/// rawBytes           varint    bytes of the events' lines, one newline each: the input they came from
/// leafCount          varint    (version 2) the flushed segments this one holds, in doc order:
///   id               varint      the flushed segment's id
///   docCount         varint      its docs: leaf i covers the docCount docs after those of leaves 0..<i
/// messageless        varint    (version 3) 1 + the number of docs without a `message` field; 0: not known
/// ```
/// Versions 1 (no leaves: its one leaf is the segment itself) and 2 (messageless docs not known)
/// still read.
public struct SegmentMeta: Sendable, Hashable {
    public static let version: UInt16 = 3
    /// The versions `decode` reads.
    public static let readableVersions: ClosedRange<UInt16> = 1...3

    public var id: UInt64
    public var level: UInt8
    public var docCount: Int
    public var minTime: Int64
    public var maxTime: Int64
    public var createdAt: Int64
    public var fieldNames: [String]
    public var sources: [String]
    /// Bytes per file name (`terms`, `postings`, `columns`, `docs`; `meta` itself is not listed).
    public var fileSizes: [(name: String, bytes: UInt64)]
    public var truncatedTerms: Int
    public var skippedFields: Int
    public var droppedColumns: [String]
    public var rawBytes: UInt64
    /// The flushed segments whose docs this one holds, in doc order: `[(id, docCount)]` for a
    /// flushed segment, the inputs' leaves one after the other for a merged one. Flush ids rise
    /// across writers, so a follower that has shown every leaf up to id H shows exactly the docs
    /// of the leaves above H (`logbox query --follow`). Empty only before `encode`, which then
    /// writes the segment itself as its one leaf.
    public var leaves: [SegmentLeaf] = []
    /// How many docs have no `message` field (nil when not known: a segment of meta version 1 or
    /// 2, or merged from one). A message regex matches such an event's whole line, whose words are
    /// not indexed, so the query engine prefilters a regex by its terms only where this is 0; where
    /// it is 0 or every doc, `message:*` needs no event read.
    public var messagelessDocs: Int?

    /// `leaves`, or the segment itself when none were set.
    public var effectiveLeaves: [SegmentLeaf] {
        self.leaves.isEmpty ? [SegmentLeaf(id: self.id, docCount: self.docCount)] : self.leaves
    }

    public static func == (lhs: SegmentMeta, rhs: SegmentMeta) -> Bool {
        lhs.id == rhs.id && lhs.level == rhs.level && lhs.docCount == rhs.docCount && lhs.minTime == rhs.minTime
            && lhs.maxTime == rhs.maxTime && lhs.createdAt == rhs.createdAt && lhs.fieldNames == rhs.fieldNames
            && lhs.sources == rhs.sources && lhs.fileSizes.map(\.name) == rhs.fileSizes.map(\.name)
            && lhs.fileSizes.map(\.bytes) == rhs.fileSizes.map(\.bytes) && lhs.truncatedTerms == rhs.truncatedTerms
            && lhs.skippedFields == rhs.skippedFields && lhs.droppedColumns == rhs.droppedColumns
            && lhs.rawBytes == rhs.rawBytes && lhs.effectiveLeaves == rhs.effectiveLeaves
            && lhs.messagelessDocs == rhs.messagelessDocs
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(self.id)
        hasher.combine(self.docCount)
    }

    public func encode() -> [UInt8] {
        var writer = ByteWriter()
        writer.varint(self.id)
        writer.u8(self.level)
        writer.varint(self.docCount)
        writer.signedVarint(self.minTime)
        writer.signedVarint(self.maxTime)
        writer.signedVarint(self.createdAt)
        writer.varint(self.fieldNames.count)
        for name in self.fieldNames { writer.string(name) }
        writer.varint(self.sources.count)
        for source in self.sources { writer.string(source) }
        writer.varint(self.fileSizes.count)
        for file in self.fileSizes {
            writer.string(file.name)
            writer.varint(file.bytes)
        }
        writer.varint(self.truncatedTerms)
        writer.varint(self.skippedFields)
        writer.varint(self.droppedColumns.count)
        for name in self.droppedColumns { writer.string(name) }
        writer.varint(self.rawBytes)
        let leaves = self.effectiveLeaves
        writer.varint(leaves.count)
        for leaf in leaves {
            writer.varint(leaf.id)
            writer.varint(leaf.docCount)
        }
        writer.varint(self.messagelessDocs.map { $0 + 1 } ?? 0)
        return FileFooter.seal(writer.bytes, kind: .meta, version: Self.version)
    }

    public static func decode(_ file: [UInt8], name: String) throws(StoreError) -> SegmentMeta {
        let (body, version) = try FileFooter.open(file, kind: .meta, versions: Self.readableVersions, name: name)
        do throws(StoreError) {
            var reader = ByteReader(body)
            let id = try reader.varint()
            let level = try reader.u8()
            let docCount = try reader.count(limit: Int(UInt32.max))
            let minTime = try reader.signedVarint()
            let maxTime = try reader.signedVarint()
            let createdAt = try reader.signedVarint()
            var fieldNames: [String] = []
            for _ in 0..<(try reader.count(limit: 1 << 20)) { fieldNames.append(try reader.string()) }
            var sources: [String] = []
            for _ in 0..<(try reader.count(limit: 1 << 24)) { sources.append(try reader.string()) }
            var fileSizes: [(name: String, bytes: UInt64)] = []
            for _ in 0..<(try reader.count(limit: 64)) { fileSizes.append((try reader.string(), try reader.varint())) }
            let truncatedTerms = try reader.count(limit: Int.max)
            let skippedFields = try reader.count(limit: Int.max)
            var dropped: [String] = []
            for _ in 0..<(try reader.count(limit: 1 << 20)) { dropped.append(try reader.string()) }
            let rawBytes = try reader.varint()
            var leaves: [SegmentLeaf] = []
            if version >= 2 {
                let leafCount = try reader.count(limit: max(docCount, 1))
                leaves.reserveCapacity(leafCount)
                var covered = 0
                for _ in 0..<leafCount {
                    let leafAt = reader.offset
                    let leafID = try reader.varint()
                    let leafDocs = try reader.count(limit: Int(UInt32.max))
                    covered += leafDocs
                    guard covered <= docCount else {
                        throw StoreError(.corrupt, offset: Int64(leafAt), "leaves hold more than \(docCount) docs")
                    }
                    leaves.append(SegmentLeaf(id: leafID, docCount: leafDocs))
                }
                guard covered == docCount else {
                    throw StoreError(
                        .corrupt,
                        offset: Int64(reader.offset),
                        "leaves hold \(covered) docs, the segment \(docCount)"
                    )
                }
            } else {
                leaves = [SegmentLeaf(id: id, docCount: docCount)]
            }
            var messagelessDocs: Int?
            if version >= 3 {
                let stored = try reader.count(limit: docCount + 1)
                messagelessDocs = stored == 0 ? nil : stored - 1
            }
            guard reader.isAtEnd else {
                throw StoreError(.corrupt, offset: Int64(reader.offset), "bytes after the meta")
            }
            return SegmentMeta(
                id: id,
                level: level,
                docCount: docCount,
                minTime: minTime,
                maxTime: maxTime,
                createdAt: createdAt,
                fieldNames: fieldNames,
                sources: sources,
                fileSizes: fileSizes,
                truncatedTerms: truncatedTerms,
                skippedFields: skippedFields,
                droppedColumns: dropped,
                rawBytes: rawBytes,
                leaves: leaves,
                messagelessDocs: messagelessDocs
            )
        } catch {
            throw error.located(in: name)
        }
    }
}

/// One flushed segment inside a (possibly merged) segment: its id and how many docs it gave.
public struct SegmentLeaf: Sendable, Hashable {
    public var id: UInt64
    public var docCount: Int

    public init(id: UInt64, docCount: Int) {
        self.id = id
        self.docCount = docCount
    }
}
