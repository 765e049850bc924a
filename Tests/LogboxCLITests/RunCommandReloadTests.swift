import Foundation
import LogboxTestSupport
import Testing

@Suite("logbox run: SIGHUP reloads", .serialized)
struct RunCommandReloadTests {
    @Test("SIGHUP mid-stream adds a source and restarts a changed one: no line lost or duplicated")
    func reloadMidStream() async throws {
        try #require(DaemonUnderTest.binaryExists, "no logbox binary at \(DaemonUnderTest.binary.path)")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let first = "\(directory.path)/first.log"
        let second = "\(directory.path)/second.log"
        appendLines(first, (1...500).map { "first before \($0)" })
        appendLines(second, (1...700).map { "second \($0)" })
        let daemon = DaemonUnderTest(directory: directory)
        let before = """
            sources:
              - name: first
                type: file
                paths: [\(first)]
                start_at: beginning
                scan_interval: 200ms
            """
        // `first` changes (a longer line limit, so it restarts); `second` is new.
        let after = """
            sources:
              - name: first
                type: file
                paths: [\(first)]
                start_at: beginning
                scan_interval: 200ms
                max_line_length: 32KiB
              - name: second
                type: file
                paths: [\(second)]
                start_at: beginning
                scan_interval: 200ms
            enrich:
              - type: add
                fields:
                  reloaded: "yes"
            """
        try await daemon.start { _ in before }
        defer { daemon.killNow() }
        #expect(await DaemonUnderTest.wait(timeout: 20) { try await daemon.source("first")["stored"] as? Int == 500 })

        // A writer keeps appending to `first` while the config is reloaded.
        let writer = Thread {
            for batch in 0..<40 {
                appendLines(first, (1...25).map { "first during \(batch) \($0)" })
                usleep(25_000)
            }
        }
        writer.start()
        try await Task.sleep(for: .milliseconds(300))
        daemon.writeConfig(after)
        daemon.signal(SIGHUP)
        while !writer.isFinished { try await Task.sleep(for: .milliseconds(20)) }
        let expectedFirst = 500 + 40 * 25
        await daemon.expect(within: 30) {
            let status = try await daemon.status()
            let sources = status["sources"] as? [[String: Any]] ?? []
            let events = try await daemon.storedEvents()
            return status["reloads"] as? Int == 1 && sources.count == 2 && events == expectedFirst + 700
        }
        // The count above includes events not yet flushed, which a query does not see: poll it too.
        await daemon.expect(within: 30) { try await daemon.query("reloaded:yes source:second").count == 700 }
        #expect(await daemon.stop(SIGTERM) == 0)
        let stored = try daemon.storedLines()
        #expect(stored.count == expectedFirst + 700)
        #expect(Set(stored).count == stored.count, "a line was stored twice")
        #expect(stored.filter { $0.hasPrefix("first") }.count == expectedFirst)
        #expect(stored.filter { $0.hasPrefix("second") }.count == 700)
    }

    @Test("SIGHUP with a broken config keeps the running one and says why")
    func reloadRejected() async throws {
        try #require(DaemonUnderTest.binaryExists)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        appendLines(path, ["before reload"])
        let daemon = DaemonUnderTest(directory: directory)
        let config = """
            sources:
              - name: app
                type: file
                paths: [\(path)]
                start_at: beginning
                scan_interval: 200ms
            """
        try await daemon.start { _ in config }
        defer { daemon.killNow() }
        #expect(await DaemonUnderTest.wait(timeout: 20) { try await daemon.source("app")["stored"] as? Int == 1 })
        daemon.writeConfig(config + "\n    parser: no_such_parser\n")
        daemon.signal(SIGHUP)
        #expect(
            await DaemonUnderTest.wait(timeout: 10) { try await daemon.status()["last_reload_error"] as? String != nil }
        )
        let error = try await daemon.status()["last_reload_error"] as? String ?? ""
        #expect(error.contains("pipeline.yaml:"), "\(error)")
        appendLines(path, ["after reload"])
        #expect(await DaemonUnderTest.wait(timeout: 10) { try await daemon.source("app")["stored"] as? Int == 2 })
        #expect(try await daemon.status()["reloads"] as? Int == 0)
        #expect(await daemon.stop(SIGTERM) == 0)
    }
}
