import LogboxCore
import LogboxTestSupport
import Testing

@testable import LogboxStore

/// `SegmentReader.releaseResidentPages`: what `verify` calls after each segment so that its RSS
/// stays at one segment's pages. The mapping stays valid: everything reads the same afterwards.
@Suite("Releasing a segment's resident pages")
struct ResidentPagesTests {
    /// Every stored line, read through `snapshot`.
    static func contents(_ snapshot: StoreSnapshot) throws -> [String] {
        var lines: [String] = []
        for segment in snapshot.segments {
            try segment.docs.events(in: 0..<UInt32(segment.docCount)) { _, event in
                lines.append(String(decoding: event.line, as: UTF8.self))
            }
        }
        return lines
    }

    @Test("every byte (checksums) and every event read the same after the pages are dropped")
    func readsAfterRelease() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.flushEvents = 1000
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: directory.path, options: options)
        try StoreWriterTests.append(writer, StoreWriterTests.allBatches[...])
        try writer.close()

        let snapshot = try StoreSnapshot(directory: directory.path)
        #expect(snapshot.segments.count > 1)
        let before = try Self.contents(snapshot)
        for segment in snapshot.segments {
            try segment.verifyChecksums()
            segment.releaseResidentPages()
        }
        for segment in snapshot.segments { try segment.verifyChecksums() }
        #expect(try Self.contents(snapshot) == before)
        #expect(before.sorted() == StoreWriterTests.allLines.sorted())
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }
}
