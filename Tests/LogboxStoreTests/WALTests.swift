import Glibc
import LogboxStore
import LogboxTestSupport
import Testing

/// Seeded payloads and a data directory for the WAL suites.
struct WALFixture: ~Copyable {
    let directory = TemporaryDirectory(prefix: "logbox-wal")
    let fileSystem: FileSystem
    var walPath: String { "\(self.directory.path)/wal" }

    init() { self.fileSystem = FileSystem(root: self.directory.path) }

    deinit { self.directory.remove() }

    func path(_ name: String) -> String { "\(self.directory.path)/\(name)" }

    func openWriter(segmentSize: Int = 64 << 20, nextSequenceAtLeast: UInt64 = 1) throws(StoreError) -> WALWriter {
        try WALWriter(
            directory: self.walPath,
            fileSystem: self.fileSystem,
            segmentSize: segmentSize,
            nextSequenceAtLeast: nextSequenceAtLeast
        )
    }

    /// Every record replay delivers, with the report.
    func replay(after: UInt64 = 0) throws(StoreError) -> (report: ReplayReport, records: [(UInt64, [UInt8])]) {
        var records: [(UInt64, [UInt8])] = []
        let report = try WALReader.replay(directory: self.walPath, fileSystem: self.fileSystem, afterSequence: after) {
            sequence,
            payload in records.append((sequence, payload))
        }
        return (report, records)
    }

    /// Deterministic payloads: text-like (compressible) or noise.
    static func payload(_ index: Int, size: Int, compressible: Bool, seed: UInt64 = 1) -> [UInt8] {
        var generator = TestGenerator(seed: seed &+ UInt64(index) &* 0x9E37_79B9)
        if compressible {
            let words = ["GET", "/api/v1/items", "200", "host=web-1", "latency_ms=", "user=alice", " "]
            var bytes: [UInt8] = []
            while bytes.count < size { bytes += Array(words[Int(generator.next() % UInt64(words.count))].utf8) }
            return Array(bytes.prefix(size))
        }
        return (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
    }
}

/// SplitMix64, for reproducible test data.
struct TestGenerator {
    var state: UInt64

    init(seed: UInt64) { self.state = seed }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("WAL: append, sync, replay")
struct WALTests {
    @Test("many records across several files round-trip", arguments: [true, false])
    func manyRecords(compress: Bool) throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter(segmentSize: 8 << 10)
        var expected: [[UInt8]] = []
        var generator = TestGenerator(seed: 11)
        for index in 0..<600 {
            let size = Int(generator.next() % 400)
            let payload = WALFixture.payload(index, size: size, compressible: index % 3 != 0)
            let sequence = try writer.append(payload, compress: compress)
            #expect(sequence == UInt64(index + 1))
            expected.append(payload)
            if index % 50 == 49 { try writer.sync() }
        }
        #expect(writer.lastAppendedSequence == 600)
        let files = writer.fileNames
        #expect(files.count > 3)
        #expect(files.first == "wal/000001.wal")
        try writer.close()

        let (report, records) = try fixture.replay()
        #expect(records.map(\.0) == Array(1...600))
        #expect(records.map(\.1) == expected)
        #expect(report.records == 600 && report.delivered == 600)
        #expect(report.filesRead == files.count && report.filesSkipped == 0)
        #expect(report.truncation == nil)
        #expect(report.firstSequence == 1 && report.lastSequence == 600 && report.nextSequence == 601)

        let (later, tail) = try fixture.replay(after: 450)
        #expect(tail.map(\.0) == Array(451...600))
        #expect(tail.map(\.1) == Array(expected[450...]))
        #expect(later.filesSkipped > 0)
        #expect(later.filesSkipped + later.filesRead == files.count)
        #expect(later.delivered == 150 && later.records >= 150)
    }

    @Test("an empty payload and 1 MB payloads (noise and text) round-trip")
    func edgeSizes() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter(segmentSize: 256 << 10)
        let payloads: [[UInt8]] = [
            [], WALFixture.payload(1, size: 1 << 20, compressible: false), [7],
            WALFixture.payload(2, size: 1 << 20, compressible: true), [],
        ]
        for payload in payloads { _ = try writer.append(payload) }
        try writer.close()
        let (report, records) = try fixture.replay()
        #expect(records.map(\.1) == payloads)
        #expect(report.lastSequence == 5)
    }

    @Test("compression is kept only when it saves bytes")
    func compression() throws {
        let text = WALFixture.payload(0, size: 64 << 10, compressible: true)
        let noise = WALFixture.payload(0, size: 64 << 10, compressible: false)
        var sizes: [Int64] = []
        for (payload, compress) in [(text, true), (text, false), (noise, true)] {
            let fixture = WALFixture()
            var writer = try fixture.openWriter()
            _ = try writer.append(payload, compress: compress)
            try writer.close()
            sizes.append(try fixture.fileSystem.fileSize(fixture.path("wal/000001.wal")))
            #expect(try fixture.replay().records.map(\.1) == [payload])
        }
        #expect(sizes[0] < sizes[1] / 3)
        #expect(sizes[2] == Int64(20 + 20 + noise.count))
    }

    @Test("a reopened writer continues the sequence in the same file")
    func reopen() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter()
        for index in 0..<10 { _ = try writer.append(WALFixture.payload(index, size: 100, compressible: true)) }
        try writer.close()
        var reopened = try fixture.openWriter()
        #expect(reopened.nextSequence == 11)
        #expect(reopened.lastSyncedSequence == 10)
        #expect(reopened.recoveredTail == nil)
        #expect(try reopened.append([1, 2, 3]) == 11)
        #expect(reopened.fileNames == ["wal/000001.wal"])
        try reopened.close()
        let (report, records) = try fixture.replay()
        #expect(records.map(\.0) == Array(1...11))
        #expect(report.filesRead == 1)
    }

    @Test("sync makes appended records durable; syncIfDue waits for the interval")
    func syncPolicy() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter()
        #expect(writer.syncInterval == .milliseconds(100))
        let startsSynced = !writer.hasUnsyncedRecords
        #expect(startsSynced)
        for index in 0..<3 { _ = try writer.append([UInt8(index)]) }
        #expect(writer.lastSyncedSequence == 0 && writer.hasUnsyncedRecords)
        let start = writer.lastSyncInstant
        #expect(try !writer.syncIfDue(now: start + .milliseconds(50)))
        #expect(writer.lastSyncedSequence == 0)
        #expect(try writer.syncIfDue(now: start + .milliseconds(100)))
        #expect(writer.lastSyncedSequence == 3 && !writer.hasUnsyncedRecords)
        #expect(writer.lastSyncInstant == start + .milliseconds(100))
        // Nothing waiting: nothing to do, however late.
        #expect(try !writer.syncIfDue(now: start + .seconds(10)))
        _ = try writer.append([9])
        #expect(try !writer.syncIfDue(now: start + .milliseconds(150)))
        #expect(try writer.syncIfDue(now: start + .milliseconds(200)))
        #expect(writer.lastSyncedSequence == 4)
        try writer.sync()
        try writer.close()
    }

    @Test("deleteFiles removes whole files at or below a sequence, never the live one")
    func deleteFiles() throws {
        let fixture = WALFixture()
        // A limit below one record: every record gets its own file, file N holds record N.
        var writer = try fixture.openWriter(segmentSize: 1)
        for index in 0..<8 { _ = try writer.append(WALFixture.payload(index, size: 30, compressible: false)) }
        #expect(writer.fileNames.count == 8)
        #expect(try writer.deleteFiles(upToSequence: 0) == 0)
        #expect(try writer.deleteFiles(upToSequence: 3) == 3)
        #expect(writer.fileNames.first == "wal/000004.wal")
        #expect(try fixture.fileSystem.listDirectory(fixture.walPath).first == "000004.wal")
        #expect(try writer.deleteFiles(upToSequence: .max) == 4)
        #expect(writer.fileNames == ["wal/000008.wal"])
        #expect(try fixture.fileSystem.listDirectory(fixture.walPath) == ["000008.wal"])
        try writer.close()

        let (report, records) = try fixture.replay()
        #expect(records.map(\.0) == [8])
        #expect(report.firstSequence == 8)
        var reopened = try fixture.openWriter(segmentSize: 1)
        #expect(try reopened.append([1]) == 9)
        try reopened.close()
    }

    @Test("a file without records still carries the sequence forward")
    func emptyFileKeepsSequence() throws {
        let fixture = WALFixture()
        let writer = try fixture.openWriter(nextSequenceAtLeast: 100)
        #expect(writer.nextSequence == 100)
        try writer.close()
        let (report, records) = try fixture.replay()
        #expect(records.isEmpty)
        #expect(report.lastSequence == 99 && report.nextSequence == 100)
        var reopened = try fixture.openWriter()
        #expect(try reopened.append([1]) == 100)
        try reopened.close()
    }

    @Test("a sequence floor above the files starts a new file there")
    func sequenceFloor() throws {
        let fixture = WALFixture()
        var writer = try fixture.openWriter()
        for index in 0..<5 { _ = try writer.append([UInt8(index)]) }
        try writer.close()
        var raised = try fixture.openWriter(nextSequenceAtLeast: 50)
        #expect(raised.fileNames == ["wal/000001.wal", "wal/000002.wal"])
        #expect(try raised.append([50]) == 50)
        try raised.close()
        // A floor below the files changes nothing.
        let lower = try fixture.openWriter(nextSequenceAtLeast: 3)
        #expect(lower.nextSequence == 51)
        try lower.close()
        let (report, records) = try fixture.replay()
        #expect(records.map(\.0) == [1, 2, 3, 4, 5, 50])
        #expect(report.nextSequence == 51)
    }

    @Test("replay of a missing or empty WAL directory finds nothing")
    func emptyDirectory() throws {
        let fixture = WALFixture()
        let (report, records) = try fixture.replay()
        #expect(records.isEmpty && report.filesRead == 0 && report.nextSequence == 1 && report.firstSequence == nil)
        try fixture.fileSystem.createDirectory(fixture.walPath)
        fixture.directory.write("wal/notes.txt", "not a WAL file")
        fixture.directory.write("wal/000002.wal.tmp", [1, 2])
        #expect(try fixture.replay().records.isEmpty)
        var writer = try fixture.openWriter()
        #expect(try fixture.fileSystem.listDirectory(fixture.walPath) == ["000001.wal", "notes.txt"])
        #expect(try writer.append([]) == 1)
        try writer.close()
    }
}
