import Foundation
import LogboxTestSupport
import Testing

@Suite("logbox run: file tail end to end", .serialized)
struct RunCommandTailTests {
    static func fileConfig(_ glob: String, name: String = "app") -> String {
        """
        sources:
          - name: \(name)
            type: file
            paths: [\(glob)]
            start_at: beginning
            scan_interval: 200ms
        store:
          flush_interval: 500ms
        """
    }

    @Test("appended lines and a rotation by rename+create while running: every line stored once; SIGTERM exits 0")
    func rotation() async throws {
        try #require(DaemonUnderTest.binaryExists, "no logbox binary at \(DaemonUnderTest.binary.path)")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        var expected: [String] = []
        func add(_ file: String, _ lines: [String]) {
            appendLines(file, lines)
            expected += lines
        }
        add(path, (1...1000).map { "rot A \($0)" })
        let daemon = DaemonUnderTest(directory: directory)
        try await daemon.start { _ in Self.fileConfig(path) }
        defer { daemon.killNow() }
        #expect(await DaemonUnderTest.wait(timeout: 20) { try await daemon.source("app")["stored"] as? Int == 1000 })
        #expect(await DaemonUnderTest.wait(timeout: 10) { try await daemon.query("\"rot A 1000\"").count == 1 })

        add(path, (1...1000).map { "rot B \($0)" })
        // Rotate: rename away, the writer still adds a few lines to the old file, then a new file.
        #expect(rename(path, path + ".1") == 0)
        add(path + ".1", (1...300).map { "rot D \($0)" })
        add(path, (1...1000).map { "rot C \($0)" })
        add(path, (1...200).map { "rot E \($0)" })
        await daemon.expect(within: 30) { try await daemon.source("app")["stored"] as? Int == expected.count }
        #expect(await daemon.stop(SIGTERM) == 0)
        let stored = try daemon.storedLines()
        #expect(stored.count == expected.count)
        #expect(stored.sorted() == expected.sorted())
        #expect(daemon.log.contains("stopped: everything received is stored"))
    }

    @Test("SIGKILL while tailing a large file, then restart: every line stored exactly once")
    func sigkillAndRestart() async throws {
        try #require(DaemonUnderTest.binaryExists)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/big.log"
        var expected: [String] = []
        let first = (1...150_000).map {
            "<34>Oct 11 22:14:15 host\($0 % 7) sshd[\($0)]: Failed password for user\($0 % 97) from 10.0.\($0 % 256).\($0 % 200) port \($0) ssh2 n=\($0)"
        }
        appendLines(path, first)
        expected += first
        let daemon = DaemonUnderTest(directory: directory)
        defer { daemon.killNow() }
        var kills = 0
        for round in 0..<3 {
            try await daemon.start { _ in Self.fileConfig(path) }
            let before = try await daemon.storedEvents()
            // Kill it in the middle: as soon as it stores more, while lines remain.
            await DaemonUnderTest.wait(timeout: 20) { try await daemon.storedEvents() > before }
            try await Task.sleep(for: .milliseconds(100 * (round + 1)))
            let storedNow = try await daemon.storedEvents()
            await daemon.stop(SIGKILL)
            if storedNow < expected.count { kills += 1 }
            // Lines written while the daemon is down are read after the restart.
            let more = (1...500).map { "while down \(round) line \($0)" }
            appendLines(path, more)
            expected += more
        }
        #expect(kills >= 2, "the file was read too fast to kill the daemon mid-way")
        try await daemon.start { _ in Self.fileConfig(path) }
        await daemon.expect(within: 60) { try await daemon.storedEvents() >= expected.count }
        #expect(await DaemonUnderTest.wait(timeout: 5) { try await daemon.source("app")["lag_bytes"] as? Int == 0 })
        #expect(await daemon.stop(SIGTERM) == 0)
        let stored = try daemon.storedLines()
        #expect(stored.count == expected.count)
        #expect(Set(stored).count == stored.count, "a line was stored twice")
        #expect(stored.sorted() == expected.sorted())
    }
}
