import Glibc

/// One immutable segment, opened: its meta and a reader per file, every footer checked.
///
/// The four data files are memory-mapped and read in place: opening one reads the footers and
/// what the readers' `init`s look at (tables, indexes), not the bodies, so a snapshot of a large
/// store opens in milliseconds and its pages belong to the page cache. The footers' magic, kind,
/// version and length are checked at open; their checksums, which need every byte read, are
/// checked by `verifyChecksums()` (`logbox index verify`).
///
/// While open it holds a shared `flock` on its `meta` file: the pin that keeps the store from
/// deleting a segment someone still reads (`SegmentJanitor` deletes only what it can lock
/// exclusively). Immutable after `init`, so queries share it across tasks.
public final class SegmentReader: Sendable {
    public let meta: SegmentMeta
    /// The segment's directory.
    public let directory: String
    public let terms: TermDictionaryReader
    public let postings: PostingsReader
    public let columns: ColumnsReader
    public let docs: DocStoreReader
    private let pin: Int32
    /// Each data file's body and the checksum its footer gives, for `verifyChecksums`.
    private let bodies: [(name: String, body: ByteStorage, crc: UInt32)]

    public static let fileNames = ["terms", "postings", "columns", "docs"]

    public init(directory: String, fileSystem: FileSystem) throws(StoreError) {
        self.directory = directory
        let name = fileSystem.relativePath(directory)
        let metaPath = "\(directory)/meta"
        let pin = Glibc.open(metaPath, O_RDONLY | O_CLOEXEC)
        guard pin >= 0 else {
            throw StoreError(.io(errno: errno), file: "\(name)/meta", "cannot open: \(FileSystem.reason(errno))")
        }
        _ = flock(pin, LOCK_SH)
        do throws(StoreError) {
            self.meta = try SegmentMeta.decode(try fileSystem.readFile(metaPath), name: "\(name)/meta")
            var bodies: [(name: String, body: ByteStorage, crc: UInt32)] = []
            func body(_ file: String, _ kind: FileFooter.Kind, _ versions: ClosedRange<UInt16>) throws(StoreError)
                -> ByteStorage
            {
                let mapped = try MappedFile(path: "\(directory)/\(file)", name: "\(name)/\(file)")
                let opened = try FileFooter.open(
                    ByteStorage(mapped),
                    kind: kind,
                    versions: versions,
                    name: "\(name)/\(file)",
                    verifyChecksum: false
                )
                bodies.append(("\(name)/\(file)", opened.body, opened.crc))
                return opened.body
            }
            func located<T>(_ file: String, _ make: () throws(StoreError) -> T) throws(StoreError) -> T {
                do { return try make() } catch { throw error.located(in: "\(name)/\(file)") }
            }
            let terms = try body("terms", .terms, TermDictionaryWriter.readableVersions)
            let postings = try body("postings", .postings, PostingsWriter.readableVersions)
            let columns = try body("columns", .columns, ColumnsWriter.formatVersion...ColumnsWriter.formatVersion)
            let docs = try body("docs", .docs, DocStoreWriter.readableVersions)
            self.terms = try located("terms") { () throws(StoreError) in try TermDictionaryReader(body: terms) }
            self.postings = try located("postings") { () throws(StoreError) in try PostingsReader(body: postings) }
            self.columns = try located("columns") { () throws(StoreError) in try ColumnsReader(body: columns) }
            self.docs = try located("docs") { () throws(StoreError) in try DocStoreReader(body: docs) }
            self.bodies = bodies
        } catch {
            Glibc.close(pin)
            throw error
        }
        self.pin = pin
    }

    deinit { Glibc.close(self.pin) }

    /// Checks every data file's body against its footer's checksum (reads every byte).
    /// - Throws: `StoreError(.corrupt)` naming the first file whose checksum does not hold.
    public func verifyChecksums() throws(StoreError) {
        for file in self.bodies { try FileFooter.verifyChecksum(of: file.body, crc: file.crc, name: file.name) }
    }

    public var id: UInt64 { self.meta.id }
    public var docCount: Int { self.meta.docCount }
}

/// Writes a built segment the crash-safe way.
enum SegmentFiles {
    /// Writes the files under `segments/.tmp-SEG-…`, fsyncs each and the directory, then renames the
    /// directory into place and fsyncs `segments/`. A crash at any point leaves either no segment
    /// or a complete one; temporary directories are removed at the next open.
    static func write(
        _ built: (files: [(name: String, bytes: [UInt8])], meta: SegmentMeta),
        segmentsDirectory: String,
        fileSystem: FileSystem
    ) throws(StoreError) -> SegmentInfo {
        let name = SegmentInfo.directoryName(built.meta.id)
        let temporary = "\(segmentsDirectory)/.tmp-\(name)"
        if fileSystem.exists(temporary) { try fileSystem.removeDirectory(temporary, recursive: true) }
        _ = try fileSystem.createDirectory(temporary)
        var total: UInt64 = 0
        let meta = built.meta.encode()
        for file in built.files + [(name: "meta", bytes: meta)] {
            let handle = try fileSystem.open("\(temporary)/\(file.name)", .readWrite, create: true, truncate: true)
            try handle.write(file.bytes, at: 0)
            try handle.sync()
            handle.close()
            total += UInt64(file.bytes.count)
        }
        try fileSystem.syncDirectory(temporary)
        try fileSystem.rename(temporary, to: "\(segmentsDirectory)/\(name)")
        try fileSystem.syncDirectory(segmentsDirectory)
        return SegmentInfo(
            id: built.meta.id,
            docCount: built.meta.docCount,
            minTime: built.meta.minTime,
            maxTime: built.meta.maxTime,
            bytes: total,
            level: built.meta.level
        )
    }
}
