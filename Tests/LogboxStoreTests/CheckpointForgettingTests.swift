import LogboxCore
import LogboxParse
import LogboxStore
import LogboxTestSupport
import Testing

/// Tombstones (`Checkpoint.forgetting`) drop an input's checkpoint durably: through the WAL, so
/// replay after a crash agrees, and out of the manifest at the next flush.
@Suite("Store: forgetting checkpoints of files that are gone")
struct CheckpointForgettingTests {
    static func position(inode: UInt64, offset: Int64, path: String = "/var/log/app.log") -> Checkpoint {
        Checkpoint(
            path: path,
            device: 42,
            inode: inode,
            fingerprintLength: 64,
            fingerprint: UInt32(truncatingIfNeeded: inode &* 2_654_435_761),
            offset: offset,
            nextLine: offset / 10 + 1
        )
    }

    static func lines(_ prefix: String, _ count: Int) -> EventBatch {
        var parser = BatchParser(parser: try! ParserRegistry.make("logfmt", context: ParseContext(referenceTime: 0)))
        var events = EventBatch()
        parser.parse(Fixtures.lineBatch((1...count).map { "msg=\(prefix)\($0)" }, source: "app"), into: &events)
        return events
    }

    static func inodes(_ checkpoints: [Checkpoint]) -> Set<UInt64> { Set(checkpoints.map(\.inode)) }

    @Test("a tombstone drops the checkpoint at once, after a crash (WAL replay) and after a flush (manifest)")
    func forgetDurably() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.flushEvents = 1_000_000
        let gone = Self.position(inode: 7, offset: 500)
        let kept = Self.position(inode: 8, offset: 300, path: "/var/log/other.log")
        do {
            let writer = try StoreWriter(directory: directory.path, options: options)
            try writer.append(Self.lines("a", 50), source: "app", file: gone.path, checkpoints: [gone], receivedAt: 1)
            try writer.append(Self.lines("b", 30), source: "app", file: kept.path, checkpoints: [kept], receivedAt: 1)
            // Flushed: the manifest lists both; the tombstone below lives only in the WAL.
            try writer.flush()
            #expect(Self.inodes(writer.manifest.checkpoints) == [7, 8])
            try writer.append(EventBatch(), source: "app", checkpoints: [.forgetting(gone)], receivedAt: 2)
            #expect(writer.checkpoint(matching: gone) == nil)
            #expect(writer.checkpoint(matching: kept) == kept)
            try writer.sync()
            // No flush, no close: as after SIGKILL.
        }
        do {
            let reopened = try StoreWriter(directory: directory.path, options: options)
            #expect(reopened.recovery.delivered == 1)
            #expect(Self.inodes(reopened.checkpoints) == [8], "replay must apply the tombstone")
            try reopened.close()
        }
        let manifest = try Manifest.decode(try FileSystem().readFile(StoreWriter.manifestPath(directory.path)))
        #expect(Self.inodes(manifest.checkpoints) == [8])
        #expect(!manifest.checkpoints.contains { $0.isForgetting }, "the manifest lists live positions only")
        let again = try StoreWriter(directory: directory.path, options: options)
        #expect(Self.inodes(again.checkpoints) == [8])
        try again.close()
    }

    @Test(
        "positions and tombstones apply in order: last lines and the tombstone in one record; a reappearing identity starts over"
    )
    func order() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.flushEvents = 1_000_000
        let first = Self.position(inode: 9, offset: 100)
        var last = first
        last.offset = 250
        do {
            let writer = try StoreWriter(directory: directory.path, options: options)
            try writer.append(Self.lines("x", 10), source: "app", file: first.path, checkpoints: [first], receivedAt: 1)
            // A deleted file's last lines: its final position, then the tombstone, in one WAL record.
            try writer.append(
                Self.lines("y", 15),
                source: "app",
                file: first.path,
                checkpoints: [last, .forgetting(last)],
                receivedAt: 2
            )
            #expect(writer.checkpoint(matching: first) == nil)
            // A new file that happens to have the same identity is a new input: its own position.
            var reborn = first
            reborn.offset = 40
            try writer.append(Self.lines("z", 4), source: "app", file: first.path, checkpoints: [reborn], receivedAt: 3)
            #expect(writer.checkpoint(matching: first) == reborn)
            try writer.sync()
        }
        let reopened = try StoreWriter(directory: directory.path, options: options)
        #expect(reopened.checkpoints.map(\.offset) == [40])
        #expect(reopened.unflushedEvents == 29)
        try reopened.close()
    }

    @Test("a tombstone for an input the store never saw changes nothing")
    func unknownInput() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let writer = try StoreWriter(directory: directory.path)
        let known = Self.position(inode: 1, offset: 10)
        try writer.append(Self.lines("k", 1), source: "app", checkpoints: [known], receivedAt: 1)
        try writer.append(
            EventBatch(),
            source: "app",
            checkpoints: [.forgetting(Self.position(inode: 2, offset: 0))],
            receivedAt: 1
        )
        #expect(writer.checkpoints == [known])
        try writer.close()
        let reopened = try StoreWriter(directory: directory.path)
        #expect(reopened.checkpoints == [known])
        try reopened.close()
    }
}
