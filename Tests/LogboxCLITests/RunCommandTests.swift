import Foundation
import LogboxStore
import LogboxTestSupport
import Testing

/// A `logbox run` process started by a test, with its own data directory and loopback port.
final class DaemonUnderTest {
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("logbox")
    }

    static var binaryExists: Bool { FileManager.default.isExecutableFile(atPath: Self.binary.path) }

    let directory: TemporaryDirectory
    let configPath: String
    var data: String { "\(self.directory.path)/data" }
    var stderrPath: String { "\(self.directory.path)/daemon-\(self.runs).err" }
    private(set) var process: Process?
    private(set) var port = 0
    private var runs = 0

    init(directory: TemporaryDirectory) {
        self.directory = directory
        self.configPath = "\(directory.path)/pipeline.yaml"
    }

    /// Writes the config `makeConfig(port)` makes (data_dir set to this directory's `data`).
    func writeConfig(_ text: String) {
        self.directory.write("pipeline.yaml", "data_dir: \(self.data)\nlog_level: debug\n" + text)
    }

    /// Starts the daemon with a config made for a free loopback port (tried again on another port
    /// when the chosen one was taken meanwhile), and waits until it answers `status`. Its standard
    /// input is `standardInput` (a pipe the test writes to), else the null device.
    ///
    /// The timeout is generous: this task polls on the cooperative pool, where it may wait behind
    /// the synchronous tests queued when the whole suite starts (a minute on two cores), while the
    /// daemon itself has long been up.
    func start(
        config makeConfig: ((Int) -> String)? = nil,
        timeout: Double = 180,
        standardInput: Pipe? = nil
    ) async throws {
        for _ in 0..<5 {
            if let makeConfig {
                if self.port == 0 { self.port = Self.freePort() }
                self.writeConfig(makeConfig(self.port))
            }
            self.runs += 1
            let process = Process()
            process.executableURL = Self.binary
            process.arguments = ["run", "--config", self.configPath]
            process.currentDirectoryURL = URL(fileURLWithPath: self.directory.path)
            if let standardInput {
                process.standardInput = standardInput
            } else {
                process.standardInput = FileHandle.nullDevice
            }
            process.standardOutput = FileHandle.nullDevice
            _ = FileManager.default.createFile(atPath: self.stderrPath, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: self.stderrPath)
            try process.run()
            self.process = process
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if !process.isRunning { break }
                if (try? await self.status()) != nil { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            if process.isRunning {
                // The caller's `defer { killNow() }` is not set up yet: no daemon may outlive the test.
                let log = self.log
                self.killNow()
                throw DaemonTestError("the daemon did not answer status: \(log)")
            }
            guard makeConfig != nil, self.log.contains("cannot listen") else {
                throw DaemonTestError("the daemon exited with \(process.terminationStatus): \(self.log)")
            }
            self.port = 0
        }
        throw DaemonTestError("no free port found")
    }

    /// The daemon's standard error so far.
    var log: String { (try? String(contentsOfFile: self.stderrPath, encoding: .utf8)) ?? "" }

    /// Sends `signal` and waits for the exit without holding a thread; returns the exit status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) async -> Int32 {
        guard let process = self.process else { return -1 }
        kill(process.processIdentifier, signal)
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        self.process = nil
        return process.terminationStatus
    }

    /// SIGKILL, for `defer` after a failed expectation (the process dies at once).
    func killNow() {
        guard let process = self.process else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    func signal(_ signal: Int32) {
        if let process = self.process { kill(process.processIdentifier, signal) }
    }

    /// `logbox status --format json`, parsed.
    func status() async throws -> [String: Any] {
        let result = try await Self.run(["status", "--data-dir", self.data, "--format", "json"])
        guard result.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        else { throw DaemonTestError("status failed: \(result.errors)") }
        return object
    }

    /// The status report as text, for messages.
    func statusText() async -> String {
        (try? await Self.run(["status", "--data-dir", self.data, "--format", "json"]).output) ?? "no status"
    }

    /// Records an issue with the daemon's status and log when `condition` does not hold within `timeout`.
    func expect(
        within timeout: Double,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Bool
    ) async {
        guard await Self.wait(timeout: timeout, condition) == false else { return }
        Issue.record("not within \(timeout) s: \(await self.statusText()); \(self.log)", sourceLocation: sourceLocation)
    }

    /// The counters of source `name` in the status report.
    func source(_ name: String) async throws -> [String: Any] {
        let sources = try await self.status()["sources"] as? [[String: Any]] ?? []
        guard let source = sources.first(where: { $0["name"] as? String == name }) else {
            throw DaemonTestError("no source \(name) in status")
        }
        return source
    }

    /// Events the store holds (segments and not yet flushed), as the daemon reports it.
    func storedEvents() async throws -> Int {
        let store = try await self.status()["store"] as? [String: Any] ?? [:]
        return (store["events"] as? Int ?? 0) + (store["unflushed"] as? Int ?? 0)
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    @discardableResult
    static func wait(timeout: Double, _ condition: () async throws -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? await condition()) == true { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return (try? await condition()) == true
    }

    /// Every stored line, from the segments (after the daemon stopped).
    func storedLines() throws -> [String] {
        let snapshot = try StoreSnapshot(directory: self.data)
        var lines: [String] = []
        for segment in snapshot.segments {
            try segment.docs.events(in: 0..<UInt32(segment.docCount)) { _, event in
                lines.append(String(decoding: event.line, as: UTF8.self))
            }
        }
        return lines
    }

    /// `logbox query` in another process: the JSON objects of the events matching `query`.
    func query(_ query: String) async throws -> [[String: Any]] {
        let result = try await Self.run(["query", "--data-dir", self.data, "--all", "--format", "json", query])
        return result.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Runs the binary to its end; output goes through files and the wait sleeps, so no thread of
    /// the test pool is held while the child runs.
    static func run(_ arguments: [String]) async throws -> (status: Int32, output: String, errors: String) {
        let scratch = TemporaryDirectory(prefix: "logbox-run-output")
        defer { scratch.remove() }
        let outputPath = scratch.write("out", "")
        let errorPath = scratch.write("err", "")
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.standardOutput = FileHandle(forWritingAtPath: outputPath)
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        return (process.terminationStatus, output, errors)
    }

    /// A loopback port nobody listens on now (TCP bound and released; UDP is checked too).
    static func freePort() -> Int {
        for _ in 0..<20 {
            let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcp, $0, length) }
            }
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(tcp, $0, &length) }
            }
            close(tcp)
            let port = Int(UInt16(bigEndian: address.sin_port))
            let udp = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(udp, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(udp)
            if port > 0 && bound == 0 { return port }
        }
        return 0
    }

    /// Whether util-linux `logger` is installed.
    static var hasLogger: Bool {
        ["/usr/bin/logger", "/bin/logger"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `logger` with `arguments`; true when it exited 0.
    @discardableResult
    static func logger(_ arguments: [String]) async throws -> Bool {
        let process = Process()
        process.executableURL = URL(
            fileURLWithPath: FileManager.default.isExecutableFile(atPath: "/usr/bin/logger")
                ? "/usr/bin/logger" : "/bin/logger"
        )
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(5)) }
        return process.terminationStatus == 0
    }
}

struct DaemonTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Appends lines to a file (opened with O_APPEND, as a logging program does).
func appendLines(_ path: String, _ lines: [String]) {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    precondition(descriptor >= 0, "cannot open \(path)")
    let bytes = Array(lines.map { $0 + "\n" }.joined().utf8)
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            precondition(written > 0)
            offset += written
        }
    }
    close(descriptor)
}

@Suite("logbox run: config, status and signals", .serialized)
struct RunCommandTests {
    @Test("a config with an error is rejected with its file and line, exit 2")
    func badConfig() async throws {
        try #require(DaemonUnderTest.binaryExists, "no logbox binary at \(DaemonUnderTest.binary.path)")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.write(
            "bad.yaml",
            """
            data_dir: \(directory.path)/data
            sources:
              - name: udp
                type: syslog_udp
                listen: 127.0.0.1:99999

            """
        )
        let result = try await DaemonUnderTest.run(["run", "--config", path])
        #expect(result.status == 2)
        #expect(result.errors.contains("\(path):5: sources[0].listen: port 99999 is out of range"), "\(result.errors)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/data/LOCK"))
    }

    @Test("status without a daemon: a clear message and exit 2")
    func statusWithoutDaemon() async throws {
        try #require(DaemonUnderTest.binaryExists)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let result = try await DaemonUnderTest.run(["status", "--data-dir", "\(directory.path)/data"])
        #expect(result.status == 2)
        #expect(result.errors.contains("no daemon is running"), "\(result.errors)")
    }

    @Test("a second daemon on the same data directory is refused, naming the holder; SIGTERM exits 0")
    func secondWriterAndStatus() async throws {
        try #require(DaemonUnderTest.binaryExists)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let daemon = DaemonUnderTest(directory: directory)
        appendLines("\(directory.path)/app.log", (1...50).map { "status line \($0)" })
        try await daemon.start { _ in
            """
            sources:
              - name: app
                type: file
                paths: [\(directory.path)/app.log]
                start_at: beginning
            """
        }
        defer { daemon.killNow() }
        #expect(await DaemonUnderTest.wait(timeout: 15) { try await daemon.source("app")["stored"] as? Int == 50 })
        let second = try await DaemonUnderTest.run(["run", "--config", daemon.configPath])
        #expect(second.status == 2)
        #expect(second.errors.contains("LOCK is held by pid"), "\(second.errors)")

        let table = try await DaemonUnderTest.run(["status", "--data-dir", daemon.data, "--format", "table"])
        #expect(table.status == 0)
        #expect(table.output.contains("SOURCE"))
        let row = table.output.split(separator: "\n").first { $0.hasPrefix("app ") }.map(String.init) ?? ""
        #expect(row.contains("file") && row.contains("50"), "\(table.output)")
        #expect(table.output.contains("store: "))
        let source = try await daemon.source("app")
        #expect(source["received"] as? Int == 50)
        #expect(source["parsed"] as? Int == 50)
        #expect(source["lag_bytes"] as? Int == 0)

        #expect(await daemon.stop(SIGTERM) == 0)
        #expect(!FileManager.default.fileExists(atPath: "\(daemon.data)/control.sock"))
        #expect(try daemon.storedLines().count == 50)
    }

    @Test("stdin as a source: every line stored (the last without a newline too), exit 0 at its end")
    func standardInput() async throws {
        try #require(DaemonUnderTest.binaryExists)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let config = directory.write(
            "stdin.yaml",
            "data_dir: \(directory.path)/data\nsources:\n  - name: piped\n    type: stdin\n"
        )
        let process = Process()
        process.executableURL = DaemonUnderTest.binary
        process.arguments = ["run", "--config", config]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let lines = (1...2000).map { "piped line \($0) level=info" }
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\nlast without newline").utf8))
        try input.fileHandleForWriting.close()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        #expect(process.terminationStatus == 0)
        let daemon = DaemonUnderTest(directory: directory)
        let stored = try daemon.storedLines()
        #expect(stored.sorted() == (lines + ["last without newline"]).sorted())
        #expect(try await daemon.query("source:piped").count == 2001)
    }
}
