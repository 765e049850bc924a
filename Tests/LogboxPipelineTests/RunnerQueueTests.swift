import LogboxCore
import Testing

@testable import LogboxPipeline

@Suite("Runner ingest queue")
struct RunnerQueueTests {
    static func handle() -> InputHandle {
        InputHandle(id: 1, source: SourceConfig(name: "test", kind: .stdin), startedAt: 0)
    }

    static func lines(_ text: String, count: Int) -> LineBatch {
        var batch = LineBatch(source: "test")
        for index in 0..<count {
            batch.append(Array("\(text) \(index)".utf8), lineNumber: Int64(index + 1), sourceOffset: 0)
        }
        return batch
    }

    @Test("a full queue holds the producer back until the writer takes an item; order is kept")
    func backpressure() async throws {
        let queue = IngestQueue(maxBytes: 1000)
        let handle = Self.handle()
        // 10 lines of ~10 bytes plus slot overhead: about 750 bytes; two of them fill the queue.
        #expect(await queue.push(.lines(handle, Self.lines("first", count: 10), peers: [], file: nil, checkpoints: [])))
        #expect(queue.hasRoom)
        #expect(
            await queue.push(.lines(handle, Self.lines("second", count: 10), peers: [], file: nil, checkpoints: []))
        )
        #expect(!queue.hasRoom)
        let producer = Task {
            await queue.push(.lines(handle, Self.lines("third", count: 10), peers: [], file: nil, checkpoints: []))
        }
        try await Task.sleep(for: .milliseconds(100))
        // Still waiting: the queue holds only the first two.
        #expect(queue.pendingBytes < 2000)
        var texts: [String] = []
        for _ in 0..<3 {
            guard case .lines(_, let lines, _, _, _) = await queue.next() else {
                Issue.record("expected lines")
                continue
            }
            texts.append(String(decoding: lines.bytes.prefix(5), as: UTF8.self))
        }
        #expect(await producer.value)
        #expect(texts == ["first", "secon", "third"])
        #expect(queue.pendingBytes == 0)
    }

    @Test("control messages skip the limit and ticks do not pile up")
    func ticks() async {
        let queue = IngestQueue(maxBytes: 10)
        let handle = Self.handle()
        await queue.push(.lines(handle, Self.lines("x", count: 5), peers: [], file: nil, checkpoints: []))
        queue.pushTick()
        queue.pushTick()
        await queue.push(.finish)
        var kinds: [String] = []
        for _ in 0..<3 {
            switch await queue.next() {
            case .lines: kinds.append("lines")
            case .tick: kinds.append("tick")
            case .finish: kinds.append("finish")
            case .reconfigure: kinds.append("reconfigure")
            }
        }
        #expect(kinds == ["lines", "tick", "finish"])
    }

    @Test("a producer waiting for room gives up when its task is cancelled")
    func cancelledProducer() async throws {
        let queue = IngestQueue(maxBytes: 10)
        let handle = Self.handle()
        await queue.push(.lines(handle, Self.lines("x", count: 5), peers: [], file: nil, checkpoints: []))
        let waiting = Task { await queue.waitForRoom() }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        #expect(await waiting.value == false)
    }
}
