import Foundation
import LogboxCore
import LogboxPipeline
import LogboxTestSupport
import Testing

@Suite("Syslog UDP input")
struct SyslogUDPTests {
    typealias Support = SyslogTestSupport

    @Test(
        "logger sends RFC 3164 and RFC 5424 datagrams: each arrives once, with its peer, and parses",
        .enabled(if: SyslogTestSupport.hasLogger),
        arguments: ["--rfc3164", "--rfc5424"]
    )
    func logger(format: String) async throws {
        let input = try await SyslogUDPInput.start(SyslogUDPOptions(name: "udp-logger"))
        let directory = TemporaryDirectory(prefix: "logbox-syslog-udp")
        defer { directory.remove() }
        let count = 50
        let lines = (0..<count).map { "udp \(format) line \($0) with ünïcode" }
        let file = directory.write("lines.txt", lines.joined(separator: "\n") + "\n")
        let status = try await Support.logger([
            format, "-d", "-n", "127.0.0.1", "-P", String(input.localPort), "-t", "udptest", "-p", "user.warning",
            "-f", file,
        ])
        #expect(status == 0)
        let received = await Support.drain(input.batches, count: count)
        await input.shutdown()

        #expect(received.count == count)
        #expect(received.allSatisfy { $0.peer.addressText == "127.0.0.1" && $0.lineNumber == 0 })
        #expect(received.allSatisfy { $0.source == "udp-logger" })
        let parsed = try Support.parseSyslog(received)
        #expect(parsed.allSatisfy { $0.issue == nil && $0.program == "udptest" && $0.severity == 4 })
        // Datagrams on loopback keep their order; compare as sets anyway, as UDP promises none.
        #expect(Set(parsed.compactMap(\.message)) == Set(lines))
        #expect(input.statistics.received == count)
        #expect(input.statistics.droppedQueueFull == 0)
    }

    @Test("binds an ephemeral port and reports the receive buffer the kernel granted")
    func bindAndBuffer() async throws {
        var options = SyslogUDPOptions(name: "udp")
        options.receiveBuffer = 8 << 20
        let input = try await SyslogUDPInput.start(options)
        #expect(input.localPort > 0)
        #expect((input.receiveBuffer ?? 0) > 0)
        await input.shutdown()
        // The consumer sees the end once the input is shut down.
        #expect(await input.batches.next() == nil)
    }

    @Test("one message per datagram, a trailing newline or NUL stripped, long datagrams cut and counted")
    func datagrams() async throws {
        var options = SyslogUDPOptions(name: "udp")
        options.maxMessageSize = 100
        let input = try await SyslogUDPInput.start(options)
        let fd = Support.udpSocket()
        defer { close(fd) }
        let long = [UInt8]("<13>Nov 29 10:00:00 h p: ".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: 1000)
        Support.sendDatagram(fd, port: input.localPort, Array("<13>Nov 29 10:00:00 h p: one\n".utf8))
        Support.sendDatagram(fd, port: input.localPort, Array("<13>Nov 29 10:00:00 h p: two\0".utf8))
        Support.sendDatagram(fd, port: input.localPort, Array("<13>Nov 29 10:00:00 h p: three\nstill three".utf8))
        Support.sendDatagram(fd, port: input.localPort, long)
        let received = await Support.drain(input.batches, count: 4)
        await input.shutdown()
        #expect(
            received.map(\.text).prefix(3) == [
                "<13>Nov 29 10:00:00 h p: one", "<13>Nov 29 10:00:00 h p: two",
                "<13>Nov 29 10:00:00 h p: three\nstill three",
            ]
        )
        #expect(received.count == 4)
        #expect(received.last?.bytes == Array(long.prefix(100)))
        #expect(received.last?.truncatedBytes == Int64(long.count - 100))
        #expect(received.allSatisfy { $0.peer.port == Support.localPort(fd) })
        #expect(input.statistics.truncated == 1)
    }

    @Test("senders outside the allowlist are dropped and counted")
    func allowlist() async throws {
        var options = SyslogUDPOptions(name: "udp")
        options.allow = try SyslogAllowlist(["10.0.0.0/8", "2001:db8::/32"])
        let refusing = try await SyslogUDPInput.start(options)
        options.allow = try SyslogAllowlist(["192.168.0.0/16", "127.0.0.0/8"])
        let accepting = try await SyslogUDPInput.start(options)
        let fd = Support.udpSocket()
        defer { close(fd) }
        for i in 0..<20 {
            Support.sendDatagram(fd, port: refusing.localPort, Array("<13>Nov 29 10:00:00 h p: \(i)".utf8))
            Support.sendDatagram(fd, port: accepting.localPort, Array("<13>Nov 29 10:00:00 h p: \(i)".utf8))
        }
        let accepted = await Support.drain(accepting.batches, count: 20)
        #expect(await Support.eventually { refusing.statistics.droppedNotAllowed == 20 })
        #expect(refusing.batches.tryNext() == nil)
        #expect(refusing.statistics.received == 0)
        #expect(accepted.count == 20)
        #expect(accepting.statistics.droppedNotAllowed == 0)
        await refusing.shutdown()
        await accepting.shutdown()
    }

    @Test("CIDR blocks of both families match by prefix")
    func cidr() throws {
        let list = try SyslogAllowlist(["10.1.0.0/16", "2001:db8::/32", "192.0.2.7"])
        #expect(list.allows(SyslogPeer(ipv4: 0x0A01_FF01, port: 1)))
        #expect(!list.allows(SyslogPeer(ipv4: 0x0A02_0001, port: 1)))
        #expect(list.allows(SyslogPeer(ipv4: 0xC000_0207, port: 1)))
        #expect(!list.allows(SyslogPeer(ipv4: 0xC000_0208, port: 1)))
        #expect(list.allows(SyslogPeer(high: 0x2001_0DB8_0000_0001, low: 7, port: 1)))
        #expect(!list.allows(SyslogPeer(high: 0x2001_0DB9_0000_0000, low: 7, port: 1)))
        #expect(SyslogAllowlist.everyone.allows(SyslogPeer(ipv4: 1, port: 1)))
        #expect(SyslogPeer(high: 0x2001_0DB8_0000_0000, low: 7, port: 514).description == "[2001:db8::7]:514")
        #expect(throws: SyslogAllowlistError.self) { try SyslogAllowlist(["10.0.0.0/33"]) }
        #expect(throws: SyslogAllowlistError.self) { try SyslogAllowlist(["example.com"]) }
    }

    @Test("a full queue drops datagrams and counts them; the receiver keeps serving")
    func queueFull() async throws {
        var options = SyslogUDPOptions(name: "udp")
        options.queue = SyslogBatchQueue.Limits(maxMessages: 10)
        let input = try await SyslogUDPInput.start(options)
        let fd = Support.udpSocket()
        defer { close(fd) }
        for i in 0..<100 {
            Support.sendDatagram(fd, port: input.localPort, Array("<13>Nov 29 10:00:00 h p: burst \(i)".utf8))
        }
        #expect(await Support.eventually { input.statistics.received + input.statistics.droppedQueueFull == 100 })
        #expect(input.statistics.received == 10)
        #expect(input.statistics.droppedQueueFull == 90)
        let first = await Support.drain(input.batches, count: 10)
        #expect(first.map(\.text) == (0..<10).map { "<13>Nov 29 10:00:00 h p: burst \($0)" })

        Support.sendDatagram(fd, port: input.localPort, Array("<13>Nov 29 10:00:00 h p: after".utf8))
        let after = await Support.drain(input.batches, count: 1)
        #expect(after.map(\.text) == ["<13>Nov 29 10:00:00 h p: after"])
        #expect(input.statistics.droppedQueueFull == 90)
        await input.shutdown()
    }

    @Test("a port out of range is refused with the input's name")
    func badPort() async {
        await #expect(throws: SyslogInputError.self) {
            _ = try await SyslogUDPInput.start(SyslogUDPOptions(name: "udp-bad", port: 70_000))
        }
    }
}
