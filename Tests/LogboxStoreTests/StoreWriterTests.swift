import Dispatch
import LogboxCore
import LogboxParse
import LogboxStore
import LogboxTestSupport
import Testing

/// The store end to end: WAL → memtable → segments → snapshot, recovery, merges, retention, faults.
@Suite("Store")
struct StoreWriterTests {
    /// Sample events (all five formats), parsed, in batches of `size` lines.
    static func batches(size: Int = 500, seed: UInt64 = 3) -> [(source: String, batch: EventBatch)] {
        let files = SampleLogGenerator(
            options: .init(
                seed: seed,
                authLines: 600,
                nginxLines: 900,
                jsonLines: 500,
                rfc5424Lines: 300,
                logfmtLines: 300
            )
        ).generate()
        var result: [(String, EventBatch)] = []
        for file in files {
            let lines = file.bytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
            var start = 0
            while start < lines.count {
                let chunk = Array(lines[start..<min(start + size, lines.count)])
                var parser = BatchParser(
                    parser: try! ParserRegistry.make(
                        "auto",
                        context: ParseContext(referenceTime: 1_795_000_000_000_000_000)
                    )
                )
                var events = EventBatch()
                parser.parse(Fixtures.lineBatch(chunk, source: file.name), into: &events)
                result.append((file.name, events))
                start += size
            }
        }
        return result
    }

    static let allBatches = batches()
    static var allLines: [String] {
        allBatches.flatMap { entry in
            entry.batch.lines.slots.map { String(decoding: entry.batch.lines.bytes[$0.range], as: UTF8.self) }
        }
    }

    /// Every stored event's line, from every segment of a fresh snapshot.
    static func storedLines(_ directory: String) throws -> [String] {
        let snapshot = try StoreSnapshot(directory: directory)
        #expect(snapshot.unreadable.isEmpty)
        return try Self.storedLines(snapshot)
    }

    /// Every stored event's line, from every segment of `snapshot`.
    static func storedLines(_ snapshot: StoreSnapshot) throws -> [String] {
        var lines: [String] = []
        for segment in snapshot.segments {
            try segment.docs.events(in: 0..<UInt32(segment.docCount)) { _, event in
                lines.append(String(decoding: event.line, as: UTF8.self))
            }
        }
        return lines
    }

    /// For a term, every event having it as (line, positions), sorted: what a query would see,
    /// independent of how events are spread over segments.
    static func postings(_ directory: String, _ field: String, _ term: String) throws -> [String] {
        let snapshot = try StoreSnapshot(directory: directory)
        var result: [String] = []
        for segment in snapshot.segments {
            guard let address = try segment.terms.lookup(field: field, term: Array(term.utf8)) else { continue }
            var iterator = try segment.postings.iterator(address)
            var cursor = segment.docs.makeCursor()
            while let doc = try iterator.next() {
                let positions = address.hasPositions ? try iterator.positions() : []
                let line = String(decoding: try cursor.event(doc).line, as: UTF8.self)
                result.append("\(line) @\(positions)")
            }
        }
        return result.sorted()
    }

    static let probes: [(String, String)] = [
        ("message", "failed"), ("message", "password"), ("message", "get"), ("program", "sshd"), ("status", "200"),
        ("level", "error"), ("source", "app.jsonl"), ("host", "web-02"), ("method", "POST"),
    ]

    static func append(_ writer: StoreWriter, _ entries: ArraySlice<(source: String, batch: EventBatch)>) throws {
        for entry in entries {
            try writer.append(entry.batch, source: entry.source, file: "/logs/\(entry.source)", receivedAt: 1)
            try writer.maintain()
        }
    }

    /// Writes every sample batch into a store at `directory`, in segments of 1,000 events, unmerged;
    /// returns the manifest it left.
    @discardableResult
    static func storeAllBatches(_ directory: String) throws -> Manifest {
        var options = StoreOptions()
        options.flushEvents = 1000
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: directory, options: options)
        try Self.append(writer, Self.allBatches[...])
        try writer.close()
        return writer.manifest
    }

    @Test("every event comes back once, and the index finds them: terms, phrases' positions, columns")
    func roundTrip() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let manifest = try Self.storeAllBatches(directory.path)
        #expect(try Self.storedLines(directory.path).sorted() == Self.allLines.sorted())

        // Brute force over the parsed batches against the index, for a few exact terms and words.
        let snapshot = try StoreSnapshot(directory: directory.path)
        #expect(snapshot.segments.count == manifest.segments.count)
        func indexCount(_ field: String, _ term: String) throws -> Int {
            var total = 0
            for segment in snapshot.segments {
                guard let address = try segment.terms.lookup(field: field, term: Array(term.utf8)) else { continue }
                var iterator = try segment.postings.iterator(address)
                while try iterator.next() != nil { total += 1 }
            }
            return total
        }
        func bruteCount(_ name: String, _ value: String) -> Int {
            Self.allBatches.reduce(0) { sum, entry in
                var names = entry.batch.names
                let id = names.intern(name)
                return sum
                    + (0..<entry.batch.count).filter { index in
                        entry.batch.field(id, of: index).map { entry.batch.string($0) == value } ?? false
                    }.count
            }
        }
        #expect(try indexCount("program", "sshd") == bruteCount("program", "sshd"))
        #expect(try indexCount("program", "sshd") > 100)
        #expect(try indexCount("status", "429") == bruteCount("status", "429"))
        #expect(try indexCount("level", "error") == bruteCount("level", "error"))
        #expect(try indexCount("source", "auth.log") == 600)
        let failed = Self.allLines.filter { $0.contains("Failed password") }.count
        #expect(try indexCount("message", "failed") >= failed)
        // Columns: every segment's time range and counts agree with its events.
        for segment in snapshot.segments {
            #expect(segment.columns.docCount == segment.docCount)
            #expect(segment.columns.minTime == segment.meta.minTime)
        }
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }

    @Test("a writer that dies without flushing loses nothing it synced: the WAL is replayed once")
    func replay() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.flushEvents = 1_000_000
        do {
            let writer = try StoreWriter(directory: directory.path, options: options)
            try Self.append(writer, Self.allBatches.prefix(5))
            try writer.sync()
            // No flush, no close: as after SIGKILL.
        }
        let reopened = try StoreWriter(directory: directory.path, options: options)
        #expect(reopened.recovery.delivered == 5)
        #expect(reopened.unflushedEvents == Self.allBatches.prefix(5).reduce(0) { $0 + $1.batch.count })
        try Self.append(reopened, Self.allBatches.dropFirst(5))
        try reopened.close()
        #expect(try Self.storedLines(directory.path).sorted() == Self.allLines.sorted())
    }

    @Test("a torn WAL tail is reported and cut; the records before it survive")
    func tornTail() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        do {
            let writer = try StoreWriter(directory: directory.path)
            try Self.append(writer, Self.allBatches.prefix(3))
            try writer.sync()
        }
        let fileSystem = FileSystem()
        let wal = "\(directory.path)/wal"
        let name = try fileSystem.listDirectory(wal).filter { $0.hasSuffix(".wal") }.sorted().last!
        let bytes = try fileSystem.readFile("\(wal)/\(name)")
        // Cut the last record in half, as a power cut during its write would.
        try fileSystem.truncateFile("\(wal)/\(name)", to: Int64(bytes.count - 100))
        let reopened = try StoreWriter(directory: directory.path)
        #expect(reopened.recovery.truncation != nil)
        #expect(reopened.recovery.delivered == 2)
        try reopened.close()
        let expected = Self.allBatches.prefix(2).flatMap { entry in
            entry.batch.lines.slots.map { String(decoding: entry.batch.lines.bytes[$0.range], as: UTF8.self) }
        }
        #expect(try Self.storedLines(directory.path).sorted() == expected.sorted())
    }

    @Test("a second writer is refused with the holder named")
    func secondWriter() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let writer = try StoreWriter(directory: directory.path)
        let error = #expect(throws: StoreError.self) { _ = try StoreWriter(directory: directory.path) }
        #expect(error?.kind == .locked)
        #expect(error?.description.contains("pid") == true)
        try writer.close()
    }

    @Test("background merges keep every event, and ingest goes on while a merge runs")
    func mergeWhileIngesting() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let mergeStarted = DispatchSemaphore(value: 0)
        let mayPublish = DispatchSemaphore(value: 0)
        var options = StoreOptions()
        options.flushEvents = 300
        options.mergeFactor = 2
        options.beforeMergePublish = {
            mergeStarted.signal()
            mayPublish.wait()
        }
        let writer = try StoreWriter(directory: directory.path, options: options)
        let half = Self.allBatches.count / 2
        try Self.append(writer, Self.allBatches.prefix(half))
        // A merge is now held open before it publishes: ingest and flush more meanwhile.
        #expect(mergeStarted.wait(timeout: .now() + 30) == .success)
        #expect(writer.isMerging)
        let segmentsBefore = writer.manifest.segments.count
        try Self.append(writer, Self.allBatches.dropFirst(half))
        try writer.flush()
        #expect(writer.isMerging)
        #expect(writer.manifest.segments.count > segmentsBefore)
        // Let this merge and any later ones through.
        for _ in 0..<100 { mayPublish.signal() }
        try writer.close()
        #expect(writer.completedMerges >= 1)
        #expect(writer.manifest.segments.contains { $0.level > 0 })
        #expect(try Self.storedLines(directory.path).sorted() == Self.allLines.sorted())
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
        // Merged-away segments are gone from disk.
        let listed = Set(writer.manifest.segments.map(\.directoryName))
        let onDisk = Set(try FileSystem().listDirectory("\(directory.path)/segments"))
        #expect(onDisk == listed)
    }

    @Test("compaction leaves one segment with every event")
    func compact() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.flushEvents = 700
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: directory.path, options: options)
        try Self.append(writer, Self.allBatches[...])
        try writer.flush()
        #expect(writer.manifest.segments.count > 2)
        let before = try Self.probes.map { try Self.postings(directory.path, $0.0, $0.1) }
        #expect(before.allSatisfy { !$0.isEmpty })
        try writer.compact()
        #expect(writer.manifest.segments.count == 1)
        try writer.close()
        #expect(try Self.storedLines(directory.path).sorted() == Self.allLines.sorted())
        // The merged postings (and positions) find exactly the events the separate segments did.
        let after = try Self.probes.map { try Self.postings(directory.path, $0.0, $0.1) }
        #expect(after == before)
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
        let snapshot = try StoreSnapshot(directory: directory.path)
        let merged = try #require(snapshot.segments.first)
        #expect(merged.columns.docCount == merged.docCount)
        #expect(merged.columns.keyword("program")?.counts().reduce(0, +) == merged.docCount)
        #expect(merged.docs.compression == options.compactDocCompression)
    }

    @Test("compaction writes segments up to compactMaximumEvents, past what background merges write")
    func compactLimit() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.flushEvents = 700
        options.maximumMergedEvents = 1000
        options.compactMaximumEvents = 1500
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: directory.path, options: options)
        try Self.append(writer, Self.allBatches[...])
        try writer.flush()
        let flushed = writer.manifest.segments.map(\.docCount)
        #expect(flushed.count > 2, "\(flushed)")
        // Neighbours merge while they fit in 1,500 events.
        var expected: [Int] = []
        for size in flushed {
            if let last = expected.last, last + size <= 1500 {
                expected[expected.count - 1] += size
            } else {
                expected.append(size)
            }
        }
        #expect(expected.contains { $0 > 1000 }, "\(flushed)")
        try writer.compact()
        #expect(writer.manifest.segments.map(\.docCount) == expected)
        try writer.close()
        #expect(try Self.storedLines(directory.path).sorted() == Self.allLines.sorted())
    }

    @Test("compaction recompresses segments too large to merge, once")
    func compactRecompresses() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.flushEvents = 700
        options.maximumMergedEvents = 1000
        options.compactMaximumEvents = 1000  // no two segments fit in one
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: directory.path, options: options)
        try Self.append(writer, Self.allBatches[...])
        try writer.flush()
        let before = writer.manifest.segments.count
        #expect(before > 2)
        try writer.compact()
        let after = writer.manifest.segments
        #expect(after.count == before)
        try writer.compact()  // nothing left to do: the same segments
        #expect(writer.manifest.segments.map(\.id) == after.map(\.id))
        try writer.close()
        let snapshot = try StoreSnapshot(directory: directory.path)
        #expect(snapshot.segments.allSatisfy { $0.docs.compression == options.compactDocCompression })
        #expect(try Self.storedLines(directory.path).sorted() == Self.allLines.sorted())
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }

    @Test("background merges store docs with zstd 3, fresh segments with LZ4")
    func mergedDocCompression() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.flushEvents = 200
        options.mergeFactor = 2
        let writer = try StoreWriter(directory: directory.path, options: options)
        try Self.append(writer, Self.allBatches[...])
        try writer.flush()
        await OffPool.block { writer.waitForMerges() }
        try writer.close()
        let snapshot = try StoreSnapshot(directory: directory.path)
        #expect(snapshot.segments.contains { $0.meta.level > 0 })
        #expect(options.mergedDocCompression == .zstd(3))
        for segment in snapshot.segments {
            #expect(segment.docs.compression == (segment.meta.level == 0 ? .lz4 : options.mergedDocCompression))
        }
        #expect(try Self.storedLines(directory.path).sorted() == Self.allLines.sorted())
    }

    @Test("a quiet store recompresses its final segments as compact does (zstd 12), one at a time; a busy one does not")
    func recompressWhenQuiet() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let clock = FlushIntervalTests.FakeClock()
        var options = StoreOptions()
        options.clock = { clock.now() }
        options.flushEvents = 200
        options.mergeFactor = 2
        options.maximumMergedEvents = 1600  // segments over 800 events are final
        options.backgroundMerges = false
        options.recompressBelowRate = 20  // events per second
        let writer = try StoreWriter(directory: directory.path, options: options)
        try Self.append(writer, Self.allBatches[...])
        try writer.flush()
        while true {
            let before = writer.completedMerges
            writer.scheduleMerge()
            await OffPool.block { writer.waitForMerges() }
            if writer.completedMerges == before { break }
        }
        let finals = writer.manifest.segments.filter { $0.docCount > 800 }
        #expect(finals.count >= 2, "\(writer.manifest.segments.map(\.docCount))")
        let merged = writer.completedMerges

        // A busy window (thousands of events in 10 s), then a quiet one still too short to judge.
        clock.advance(.seconds(10))
        try writer.maintain()
        await OffPool.block { writer.waitForMerges() }
        #expect(writer.completedMerges == merged)
        clock.advance(.seconds(9))
        try writer.maintain()
        await OffPool.block { writer.waitForMerges() }
        #expect(writer.completedMerges == merged)
        // A quiet window: one segment per call, oldest first, until every final one is zstd 12.
        clock.advance(.seconds(1))
        for round in 1...(finals.count + 2) {
            try writer.maintain()
            await OffPool.block { writer.waitForMerges() }
            #expect(writer.completedMerges == merged + min(round, finals.count))
        }
        try writer.close()
        let snapshot = try StoreSnapshot(directory: directory.path)
        #expect(options.compactDocCompression == .zstd(12))
        for segment in snapshot.segments {
            let final = segment.docCount > 800
            #expect((segment.docs.compression == options.compactDocCompression) == final, "\(segment.docCount)")
        }
        #expect(try Self.storedLines(directory.path).sorted() == Self.allLines.sorted())
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }

    @Test("retention drops whole segments outside the window, oldest first, and keeps every event inside it")
    func retention() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: directory.path, options: options)
        let hour: Int64 = 3_600_000_000_000
        let now: Int64 = 1_795_000_000_000_000_000
        // Three segments of lines without timestamps, received 3 days, 2 days and 1 hour ago.
        for (age, text) in [(72 * hour, "old"), (48 * hour, "older than a day"), (hour, "recent")] {
            var parser = BatchParser(parser: try ParserRegistry.make("kv", context: ParseContext(referenceTime: now)))
            var events = EventBatch()
            parser.parse(Fixtures.lineBatch((0..<10).map { "\(text) line \($0)" }), into: &events)
            try writer.append(events, source: "test", receivedAt: now - age)
            try writer.flush()
        }
        let dropped = try writer.prune(maxAge: .seconds(24 * 3600), maxBytes: nil, now: now)
        #expect(dropped.count == 2)
        try writer.close()
        let lines = try Self.storedLines(directory.path)
        #expect(lines.count == 10)
        #expect(lines.allSatisfy { $0.hasPrefix("recent") })
    }

    @Test(
        "a failing write, fsync or rename during a flush leaves the store consistent; ingest resumes",
        arguments: [
            FaultPlan.Operation.write, .fsync, .rename,
        ]
    )
    func faults(operation: FaultPlan.Operation) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FileSystem()
        var options = StoreOptions()
        options.backgroundMerges = false
        options.flushEvents = 1_000_000
        let writer = try StoreWriter(directory: directory.path, options: options, fileSystem: fileSystem)
        try Self.append(writer, Self.allBatches.prefix(4))
        fileSystem.updateFaults { $0.failNext(operation, matching: "segments/", errno: 28) }  // ENOSPC
        let error = #expect(throws: StoreError.self) { try writer.flush() }
        #expect(error?.description.contains("segments/") == true)
        // Nothing half-written is visible, nothing appended is lost.
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
        #expect(try Self.storedLines(directory.path).isEmpty)
        try Self.append(writer, Self.allBatches.dropFirst(4))
        try writer.close()
        #expect(try Self.storedLines(directory.path).sorted() == Self.allLines.sorted())
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }

    @Test(
        "a flipped byte in each kind of segment file is found by verify, which moves that segment aside",
        arguments: ["meta", "terms", "postings", "columns", "docs"]
    )
    func flippedByte(file: String) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.flushEvents = 2000
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: directory.path, options: options)
        try Self.append(writer, Self.allBatches[...])
        try writer.close()
        let segments = writer.manifest.segments
        #expect(segments.count >= 2)
        let victim = segments[0]
        let path = "\(directory.path)/segments/\(victim.directoryName)/\(file)"
        let fileSystem = FileSystem()
        var bytes = try fileSystem.readFile(path)
        bytes[bytes.count / 3] ^= 0x5A
        let handle = try fileSystem.open(path, .readWrite)
        try handle.write(bytes, at: 0)
        handle.close()

        let report = try StoreVerifier.verify(directory: directory.path)
        #expect(!report.isClean)
        #expect(report.problems.contains { $0.segment == victim.id })
        let repair = try StoreWriter(directory: directory.path, options: options)
        try repair.quarantine(segment: victim.id)
        try repair.close()
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
        #expect(fileSystem.exists("\(directory.path)/quarantine/\(victim.directoryName)"))
        #expect(try Self.storedLines(directory.path).count == Self.allLines.count - victim.docCount)
    }
}
