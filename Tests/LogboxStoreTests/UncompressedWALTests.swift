import LogboxCore
import LogboxTestSupport
import Testing

@testable import LogboxStore

/// `StoreOptions.compressWAL`: what an import turns off. The records are framed as before, only
/// without LZ4, and replay reads a WAL with either kind (or both) of record.
@Suite("Uncompressed WAL")
struct UncompressedWALTests {
    /// The flags byte of every record in the WAL directory of `directory`, oldest first.
    static func recordFlags(_ directory: String) throws -> [UInt8] {
        let fileSystem = FileSystem()
        var flags: [UInt8] = []
        for file in try WALFile.list(StoreWriter.walDirectory(directory), fileSystem: fileSystem) {
            let bytes = try fileSystem.readFile(file.path)
            _ = try WALReader.scan(
                bytes,
                file: file.path,
                firstSequence: try WALFile.readFirstSequence(file.path, fileSystem: fileSystem),
                isLast: true
            ) { _, _, recordFlags, _ in flags.append(recordFlags) }
        }
        return flags
    }

    @Test(
        "a writer that dies without flushing is replayed whether its records were compressed or not",
        arguments: [(false, false), (false, true), (true, false)]
    )
    func replay(compressBefore: Bool, compressAfter: Bool) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.flushEvents = 1_000_000
        options.backgroundMerges = false
        options.compressWAL = compressBefore
        do {
            let writer = try StoreWriter(directory: directory.path, options: options)
            try StoreWriterTests.append(writer, StoreWriterTests.allBatches.prefix(5))
            try writer.sync()
            // No flush, no close: as after SIGKILL.
        }
        let flags = try Self.recordFlags(directory.path)
        #expect(flags.count == 5)
        if compressBefore {
            #expect(flags.allSatisfy { $0 == WALRecord.compressedFlag })
        } else {
            #expect(flags.allSatisfy { $0 == 0 })
        }

        options.compressWAL = compressAfter
        let reopened = try StoreWriter(directory: directory.path, options: options)
        #expect(reopened.recovery.delivered == 5)
        #expect(
            reopened.unflushedEvents == StoreWriterTests.allBatches.prefix(5).reduce(0) { $0 + $1.batch.count }
        )
        try StoreWriterTests.append(reopened, StoreWriterTests.allBatches.dropFirst(5))
        try reopened.sync()
        #expect(try Self.recordFlags(directory.path).dropFirst(5).allSatisfy { ($0 != 0) == compressAfter })
        try reopened.close()
        #expect(try StoreWriterTests.storedLines(directory.path).sorted() == StoreWriterTests.allLines.sorted())
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }
}
