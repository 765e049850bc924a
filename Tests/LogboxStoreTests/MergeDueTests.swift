import Foundation
import Glibc
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

    /// A store of `count` one-event segments, flushed with merges off: several tiers of merges due.
    private func unmergedStore(_ path: String, count: Int) throws -> [String] {
        var options = StoreOptions()
        options.backgroundMerges = false
        options.mergeFactor = 2
        let writer = try StoreWriter(directory: path, options: options)
        let lines = (0..<count).map { "event \($0)" }
        for (index, line) in lines.enumerated() {
            try writer.append(SegmentLeavesTests.batch([line]), source: "due", receivedAt: Int64(index))
            try writer.flush(mergeAfter: false)
        }
        #expect(writer.isMergeDue)
        try writer.close()
        return lines
    }

    @Test("a writer opened on a store with merges due merges them all, with nothing appended")
    func idleWriterFinishesMerges() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let lines = try self.unmergedStore(directory.path, count: 8)
        var options = StoreOptions()
        options.mergeFactor = 2
        let writer = try StoreWriter(directory: directory.path, options: options)
        await OffPool.block { writer.waitForMerges() }
        #expect(!writer.isMergeDue, "\(writer.manifest.segments.map(\.docCount))")
        // 8 one-event segments, merged two by two: 4, 2, then 1.
        #expect(writer.completedMerges == 7)
        #expect(writer.manifest.segments.map(\.docCount) == [8])
        try writer.close()
        let snapshot = try StoreSnapshot(directory: directory.path)
        var stored: [String] = []
        try snapshot.segments[0].docs.events(in: 0..<8) { _, event in
            stored.append(String(decoding: event.line, as: UTF8.self))
        }
        #expect(stored == lines)
    }

    @Test("close stops a chain of merges after the merge in hand; the rest stay due")
    func closeStopsTheChain() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        _ = try self.unmergedStore(directory.path, count: 8)
        let started = DispatchSemaphore(value: 0)
        let mayPublish = DispatchSemaphore(value: 0)
        var options = StoreOptions()
        options.mergeFactor = 2
        options.beforeMergePublish = {
            started.signal()
            mayPublish.wait()
        }
        let writer = try StoreWriter(directory: directory.path, options: options)
        // The first merge is held before it publishes; close, then let it (and any other) through.
        #expect(await OffPool.run { started.wait(timeout: .now() + 30) == .success })
        let release = Thread {
            usleep(1_000_000)
            for _ in 0..<100 { mayPublish.signal() }
        }
        release.start()
        await OffPool.block { try? writer.close() }
        #expect(writer.completedMerges == 1)
        var reopen = StoreOptions()
        reopen.backgroundMerges = false
        reopen.mergeFactor = 2
        let after = try StoreWriter(directory: directory.path, options: reopen)
        #expect(after.isMergeDue)
        #expect(after.manifest.segments.count == 7)
        try after.close()
    }
}
