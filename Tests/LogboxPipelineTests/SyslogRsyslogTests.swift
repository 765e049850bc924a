import Foundation
import LogboxCore
import LogboxPipeline
import LogboxTestSupport
import Testing

/// rsyslog (Debian's package; CI installs it) tails a file with imfile and forwards every line to
/// the inputs: TCP with octet-counted framing in RFC 5424, and UDP in its traditional format.
@Suite("Syslog inputs fed by rsyslog")
struct SyslogRsyslogTests {
    typealias Support = SyslogTestSupport
    static let rsyslogd = "/usr/sbin/rsyslogd"

    @Test(
        "every line of a file forwarded by rsyslog arrives once over TCP and UDP, and parses",
        .enabled(if: FileManager.default.isExecutableFile(atPath: SyslogRsyslogTests.rsyslogd))
    )
    func forwardsFile() async throws {
        let tcp = try await SyslogTCPInput.start(SyslogTCPOptions(name: "rsyslog-tcp"))
        let udp = try await SyslogUDPInput.start(SyslogUDPOptions(name: "rsyslog-udp"))
        let directory = TemporaryDirectory(prefix: "logbox-rsyslog")
        defer { directory.remove() }
        let count = 500
        let lines = (0..<count).map { "rsyslog line \($0) user=alice status=ok" }
        let source = directory.write("input.log", lines.joined(separator: "\n") + "\n")
        let work = directory.path + "/work"
        mkdir(work, 0o755)
        let config = directory.write(
            "rsyslog.conf",
            """
            global(workDirectory="\(work)")
            module(load="imfile")
            input(type="imfile" file="\(source)" tag="rstest:" ruleset="forward")
            ruleset(name="forward") {
                action(type="omfwd" target="127.0.0.1" port="\(tcp.localPort)" protocol="tcp"
                       TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
                action(type="omfwd" target="127.0.0.1" port="\(udp.localPort)" protocol="udp"
                       template="RSYSLOG_ForwardFormat")
            }

            """
        )
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.rsyslogd)
        process.arguments = ["-n", "-f", config, "-i", directory.path + "/rsyslogd.pid"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()

        async let overTCP = Support.drain(tcp.batches, count: count, timeout: .seconds(30), settle: .milliseconds(500))
        async let overUDP = Support.drain(udp.batches, count: count, timeout: .seconds(30), settle: .milliseconds(500))
        let (byTCP, byUDP) = await (overTCP, overUDP)
        // SIGKILL: the test process blocks SIGTERM in its threads and a spawned child inherits
        // that mask, so rsyslogd would never see a SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        await OffPool.exit(of: process)
        await tcp.shutdown()
        await udp.shutdown()

        for received in [byTCP, byUDP] {
            #expect(received.count == count)
            #expect(received.allSatisfy { $0.peer.addressText == "127.0.0.1" })
            let parsed = try Support.parseSyslog(received)
            #expect(parsed.allSatisfy { $0.issue == nil && $0.program == "rstest" })
            #expect(parsed.map(\.message) == lines)
        }
        #expect(tcp.statistics.framingErrors == 0)
        #expect(udp.statistics.droppedQueueFull == 0)
    }
}
