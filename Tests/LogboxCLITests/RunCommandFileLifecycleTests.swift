import Foundation
import Glibc
import LogboxStore
import LogboxTestSupport
import Testing

/// `logbox run` with files that are copytruncated, rotated into gzip, deleted; with standard
/// input beside other sources; and with rsyslog forwarding a file. Every case counts each line.
@Suite("logbox run: file lifecycle, stdin and rsyslog end to end", .serialized)
struct RunCommandFileLifecycleTests {
    static let rsyslogd = "/usr/sbin/rsyslogd"
    static let gzip = "/usr/bin/gzip"

    /// Every line once: a message naming what is missing and what is extra.
    static func expectEachOnce(
        _ stored: [String],
        _ expected: [String],
        _ context: @autoclosure () -> String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var counts: [String: Int] = [:]
        for line in stored { counts[line, default: 0] += 1 }
        let twice = counts.filter { $0.value > 1 }.keys.sorted()
        let missing = Set(expected).subtracting(counts.keys).sorted()
        let extra = Set(counts.keys).subtracting(expected).sorted()
        #expect(
            twice.isEmpty && missing.isEmpty && extra.isEmpty && stored.count == expected.count,
            """
            stored \(stored.count), expected \(expected.count); twice \(twice.count) \(twice.prefix(5)); \
            missing \(missing.count) \(missing.prefix(5)); extra \(extra.count) \(extra.prefix(5)); \(context())
            """,
            sourceLocation: sourceLocation
        )
    }

    /// Runs a program to its end; true when it exited 0.
    static func runTool(_ path: String, _ arguments: [String], output: String? = nil) async throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let output {
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: output)
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        process.standardError = FileHandle.nullDevice
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        return process.terminationStatus == 0
    }

    // MARK: copytruncate and gzip

    @Test(
        "copytruncate while running, then a rotated .gz appearing: each line once, the .gz read once (also after a restart)",
        .enabled(if: FileManager.default.isExecutableFile(atPath: RunCommandFileLifecycleTests.gzip))
    )
    func copyTruncateAndGzip() async throws {
        try #require(DaemonUnderTest.binaryExists, "no logbox binary at \(DaemonUnderTest.binary.path)")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        let config = """
            sources:
              - name: app
                type: file
                paths: [\(path), \(directory.path)/app-*.log.gz]
                read_gzip: true
                start_at: beginning
                scan_interval: 200ms
            store:
              flush_interval: 500ms
            """
        var expected: [String] = []
        func add(_ file: String, _ lines: [String]) {
            appendLines(file, lines)
            expected += lines
        }
        add(path, (1...2000).map { "ct first \($0) status=ok" })
        let daemon = DaemonUnderTest(directory: directory)
        try await daemon.start { _ in config }
        defer { daemon.killNow() }
        func storedBySource() async throws -> Int { try await daemon.source("app")["stored"] as? Int ?? -1 }
        await daemon.expect(within: 30) { try await storedBySource() == 2000 }

        // copytruncate, three times: copy (not watched), truncate in place, then at once more bytes
        // than had been read, so only the changed first bytes tell that the content was replaced.
        var total = 2000
        for (cycle, count) in [3000, 3500, 4000].enumerated() {
            let copy = try await Self.runTool("/bin/cp", [path, "\(path).\(cycle + 1)"])
            #expect(copy)
            #expect(truncate(path, 0) == 0)
            add(path, (1...count).map { "ct cycle\(cycle) \($0) status=ok" })
            total += count
            let target = total
            await daemon.expect(within: 30) { try await storedBySource() == target }
        }

        // A rotated, compressed file appears (written aside and renamed in, as at the end of a rotation).
        let archived = (1...1500).map { "ct archived \($0) status=old" }
        let plain = directory.write("staging-app.txt", archived.joined(separator: "\n") + "\n")
        #expect(try await Self.runTool(Self.gzip, ["-c", plain], output: "\(directory.path)/staging.gz"))
        #expect(rename("\(directory.path)/staging.gz", "\(directory.path)/app-20261129.log.gz") == 0)
        expected += archived
        add(path, (1...500).map { "ct third \($0) status=ok" })
        total += 2000
        let afterGzip = total
        await daemon.expect(within: 30) { try await storedBySource() == afterGzip }
        await daemon.expect(within: 10) { try await daemon.count("ct") == afterGzip }
        #expect(try await daemon.count("archived") == 1500)
        // Later scans must not read the .gz again: touched, it is still the same file.
        #expect(utimes("\(directory.path)/app-20261129.log.gz", nil) == 0)
        add(path, ["ct fourth 1 status=ok"])
        await daemon.expect(within: 30) { try await daemon.count("fourth") == 1 }
        #expect(try await storedBySource() == afterGzip + 1)
        #expect(await daemon.stop(SIGTERM) == 0)

        // After a restart nothing is read again; a line written meanwhile is.
        add(path, ["ct fifth 1 status=ok"])
        try await daemon.start { _ in config }
        await daemon.expect(within: 30) { try await daemon.count("fifth") == 1 }
        #expect(await daemon.stop(SIGTERM) == 0)
        Self.expectEachOnce(try daemon.storedLines(), expected, daemon.log)
    }

    @Test(
        "a .gz written in two parts while the daemon watches (as logrotate's compress does): each line once",
        .enabled(if: FileManager.default.isExecutableFile(atPath: RunCommandFileLifecycleTests.gzip))
    )
    func gzipWrittenInPlace() async throws {
        try #require(DaemonUnderTest.binaryExists)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let daemon = DaemonUnderTest(directory: directory)
        try await daemon.start { _ in
            """
            sources:
              - name: archive
                type: file
                paths: [\(directory.path)/*.gz]
                read_gzip: true
                start_at: beginning
                scan_interval: 200ms
            store:
              flush_interval: 500ms
            """
        }
        defer { daemon.killNow() }
        let lines = (1...20_000).map { "gz in place \($0) seed=\(($0 &* 2_654_435_761) % 1_000_003)" }
        let plain = directory.write("rotated.txt", lines.joined(separator: "\n") + "\n")
        #expect(try await Self.runTool(Self.gzip, ["-c", plain], output: "\(directory.path)/staging.bin"))
        let compressed = try Data(contentsOf: URL(fileURLWithPath: "\(directory.path)/staging.bin"))
        #expect(compressed.count > 20_000, "\(compressed.count)")
        let target = "\(directory.path)/app.log.1.gz"
        // The first part; the daemon reads what inflates of it, then waits for the rest.
        let half = compressed.count / 2
        _ = directory.write("app.log.1.gz", Array(compressed.prefix(half)))
        await daemon.expect(within: 30) {
            let received = try await daemon.source("archive")["received"] as? Int ?? 0
            return received > 0 && received < lines.count
        }
        let handle = try #require(FileHandle(forWritingAtPath: target))
        try handle.seekToEnd()
        handle.write(compressed.suffix(from: half))
        try handle.close()
        await daemon.expect(within: 30) { try await daemon.source("archive")["stored"] as? Int == lines.count }
        await daemon.expect(within: 10) { try await daemon.count("gz") == lines.count }
        #expect(await daemon.stop(SIGTERM) == 0)
        // Not read again after a restart.
        try await daemon.start { _ in
            """
            sources:
              - name: archive
                type: file
                paths: [\(directory.path)/*.gz]
                read_gzip: true
                start_at: beginning
                scan_interval: 200ms
            """
        }
        await daemon.expect(within: 10) { try await daemon.source("archive")["open_files"] as? Int == 0 }
        #expect(try await daemon.source("archive")["received"] as? Int == 0)
        #expect(await daemon.stop(SIGTERM) == 0)
        Self.expectEachOnce(try daemon.storedLines(), lines, daemon.log)
    }

    // MARK: stdin beside other sources

    @Test("stdin ends while a file source runs: its lines stored, status shows it ended, the daemon goes on")
    func standardInputEndsDaemonContinues() async throws {
        try #require(DaemonUnderTest.binaryExists)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        appendLines(path, (1...100).map { "file before \($0)" })
        let input = Pipe()
        let daemon = DaemonUnderTest(directory: directory)
        try await daemon.start(
            config: { _ in
                """
                sources:
                  - name: piped
                    type: stdin
                  - name: app
                    type: file
                    paths: [\(path)]
                    start_at: beginning
                    scan_interval: 200ms
                store:
                  flush_interval: 500ms
                """
            },
            standardInput: input
        )
        defer { daemon.killNow() }
        #expect(try await daemon.source("piped")["state"] as? String == "running")
        let piped = (1...3000).map { "piped \($0) level=info" }
        input.fileHandleForWriting.write(Data((piped.joined(separator: "\n") + "\npiped last without newline").utf8))
        try input.fileHandleForWriting.close()
        await daemon.expect(within: 30) {
            let source = try await daemon.source("piped")
            return source["state"] as? String == "ended" && source["stored"] as? Int == 3001
        }
        // Still serving the file source after standard input ended.
        appendLines(path, (1...50).map { "file after \($0)" })
        await daemon.expect(within: 30) { try await daemon.source("app")["stored"] as? Int == 150 }
        #expect(daemon.process?.isRunning == true)
        let table = try await DaemonUnderTest.run(["status", "--data-dir", daemon.data, "--format", "table"])
        #expect(table.output.contains("stdin (ended)"), "\(table.output)")
        await daemon.expect(within: 10) { try await daemon.count("source:piped") == 3001 }
        #expect(await daemon.stop(SIGTERM) == 0)
        let expected =
            piped + ["piped last without newline"] + (1...100).map { "file before \($0)" }
            + (1...50).map { "file after \($0)" }
        Self.expectEachOnce(try daemon.storedLines(), expected, daemon.log)
    }

    // MARK: forgetting deleted files

    @Test(
        "a deleted file's checkpoint is dropped through the WAL: gone after SIGKILL and replay; the rest exactly once"
    )
    func deletedFileForgotten() async throws {
        try #require(DaemonUnderTest.binaryExists)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let logs = "\(directory.path)/logs"
        mkdir(logs, 0o755)
        let gone = "\(logs)/gone.log"
        let kept = "\(logs)/kept.log"
        let config = """
            sources:
              - name: app
                type: file
                paths: [\(logs)/*.log]
                start_at: beginning
                scan_interval: 200ms
            store:
              flush_interval: 500ms
            """
        var expected: [String] = []
        func add(_ file: String, _ lines: [String]) {
            appendLines(file, lines)
            expected += lines
        }
        add(gone, (1...400).map { "gone \($0)" })
        add(kept, (1...300).map { "kept \($0)" })
        let daemon = DaemonUnderTest(directory: directory)
        try await daemon.start { _ in config }
        defer { daemon.killNow() }
        await daemon.expect(within: 30) { try await daemon.source("app")["stored"] as? Int == 700 }
        await daemon.expect(within: 10) { try await daemon.count("gone OR kept") == 700 }
        // Both checkpoints reached a flushed manifest.
        let before = try Manifest.decode(try FileSystem().readFile(StoreWriter.manifestPath(daemon.data)))
        #expect(Set(before.checkpoints.map(\.path)) == [gone, kept], "\(before.checkpoints)")

        unlink(gone)
        await daemon.expect(within: 30) { try await daemon.source("app")["open_files"] as? Int == 1 }
        // Queued behind the tombstone: once this is visible, the tombstone is in the store too.
        add(kept, ["kept marker"])
        await daemon.expect(within: 30) { try await daemon.count("marker") == 1 }
        await daemon.stop(SIGKILL)

        // What a restart sees: the manifest plus the WAL replayed.
        do {
            let store = try StoreWriter(directory: daemon.data)
            let paths = store.checkpoints.map(\.path)
            #expect(paths == [kept], "checkpoints after the crash: \(store.checkpoints)")
            try store.close()
        }
        add(kept, (301...400).map { "kept \($0)" })
        try await daemon.start { _ in config }
        await daemon.expect(within: 30) { try await daemon.count("kept") == 401 }
        #expect(await daemon.stop(SIGTERM) == 0)
        let after = try Manifest.decode(try FileSystem().readFile(StoreWriter.manifestPath(daemon.data)))
        #expect(after.checkpoints.map(\.path) == [kept], "\(after.checkpoints)")
        Self.expectEachOnce(try daemon.storedLines(), expected, daemon.log)
    }

    // MARK: rsyslog

    @Test(
        "rsyslog tails a file with imfile and forwards it over TCP to logbox run: every line found once",
        .enabled(if: FileManager.default.isExecutableFile(atPath: RunCommandFileLifecycleTests.rsyslogd))
    )
    func rsyslogForwardsFile() async throws {
        try #require(DaemonUnderTest.binaryExists)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let daemon = DaemonUnderTest(directory: directory)
        try await daemon.start { port in
            """
            sources:
              - name: relay
                type: syslog_tcp
                listen: 127.0.0.1:\(port)
            store:
              flush_interval: 500ms
            """
        }
        defer { daemon.killNow() }
        let count = 2000
        let lines = (1...count).map { "rsyslog relayed \($0) user=alice" }
        let source = directory.write("input.log", lines.joined(separator: "\n") + "\n")
        let work = directory.path + "/rsyslog-work"
        mkdir(work, 0o755)
        let rsyslogConfig = directory.write(
            "rsyslog.conf",
            """
            global(workDirectory="\(work)")
            module(load="imfile")
            input(type="imfile" file="\(source)" tag="relaytest:" ruleset="forward")
            ruleset(name="forward") {
                action(type="omfwd" target="127.0.0.1" port="\(daemon.port)" protocol="tcp"
                       TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
            }

            """
        )
        let rsyslog = Process()
        rsyslog.executableURL = URL(fileURLWithPath: Self.rsyslogd)
        rsyslog.arguments = ["-n", "-f", rsyslogConfig, "-i", directory.path + "/rsyslogd.pid"]
        rsyslog.standardOutput = FileHandle.nullDevice
        rsyslog.standardError = FileHandle.nullDevice
        try rsyslog.run()
        // SIGKILL: a child of the test process inherits a mask that blocks SIGTERM.
        defer {
            kill(rsyslog.processIdentifier, SIGKILL)
            rsyslog.waitUntilExit()
        }
        await daemon.expect(within: 60) { try await daemon.count("program:relaytest") == count }
        let found = try await daemon.rawLines("program:relaytest")
        let messages = found.compactMap { line in
            line.range(of: "rsyslog relayed ").map { String(line[$0.lowerBound...]) }
        }
        Self.expectEachOnce(messages, lines, "rsyslog \(daemon.log)")
        let relay = try await daemon.source("relay")
        #expect(relay["received"] as? Int == count, "\(relay)")
        #expect(relay["failed"] as? Int == 0, "\(relay)")
        kill(rsyslog.processIdentifier, SIGKILL)
        #expect(await daemon.stop(SIGTERM) == 0)
        #expect(try daemon.storedLines().count == count)
    }
}
