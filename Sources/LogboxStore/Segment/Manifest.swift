/// The one small file that says which segments make up the store: readers take it as their snapshot.
///
/// Written only by the lock holder, always through `FileSystem.writeAtomically` (temporary name,
/// fsync, rename, fsync of the directory), so a reader sees the old manifest or the new one,
/// never half of either. Segments it lists are complete (they were renamed into place before the
/// manifest naming them was written); segments it no longer lists are deleted once no reader
/// holds them (see `SegmentJanitor`).
///
/// Body layout (sealed with `FileFooter`, kind `.manifest`, version 1), all varints LEB128:
/// ```
/// generation        varint   increases by one per write
/// nextSegmentID     varint   the id the next new segment gets
/// walSequence       varint   every WAL record with a sequence ≤ this is in a listed segment
/// segmentCount      varint
///   per segment:    id varint, docCount varint, minTime zigzag, maxTime zigzag, bytes varint, level u8
/// checkpointCount   varint   input positions covered by the listed segments (see `Checkpoint`)
///   per checkpoint: Checkpoint encoding
/// retiredCount      varint   segments dropped from the list but maybe still read by someone
///   per retired:    id varint
/// ```
public struct Manifest: Sendable, Hashable {
    public static let version: UInt16 = 1
    public static let fileName = "MANIFEST"

    public var generation: UInt64 = 0
    public var nextSegmentID: UInt64 = 1
    public var walSequence: UInt64 = 0
    public var segments: [SegmentInfo] = []
    public var checkpoints: [Checkpoint] = []
    public var retired: [UInt64] = []

    public init() {}

    public func encode() -> [UInt8] {
        var writer = ByteWriter()
        writer.varint(self.generation)
        writer.varint(self.nextSegmentID)
        writer.varint(self.walSequence)
        writer.varint(self.segments.count)
        for segment in self.segments {
            writer.varint(segment.id)
            writer.varint(UInt64(segment.docCount))
            writer.signedVarint(segment.minTime)
            writer.signedVarint(segment.maxTime)
            writer.varint(segment.bytes)
            writer.u8(segment.level)
        }
        writer.varint(self.checkpoints.count)
        for checkpoint in self.checkpoints { checkpoint.encode(into: &writer) }
        writer.varint(self.retired.count)
        for id in self.retired { writer.varint(id) }
        return FileFooter.seal(writer.bytes, kind: .manifest, version: Self.version)
    }

    public static func decode(_ file: [UInt8]) throws(StoreError) -> Manifest {
        let body = try FileFooter.open(file, kind: .manifest, version: Self.version, name: Self.fileName)
        do {
            var reader = ByteReader(body)
            var manifest = Manifest()
            manifest.generation = try reader.varint()
            manifest.nextSegmentID = try reader.varint()
            manifest.walSequence = try reader.varint()
            let count = try reader.count(limit: 1_000_000)
            for _ in 0..<count {
                let id = try reader.varint()
                let docCount = try reader.count(limit: Int(UInt32.max))
                let minTime = try reader.signedVarint()
                let maxTime = try reader.signedVarint()
                let bytes = try reader.varint()
                let level = try reader.u8()
                manifest.segments.append(
                    SegmentInfo(
                        id: id,
                        docCount: docCount,
                        minTime: minTime,
                        maxTime: maxTime,
                        bytes: bytes,
                        level: level
                    )
                )
            }
            let checkpoints = try reader.count(limit: 10_000_000)
            for _ in 0..<checkpoints { manifest.checkpoints.append(try Checkpoint.decode(&reader)) }
            let retired = try reader.count(limit: 1_000_000)
            for _ in 0..<retired { manifest.retired.append(try reader.varint()) }
            return manifest
        } catch {
            throw error.located(in: Self.fileName)
        }
    }
}

/// What the manifest knows of one segment without opening it.
public struct SegmentInfo: Sendable, Hashable {
    public var id: UInt64
    public var docCount: Int
    public var minTime: Int64
    public var maxTime: Int64
    /// Bytes of all its files.
    public var bytes: UInt64
    /// 0 for a segment flushed from the memtable, n + 1 for one merged from level-n segments.
    public var level: UInt8

    public init(id: UInt64, docCount: Int, minTime: Int64, maxTime: Int64, bytes: UInt64, level: UInt8) {
        self.id = id
        self.docCount = docCount
        self.minTime = minTime
        self.maxTime = maxTime
        self.bytes = bytes
        self.level = level
    }

    /// `SEG-000000000000002a`: fixed width, so names sort by id.
    public var directoryName: String { Self.directoryName(self.id) }

    public static func directoryName(_ id: UInt64) -> String {
        let hex = String(id, radix: 16)
        return "SEG-" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}

/// How far an input has been stored: the position after the last line that is in the store.
///
/// An input is known by its identity — device and inode, plus a fingerprint (CRC-32 of its first
/// up to 1 KiB) so that a reused inode or a rewritten file is not mistaken for the old one — and
/// by its path, for people. Encoding: path (length-prefixed), device varint, inode varint,
/// fingerprintLength varint, fingerprint u32, offset varint, nextLine varint. `nextLine` 0 marks a
/// tombstone (see `Checkpoint.forgetting`), which only WAL records carry; the manifest lists live
/// positions only.
public struct Checkpoint: Sendable, Hashable {
    public var path: String
    public var device: UInt64
    public var inode: UInt64
    /// How many bytes the fingerprint covers (up to 1024; fewer for a short file).
    public var fingerprintLength: UInt32
    public var fingerprint: UInt32
    /// Bytes of the input stored (the next line starts here).
    public var offset: Int64
    /// The number the next line gets.
    public var nextLine: Int64

    public init(
        path: String,
        device: UInt64,
        inode: UInt64,
        fingerprintLength: UInt32,
        fingerprint: UInt32,
        offset: Int64,
        nextLine: Int64
    ) {
        self.path = path
        self.device = device
        self.inode = inode
        self.fingerprintLength = fingerprintLength
        self.fingerprint = fingerprint
        self.offset = offset
        self.nextLine = nextLine
    }

    /// Whether `other` is the same input (the offsets may differ).
    public func sameInput(as other: Checkpoint) -> Bool {
        self.device == other.device && self.inode == other.inode && self.fingerprintLength == other.fingerprintLength
            && self.fingerprint == other.fingerprint
    }

    public func encode(into writer: inout ByteWriter) {
        writer.string(self.path)
        writer.varint(self.device)
        writer.varint(self.inode)
        writer.varint(UInt64(self.fingerprintLength))
        writer.u32(self.fingerprint)
        writer.varint(UInt64(self.offset))
        writer.varint(UInt64(self.nextLine))
    }

    public static func decode(_ reader: inout ByteReader) throws(StoreError) -> Checkpoint {
        Checkpoint(
            path: try reader.string(),
            device: try reader.varint(),
            inode: try reader.varint(),
            fingerprintLength: UInt32(try reader.count(limit: 1 << 20)),
            fingerprint: try reader.u32(),
            offset: Int64(try reader.count(limit: Int.max)),
            nextLine: Int64(try reader.count(limit: Int.max))
        )
    }
}
