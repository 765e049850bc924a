import Foundation
import LogboxStore
import LogboxTestSupport
import Testing

/// `logbox index compact | prune | verify` do their own work only: the writer they open starts no
/// background merge, though a writer opened by `run` or `import` would.
@Suite("logbox index: no background merge")
struct IndexMaintenanceMergeTests {
    /// A store of six one-event segments with merges due (flushed with merges off).
    private func storeWithMergesDue(_ path: String) throws {
        var options = StoreOptions()
        options.backgroundMerges = false
        let writer = try StoreWriter(directory: path, options: options)
        for index in 0..<6 {
            try writer.append(
                Fixtures.messageBatch(["event \(index)"], source: "due"),
                source: "due",
                receivedAt: StoreWriter.now() + Int64(index)
            )
            try writer.flush(mergeAfter: false)
        }
        #expect(writer.isMergeDue)
        try writer.close()
    }

    @Test("prune that drops nothing and verify of a clean store leave the segments as they were")
    func pruneAndVerifyMergeNothing() async throws {
        try #require(DaemonUnderTest.binaryExists)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = "\(directory.path)/data"
        try self.storeWithMergesDue(data)
        let before = try StoreSnapshot(directory: data).segments.map(\.id)
        #expect(before.count == 6)

        let prune = try await DaemonUnderTest.run(["index", "prune", "--data-dir", data, "--max-age", "3650d"])
        #expect(prune.status == 0, "\(prune.errors)")
        #expect(prune.output.contains("dropped 0 segments"), "\(prune.output)")
        #expect(try StoreSnapshot(directory: data).segments.map(\.id) == before)

        let verify = try await DaemonUnderTest.run(["index", "verify", "--data-dir", data])
        #expect(verify.status == 0, "\(verify.errors)")
        #expect(try StoreSnapshot(directory: data).segments.map(\.id) == before)
    }

    @Test("compact says how many segments and bytes it started from and left")
    func compactReportsSizes() async throws {
        try #require(DaemonUnderTest.binaryExists)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = "\(directory.path)/data"
        try self.storeWithMergesDue(data)
        let compact = try await DaemonUnderTest.run(["index", "compact", "--data-dir", data])
        #expect(compact.status == 0, "\(compact.errors)")
        let after = try StoreSnapshot(directory: data).segments
        #expect(after.count == 1)
        #expect(after.first?.docCount == 6)
        // "compacted 6 segments (x kB) into 1 (y kB)": sizes as `index stats` writes them.
        let line = compact.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.hasPrefix("compacted 6 segments ("), "\(line)")
        #expect(line.contains(") into 1 ("), "\(line)")
        #expect(line.hasSuffix(" kB)") || line.hasSuffix(" B)"), "\(line)")
    }
}
