/// The 20-byte footer every store file ends with: what it is, which format, how long, its checksum.
///
/// Layout (little-endian), after the body:
/// ```
/// offset  size  field
///  0      4     magic          "LBX1" (0x3158424C)
///  4      2     formatVersion  version of the body's layout (per kind)
///  6      2     kind           FileKind raw value
///  8      8     bodyLength     bytes of body before the footer
/// 16      4     crc32          CRC-32 of the body
/// ```
/// A reader checks all five before trusting a byte of the body, so a torn or flipped file is
/// detected by `verify` and at open, and named with the offset where it went wrong.
public enum FileFooter {
    public static let size = 20
    public static let magic: UInt32 = 0x3158_424C

    public enum Kind: UInt16, Sendable, CaseIterable, CustomStringConvertible {
        case meta = 1, terms = 2, postings = 3, columns = 4, docs = 5, manifest = 6, checkpoints = 7

        public var description: String {
            switch self {
            case .meta: "meta"
            case .terms: "terms"
            case .postings: "postings"
            case .columns: "columns"
            case .docs: "docs"
            case .manifest: "manifest"
            case .checkpoints: "checkpoints"
            }
        }
    }

    /// `body` followed by its footer.
    ///
    /// Appends in place: a body built with room for the footer is not copied (segment files are
    /// tens of MB, and a copy would double a merge's memory for a moment).
    public static func seal(_ body: consuming [UInt8], kind: Kind, version: UInt16) -> [UInt8] {
        let length = body.count
        let crc = CRC32.checksum(body)
        var writer = ByteWriter()
        writer.bytes = consume body
        writer.bytes.reserveCapacity(length + Self.size)
        writer.u32(Self.magic)
        writer.u16(version)
        writer.u16(kind.rawValue)
        writer.u64(UInt64(length))
        writer.u32(crc)
        return writer.bytes
    }

    /// The body of a sealed file, after checking magic, kind, version, length and checksum.
    public static func open(_ file: [UInt8], kind: Kind, version: UInt16, name: String) throws(StoreError)
        -> ArraySlice<UInt8>
    {
        try Self.open(file, kind: kind, versions: version...version, name: name).body
    }

    /// The body of a sealed file whose format version is one of `versions`, and that version.
    public static func open(_ file: [UInt8], kind: Kind, versions: ClosedRange<UInt16>, name: String)
        throws(StoreError) -> (body: ArraySlice<UInt8>, version: UInt16)
    {
        let footer = try Self.check(
            ByteStorage(file.suffix(Self.size)),
            fileSize: file.count,
            kind: kind,
            versions: versions,
            name: name
        )
        let body = file[..<footer.bodyLength]
        try Self.checkCRC(CRC32.checksum(body), footer.crc, name: name)
        return (body, footer.version)
    }

    /// The body of a sealed file in place (a mapping), checking magic, kind, version and length,
    /// and the checksum only when `verifyChecksum`: reading a whole segment to check it is what
    /// `logbox index verify` does (`verifyChecksum(of:crc:)`), not what opening one for a query should.
    public static func open(
        _ file: ByteStorage,
        kind: Kind,
        versions: ClosedRange<UInt16>,
        name: String,
        verifyChecksum: Bool
    ) throws(StoreError) -> (body: ByteStorage, version: UInt16, crc: UInt32) {
        let footer = try Self.check(
            file[(file.endIndex - min(Self.size, file.count))...],
            fileSize: file.count,
            kind: kind,
            versions: versions,
            name: name
        )
        let body = file[file.startIndex..<(file.startIndex + footer.bodyLength)]
        if verifyChecksum { try Self.checkCRC(CRC32.checksum(body), footer.crc, name: name) }
        return (body, footer.version, footer.crc)
    }

    /// Checks `body` against the checksum its footer gave (`open(…verifyChecksum: false)`).
    public static func verifyChecksum(of body: ByteStorage, crc: UInt32, name: String) throws(StoreError) {
        try Self.checkCRC(CRC32.checksum(body), crc, name: name)
    }

    private static func checkCRC(_ actual: UInt32, _ stored: UInt32, name: String) throws(StoreError) {
        guard actual == stored else {
            throw StoreError(
                .corrupt,
                file: name,
                offset: 0,
                "checksum mismatch: stored \(Self.hex(stored)), computed \(Self.hex(actual))"
            )
        }
    }

    /// Reads and checks the footer (the last `size` bytes of a file of `fileSize` bytes).
    private static func check(
        _ footer: ByteStorage,
        fileSize: Int,
        kind: Kind,
        versions: ClosedRange<UInt16>,
        name: String
    ) throws(StoreError) -> (version: UInt16, bodyLength: Int, crc: UInt32) {
        guard fileSize >= Self.size else {
            throw StoreError(
                .corrupt,
                file: name,
                offset: Int64(fileSize),
                "\(fileSize) bytes: shorter than a footer"
            )
        }
        let footerStart = fileSize - Self.size
        var reader = ByteReader(footer)
        let magic = try reader.u32()
        let foundVersion = try reader.u16()
        let foundKind = try reader.u16()
        let length = try reader.u64()
        let crc = try reader.u32()
        let at = Int64(footerStart)
        guard magic == Self.magic else { throw StoreError(.corrupt, file: name, offset: at, "bad footer magic") }
        guard foundKind == kind.rawValue else {
            throw StoreError(
                .corrupt,
                file: name,
                offset: at + 6,
                "footer says kind \(foundKind), expected \(kind) (\(kind.rawValue))"
            )
        }
        guard versions.contains(foundVersion) else {
            let readable =
                versions.count == 1 ? "\(versions.lowerBound)" : "\(versions.lowerBound) to \(versions.upperBound)"
            throw StoreError(
                .corrupt,
                file: name,
                offset: at + 4,
                "format version \(foundVersion), this build reads \(readable)"
            )
        }
        guard length == UInt64(footerStart) else {
            throw StoreError(
                .corrupt,
                file: name,
                offset: at + 8,
                "footer says \(length) body bytes, file has \(footerStart)"
            )
        }
        return (foundVersion, footerStart, crc)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
    }
}
