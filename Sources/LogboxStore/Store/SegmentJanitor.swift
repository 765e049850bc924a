import Glibc

/// Removes what no manifest lists any more: temporary directories of interrupted writes, segments
/// retired by a merge or retention once no reader pins them, and segments a crash left unlisted.
enum SegmentJanitor {
    /// Deletes retired segment directories that no reader holds; returns the retired ids still pinned.
    ///
    /// At open (`atOpen`), when no write can be in progress, everything the manifest does not list
    /// goes: temporary directories and segments a crash left unpublished. Later only the manifest's
    /// retired segments do: an unlisted directory may be a merge's output about to be published.
    static func sweep(segmentsDirectory: String, manifest: Manifest, fileSystem: FileSystem, atOpen: Bool = false)
        -> [UInt64]
    {
        guard let entries = try? fileSystem.listDirectory(segmentsDirectory) else { return manifest.retired }
        let live = Set(manifest.segments.map(\.directoryName))
        let retired = Set(manifest.retired.map(SegmentInfo.directoryName))
        var stillPinned: [UInt64] = []
        for entry in entries where !live.contains(entry) && (atOpen || retired.contains(entry)) {
            let path = "\(segmentsDirectory)/\(entry)"
            if entry.hasPrefix(".tmp-") {
                try? fileSystem.removeDirectory(path, recursive: true)
                continue
            }
            guard entry.hasPrefix("SEG-") else { continue }
            // A reader pins a segment with a shared lock on its meta: delete only what we can lock
            // exclusively, and keep the lock while deleting so no reader opens it half-removed.
            let descriptor = Glibc.open("\(path)/meta", O_RDONLY | O_CLOEXEC)
            if descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
                Glibc.close(descriptor)
                if let id = UInt64(entry.dropFirst(4), radix: 16) { stillPinned.append(id) }
                continue
            }
            try? fileSystem.removeDirectory(path, recursive: true)
            if descriptor >= 0 { Glibc.close(descriptor) }
        }
        return stillPinned
    }
}
