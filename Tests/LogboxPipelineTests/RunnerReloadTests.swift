import Testing

@testable import LogboxPipeline

@Suite("Runner reload: which sources restart")
struct RunnerReloadTests {
    static func source(_ yaml: String) throws -> SourceConfig {
        let config = try PipelineConfigLoader.parse(yaml: yaml, file: "test.yaml", environment: [:])
        return try #require(config.sources.first)
    }

    static let file = """
        sources:
          - name: app
            type: file
            paths: [/var/log/app/*.log]
            start_at: beginning
            multiline:
              start_pattern: '^\\d{4}-'
        """

    @Test("the same source read twice keeps running; a changed setting or parser restarts it")
    func fingerprints() throws {
        let first = try Self.source(Self.file)
        let again = try Self.source(Self.file)
        #expect(InputHandle.fingerprint(first) == InputHandle.fingerprint(again))
        let longer = try Self.source(Self.file + "\n    max_line_length: 1KiB\n")
        #expect(InputHandle.fingerprint(first) != InputHandle.fingerprint(longer))
        let parser = try Self.source(Self.file + "\n    parser: json\n")
        #expect(InputHandle.fingerprint(first) != InputHandle.fingerprint(parser))
        let udp = "sources:\n  - name: u\n    type: syslog_udp\n    listen: 127.0.0.1:5514\n"
        #expect(try InputHandle.fingerprint(Self.source(udp)) == InputHandle.fingerprint(Self.source(udp)))
        let moved = "sources:\n  - name: u\n    type: syslog_udp\n    listen: 127.0.0.1:5515\n"
        #expect(try InputHandle.fingerprint(Self.source(udp)) != InputHandle.fingerprint(Self.source(moved)))
    }
}
