import Glibc
import LogboxCore
import LogboxPipeline
import LogboxStore
import LogboxTestSupport
import Testing

/// The tailer reports tombstones (`Checkpoint.forgetting`) for files gone for good, so the
/// store's checkpoint map does not keep every file ever tailed; files that still exist keep theirs.
@Suite("Tail: forgetting files that are gone")
struct TailForgettingTests {
    /// Every checkpoint (positions and tombstones) the tailer reported while draining.
    static func drainReporting(_ harness: inout TailHarness) -> (lines: [TailedLine], reported: [Checkpoint]) {
        var lines: [TailedLine] = []
        var reported: [Checkpoint] = []
        for _ in 0..<10_000 {
            let (batch, progress) = harness.pollOnce()
            if progress.isIdle { break }
            lines += batch
            reported += progress.checkpoints
            harness.store(progress.checkpoints)
        }
        return (lines, reported)
    }

    @Test("a deleted file: its last lines and its tombstone come in one progress, after its position")
    func deletedFile() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        let other = "\(directory.path)/other.log"
        TailFiles.append(path, TailFiles.lines("a", 1...5))
        TailFiles.append(other, TailFiles.lines("o", 1...3))
        var harness = try TailHarness(try TailFiles.options("\(directory.path)/*.log"))
        #expect(harness.drain().count == 8)
        #expect(harness.stored.count == 2)
        let inode = TailFiles.inode(path)
        TailFiles.append(path, TailFiles.lines("a", 6...7))
        unlink(path)
        var tombstoneProgress: TailProgress?
        var lines: [TailedLine] = []
        for _ in 0..<100 {
            let (batch, progress) = harness.pollOnce()
            if progress.isIdle { break }
            lines += batch
            if progress.checkpoints.contains(where: \.isForgetting) { tombstoneProgress = progress }
            harness.store(progress.checkpoints)
        }
        #expect(lines.map(\.text) == TailFiles.texts("a", 6...7))
        let progress = try #require(tombstoneProgress, "no tombstone for the deleted file")
        #expect(progress.checkpoints.count == 2)
        #expect(progress.checkpoints.first?.isForgetting == false)
        #expect(progress.checkpoints.last?.isForgetting == true)
        #expect(progress.checkpoints.last?.inode == inode)
        #expect(harness.stored.map(\.path) == [other])
        // Nothing more is reported for it.
        #expect(Self.drainReporting(&harness).reported.isEmpty)
    }

    @Test("rotated within the glob, finished, then deleted: forgotten at the next scan")
    func rotatedThenDeletedLater() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        let rotated = "\(directory.path)/app.log.1"
        TailFiles.append(path, TailFiles.lines("a", 1...4))
        var harness = try TailHarness(try TailFiles.options("\(directory.path)/app.log*"))
        #expect(harness.drain().count == 4)
        TailFiles.rename(path, rotated)
        TailFiles.append(path, TailFiles.lines("b", 1...2))
        #expect(harness.drain().count == 2)
        let rotatedInode = TailFiles.inode(rotated)
        #expect(harness.stored.count == 2)
        // Still there (within the glob): nothing forgotten however long it waits.
        harness.advance(seconds: 10)
        #expect(Self.drainReporting(&harness).reported.allSatisfy { !$0.isForgetting })
        #expect(harness.stored.count == 2)
        unlink(rotated)
        let (lines, reported) = Self.drainReporting(&harness)
        #expect(lines.isEmpty)
        #expect(reported.filter(\.isForgetting).map(\.inode) == [rotatedInode])
        #expect(harness.stored.map(\.path) == [path])
    }

    @Test("renamed out of the glob but still in its directory: the store keeps its checkpoint")
    func renamedOutOfGlob() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, TailFiles.lines("a", 1...4))
        var harness = try TailHarness(try TailFiles.options(path))
        #expect(harness.drain().count == 4)
        TailFiles.rename(path, "\(directory.path)/archived-app.txt")
        harness.advance(seconds: 10)
        let (_, reported) = Self.drainReporting(&harness)
        harness.advance(seconds: 10)
        let (_, later) = Self.drainReporting(&harness)
        #expect((reported + later).allSatisfy { !$0.isForgetting })
        #expect(harness.stored.count == 1)
        // A restart finds it by identity and reads nothing again.
        var restarted = try TailHarness(try TailFiles.options(path), checkpoints: harness.stored)
        #expect(restarted.drain().isEmpty)
        // Deleted later (closed long ago, so no descriptor sees it go): forgotten at the next scan.
        let inode = TailFiles.inode("\(directory.path)/archived-app.txt")
        unlink("\(directory.path)/archived-app.txt")
        let (lines, afterDelete) = Self.drainReporting(&harness)
        #expect(lines.isEmpty)
        #expect(afterDelete.filter(\.isForgetting).map(\.inode) == [inode])
        #expect(harness.stored.isEmpty)
    }

    @Test("started with a checkpoint of a file deleted while the process was down: forgotten on the first poll")
    func deletedWhileDown() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        let kept = "\(directory.path)/kept.log"
        TailFiles.append(path, TailFiles.lines("a", 1...4))
        TailFiles.append(kept, TailFiles.lines("k", 1...4))
        var first = try TailHarness(try TailFiles.options("\(directory.path)/*.log"))
        #expect(first.drain().count == 8)
        let stored = first.stored
        let goneInode = TailFiles.inode(path)
        unlink(path)
        var restarted = try TailHarness(try TailFiles.options("\(directory.path)/*.log"), checkpoints: stored)
        let (lines, reported) = Self.drainReporting(&restarted)
        #expect(lines.isEmpty)
        #expect(reported.filter(\.isForgetting).map(\.inode) == [goneInode])
        #expect(restarted.stored.map(\.path) == [kept])
    }

    @Test("a checkpoint in a directory that cannot be listed is kept")
    func unlistableDirectory() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let missing = "\(directory.path)/not-mounted/app.log"
        let stale = Checkpoint(
            path: missing,
            device: 1,
            inode: 99,
            fingerprintLength: 10,
            fingerprint: 1234,
            offset: 100,
            nextLine: 11
        )
        var harness = try TailHarness(
            try TailFiles.options("\(directory.path)/not-mounted/*.log"),
            checkpoints: [stale]
        )
        let (_, reported) = Self.drainReporting(&harness)
        #expect(reported.isEmpty)
        #expect(harness.stored == [stale])
    }

    @Test("copytruncate: the old content's position is forgotten, the new content gets its own")
    func copyTruncateForgetsOldContent() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, TailFiles.lines("first", 1...10))
        var harness = try TailHarness(try TailFiles.options(path))
        #expect(harness.drain().count == 10)
        let old = try #require(harness.stored.first)
        TailFiles.copy(path, "\(directory.path)/app.log.1")
        TailFiles.truncate(path)
        TailFiles.append(path, TailFiles.lines("second", 1...40))
        let (lines, reported) = Self.drainReporting(&harness)
        #expect(lines.map(\.text) == TailFiles.texts("second", 1...40))
        #expect(reported.filter(\.isForgetting).map(\.fingerprint) == [old.fingerprint])
        #expect(harness.stored.count == 1)
        #expect(harness.stored.first?.fingerprint != old.fingerprint)
        #expect(harness.stored.first?.nextLine == 41)
    }
}
