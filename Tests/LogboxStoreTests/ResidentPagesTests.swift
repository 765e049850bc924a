import LogboxCore
import LogboxTestSupport
import Testing

@testable import LogboxStore

/// `SegmentReader.releaseResidentPages`: what `verify` calls after each segment so that its RSS
/// stays at one segment's pages. The mapping stays valid: everything reads the same afterwards.
@Suite("Releasing a segment's resident pages")
struct ResidentPagesTests {
    @Test("every byte (checksums) and every event read the same after the pages are dropped")
    func readsAfterRelease() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        try StoreWriterTests.storeAllBatches(directory.path)

        let snapshot = try StoreSnapshot(directory: directory.path)
        #expect(snapshot.segments.count > 1)
        let before = try StoreWriterTests.storedLines(snapshot)
        for segment in snapshot.segments {
            try segment.verifyChecksums()
            segment.releaseResidentPages()
        }
        for segment in snapshot.segments { try segment.verifyChecksums() }
        #expect(try StoreWriterTests.storedLines(snapshot) == before)
        #expect(before.sorted() == StoreWriterTests.allLines.sorted())
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }
}
