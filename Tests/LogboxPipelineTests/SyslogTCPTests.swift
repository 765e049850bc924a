import Foundation
import LogboxCore
import LogboxPipeline
import LogboxTestSupport
import Synchronization
import Testing

@Suite("Syslog TCP input")
struct SyslogTCPTests {
    typealias Support = SyslogTestSupport

    @Test(
        "logger over TCP, newline and octet-counting framing: each message once, in order, with its peer, parsed",
        .enabled(if: SyslogTestSupport.hasLogger),
        arguments: [["--rfc3164"], ["--rfc5424"], ["--rfc3164", "--octet-count"], ["--rfc5424", "--octet-count"]]
    )
    func logger(flags: [String]) async throws {
        let input = try await SyslogTCPInput.start(SyslogTCPOptions(name: "tcp-logger"))
        let directory = TemporaryDirectory(prefix: "logbox-syslog-tcp")
        defer { directory.remove() }
        let count = 200
        let lines = (0..<count).map { "tcp \(flags.joined(separator: " ")) line \($0) ✓" }
        let file = directory.write("lines.txt", lines.joined(separator: "\n") + "\n")
        let status = try await Support.logger(
            flags + [
                "-T", "-n", "127.0.0.1", "-P", String(input.localPort), "-t", "tcptest", "-p", "auth.err", "-f", file,
            ]
        )
        #expect(status == 0)
        let received = await Support.drain(input.batches, count: count)
        await input.shutdown()

        #expect(received.count == count)
        #expect(received.allSatisfy { $0.peer.addressText == "127.0.0.1" && $0.source == "tcp-logger" })
        #expect(received.map(\.lineNumber) == (1...Int64(count)).map { $0 })
        let parsed = try Support.parseSyslog(received)
        #expect(parsed.allSatisfy { $0.issue == nil && $0.program == "tcptest" && $0.severity == 3 })
        #expect(parsed.map(\.message) == lines)
        let statistics = input.statistics
        #expect(statistics.received == count && statistics.framingErrors == 0 && statistics.truncated == 0)
        #expect(statistics.connectionsTotal >= 1)
    }

    @Test("a 100k-message burst arrives exactly once and in order", arguments: [false, true])
    func burst(octetCounting: Bool) async throws {
        var options = SyslogTCPOptions(name: "tcp-burst")
        options.framing = octetCounting ? .octetCounting : .newline
        let input = try await SyslogTCPInput.start(options)
        let count = 100_000
        let payload = Support.numberedLines("burst", count: count, octetCounting: octetCounting)
        let port = input.localPort
        async let sent = OffPool.run {
            let fd = Support.connectTCP(port: port)
            defer { close(fd) }
            var ok = true
            var start = 0
            // Writes of odd sizes, so that frames straddle reads.
            while start < payload.count, ok {
                let end = min(payload.count, start + 65_521)
                ok = Support.sendAll(fd, Array(payload[start..<end]))
                start = end
            }
            return ok
        }
        let received = await Support.drain(input.batches, count: count, timeout: .seconds(60))
        #expect(await sent)
        await input.shutdown()
        #expect(received.count == count)
        let expected = (0..<count).map { "<13>Nov 29 10:00:00 testhost burst: message \($0)" }
        #expect(received.map(\.text) == expected)
        #expect(received.map(\.lineNumber) == (1...Int64(count)).map { $0 })
        #expect(input.statistics.received == count)
        #expect(input.statistics.framingErrors == 0)
    }

    @Test("many concurrent connections: every message once, in order per connection")
    func concurrentConnections() async throws {
        let input = try await SyslogTCPInput.start(SyslogTCPOptions(name: "tcp-many"))
        let connections = 64
        let perConnection = 300
        let port = input.localPort
        async let ports: [UInt16] = OffPool.run {
            let fds = (0..<connections).map { _ in Support.connectTCP(port: port) }
            // Half octet counting, half newline: each connection detects its own framing.
            for round in 0..<perConnection {
                for (c, fd) in fds.enumerated() {
                    let message = "<14>Nov 29 10:00:00 host conn\(c): message \(round)"
                    let frame = c % 2 == 0 ? "\(message.utf8.count) \(message)" : message + "\n"
                    Support.sendAll(fd, Array(frame.utf8))
                }
            }
            let ports = fds.map(Support.localPort)
            for fd in fds { close(fd) }
            return ports
        }
        let received = await Support.drain(input.batches, count: connections * perConnection)
        let senderPorts = await ports
        #expect(received.count == connections * perConnection)
        var byPort: [UInt16: [String]] = [:]
        for message in received { byPort[message.peer.port, default: []].append(message.text) }
        for (c, senderPort) in senderPorts.enumerated() {
            let expected = (0..<perConnection).map { "<14>Nov 29 10:00:00 host conn\(c): message \($0)" }
            #expect(byPort[senderPort] == expected)
        }
        #expect(await Support.eventually { input.statistics.connectionsOpen == 0 })
        #expect(input.statistics.connectionsTotal == connections)
        await input.shutdown()
    }

    @Test("over-long messages are cut and counted; both framings stay in step", arguments: [false, true])
    func maxMessageSize(octetCounting: Bool) async throws {
        var options = SyslogTCPOptions(name: "tcp-max")
        options.maxMessageSize = 64
        let input = try await SyslogTCPInput.start(options)
        let long = "<13>Nov 29 10:00:00 h p: " + String(repeating: "x", count: 500)
        let short = "<13>Nov 29 10:00:00 h p: short"
        let frames =
            octetCounting
            ? "\(long.utf8.count) \(long)\(short.utf8.count) \(short)"
            : "\(long)\n\(short)\n"
        let fd = Support.connectTCP(port: input.localPort)
        Support.sendAll(fd, Array(frames.utf8))
        let received = await Support.drain(input.batches, count: 2)
        #expect(received.map(\.text) == [String(long.prefix(64)), short])
        #expect(received.map(\.truncatedBytes) == [Int64(long.utf8.count - 64), 0])
        #expect(input.statistics.truncated == 1)
        // The connection is still open and in step.
        Support.sendAll(fd, Array((octetCounting ? "\(short.utf8.count) \(short)" : short + "\n").utf8))
        #expect(await Support.drain(input.batches, count: 1).map(\.text) == [short])
        close(fd)
        await input.shutdown()
    }

    @Test("a silent connection is closed after the idle timeout and counted")
    func idleTimeout() async throws {
        var options = SyslogTCPOptions(name: "tcp-idle")
        options.idleTimeout = .milliseconds(300)
        let input = try await SyslogTCPInput.start(options)
        let fd = Support.connectTCP(port: input.localPort)
        defer { close(fd) }
        Support.sendAll(fd, Array("<13>Nov 29 10:00:00 h p: hello\n".utf8))
        let closed = await OffPool.run { Support.waitForClose(fd, timeout: .seconds(10)) }
        #expect(closed)
        #expect(await Support.eventually { input.statistics.idleClosed == 1 && input.statistics.connectionsOpen == 0 })
        #expect(await Support.drain(input.batches, count: 1).map(\.text) == ["<13>Nov 29 10:00:00 h p: hello"])
        await input.shutdown()
    }

    @Test(
        "malformed octet counting closes the connection with a counted reason; others are still served",
        arguments: [
            ("5 hello" + "abc def", "expected a length, found 'a'"),
            ("5 hello" + "99999999999 x", "over the limit"),
            ("5 hello" + "12x", "expected a space after the length, found 'x'"),
        ]
    )
    func malformedOctetCounting(stream: String, reason: String) async throws {
        var options = SyslogTCPOptions(name: "tcp-bad")
        options.maxFrameLength = 1 << 20
        let input = try await SyslogTCPInput.start(options)
        let bad = Support.connectTCP(port: input.localPort)
        defer { close(bad) }
        let good = Support.connectTCP(port: input.localPort)
        defer { close(good) }
        Support.sendAll(bad, Array(stream.utf8))
        #expect(await OffPool.run { Support.waitForClose(bad) })
        #expect(input.statistics.framingErrors == 1)
        let lastError = input.statistics.lastFramingError ?? ""
        #expect(lastError.contains(reason))
        #expect(lastError.hasPrefix("127.0.0.1:\(Support.localPort(bad)): octet counting:"))

        Support.sendAll(good, Array("<13>Nov 29 10:00:00 h p: still served\n".utf8))
        let received = await Support.drain(input.batches, count: 2)
        #expect(Set(received.map(\.text)) == ["hello", "<13>Nov 29 10:00:00 h p: still served"])
        await input.shutdown()
    }

    @Test("connections beyond the limit and from outside the allowlist are refused and counted")
    func refusedConnections() async throws {
        var options = SyslogTCPOptions(name: "tcp-limit")
        options.maxConnections = 2
        let limited = try await SyslogTCPInput.start(options)
        let first = Support.connectTCP(port: limited.localPort)
        let second = Support.connectTCP(port: limited.localPort)
        #expect(await Support.eventually { limited.statistics.connectionsOpen == 2 })
        let third = Support.connectTCP(port: limited.localPort)
        #expect(await OffPool.run { Support.waitForClose(third) })
        #expect(limited.statistics.connectionsRejected == 1)
        for fd in [first, second, third] { close(fd) }
        await limited.shutdown()

        var refusing = SyslogTCPOptions(name: "tcp-allow")
        refusing.allow = try SyslogAllowlist(["10.0.0.0/8"])
        let input = try await SyslogTCPInput.start(refusing)
        let fd = Support.connectTCP(port: input.localPort)
        defer { close(fd) }
        Support.sendAll(fd, Array("<13>Nov 29 10:00:00 h p: refused\n".utf8))
        #expect(await OffPool.run { Support.waitForClose(fd) })
        #expect(input.statistics.droppedNotAllowed == 1)
        #expect(input.batches.tryNext() == nil)
        await input.shutdown()
    }

    @Test("a full queue stops reading the sockets; nothing is lost once it drains")
    func backpressure() async throws {
        var options = SyslogTCPOptions(name: "tcp-backpressure")
        options.queue = SyslogBatchQueue.Limits(maxMessages: 1_000, batchMessages: 200)
        let input = try await SyslogTCPInput.start(options)
        let count = 200_000
        let payload = Support.numberedLines("slow", count: count, octetCounting: false)
        let port = input.localPort
        let progress = SyslogSentBytes()
        async let sent = OffPool.run {
            let fd = Support.connectTCP(port: port)
            defer { close(fd) }
            var start = 0
            while start < payload.count {
                let end = min(payload.count, start + 16_384)
                guard Support.sendAll(fd, Array(payload[start..<end])) else { return false }
                start = end
                progress.set(start)
            }
            return true
        }
        // Nobody consumes: reading stops with the queue bounded, and the sender is held back.
        #expect(await Support.eventually { input.statistics.pausedReading > 0 })
        try await Task.sleep(for: .milliseconds(300))
        let pending = input.batches.pendingMessages
        #expect(pending >= 1_000 && pending < 20_000)
        #expect(progress.get() < payload.count)
        #expect(input.statistics.received == pending)

        let received = await Support.drain(input.batches, count: count, timeout: .seconds(60))
        #expect(await sent)
        #expect(received.count == count)
        #expect(received.map(\.text) == (0..<count).map { "<13>Nov 29 10:00:00 testhost slow: message \($0)" })
        await input.shutdown()
    }

    @Test("shutdown closes connections, delivers a last unterminated line, then ends the queue")
    func shutdown() async throws {
        let input = try await SyslogTCPInput.start(SyslogTCPOptions(name: "tcp-stop"))
        let fd = Support.connectTCP(port: input.localPort)
        defer { close(fd) }
        Support.sendAll(fd, Array("<13>Nov 29 10:00:00 h p: whole\n<13>Nov 29 10:00:00 h p: partial".utf8))
        #expect(await Support.eventually { input.statistics.received == 1 })
        await input.shutdown()
        #expect(await OffPool.run { Support.waitForClose(fd) })
        var texts: [String] = []
        while let batch = await input.batches.next() {
            for i in 0..<batch.count { texts.append(String(decoding: batch.message(i), as: UTF8.self)) }
        }
        #expect(texts == ["<13>Nov 29 10:00:00 h p: whole", "<13>Nov 29 10:00:00 h p: partial"])
        #expect(input.statistics.connectionsOpen == 0)
        // New connections are refused.
        let refused = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(refused) }
        var address = Support.loopback(port: input.localPort)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(refused, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(result != 0)
    }
}

/// How far a sender thread has got, read by the test while the sender is blocked.
final class SyslogSentBytes: Sendable {
    private let value = Mutex<Int>(0)
    func set(_ bytes: Int) { self.value.withLock { $0 = bytes } }
    func get() -> Int { self.value.withLock { $0 } }
}
