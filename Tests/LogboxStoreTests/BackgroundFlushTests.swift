import Dispatch
import Glibc
import LogboxCore
import LogboxStore
import LogboxTestSupport
import Synchronization
import Testing

/// `StoreOptions.backgroundFlush`: segments built on the flush thread while appends go on, with
/// the store's exactly-once and crash-safety invariants intact.
@Suite("Background flush")
struct BackgroundFlushTests {
    /// Holds the first flush between writing its segment and publishing it, until `release`.
    final class Gate: Sendable {
        private let entered = DispatchSemaphore(value: 0)
        private let opened = DispatchSemaphore(value: 0)
        private let used = Atomic<Bool>(false)

        /// For `StoreOptions.beforeFlushPublish`: only the first flush waits.
        func hold() {
            guard !self.used.exchange(true, ordering: .relaxed) else { return }
            self.entered.signal()
            self.opened.wait()
        }

        /// Waits until the held flush has written its segment (and stopped before publishing).
        func waitUntilHeld() { self.entered.wait() }

        func release() { self.opened.signal() }
    }

    static func options(gate: Gate) -> StoreOptions {
        var options = StoreOptions()
        options.backgroundFlush = true
        options.backgroundMerges = false
        options.flushEvents = 1000
        options.beforeFlushPublish = { gate.hold() }
        return options
    }

    static func lines(_ batch: EventBatch) -> [String] {
        batch.lines.slots.map { String(decoding: batch.lines.bytes[$0.range], as: UTF8.self) }
    }

    /// A made-up file position per batch, so the test can tell which checkpoints were published.
    static func checkpoint(_ index: Int) -> Checkpoint {
        Checkpoint(
            path: "/logs/a.log",
            device: 1,
            inode: 7,
            fingerprintLength: 0,
            fingerprint: 0,
            offset: Int64(index + 1) * 100,
            nextLine: Int64(index + 1)
        )
    }

    /// Copies a data directory as it is on disk now: what a crash at this instant would leave.
    static func copyDirectory(_ source: String, _ destination: String, fileSystem: FileSystem = FileSystem()) throws {
        _ = try fileSystem.createDirectory(destination)
        for name in try fileSystem.listDirectory(source) {
            let from = "\(source)/\(name)"
            if fileSystem.isDirectory(from) {
                try Self.copyDirectory(from, "\(destination)/\(name)", fileSystem: fileSystem)
            } else {
                try fileSystem.writeAtomically(path: "\(destination)/\(name)", bytes: try fileSystem.readFile(from))
            }
        }
    }

    /// Appends batches (with maintain) until the first flush has been handed to the flush thread;
    /// returns the lines appended and how many batches that took.
    static func appendUntilFlushStarts(_ writer: StoreWriter, gate: Gate) throws -> (lines: [String], batches: Int) {
        var lines: [String] = []
        for (index, entry) in StoreWriterTests.allBatches.enumerated() {
            try writer.append(entry.batch, source: entry.source, checkpoints: [Self.checkpoint(index)], receivedAt: 1)
            lines += Self.lines(entry.batch)
            try writer.maintain()
            if writer.isFlushing {
                gate.waitUntilHeld()
                return (lines, index + 1)
            }
        }
        Issue.record("no flush started")
        return (lines, StoreWriterTests.allBatches.count)
    }

    @Test("appends go on while a flush is in flight; what is published covers only the flushed batches")
    func appendsDuringFlush() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let gate = Gate()
        let writer = try StoreWriter(directory: directory.path, options: Self.options(gate: gate))
        let (first, flushed) = try Self.appendUntilFlushStarts(writer, gate: gate)
        let batches = StoreWriterTests.allBatches

        // The flush is held before publishing: keep appending, staying below the next flush.
        var later: [String] = []
        for index in flushed..<min(flushed + 1, batches.count) {
            try writer.append(
                batches[index].batch,
                source: batches[index].source,
                checkpoints: [Self.checkpoint(index)],
                receivedAt: 1
            )
            later += Self.lines(batches[index].batch)
            try writer.sync()
        }
        #expect(writer.isFlushing)
        #expect(writer.unflushedEvents == first.count + later.count)
        #expect(writer.manifest.segments.isEmpty)
        #expect(writer.manifest.checkpoints.isEmpty)
        // The writer itself knows the newest position already (a tailer resumes from it).
        #expect(writer.checkpoint(matching: Self.checkpoint(0))?.offset == Self.checkpoint(flushed).offset)

        gate.release()
        while writer.isFlushing { usleep(1000) }
        // Published: the segment holds exactly the frozen batches and the checkpoint is theirs.
        #expect(writer.manifest.segments.count == 1)
        #expect(writer.manifest.checkpoints.map(\.offset) == [Self.checkpoint(flushed - 1).offset])
        #expect(try StoreWriterTests.storedLines(directory.path) == first)
        #expect(writer.unflushedEvents == later.count)

        try writer.close()
        #expect(try StoreWriterTests.storedLines(directory.path) == first + later)
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }

    @Test("a crash while a flush is in flight, before or after it publishes, loses and repeats nothing")
    func crashDuringFlush() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let gate = Gate()
        let data = "\(directory.path)/data"
        let writer = try StoreWriter(directory: data, options: Self.options(gate: gate))
        let (first, flushed) = try Self.appendUntilFlushStarts(writer, gate: gate)
        let batch = StoreWriterTests.allBatches[flushed]
        try writer.append(batch.batch, source: batch.source, checkpoints: [Self.checkpoint(flushed)], receivedAt: 1)
        try writer.sync()
        let everything = first + Self.lines(batch.batch)

        // Crash 1: the segment is written but not published.
        let beforePublish = "\(directory.path)/before-publish"
        try Self.copyDirectory(data, beforePublish)
        // Crash 2: published, the WAL files it covers not yet deleted.
        gate.release()
        while writer.isFlushing { usleep(1000) }
        let afterPublish = "\(directory.path)/after-publish"
        try Self.copyDirectory(data, afterPublish)

        for copy in [beforePublish, afterPublish] {
            let reopened = try StoreWriter(directory: copy)
            #expect(reopened.checkpoint(matching: Self.checkpoint(0))?.offset == Self.checkpoint(flushed).offset)
            try reopened.close()
            #expect(try StoreWriterTests.storedLines(copy).sorted() == everything.sorted(), "\(copy)")
            #expect(try StoreVerifier.verify(directory: copy).isClean)
        }
        try writer.close()
        #expect(try StoreWriterTests.storedLines(data) == everything)
    }

    @Test("a failed background flush keeps its batches; the next maintain flushes them in order", arguments: [1, 2])
    func failedFlushRetries(flushThreads: Int) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FileSystem()
        var options = StoreOptions()
        options.backgroundFlush = true
        options.backgroundMerges = false
        options.flushEvents = 1000
        options.flushThreads = flushThreads
        let writer = try StoreWriter(directory: directory.path, options: options, fileSystem: fileSystem)
        fileSystem.updateFaults { $0.failNext(.fsync, matching: "segments/", errno: 28) }  // ENOSPC
        var appended: [String] = []
        var failures = 0
        for entry in StoreWriterTests.allBatches {
            try writer.append(entry.batch, source: entry.source, receivedAt: 1)
            appended += Self.lines(entry.batch)
            do {
                try writer.maintain()
            } catch {
                failures += 1
                #expect(error.description.contains("segments/"))
            }
        }
        // The failure surfaces in whichever call collects it: a later maintain, or close (which
        // may then be called again: the batches are back in the memtable).
        do {
            try writer.close()
        } catch {
            failures += 1
            try writer.close()
        }
        // With two in flight, the flush after the failed one fails with it (reported once).
        #expect(failures == 1)
        #expect(try StoreWriterTests.storedLines(directory.path) == appended)
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }

    @Test("close waits for the flushes in flight and leaves nothing unflushed", arguments: [1, 2])
    func closeWaits(flushThreads: Int) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.backgroundFlush = true
        options.flushEvents = 700
        options.flushThreads = flushThreads
        let writer = try StoreWriter(directory: directory.path, options: options)
        var appended: [String] = []
        for entry in StoreWriterTests.allBatches {
            try writer.append(entry.batch, source: entry.source, receivedAt: 1)
            appended += Self.lines(entry.batch)
            try writer.maintain()
        }
        try writer.close()
        #expect(writer.unflushedEvents == 0)
        #expect(try StoreWriterTests.storedLines(directory.path) == appended)
        // Only the live WAL file is left: every other one was covered by a published segment.
        #expect(try FileSystem().listDirectory(StoreWriter.walDirectory(directory.path)).count == 1)
    }

    @Test("two flushes build at once but publish in the order they started")
    func parallelFlushesPublishInOrder() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let gate = Gate()
        var options = Self.options(gate: gate)
        options.flushThreads = 2
        let writer = try StoreWriter(directory: directory.path, options: options)
        var (appended, next) = try Self.appendUntilFlushStarts(writer, gate: gate)
        // The first flush is held before publishing; fill the memtable again and hand it over.
        let batches = StoreWriterTests.allBatches
        while next < batches.count {
            try writer.append(
                batches[next].batch,
                source: batches[next].source,
                checkpoints: [Self.checkpoint(next)],
                receivedAt: 1
            )
            appended += Self.lines(batches[next].batch)
            next += 1
            if writer.memtableIsFull {
                try writer.maintain()
                break
            }
        }
        #expect(writer.unflushedEvents == appended.count)
        // The second one builds and writes its segment, but must not publish past the first.
        usleep(300_000)
        #expect(writer.manifest.segments.isEmpty)
        #expect(writer.manifest.checkpoints.isEmpty)
        gate.release()
        try writer.flush()
        #expect(writer.manifest.segments.count == 2)
        #expect(writer.manifest.checkpoints.map(\.offset) == [Self.checkpoint(next - 1).offset])
        #expect(try StoreWriterTests.storedLines(directory.path) == appended)
        try writer.close()
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }
}
