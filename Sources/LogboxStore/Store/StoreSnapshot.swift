/// A consistent, read-only view of a store: the segments one manifest lists, opened and pinned.
///
/// Any number of processes may take snapshots while the writer keeps writing and merging: the
/// manifest is replaced atomically, and each open segment is pinned until the snapshot goes away.
/// A segment that fails to open (a damaged file) is left out and reported in `unreadable`; the
/// rest stays queryable.
public final class StoreSnapshot: Sendable {
    public let directory: String
    public let manifest: Manifest
    public let segments: [SegmentReader]
    /// Segments listed but not opened, with the reason.
    public let unreadable: [(id: UInt64, error: StoreError)]

    public init(directory: String, fileSystem: FileSystem = FileSystem()) throws(StoreError) {
        self.directory = directory
        let manifestPath = StoreWriter.manifestPath(directory)
        let segmentsDirectory = StoreWriter.segmentsDirectory(directory)
        // A merge may retire and delete a segment between reading the manifest and opening it:
        // then the manifest has moved on, and a second read sees the new one.
        var attempt = 0
        while true {
            attempt += 1
            let manifest =
                fileSystem.exists(manifestPath)
                ? try Manifest.decode(try fileSystem.readFile(manifestPath)) : Manifest()
            var readers: [SegmentReader] = []
            var unreadable: [(id: UInt64, error: StoreError)] = []
            var vanished = false
            for info in manifest.segments {
                let path = "\(segmentsDirectory)/\(info.directoryName)"
                do {
                    readers.append(try SegmentReader(directory: path, fileSystem: fileSystem))
                } catch {
                    if !fileSystem.exists(path) { vanished = true }
                    unreadable.append((info.id, error))
                }
            }
            if vanished && attempt < 5 { continue }
            self.manifest = manifest
            self.segments = readers
            self.unreadable = unreadable
            return
        }
    }

    public var eventCount: Int { self.segments.reduce(0) { $0 + $1.docCount } }
}
