import Glibc
import Synchronization

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
    /// The mapped data files, for `releaseResidentPages`.
    private let mappings: [MappedFile]
    /// Tables a reader derives from the files once and keeps while the segment is open (the query
    /// engine's message span table), by name.
    private let derived = Mutex<[String: any Sendable]>([:])

    public static let fileNames = ["terms", "postings", "columns", "docs"]

    /// The table `name` derived from this segment: `make`'s result, made on first use and kept
    /// while the segment is open. Two first uses at once may both make it; one is kept.
    public func derived<Table: Sendable>(_ name: String, _ make: () throws -> Table) rethrows -> Table {
        if let table = self.derived.withLock({ $0[name] }) as? Table { return table }
        let table = try make()
        self.derived.withLock { $0[name] = table }
        return table
    }

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
            var mappings: [MappedFile] = []
            func body(_ file: String, _ kind: FileFooter.Kind, _ versions: ClosedRange<UInt16>) throws(StoreError)
                -> ByteStorage
            {
                let mapped = try MappedFile(path: "\(directory)/\(file)", name: "\(name)/\(file)")
                mappings.append(mapped)
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
            let columns = try body("columns", .columns, ColumnsWriter.readableVersions)
            let docs = try body("docs", .docs, DocStoreWriter.readableVersions)
            self.terms = try located("terms") { () throws(StoreError) in try TermDictionaryReader(body: terms) }
            self.postings = try located("postings") { () throws(StoreError) in try PostingsReader(body: postings) }
            self.columns = try located("columns") { () throws(StoreError) in try ColumnsReader(body: columns) }
            self.docs = try located("docs") { () throws(StoreError) in try DocStoreReader(body: docs) }
            self.bodies = bodies
            self.mappings = mappings
        } catch {
            Glibc.close(pin)
            throw error
        }
        self.pin = pin
    }

    deinit { Glibc.close(self.pin) }

    /// Drops this process's resident pages of the segment's files (they stay readable), for a
    /// reader done with the segment for now: `verify` calls it after each one.
    public func releaseResidentPages() {
        for mapping in self.mappings { mapping.releaseResidentPages() }
    }

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
    /// Writes a segment built in memory (a flush): see `SegmentDirectoryWriter`.
    static func write(
        _ built: (files: [(name: String, bytes: [UInt8])], meta: SegmentMeta),
        segmentsDirectory: String,
        fileSystem: FileSystem
    ) throws(StoreError) -> SegmentInfo {
        var output = try SegmentDirectoryWriter(
            id: built.meta.id,
            segmentsDirectory: segmentsDirectory,
            fileSystem: fileSystem
        )
        for file in built.files { try output.write(file.name, file.bytes) }
        return try output.finish(meta: built.meta)
    }
}

/// Writes one segment's files under `segments/.tmp-SEG-…` as they are ready, fsyncing each; `finish`
/// adds the meta, fsyncs the directory, renames it into place and fsyncs `segments/`.
///
/// A crash at any point leaves either no segment or a complete one; temporary directories are
/// removed at the next open (and by `abandon`). Writing each file as soon as it is built lets a
/// merge free it before building the next one.
struct SegmentDirectoryWriter {
    let id: UInt64
    private let segmentsDirectory: String
    private let temporary: String
    private let fileSystem: FileSystem
    /// Each file written so far and its size, in order.
    private(set) var fileSizes: [(name: String, bytes: UInt64)] = []

    init(id: UInt64, segmentsDirectory: String, fileSystem: FileSystem) throws(StoreError) {
        self.id = id
        self.segmentsDirectory = segmentsDirectory
        self.temporary = "\(segmentsDirectory)/.tmp-\(SegmentInfo.directoryName(id))"
        self.fileSystem = fileSystem
        if fileSystem.exists(self.temporary) { try fileSystem.removeDirectory(self.temporary, recursive: true) }
        _ = try fileSystem.createDirectory(self.temporary)
    }

    /// Writes and fsyncs file `name` of the segment.
    mutating func write(_ name: String, _ bytes: [UInt8]) throws(StoreError) {
        let handle = try self.fileSystem.open("\(self.temporary)/\(name)", .readWrite, create: true, truncate: true)
        try handle.write(bytes, at: 0)
        try handle.sync()
        handle.close()
        self.fileSizes.append((name, UInt64(bytes.count)))
    }

    /// Writes the meta, then publishes the directory under the segment's name.
    mutating func finish(meta: SegmentMeta) throws(StoreError) -> SegmentInfo {
        let encoded = meta.encode()
        try self.write("meta", encoded)
        try self.fileSystem.syncDirectory(self.temporary)
        let name = SegmentInfo.directoryName(meta.id)
        try self.fileSystem.rename(self.temporary, to: "\(self.segmentsDirectory)/\(name)")
        try self.fileSystem.syncDirectory(self.segmentsDirectory)
        return SegmentInfo(
            id: meta.id,
            docCount: meta.docCount,
            minTime: meta.minTime,
            maxTime: meta.maxTime,
            bytes: self.fileSizes.reduce(0) { $0 + $1.bytes },
            level: meta.level
        )
    }

    /// Removes the temporary directory of a segment that will not be finished.
    func abandon() {
        try? self.fileSystem.removeDirectory(self.temporary, recursive: true)
    }
}
