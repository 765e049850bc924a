import Foundation
import LogboxCore
import LogboxParse
import LogboxPipeline
import LogboxTestSupport
import Testing

/// Helpers shared by the syslog suites: real clients (`logger`, raw sockets on their own
/// threads), draining a queue with a deadline, and parsing what arrived.
enum SyslogTestSupport {
    /// One message as a test sees it.
    struct Received: Sendable, Hashable {
        var bytes: [UInt8]
        var peer: SyslogPeer
        var lineNumber: Int64
        var sourceOffset: Int64
        var truncatedBytes: Int64
        var source: String
        var text: String { String(decoding: self.bytes, as: UTF8.self) }
    }

    static let loggerPath = "/usr/bin/logger"
    static var hasLogger: Bool { FileManager.default.isExecutableFile(atPath: Self.loggerPath) }

    /// Takes batches until `count` messages arrived (or `timeout` passed), then keeps looking
    /// for `settle` so that duplicates would show.
    static func drain(
        _ queue: SyslogBatchQueue,
        count: Int,
        timeout: Duration = .seconds(30),
        settle: Duration = .milliseconds(200)
    ) async -> [Received] {
        var received: [Received] = []
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var settleUntil: ContinuousClock.Instant?
        while true {
            if let batch = queue.tryNext() {
                for i in 0..<batch.count {
                    let slot = batch.lines.slots[i]
                    received.append(
                        Received(
                            bytes: Array(batch.message(i)),
                            peer: batch.peers[i],
                            lineNumber: slot.lineNumber,
                            sourceOffset: slot.sourceOffset,
                            truncatedBytes: slot.truncatedBytes,
                            source: batch.lines.source
                        )
                    )
                }
                queue.recycle(batch)
                continue
            }
            let now = clock.now
            if received.count >= count {
                if settleUntil == nil { settleUntil = now + settle }
                if now >= settleUntil! { return received }
            } else if now >= deadline {
                return received
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// Waits until `condition` holds or `timeout` passes; returns whether it held.
    static func eventually(timeout: Duration = .seconds(10), _ condition: () -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return condition()
    }

    /// One parsed message: the fields a test checks, and the parse issue if any.
    struct Parsed {
        var issue: ParseIssue?
        var message: String?
        var program: String?
        var host: String?
        /// The severity's number (the field's typed payload).
        var severity: Int64?
    }

    /// Parses `messages` with the pipeline's `syslog` parser (either RFC, told apart per line).
    static func parseSyslog(_ messages: [Received]) throws -> [Parsed] {
        var lines = LineBatch(source: "test")
        for message in messages {
            lines.append(message.bytes, lineNumber: message.lineNumber, sourceOffset: message.sourceOffset)
        }
        let parser = try ParserRegistry.make("syslog", context: ParseContext(referenceTime: 1_800_000_000_000_000_000))
        var batchParser = BatchParser(parser: parser)
        var events = EventBatch()
        batchParser.parse(lines, into: &events)
        return (0..<events.count).map { i in
            Parsed(
                issue: events.events[i].issue,
                message: events.field(.message, of: i).map { events.string($0) },
                program: events.field(.program, of: i).map { events.string($0) },
                host: events.field(.host, of: i).map { events.string($0) },
                severity: events.field(.severity, of: i).map(\.payload)
            )
        }
    }

    /// Runs `logger` with `arguments`; returns its exit status.
    static func logger(_ arguments: [String]) async throws -> Int32 {
        try await Self.run(Self.loggerPath, arguments)
    }

    /// Runs a program to its end, its output discarded.
    static func run(_ path: String, _ arguments: [String]) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        await OffPool.exit(of: process)
        return process.terminationStatus
    }

    // MARK: Raw sockets

    /// A connected TCP socket to 127.0.0.1:`port`.
    static func connectTCP(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket: errno \(errno)")
        var address = Self.loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        precondition(result == 0, "connect: errno \(errno)")
        return fd
    }

    /// Writes all of `bytes`, blocking while the receiver holds back; false if the peer closed.
    @discardableResult
    static func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent < 0 && errno == EINTR { continue }
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    /// Whether the peer closed `fd` within `timeout` (bytes it sends meanwhile are discarded).
    static func waitForClose(_ fd: Int32, timeout: Duration = .seconds(10)) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 512)
        while clock.now < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 50)
            if ready > 0 {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if count == 0 || (count < 0 && errno != EINTR && errno != EAGAIN) { return true }
            }
        }
        return false
    }

    /// A UDP socket bound to 127.0.0.1 (ephemeral port).
    static func udpSocket() -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        precondition(fd >= 0, "socket: errno \(errno)")
        return fd
    }

    /// Sends one datagram to 127.0.0.1:`port`.
    @discardableResult
    static func sendDatagram(_ fd: Int32, port: Int, _ bytes: [UInt8]) -> Bool {
        var address = Self.loopback(port: port)
        let sent = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        return sent == bytes.count
    }

    /// The local port of a socket (the sender's port the receiver sees).
    static func localPort(_ fd: Int32) -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    /// `count` RFC 3164 lines numbered from 0, each `<13>Nov 29 10:00:00 testhost NAME: message N`.
    static func numberedLines(_ name: String, count: Int, octetCounting: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(count * 60)
        for i in 0..<count {
            let message = "<13>Nov 29 10:00:00 testhost \(name): message \(i)"
            if octetCounting {
                out.append(contentsOf: "\(message.utf8.count) \(message)".utf8)
            } else {
                out.append(contentsOf: message.utf8)
                out.append(UInt8(ascii: "\n"))
            }
        }
        return out
    }
}
