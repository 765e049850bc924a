import Glibc
import LogboxCore
import LogboxStore
import LogboxTestSupport
import Testing

/// A real full file system: a small tmpfs, mounted when the tests run as root (as in CI).
/// Whether this process may mount a tmpfs (root, and a kernel that lets it).
let canMountTmpfs: Bool = {
    guard getuid() == 0 else { return false }
    let directory = TemporaryDirectory(prefix: "logbox-mount-probe")
    defer { directory.remove() }
    guard mount("tmpfs", directory.path, "tmpfs", 0, "size=64k") == 0 else { return false }
    umount(directory.path)
    return true
}()

@Suite("Store on a full disk", .enabled(if: canMountTmpfs, "needs root to mount a tmpfs"))
struct FullDiskTests {
    @Test("ENOSPC is reported clearly, the store stays consistent, and ingest resumes once space is back")
    func fullTmpfs() throws {
        let directory = TemporaryDirectory(prefix: "logbox-full")
        defer { directory.remove() }
        try #require(mount("tmpfs", directory.path, "tmpfs", 0, "size=1m") == 0)
        defer { umount(directory.path) }
        let data = "\(directory.path)/data"
        var options = StoreOptions()
        options.flushEvents = 1500
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: data, options: options)
        let batches = StoreWriterTests.allBatches
        var taken: [String] = []
        var failure: StoreError?
        var next = 0
        // Fill the disk: three passes over the samples are far more than 1 MiB of WAL and segments.
        fill: for round in 0..<3 {
            for (index, entry) in batches.enumerated() {
                do {
                    try writer.append(entry.batch, source: entry.source, receivedAt: 1)
                } catch {
                    failure = error
                    next = round * batches.count + index
                    break fill
                }
                taken += Self.lines(entry.batch)
                do {
                    try writer.maintain()
                } catch {
                    failure = error
                    next = round * batches.count + index + 1
                    break fill
                }
            }
        }
        let error = try #require(failure, "1 MiB did not fill up")
        #expect(error.description.contains("No space left on device"))
        // What is on disk is consistent: every listed segment opens and verifies.
        let report = try StoreVerifier.verify(directory: data)
        #expect(report.problems.allSatisfy { $0.segment == nil }, "\(report.problems)")

        // Space comes back; the same writer goes on where it stopped.
        #expect(mount("tmpfs", directory.path, "tmpfs", UInt(MS_REMOUNT), "size=256m") == 0)
        for position in next..<(3 * batches.count) {
            let entry = batches[position % batches.count]
            try writer.append(entry.batch, source: entry.source, receivedAt: 1)
            try writer.maintain()
            taken += Self.lines(entry.batch)
        }
        try writer.close()
        let snapshot = try StoreSnapshot(directory: data)
        var stored: [String] = []
        for segment in snapshot.segments {
            try segment.docs.events(in: 0..<UInt32(segment.docCount)) { _, event in
                stored.append(String(decoding: event.line, as: UTF8.self))
            }
        }
        #expect(stored.count == taken.count)
        #expect(stored.sorted() == taken.sorted())
        #expect(try StoreVerifier.verify(directory: data).isClean)
    }

    static func lines(_ batch: EventBatch) -> [String] {
        batch.lines.slots.map { String(decoding: batch.lines.bytes[$0.range], as: UTF8.self) }
    }
}
