import LogboxCore
import LogboxStore
import LogboxTestSupport
import Testing

@Suite("Merge due")
struct MergeDueTests {
    @Test("a merge is due once a tier holds merge-factor segments, and no longer once they are merged")
    func dueUntilMerged() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.backgroundMerges = false
        options.mergeFactor = 2
        let writer = try StoreWriter(directory: directory.path, options: options)
        #expect(!writer.isMergeDue)
        try writer.append(SegmentLeavesTests.batch(["first"]), source: "due", receivedAt: 1)
        try writer.flush(mergeAfter: false)
        #expect(!writer.isMergeDue, "one segment has nothing to merge with")
        try writer.append(SegmentLeavesTests.batch(["second"]), source: "due", receivedAt: 2)
        try writer.flush(mergeAfter: false)
        #expect(writer.isMergeDue)
        while writer.isMergeDue {
            let before = writer.completedMerges
            writer.scheduleMerge()
            await OffPool.block { writer.waitForMerges() }
            try #require(writer.completedMerges > before, "a due merge did not run")
        }
        #expect(writer.manifest.segments.count == 1)
        #expect(writer.manifest.segments[0].docCount == 2)
        try writer.close()
    }
}
