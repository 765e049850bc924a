import Glibc
import LogboxCore
import LogboxPipeline
import LogboxStore
import LogboxTestSupport
import Testing

@Suite("Tail: rotation, truncation, deletion")
struct TailRotationTests {
    @Test("rename and create: the renamed file is read to its end, then the new one from its start")
    func renameCreate() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        let rotated = "\(directory.path)/app.log.1"
        TailFiles.append(path, TailFiles.lines("old", 1...5))
        var harness = try TailHarness(try TailFiles.options(path))
        #expect(harness.drain().map(\.text) == TailFiles.texts("old", 1...5))

        TailFiles.append(path, TailFiles.lines("old", 6...8))
        TailFiles.rename(path, rotated)
        // The writer still holds the old file until it reopens.
        TailFiles.append(rotated, TailFiles.lines("old", 9...10))
        TailFiles.append(path, TailFiles.lines("new", 1...4))
        let lines = harness.drain()
        #expect(lines.filter { $0.path == rotated }.map(\.text) == TailFiles.texts("old", 6...10))
        #expect(lines.filter { $0.path == rotated }.map(\.lineNumber) == Array(6...10))
        #expect(lines.filter { $0.path == path }.map(\.text) == TailFiles.texts("new", 1...4))
        #expect(lines.filter { $0.path == path }.map(\.lineNumber) == Array(1...4))
        #expect(lines.count == 9)
        #expect(harness.tailer.statistics.rotations == 1)

        // Still open while its writer may add to it; closed once quiet for rotateWait.
        #expect(harness.tailer.openPaths.sorted() == [path, rotated].sorted())
        TailFiles.append(rotated, "old 11\n")
        #expect(harness.drain().map(\.text) == ["old 11"])
        harness.advance(seconds: 6)
        #expect(harness.drain().isEmpty)
        #expect(harness.tailer.openPaths == [path])
        #expect(!TailFiles.isOpenInThisProcess(rotated))
        #expect(harness.tailer.statistics.filesClosed == 1)
    }

    @Test("rename within the glob: the file keeps its position under its new name")
    func renameWithinGlob() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        let rotated = "\(directory.path)/app.log.1"
        TailFiles.append(path, TailFiles.lines("old", 1...3))
        var harness = try TailHarness(try TailFiles.options("\(directory.path)/app.log*"))
        #expect(harness.drain().count == 3)
        TailFiles.rename(path, rotated)
        TailFiles.append(rotated, TailFiles.lines("old", 4...5))
        TailFiles.append(path, TailFiles.lines("new", 1...2))
        let lines = harness.drain()
        #expect(lines.filter { $0.path == rotated }.map(\.text) == TailFiles.texts("old", 4...5))
        #expect(lines.filter { $0.path == path }.map(\.text) == TailFiles.texts("new", 1...2))
        #expect(lines.count == 4)
    }

    @Test("copytruncate: the copy is not read again, the truncated file restarts at 0")
    func copyTruncate() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, TailFiles.lines("first", 1...10))
        var harness = try TailHarness(try TailFiles.options(path))
        #expect(harness.drain().map(\.text) == TailFiles.texts("first", 1...10))
        TailFiles.copy(path, "\(directory.path)/app.log.1")
        TailFiles.truncate(path)
        // More is written than had been read before the tailer looks again: only the changed
        // first bytes can tell.
        TailFiles.append(path, TailFiles.lines("second", 1...40))
        let lines = harness.drain()
        #expect(lines.map(\.text) == TailFiles.texts("second", 1...40))
        #expect(lines.map(\.lineNumber) == Array(1...40))
        #expect(lines.first?.sourceOffset == 0)
        #expect(harness.tailer.statistics.truncations == 1)
    }

    @Test("truncation: a file shorter than the position restarts at 0")
    func truncation() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, TailFiles.lines("first", 1...10))
        var harness = try TailHarness(try TailFiles.options(path))
        #expect(harness.drain().count == 10)
        TailFiles.truncate(path)
        #expect(harness.drain().isEmpty)
        TailFiles.append(path, TailFiles.lines("second", 1...3))
        let lines = harness.drain()
        #expect(lines.map(\.text) == TailFiles.texts("second", 1...3))
        #expect(lines.map(\.lineNumber) == [1, 2, 3])
        #expect(harness.tailer.statistics.truncations == 1)
        TailFiles.append(path, TailFiles.lines("second", 4...5))
        #expect(harness.drain().map(\.text) == TailFiles.texts("second", 4...5))
    }

    @Test("a file deleted while being read is read to its end and its descriptor released")
    func deletedWhileReading() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, TailFiles.lines("line", 1...2000))
        var options = try TailFiles.options(path)
        options.readChunkSize = 4096
        var harness = try TailHarness(options)
        let (first, _) = harness.pollOnce(maxBytes: 4096)
        #expect(first.count > 0 && first.count < 2000)
        #expect(TailFiles.isOpenInThisProcess(path))
        unlink(path)
        let rest = harness.drain(maxBytes: 4096)
        #expect((first + rest).map(\.text) == TailFiles.texts("line", 1...2000))
        #expect(!TailFiles.isOpenInThisProcess(path))
        #expect(harness.tailer.openPaths.isEmpty)
        #expect(harness.tailer.statistics.filesClosed == 1)
    }

    @Test("a file renamed away and then deleted is closed at its end, without waiting")
    func rotatedThenDeleted() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        let rotated = "\(directory.path)/app.log.1"
        TailFiles.append(path, TailFiles.lines("a", 1...3))
        var harness = try TailHarness(try TailFiles.options(path))
        #expect(harness.drain().count == 3)
        TailFiles.append(path, TailFiles.lines("a", 4...6))
        TailFiles.rename(path, rotated)
        unlink(rotated)
        #expect(harness.drain().map(\.text) == TailFiles.texts("a", 4...6))
        #expect(!TailFiles.isOpenInThisProcess(rotated))
        #expect(harness.tailer.openPaths.isEmpty)
    }

    @Test("inode reuse: a file whose inode matches a checkpoint but whose first bytes do not is new")
    func inodeReuseFromCheckpoint() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, TailFiles.lines("new", 1...4))
        var info = stat()
        #expect(stat(path, &info) == 0)
        // What a deleted file that had this inode left in the store.
        let oldText = Array(TailFiles.lines("old", 1...4).utf8)
        let stale = Checkpoint(
            path: path,
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            fingerprintLength: UInt32(oldText.count),
            fingerprint: CRC32.checksum(oldText),
            offset: Int64(oldText.count - 6),
            nextLine: 4
        )
        var harness = try TailHarness(try TailFiles.options(path), checkpoints: [stale])
        let lines = harness.drain()
        #expect(lines.map(\.text) == TailFiles.texts("new", 1...4))
        #expect(lines.map(\.lineNumber) == [1, 2, 3, 4])
    }

    @Test("inode reuse while running: a deleted file's inode taken by a new file is read from 0")
    func inodeReuseWhileRunning() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, TailFiles.lines("old", 1...6))
        var harness = try TailHarness(try TailFiles.options(path))
        #expect(harness.drain().count == 6)
        let oldInode = TailFiles.inode(path)
        unlink(path)
        #expect(harness.drain().isEmpty)
        #expect(!TailFiles.isOpenInThisProcess(path))
        // File systems usually hand the freed inode to the next file; the outcome must not depend on it.
        TailFiles.append(path, TailFiles.lines("new", 1...2))
        let reused = TailFiles.inode(path) == oldInode
        let lines = harness.drain()
        #expect(lines.map(\.text) == TailFiles.texts("new", 1...2), "inode reused: \(reused)")
        // And after a restart with what was stored.
        TailFiles.append(path, TailFiles.lines("new", 3...4))
        var restarted = try TailHarness(try TailFiles.options(path), checkpoints: harness.stored)
        #expect(restarted.drain().map(\.text) == TailFiles.texts("new", 3...4))
    }
}
