import LogboxPipeline
import LogboxStore
import LogboxTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("Runner in process: file tail to store")
struct RunnerTailTests {
    static func config(_ directory: String, startAt: String = "beginning") throws -> PipelineConfig {
        try PipelineConfigLoader.parse(
            yaml: """
                sources:
                  - name: app
                    type: file
                    paths: [\(directory)/*.log]
                    start_at: \(startAt)
                    scan_interval: 100ms
                store:
                  flush_interval: 200ms
                """,
            file: "test.yaml",
            environment: [:]
        )
    }

    static func append(_ path: String, _ lines: [String]) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        let bytes = Array(lines.map { $0 + "\n" }.joined().utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }

    static func storedLines(_ data: String) throws -> [String] {
        let snapshot = try StoreSnapshot(directory: data)
        var lines: [String] = []
        for segment in snapshot.segments {
            try segment.docs.events(in: 0..<UInt32(segment.docCount)) { _, event in
                lines.append(String(decoding: event.line, as: UTF8.self))
            }
        }
        return lines
    }

    static func waitUntil(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
    }

    @Test("stop drains everything; a second run resumes from the stored checkpoints: every line once")
    func stopAndResume() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = "\(directory.path)/data"
        let log = "\(directory.path)/app.log"
        Self.append(log, (1...300).map { "first run \($0)" })
        let config = try Self.config(directory.path)

        let runner = try PipelineRunner(config: config, dataDirectory: data)
        let task = Task { try await runner.run() }
        try await Self.waitUntil { runner.status().sources.first?.stored == 300 }
        Self.append(log, (1...200).map { "first run late \($0)" })
        try await Self.waitUntil { runner.status().sources.first?.received == 500 }
        runner.stop()
        try await task.value
        #expect(try Self.storedLines(data).count == 500)

        // Written while no runner runs, then read by the next one from its checkpoint.
        Self.append(log, (1...100).map { "between runs \($0)" })
        let again = try PipelineRunner(config: config, dataDirectory: data)
        let second = Task { try await again.run() }
        try await Self.waitUntil { again.status().sources.first?.stored == 100 }
        let status = again.status()
        again.stop()
        try await second.value
        #expect(status.sources.first?.stored == 100)
        let stored = try Self.storedLines(data)
        #expect(stored.count == 600)
        #expect(Set(stored).count == 600)
    }

    @Test("a second runner on the same data directory is refused, naming the holder")
    func locked() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = "\(directory.path)/data"
        let config = try Self.config(directory.path)
        let runner = try PipelineRunner(config: config, dataDirectory: data)
        let task = Task { try await runner.run() }
        let error = #expect(throws: RunnerError.self) { try PipelineRunner(config: config, dataDirectory: data) }
        #expect(error?.message.contains("LOCK") == true)
        runner.stop()
        try await task.value
    }
}
