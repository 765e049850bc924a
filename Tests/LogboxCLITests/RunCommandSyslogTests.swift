import Foundation
import LogboxTestSupport
import Testing

@Suite("logbox run: syslog from real clients", .serialized)
struct RunCommandSyslogTests {
    static func config(_ port: Int) -> String {
        """
        sources:
          - name: net_udp
            type: syslog_udp
            listen: 127.0.0.1:\(port)
          - name: net_tcp
            type: syslog_tcp
            listen: 127.0.0.1:\(port)
        """
    }

    @Test(
        "logger sends RFC 3164 and RFC 5424 over UDP and TCP; logbox query finds each within about 2 s",
        .enabled(if: DaemonUnderTest.hasLogger)
    )
    func loggerMessages() async throws {
        try #require(DaemonUnderTest.binaryExists, "no logbox binary at \(DaemonUnderTest.binary.path)")
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let daemon = DaemonUnderTest(directory: directory)
        try await daemon.start(config: Self.config)
        defer { daemon.killNow() }
        let port = "\(daemon.port)"
        let token = "tok\(getpid())x\(Int.random(in: 1000...9999))"
        let cases: [(name: String, arguments: [String], source: String)] = [
            ("udp3164", ["--udp", "--rfc3164"], "net_udp"),
            ("udp5424", ["--udp", "--rfc5424"], "net_udp"),
            ("tcp3164", ["--tcp", "--octet-count", "--rfc3164"], "net_tcp"),
            ("tcp5424", ["-T", "--octet-count", "--rfc5424"], "net_tcp"),
            ("tcpnewline", ["--tcp", "--rfc5424"], "net_tcp"),
        ]
        for item in cases {
            let word = "\(token)\(item.name)"
            let sent = try await DaemonUnderTest.logger(
                item.arguments + ["--server", "127.0.0.1", "--port", port, "-t", "webapp", "hello \(word)"]
            )
            #expect(sent, "logger \(item.arguments) failed")
            let start = Date()
            var found: [[String: Any]] = []
            await DaemonUnderTest.wait(timeout: 10) {
                found = try await daemon.query(word)
                return !found.isEmpty
            }
            let elapsed = Date().timeIntervalSince(start)
            #expect(found.count == 1, "\(item.name): \(found.count) events for \(word); \(daemon.log)")
            // About a second (flush interval) plus the query's own start; generous for a loaded machine.
            #expect(elapsed < 4, "\(item.name) took \(elapsed) s to become visible")
            guard let event = found.first else { continue }
            #expect(event["source"] as? String == item.source)
            #expect(event["peer"] as? String == "127.0.0.1")
            #expect(event["program"] as? String == "webapp")
            #expect((event["message"] as? String)?.contains(word) == true)
        }
        let udp = try await daemon.source("net_udp")
        let tcp = try await daemon.source("net_tcp")
        #expect(udp["received"] as? Int == 2 && udp["parsed"] as? Int == 2)
        #expect(tcp["received"] as? Int == 3 && tcp["parsed"] as? Int == 3)
        #expect(await daemon.stop(SIGTERM) == 0)
    }

    @Test("malformed input is counted while the daemon keeps running")
    func malformedInput() async throws {
        try #require(DaemonUnderTest.binaryExists)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let daemon = DaemonUnderTest(directory: directory)
        try await daemon.start(config: Self.config)
        defer { daemon.killNow() }
        // UDP: binary garbage, an empty datagram's neighbour, a line that is no syslog at all.
        let garbage: [[UInt8]] = [
            [0xFF, 0x00, 0xFE, 0x01, 0x80], Array("<999>not syslog".utf8), Array("plain words".utf8),
        ]
        for datagram in garbage { Self.sendUDP(datagram, port: daemon.port) }
        // TCP: an octet count no sane sender writes closes that connection as a framing error.
        Self.sendTCP(Array("99999999999 <13>x\n".utf8), port: daemon.port)
        // A good message after all that is still stored.
        Self.sendTCP(Array("<13>Oct 11 22:14:15 box app: still alive after garbage\n".utf8), port: daemon.port)
        #expect(
            await DaemonUnderTest.wait(timeout: 10) {
                try await daemon.query("\"still alive after garbage\"").count == 1
            }
        )
        #expect(await DaemonUnderTest.wait(timeout: 5) { try await daemon.source("net_udp")["received"] as? Int == 3 })
        let udp = try await daemon.source("net_udp")
        #expect((udp["failed"] as? Int ?? 0) >= 2, "\(udp)")
        #expect(udp["stored"] as? Int == 3, "garbage is kept as data: \(udp)")
        let tcp = try await daemon.source("net_tcp")
        #expect(tcp["last_error"] as? String != nil, "\(tcp)")
        #expect(daemon.process?.isRunning == true)
        #expect(await daemon.stop(SIGTERM) == 0)
    }

    @Test("a 100k-message TCP burst: the sender is slowed, never dropped; every message stored once")
    func tcpBurst() async throws {
        try #require(DaemonUnderTest.binaryExists)
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let daemon = DaemonUnderTest(directory: directory)
        try await daemon.start(config: Self.config)
        defer { daemon.killNow() }
        let count = 100_000
        var payload: [UInt8] = []
        payload.reserveCapacity(count * 80)
        for index in 1...count {
            payload += Array("<13>Oct 11 22:14:15 box burst[\(index % 50)]: burst message number \(index)\n".utf8)
        }
        // The send blocks while the daemon slows the sender down: on a thread of its own.
        let port = daemon.port
        let bytes = payload
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                Self.sendTCP(bytes, port: port)
                done.resume()
            }
            .start()
        }
        await daemon.expect(within: 90) { try await daemon.source("net_tcp")["stored"] as? Int == count }
        let tcp = try await daemon.source("net_tcp")
        #expect(tcp["received"] as? Int == count)
        #expect(tcp["dropped"] as? Int == 0)
        #expect(await daemon.stop(SIGTERM) == 0)
        let stored = try daemon.storedLines()
        #expect(stored.count == count)
        #expect(Set(stored).count == count)
    }

    static func sendUDP(_ bytes: [UInt8], port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(descriptor) }
        var address = Self.loopback(port)
        _ = bytes.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }

    static func sendTCP(_ bytes: [UInt8], port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = Self.loopback(port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return }
        _ = bytes.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        shutdown(descriptor, Int32(SHUT_WR))
        var buffer = [UInt8](repeating: 0, count: 256)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        _ = recv(descriptor, &buffer, buffer.count, 0)
    }

    static func loopback(_ port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }
}
