import Synchronization

/// The current manifest, shared by the ingest path and background merges, published atomically.
///
/// Every change goes through `publish`: under the lock, the change is applied to a copy, the copy
/// is written with `writeAtomically`, and only then does it become the current manifest; a failed
/// write leaves both the file and the in-memory manifest as they were.
final class ManifestState: Sendable {
    let path: String
    let segmentsDirectory: String
    let fileSystem: FileSystem
    private let current: Mutex<Manifest>

    init(manifest: Manifest, path: String, segmentsDirectory: String, fileSystem: FileSystem) {
        self.current = Mutex(manifest)
        self.path = path
        self.segmentsDirectory = segmentsDirectory
        self.fileSystem = fileSystem
    }

    var manifest: Manifest { self.current.withLock { $0 } }

    /// Applies `change` and writes the result; returns what `change` returned.
    @discardableResult
    func publish<T>(_ change: (inout Manifest) throws(StoreError) -> T) throws(StoreError) -> T {
        let result: Result<(T, Manifest), StoreError> = self.current.withLock { manifest in
            var next = manifest
            do throws(StoreError) {
                let value = try change(&next)
                next.generation += 1
                try self.fileSystem.writeAtomically(path: self.path, bytes: next.encode())
                manifest = next
                return .success((value, next))
            } catch {
                return .failure(error)
            }
        }
        let (value, published) = try result.get()
        // Retired segments go once nobody reads them; those still pinned stay listed for next time.
        let pinned = SegmentJanitor.sweep(
            segmentsDirectory: self.segmentsDirectory,
            manifest: published,
            fileSystem: self.fileSystem
        )
        if Set(pinned) != Set(published.retired) {
            self.current.withLock { manifest in
                if manifest.generation == published.generation { manifest.retired = pinned }
            }
        }
        return value
    }

    /// Reserves `count` new segment ids (kept in memory; written with the next publication).
    func reserveSegmentIDs(_ count: Int = 1) -> UInt64 {
        self.current.withLock { manifest in
            let first = manifest.nextSegmentID
            manifest.nextSegmentID += UInt64(count)
            return first
        }
    }
}
