import Foundation
import LogboxTestSupport
import Testing

@Suite("logbox run: SIGHUP names the settings that need a restart", .serialized)
struct RunCommandReloadWarningTests {
    static func config(_ path: String, store: String) -> String {
        """
        sources:
          - name: app
            type: file
            paths: [\(path)]
            start_at: beginning
            scan_interval: 200ms
        store:
        \(store)
        """
    }

    @Test("changed flush, sync and merge settings are named in a warning; retention and sources apply without one")
    func storeKeysNeedRestart() async throws {
        try #require(DaemonUnderTest.binaryExists, "no logbox binary at \(DaemonUnderTest.binary.path)")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        appendLines(path, ["before reload"])
        let daemon = DaemonUnderTest(directory: directory)
        let warning = "store settings changed; they take effect at the next start"
        try await daemon.start { _ in
            Self.config(path, store: "  flush_interval: 500ms\n  retention:\n    max_age: 30d")
        }
        defer { daemon.killNow() }
        await daemon.expect(within: 20) { try await daemon.source("app")["stored"] as? Int == 1 }

        // Retention only: applied by the writer, no warning.
        daemon.writeConfig(Self.config(path, store: "  flush_interval: 500ms\n  retention:\n    max_age: 60d"))
        daemon.signal(SIGHUP)
        await daemon.expect(within: 20) { try await daemon.status()["reloads"] as? Int == 1 }
        #expect(!daemon.log.contains(warning), "\(daemon.log)")

        daemon.writeConfig(
            Self.config(
                path,
                store: "  flush_interval: 2s\n  sync_interval: 50ms\n  merge_factor: 8\n  retention:\n    max_age: 60d"
            )
        )
        daemon.signal(SIGHUP)
        await daemon.expect(within: 20) { try await daemon.status()["reloads"] as? Int == 2 }
        let line = daemon.log.split(separator: "\n").first { $0.contains(warning) }.map(String.init) ?? ""
        #expect(line.contains("store.flush_interval,store.sync_interval,store.merge_factor"), "\(daemon.log)")
        // The reload still applied the rest: the source keeps running.
        appendLines(path, ["after reload"])
        await daemon.expect(within: 20) { try await daemon.source("app")["stored"] as? Int == 2 }
        #expect(await daemon.stop(SIGTERM) == 0)
    }
}
