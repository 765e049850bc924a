import LogboxCore
import LogboxStore
import LogboxTestSupport
import Testing

@testable import LogboxPipeline

/// The writer task and the store's background flush: memory stays bounded by `flushEvents`.
@Suite("Runner writer and flushes")
struct RunnerFlushTests {
    @Test("the writer flushes once the memtable is full, not only on its 100 ms timer; nothing is lost")
    func boundedMemtable() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var options = StoreOptions()
        options.flushEvents = 100
        options.backgroundFlush = true
        options.backgroundMerges = false
        let store = try StoreWriter(directory: directory.path, options: options)
        let config = try PipelineConfigLoader.parse(
            yaml: "sources:\n  - name: test\n    type: stdin\n",
            file: "test.yaml",
            environment: [:]
        )
        let queue = IngestQueue()
        let board = StatusBoard(config: "test.yaml", dataDirectory: directory.path)
        let writer = try IngestWriter(store: store, queue: queue, board: board, config: config)
        let handle = RunnerQueueTests.handle()
        // 20 batches of 30 lines, all queued before the writer starts: it gets through them well
        // within its 100 ms maintenance timer, so only the full-memtable check can flush between them.
        var expected: [String] = []
        for batch in 0..<20 {
            let lines = RunnerQueueTests.lines("batch \(batch) line", count: 30)
            expected += lines.slots.map { String(decoding: lines.bytes[$0.range], as: UTF8.self) }
            await queue.push(.lines(handle, lines, peers: [], file: nil, checkpoints: []))
        }
        await queue.push(.finish)
        try await writer.run()

        let snapshot = try StoreSnapshot(directory: directory.path)
        #expect(snapshot.segments.count >= 5)
        for segment in snapshot.segments {
            // At most flushEvents plus the batch that crossed it.
            #expect(segment.docCount <= 100 + 30)
        }
        var stored: [String] = []
        for segment in snapshot.segments {
            try segment.docs.events(in: 0..<UInt32(segment.docCount)) { _, event in
                stored.append(String(decoding: event.line, as: UTF8.self))
            }
        }
        #expect(stored == expected)
    }
}
