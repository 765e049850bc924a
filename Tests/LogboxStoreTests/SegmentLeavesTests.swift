import LogboxCore
import LogboxStore
import LogboxTestSupport
import Testing

@testable import LogboxStore

/// Segment lineage (`SegmentMeta.leaves`): which flushed segments a merged one holds, in doc order.
@Suite("Segment leaves")
struct SegmentLeavesTests {
    static func batch(_ lines: [String]) -> EventBatch {
        Fixtures.messageBatch(lines, source: "leaves")
    }

    /// For every leaf of every segment of a fresh snapshot, the lines of its docs.
    static func linesByLeaf(_ directory: String) throws -> [UInt64: [String]] {
        let snapshot = try StoreSnapshot(directory: directory)
        var result: [UInt64: [String]] = [:]
        for segment in snapshot.segments {
            var doc: UInt32 = 0
            #expect(segment.meta.leaves.reduce(0) { $0 + $1.docCount } == segment.docCount)
            for leaf in segment.meta.leaves {
                var lines: [String] = []
                let end = doc + UInt32(leaf.docCount)
                try segment.docs.events(in: doc..<end) { _, event in
                    lines.append(String(decoding: event.line, as: UTF8.self))
                }
                #expect(result[leaf.id] == nil)
                result[leaf.id] = lines
                doc = end
            }
        }
        return result
    }

    @Test("flushed segments are their own leaf; merges (and merges of merges) concatenate leaves in doc order")
    func throughMerges() async throws {
        let directory = TemporaryDirectory()
        var options = StoreOptions()
        options.backgroundMerges = false
        options.mergeFactor = 2
        let writer = try StoreWriter(directory: directory.path, options: options)
        var flushed: [(id: UInt64, lines: [String])] = []
        for round in 0..<9 {
            let lines = (0..<(round % 3 + 1)).map { "round \(round) line \($0)" }
            try writer.append(Self.batch(lines), source: "leaves", receivedAt: Int64(round))
            try writer.flush(mergeAfter: false)
            let newest = try #require(writer.manifest.segments.max { $0.id < $1.id })
            #expect(newest.level == 0)
            flushed.append((newest.id, lines))
            // Merge whatever is due, in the foreground of this test.
            while true {
                let before = writer.completedMerges
                writer.scheduleMerge()
                await OffPool.block { writer.waitForMerges() }
                if writer.completedMerges == before { break }
            }
        }
        let snapshot = try StoreSnapshot(directory: directory.path)
        #expect(snapshot.segments.contains { $0.meta.level >= 2 })
        #expect(snapshot.segments.count < flushed.count)
        for segment in snapshot.segments where segment.meta.level == 0 {
            #expect(segment.meta.leaves == [SegmentLeaf(id: segment.id, docCount: segment.docCount)])
        }
        // Ids rise with flush order, and the leaves of the whole store are exactly the flushes.
        #expect(flushed.map(\.id) == flushed.map(\.id).sorted())
        let byLeaf = try Self.linesByLeaf(directory.path)
        #expect(byLeaf.count == flushed.count)
        for flush in flushed { #expect(byLeaf[flush.id] == flush.lines) }

        // A follower that has shown every leaf up to H shows exactly the later flushes' docs.
        let high = flushed[4].id
        let newer = byLeaf.filter { $0.key > high }.sorted { $0.key < $1.key }.flatMap(\.value)
        #expect(newer == flushed[5...].flatMap(\.lines))

        // compact merges everything; leaves survive it.
        try writer.compact()
        #expect(try Self.linesByLeaf(directory.path).count == flushed.count)
        try writer.close()
        #expect(try StoreVerifier.verify(directory: directory.path).isClean)
    }

    @Test("meta versions 1 and 2 still decode (one leaf, messageless docs not known); bad counts are corrupt")
    func versionOne() throws {
        let meta = SegmentMeta(
            id: 42,
            level: 1,
            docCount: 7,
            minTime: 1,
            maxTime: 2,
            createdAt: 3,
            fieldNames: ["message"],
            sources: ["s"],
            fileSizes: [("docs", 10)],
            truncatedTerms: 0,
            skippedFields: 0,
            droppedColumns: [],
            rawBytes: 99,
            leaves: [SegmentLeaf(id: 40, docCount: 3), SegmentLeaf(id: 41, docCount: 4)]
        )
        let encoded = meta.encode()
        let decoded = try SegmentMeta.decode(encoded, name: "meta")
        #expect(decoded.leaves == meta.leaves)
        #expect(decoded == meta)

        // Version 3 ends in 1 + the count of docs without a message: 0 here, not known.
        let body = try FileFooter.open(encoded, kind: .meta, versions: 3...3, name: "meta").body
        #expect(body.last == 0)
        var counted = meta
        counted.messagelessDocs = 2
        #expect(try SegmentMeta.decode(counted.encode(), name: "meta").messagelessDocs == 2)
        // Version 2: the same body without that count.
        let two = FileFooter.seal(Array(body.dropLast(1)), kind: .meta, version: 2)
        #expect(try SegmentMeta.decode(two, name: "meta") == meta)
        // Version 1: nor the leaves (count 2, then 40 3 41 4: five one-byte varints).
        let old = FileFooter.seal(Array(body.dropLast(6)), kind: .meta, version: 1)
        let fromOld = try SegmentMeta.decode(old, name: "meta")
        #expect(fromOld.leaves == [SegmentLeaf(id: 42, docCount: 7)])
        #expect(fromOld.messagelessDocs == nil)

        // Leaves that do not add up to the doc count; more docs without a message than docs.
        var wrong = Array(body)
        wrong[wrong.count - 2] = 5
        #expect(throws: StoreError.self) {
            try SegmentMeta.decode(FileFooter.seal(wrong, kind: .meta, version: 3), name: "meta")
        }
        var tooMany = Array(body)
        tooMany[tooMany.count - 1] = 9
        #expect(throws: StoreError.self) {
            try SegmentMeta.decode(FileFooter.seal(tooMany, kind: .meta, version: 3), name: "meta")
        }
        // A version from the future is refused with a message that says which ones this build reads.
        do {
            _ = try SegmentMeta.decode(FileFooter.seal(Array(body), kind: .meta, version: 4), name: "meta")
            Issue.record("version 4 was accepted")
        } catch {
            #expect(error.message.contains("this build reads 1 to 3"))
        }
    }
}
