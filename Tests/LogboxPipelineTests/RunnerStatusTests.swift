import Testing

@testable import LogboxPipeline

@Suite("Runner status report")
struct RunnerStatusTests {
    @Test("the JSON report reads back as written, escapes included")
    func roundTrip() throws {
        var status = RunnerStatus()
        status.pid = 42
        status.config = "Pipelines/default.yaml"
        status.dataDirectory = "/tmp/data \"quoted\""
        status.uptimeSeconds = 12.5
        var file = SourceStatus(name: "samples", type: "file")
        file.received = 10
        file.parsed = 9
        file.failed = 1
        file.bytes = 1234
        file.lagBytes = 99
        file.openFiles = 2
        file.lastError = "a.log: cannot read:\tI/O error\nline two \u{1}"
        var udp = SourceStatus(name: "udp", type: "syslog_udp")
        udp.dropped = 7
        udp.pending = 3
        status.sources = [file, udp]
        status.store.events = 1000
        status.store.segments = 3
        status.store.unflushed = 12
        status.reloads = 1
        status.lastReloadError = "x.yaml:3: sources[0].type: unknown"
        let json = status.json()
        #expect(!json.contains("\n"))
        #expect(json.contains("\"lag_bytes\":99"))
        let decoded = try RunnerStatus.decode(json)
        #expect(decoded == status)
    }

    @Test("an empty report reads back as written")
    func emptyStatus() throws {
        let decoded = try RunnerStatus.decode(RunnerStatus().json())
        #expect(decoded == RunnerStatus())
    }
}
