import Foundation
import Glibc
import LogboxTestSupport
import Synchronization
import Testing

/// Streams numbered RFC 3164 lines (`seq=N`) to a TCP port from a thread of its own, one `send`
/// per line, and reconnects (retrying until the port listens again) when the connection breaks,
/// going on with the next number: a line whose send failed is given up, as a syslog sender
/// without its own acknowledgements does.
final class ReconnectingSender: Sendable {
    struct State {
        var port: Int
        var next = 1
        /// The highest number whose `send` succeeded.
        var lastSent = 0
        var stopRequested = false
        var finished = false
        /// The first number sent on each connection, in connection order.
        var firstNumberOfConnection: [Int] = []
        var failedSends = 0
    }

    private let state: Mutex<State>

    init(port: Int) {
        self.state = Mutex(State(port: port))
    }

    var snapshot: State { self.state.withLock { $0 } }

    func setPort(_ port: Int) { self.state.withLock { $0.port = port } }

    func start() {
        Thread { self.loop() }.start()
    }

    /// Asks the thread to close its connection gracefully and end; waits for that.
    func stop() async {
        self.state.withLock { $0.stopRequested = true }
        while !self.state.withLock({ $0.finished }) { try? await Task.sleep(for: .milliseconds(10)) }
    }

    static func line(_ number: Int) -> String {
        "<13>Oct 11 22:14:15 box streamer[7]: seq=\(number) reconnecting sender payload"
    }

    private func loop() {
        var descriptor: Int32 = -1
        var sentSincePause = 0
        while true {
            let (port, stop) = self.state.withLock { ($0.port, $0.stopRequested) }
            if stop { break }
            if descriptor < 0 {
                descriptor = Self.connect(port: port)
                if descriptor < 0 {
                    usleep(20_000)
                    continue
                }
                self.state.withLock { $0.firstNumberOfConnection.append($0.next) }
            }
            // The daemon went away (FIN or RST): reconnect now rather than after one more lost line.
            if Self.peerClosed(descriptor) {
                close(descriptor)
                descriptor = -1
                continue
            }
            let number = self.state.withLock { $0.next }
            let bytes = Array((Self.line(number) + "\n").utf8)
            let sent = bytes.withUnsafeBytes { raw -> Bool in
                var offset = 0
                while offset < raw.count {
                    let count = send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { return false }
                    offset += count
                }
                return true
            }
            self.state.withLock {
                $0.next += 1
                if sent { $0.lastSent = number } else { $0.failedSends += 1 }
            }
            if !sent {
                close(descriptor)
                descriptor = -1
            }
            sentSincePause += 1
            if sentSincePause == 20 {
                sentSincePause = 0
                usleep(10_000)  // about 2000 lines a second
            }
        }
        if descriptor >= 0 {
            // A graceful end: the daemon reads to our FIN, then we close.
            shutdown(descriptor, Int32(SHUT_WR))
            var buffer = [UInt8](repeating: 0, count: 256)
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            _ = recv(descriptor, &buffer, buffer.count, 0)
            close(descriptor)
        }
        self.state.withLock { $0.finished = true }
    }

    static func connect(port: Int) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return -1 }
        var address = RunCommandSyslogTests.loopback(port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            return -1
        }
        return descriptor
    }

    /// Whether the peer closed or reset the connection (the daemon never writes, so anything
    /// readable is an end of stream). POLLRDHUP is Linux's 0x2000, which Glibc does not export.
    static func peerClosed(_ descriptor: Int32) -> Bool {
        let readHangUp: Int16 = 0x2000
        var ready = pollfd(fd: descriptor, events: Int16(POLLIN) | readHangUp, revents: 0)
        guard poll(&ready, 1, 0) > 0 else { return false }
        return ready.revents & (Int16(POLLIN) | readHangUp | Int16(POLLHUP) | Int16(POLLERR)) != 0
    }
}

extension DaemonUnderTest {
    /// `logbox query --count` in another process.
    func count(_ query: String) async throws -> Int {
        let result = try await Self.run(["query", "--data-dir", self.data, "--all", "--count", query])
        guard let count = Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw DaemonTestError("query --count \(query): exit \(result.status), \(result.output) \(result.errors)")
        }
        return count
    }

    /// `logbox query --format raw` in another process: the stored lines matching `query`.
    func rawLines(_ query: String) async throws -> [String] {
        let result = try await Self.run(["query", "--data-dir", self.data, "--all", "--format", "raw", query])
        guard result.status == 0 || result.status == 1 else {
            throw DaemonTestError("query \(query): exit \(result.status), \(result.errors)")
        }
        return result.output.split(separator: "\n").map(String.init)
    }
}

/// The `seq=N` numbers in `lines`, duplicates kept.
func sequenceNumbers(_ lines: [String]) -> [Int] {
    lines.compactMap { line in
        guard let range = line.range(of: "seq=") else { return nil }
        return Int(line[range.upperBound...].prefix(while: \.isNumber))
    }
}

/// A short, readable list of numbers for failure messages.
func describe(_ numbers: some Collection<Int>, limit: Int = 20) -> String {
    let sorted = numbers.sorted()
    let shown = sorted.prefix(limit).map(String.init).joined(separator: ", ")
    return sorted.count > limit ? "\(sorted.count) numbers: \(shown), …" : "[\(shown)]"
}

@Suite("logbox run: SIGKILL during a TCP stream", .serialized)
struct RunCommandTCPCrashTests {
    static func config(_ port: Int) -> String {
        """
        sources:
          - name: stream
            type: syslog_tcp
            listen: 127.0.0.1:\(port)
        store:
          flush_interval: 500ms
        """
    }

    @Test(
        "SIGKILL three times mid-stream, the sender reconnects: nothing twice, all that query saw before a kill kept, all sent after the last restart stored"
    )
    func killDuringStream() async throws {
        try #require(DaemonUnderTest.binaryExists, "no logbox binary at \(DaemonUnderTest.binary.path)")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let daemon = DaemonUnderTest(directory: directory)
        try await daemon.start(config: Self.config)
        defer { daemon.killNow() }
        let sender = ReconnectingSender(port: daemon.port)
        sender.start()
        var visibleBeforeKills = Set<Int>()
        var floorAfterLastRestart = 0
        var generator = SystemRandomNumberGenerator()
        for round in 1...3 {
            // Let the stream run until more is visible than before, then kill at a random moment.
            let seen = visibleBeforeKills.count
            let progressed = await DaemonUnderTest.wait(timeout: 60) {
                try await daemon.count("program:streamer") >= seen + 1000
            }
            #expect(progressed, "round \(round): the stream made no progress; \(daemon.log)")
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...800, using: &generator)))
            // What a separate `logbox query` sees was flushed to a synced segment: it must survive.
            let visible = sequenceNumbers(try await daemon.rawLines("program:streamer"))
            #expect(Set(visible).count == visible.count, "round \(round): query saw a number twice")
            visibleBeforeKills.formUnion(visible)
            await daemon.stop(SIGKILL)
            // Any connection made from now on reaches the next daemon.
            floorAfterLastRestart = sender.snapshot.firstNumberOfConnection.count
            try await daemon.start(config: Self.config)
            sender.setPort(daemon.port)
        }
        let connectionsBefore = floorAfterLastRestart
        let reconnected = await DaemonUnderTest.wait(timeout: 30) {
            let state = sender.snapshot
            return state.firstNumberOfConnection.count > connectionsBefore
                && state.lastSent >= state.firstNumberOfConnection[connectionsBefore] + 1000
        }
        #expect(reconnected, "the sender did not reconnect: \(sender.snapshot)")
        await sender.stop()
        let final = sender.snapshot
        let firstAfterRestart =
            final.firstNumberOfConnection.count > connectionsBefore
            ? final.firstNumberOfConnection[connectionsBefore] : final.next
        let lastSent = final.lastSent
        // One connection delivers in order: once the last number is visible, all before it are in.
        await daemon.expect(within: 60) {
            try await daemon.count("\"seq=\(lastSent) reconnecting\"") == 1
        }
        #expect(await daemon.stop(SIGTERM) == 0)

        let stored = sequenceNumbers(try daemon.storedLines())
        var counts: [Int: Int] = [:]
        for number in stored { counts[number, default: 0] += 1 }
        let twice = counts.filter { $0.value > 1 }.keys
        let storedSet = Set(counts.keys)
        let lostVisible = visibleBeforeKills.subtracting(storedSet)
        let missingAfterRestart = Set(firstAfterRestart...max(firstAfterRestart, lastSent)).subtracting(storedSet)
        let neverSent = storedSet.filter { $0 < 1 || $0 > lastSent }
        let summary =
            "sent 1...\(lastSent) on \(final.firstNumberOfConnection.count) connections "
            + "(first numbers \(final.firstNumberOfConnection)), \(final.failedSends) failed sends; "
            + "stored \(stored.count) (\(storedSet.count) distinct), lost in the kills \(lastSent - storedSet.count); "
            + "visible before the kills \(visibleBeforeKills.count); last connection from \(firstAfterRestart)"
        #expect(twice.isEmpty, "stored twice: \(describe(twice)); \(summary)")
        #expect(lostVisible.isEmpty, "seen by query before a kill, then lost: \(describe(lostVisible)); \(summary)")
        #expect(
            missingAfterRestart.isEmpty,
            "sent after the last restart, not stored: \(describe(missingAfterRestart)); \(summary)"
        )
        #expect(neverSent.isEmpty, "stored but never sent: \(describe(neverSent)); \(summary)")
        #expect(visibleBeforeKills.count >= 3000, "\(summary)")
        #expect(firstAfterRestart > 1, "\(summary)")
    }
}
