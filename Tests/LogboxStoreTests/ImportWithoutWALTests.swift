import LogboxCore
import LogboxTestSupport
import Testing

@testable import LogboxStore

/// `StoreOptions.writeWAL` off, as `logbox import` runs: batches go only to the memtable; the
/// manifest's checkpoints and WAL sequence move with published segments, so a crash loses only
/// what the source files still hold, and a later writer with a WAL carries on above it.
@Suite("Writer without a WAL")
struct ImportWithoutWALTests {
    static func options(writeWAL: Bool) -> StoreOptions {
        var options = StoreOptions()
        options.flushEvents = 1000
        options.backgroundFlush = true
        options.backgroundMerges = false
        options.writeWAL = writeWAL
        return options
    }

    /// Bytes in the WAL directory beyond the file headers: 0 when no record was written.
    static func walRecordBytes(_ directory: String) throws -> Int {
        let fileSystem = FileSystem()
        return try WALFile.list(StoreWriter.walDirectory(directory), fileSystem: fileSystem).reduce(0) {
            $0 + (try fileSystem.readFile($1.path).count) - WALFile.headerSize
        }
    }

    /// Appends batches `range` of `StoreWriterTests.allBatches`, each with its checkpoint.
    static func append(_ writer: StoreWriter, _ range: Range<Int>) throws -> [String] {
        var lines: [String] = []
        for index in range {
            let entry = StoreWriterTests.allBatches[index]
            try writer.append(
                entry.batch,
                source: entry.source,
                checkpoints: [BackgroundFlushTests.checkpoint(index)],
                receivedAt: 1
            )
            lines += BackgroundFlushTests.lines(entry.batch)
            try writer.maintain()
        }
        return lines
    }

    @Test("nothing reaches the WAL; a crash keeps exactly the published segments and their checkpoint")
    func crashKeepsPublished() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let batches = StoreWriterTests.allBatches.count
        let published: [String]
        let publishedCheckpoint: Int64?
        do {
            let writer = try StoreWriter(directory: directory.path, options: Self.options(writeWAL: false))
            _ = try Self.append(writer, 0..<batches / 2)
            try writer.flush()
            published = try StoreWriterTests.storedLines(directory.path)
            publishedCheckpoint = writer.manifest.checkpoints.first?.offset
            // More appends (and maybe flushes in flight), then the process dies: no flush, no close.
            _ = try Self.append(writer, batches / 2..<batches)
            try writer.sync()
            #expect(try Self.walRecordBytes(directory.path) == 0)
            while writer.isFlushing { try writer.maintain() }
        }
        #expect(publishedCheckpoint == BackgroundFlushTests.checkpoint(batches / 2 - 1).offset)

        let reopened = try StoreWriter(directory: directory.path, options: Self.options(writeWAL: false))
        #expect(reopened.recovery.delivered == 0)
        #expect(reopened.unflushedEvents == 0)
        let stored = try StoreWriterTests.storedLines(directory.path)
        // The checkpoint names the last batch the published segments hold: resuming after it
        // stores every line exactly once.
        let resumeAt = try #require(reopened.manifest.checkpoints.first).nextLine
        #expect(stored.count == (0..<Int(resumeAt)).reduce(0) { $0 + StoreWriterTests.allBatches[$1].batch.count })
        #expect(stored.count >= published.count)
        _ = try Self.append(reopened, Int(resumeAt)..<batches)
        try reopened.close()
        #expect(try StoreWriterTests.storedLines(directory.path).sorted() == StoreWriterTests.allLines.sorted())
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }

    @Test("a writer with a WAL after one without continues the sequence and replays its own records")
    func walAfterImport() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let batches = StoreWriterTests.allBatches.count
        do {
            let writer = try StoreWriter(directory: directory.path, options: Self.options(writeWAL: false))
            _ = try Self.append(writer, 0..<batches / 2)
            try writer.close()
        }
        let importedSequence = try StoreWriter(directory: directory.path).manifest.walSequence
        #expect(importedSequence >= UInt64(batches / 2))
        do {
            var options = Self.options(writeWAL: true)
            options.flushEvents = 1_000_000
            let writer = try StoreWriter(directory: directory.path, options: options)
            _ = try Self.append(writer, batches / 2..<batches)
            try writer.sync()
            // Dies with every later batch only in the WAL.
        }
        let reopened = try StoreWriter(directory: directory.path, options: Self.options(writeWAL: true))
        #expect(reopened.recovery.delivered == batches - batches / 2)
        try reopened.close()
        #expect(reopened.manifest.walSequence > importedSequence)
        #expect(try StoreWriterTests.storedLines(directory.path).sorted() == StoreWriterTests.allLines.sorted())
    }

    @Test("WAL records a daemon left are replayed by an import, flushed, and their files deleted")
    func importReplaysDaemonWAL() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let batches = StoreWriterTests.allBatches.count
        do {
            var options = Self.options(writeWAL: true)
            options.flushEvents = 1_000_000
            let writer = try StoreWriter(directory: directory.path, options: options)
            _ = try Self.append(writer, 0..<3)
            try writer.sync()
        }
        #expect(try Self.walRecordBytes(directory.path) > 0)
        let writer = try StoreWriter(directory: directory.path, options: Self.options(writeWAL: false))
        #expect(writer.recovery.delivered == 3)
        _ = try Self.append(writer, 3..<batches)
        try writer.close()
        #expect(try Self.walRecordBytes(directory.path) == 0)
        #expect(try StoreWriterTests.storedLines(directory.path).sorted() == StoreWriterTests.allLines.sorted())
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }
}
