/// One file of the WAL directory: its name, and the 20-byte header that opens it.
///
/// Files are named `NNNNNN.wal`, a sequence number of at least 6 digits (000001.wal,
/// 000002.wal, ...), and hold records in sequence order; a file's records all come after those of
/// every lower-numbered file.
///
/// Header layout (little-endian), before the first record:
/// ```
/// offset  size  field
///  0      4     magic          "LWAL" (bytes 4C 57 41 4C)
///  4      2     version        1
///  6      2     reserved       0
///  8      8     firstSequence  the sequence of the file's first record (>= 1), known even
///                              while the file holds no record yet
/// 16      4     crc32          CRC-32 of bytes 0..<16
/// ```
/// The header makes every file self-describing: after old files are deleted, a new empty file
/// still tells where the sequence continues, and `deleteFiles` knows the last sequence of a file
/// from the first sequence of the next without reading it. A file appears under its name only
/// after its header is synced (it is written as `NNNNNN.wal.tmp`, fsynced, then renamed), so a
/// `.wal` file with a bad header is damage, never an interrupted creation.
enum WALFile {
    static let headerSize = 20
    static let magic: UInt32 = 0x4C41_574C
    static let version: UInt16 = 1
    static let suffix = ".wal"
    static let temporarySuffix = ".wal.tmp"

    static func name(_ number: UInt64) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(6 - digits.count, 0)) + digits + Self.suffix
    }

    /// The number in a name like `000042.wal`, or nil for any other name.
    static func number(fromName name: String) -> UInt64? {
        let bytes = Array(name.utf8)
        let stem = bytes.count - Self.suffix.utf8.count
        guard stem >= 6, stem <= 19, name.hasSuffix(Self.suffix) else { return nil }
        var value: UInt64 = 0
        for byte in bytes[..<stem] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value
    }

    static func header(firstSequence: UInt64) -> [UInt8] {
        var writer = ByteWriter(capacity: Self.headerSize)
        writer.u32(Self.magic)
        writer.u16(Self.version)
        writer.u16(0)
        writer.u64(firstSequence)
        writer.u32(CRC32.checksum(writer.bytes))
        return writer.bytes
    }

    /// The first sequence recorded in a header, or a `.corrupt` error at the field that is wrong.
    static func firstSequence(header bytes: [UInt8], file: String) throws(StoreError) -> UInt64 {
        guard bytes.count >= Self.headerSize else {
            throw StoreError(
                .corrupt,
                file: file,
                offset: 0,
                "WAL file header is \(bytes.count) of \(Self.headerSize) bytes"
            )
        }
        var reader = ByteReader(bytes[..<Self.headerSize])
        let magic = try reader.u32()
        let version = try reader.u16()
        _ = try reader.u16()
        let first = try reader.u64()
        let crc = try reader.u32()
        guard magic == Self.magic else {
            throw StoreError(.corrupt, file: file, offset: 0, "not a WAL file (bad magic)")
        }
        guard crc == CRC32.checksum(bytes[..<16]) else {
            throw StoreError(.corrupt, file: file, offset: 16, "WAL file header checksum mismatch")
        }
        guard version == Self.version else {
            throw StoreError(
                .corrupt,
                file: file,
                offset: 4,
                "WAL format version \(version), this build reads \(Self.version)"
            )
        }
        guard first >= 1 else { throw StoreError(.corrupt, file: file, offset: 8, "WAL file starts at sequence 0") }
        return first
    }

    /// The first sequence of the file at `path`, reading only its header.
    static func readFirstSequence(_ path: String, fileSystem: FileSystem) throws(StoreError) -> UInt64 {
        let file = try fileSystem.open(path)
        let bytes = try file.read(at: 0, count: Self.headerSize)
        return try Self.firstSequence(header: bytes, file: fileSystem.relativePath(path))
    }

    /// The WAL files in `directory` by number, with their paths; none when the directory is missing.
    static func list(_ directory: String, fileSystem: FileSystem) throws(StoreError) -> [(number: UInt64, path: String)]
    {
        guard fileSystem.exists(directory) else { return [] }
        var files: [(number: UInt64, path: String)] = []
        for name in try fileSystem.listDirectory(directory) {
            if let number = Self.number(fromName: name) { files.append((number, "\(directory)/\(name)")) }
        }
        files.sort { $0.number < $1.number }
        return files
    }
}
