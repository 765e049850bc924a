import LogboxPipeline
import LogboxTestSupport
import Testing

/// Loads `yaml` as `Pipelines/x.yaml`; the issues' descriptions when it is rejected.
private func issues(_ yaml: String, environment: [String: String] = [:]) -> [String] {
    do {
        _ = try PipelineConfigLoader.parse(yaml: yaml, file: "Pipelines/x.yaml", environment: environment)
        return []
    } catch {
        return error.issues.map(\.description)
    }
}

private func load(_ yaml: String, environment: [String: String] = [:]) throws -> PipelineConfig {
    try PipelineConfigLoader.parse(yaml: yaml, file: "Pipelines/x.yaml", environment: environment)
}

@Suite("Pipeline config: errors")
struct PipelineConfigErrorTests {
    @Test(
        "each kind of mistake is reported with file:line, key path and message",
        arguments: [
            (
                "sources:\n  - type: syslog_udp\n  - type: syslog_tcp\n    listen: 0.0.0.0:99999\n",
                "Pipelines/x.yaml:4: sources[1].listen: port 99999 is out of range"
            ),
            ("log_levle: info\n", "Pipelines/x.yaml:1: log_levle: unknown key 'log_levle'; did you mean 'log_level'?"),
            (
                "sources:\n  - type: file\n    paths: [a.log]\n    strat_at: end\n",
                "Pipelines/x.yaml:4: sources[0].strat_at: unknown key 'strat_at'; did you mean 'start_at'?"
            ),
            (
                "store:\n  flush_interval: [1, 2]\n",
                "Pipelines/x.yaml:2: store.flush_interval: expected a string, found a list"
            ),
            (
                "store:\n  merge_factor: many\n",
                "Pipelines/x.yaml:2: store.merge_factor: expected a whole number, found 'many'"
            ),
            (
                "store:\n  retention:\n    max_age: 7x\n",
                "Pipelines/x.yaml:3: store.retention.max_age: unknown unit 'x' in duration '7x'; units: ms, s, m, h, d, w"
            ),
            (
                "sources:\n  - type: syslog_tcp\n    idle_timeout: 30\n",
                "Pipelines/x.yaml:3: sources[0].idle_timeout: duration '30' needs a unit (ms, s, m, h, d, w)"
            ),
            (
                "sources:\n  - type: syslog_udp\n    receive_buffer: 64KB!\n",
                "Pipelines/x.yaml:3: sources[0].receive_buffer: unknown unit 'KB!' in size '64KB!'; units: B, KB, MB, GB, KiB, MiB, GiB"
            ),
            (
                "sources:\n  - type: file\n    paths:\n      - /var/log/[ab.log\n",
                "Pipelines/x.yaml:4: sources[0].paths[0]: unclosed '[' in path pattern '/var/log/[ab.log'"
            ),
            (
                "sources:\n  - type: file\n    paths: [a.log]\n    multiline:\n      start_pattern: '^(\\d+'\n",
                "Pipelines/x.yaml:5: sources[0].multiline.start_pattern: bad regex: column 6: missing closing parenthesis"
            ),
            (
                "sources:\n  - type: stdin\n    parser: jsn\n",
                "Pipelines/x.yaml:3: sources[0].parser: unknown parser 'jsn'; did you mean 'json'?"
            ),
            (
                "sources:\n  - type: stdin\n  - type: stdin\n",
                "Pipelines/x.yaml:3: sources[1].name: duplicate source name 'stdin' (also sources[0] at line 2); give each source its own name"
            ),
            (
                "sources:\n  - type: syslog_udp\n    allow: [10.0.0.0/33]\n",
                "Pipelines/x.yaml:3: sources[0].allow[0]: prefix length '33' of '10.0.0.0/33' must be 0...32"
            ),
            (
                "enrich:\n  - type: drop\n    when: 'level:(error'\n",
                "Pipelines/x.yaml:3: enrich[0].when: bad filter: column 13: expected ')' to close '(' at column 7"
            ),
            (
                "enrich:\n  - type: parse\n    pattern: '%{NOPE:x}'\n",
                "Pipelines/x.yaml:3: enrich[0].pattern: pattern: column 1: unknown grok block 'NOPE'"
            ),
            (
                "enrich:\n  - type: classify_ip\n    field: src_ip\n    networks:\n      300.0.0.0/8: odd\n",
                "Pipelines/x.yaml:5: enrich[0].networks.300.0.0.0/8: '300.0.0.0/8' is not an IP network (write 10.0.0.0/8 or 2001:db8::/32)"
            ),
            (
                "enrich:\n  - type: renam\n",
                "Pipelines/x.yaml:2: enrich[0].type: unknown step type 'renam'; did you mean 'rename'?"
            ),
            (
                "data_dir: ${LOGBOX_TEST_UNSET}/data\n",
                "Pipelines/x.yaml:1: data_dir: environment variable LOGBOX_TEST_UNSET is not set (write ${LOGBOX_TEST_UNSET:-default} to give a default)"
            ),
            (
                "sources: [1, 2\nstore: {}\n",
                "Pipelines/x.yaml:2: YAML syntax: did not find expected ',' or ']' (while parsing a flow sequence at line 1)"
            ),
        ]
    )
    func mistake(yaml: String, expected: String) {
        #expect(issues(yaml) == [expected])
    }

    @Test("every mistake of a file is reported, in line order")
    func allOfThem() {
        let yaml = """
            data_dir: ./d
            sources:
              - type: syslog_udp
                listen: 127.0.0.1:70000
              - type: file
                paths: ["*.log"]
                start_at: middle
            enrich:
              - type: sample
                rate: 0
            store:
              merge_factor: 1
            """
        let found = issues(yaml)
        #expect(found.count == 4)
        #expect(
            found.map { $0.split(separator: ":").prefix(2).joined(separator: ":") } == [
                "Pipelines/x.yaml:4", "Pipelines/x.yaml:7", "Pipelines/x.yaml:10", "Pipelines/x.yaml:12",
            ]
        )
    }

    @Test("a step naming an unknown source gets a suggestion")
    func unknownSource() {
        let yaml = "sources:\n  - type: stdin\n    name: app\nenrich:\n  - type: level\n    sources: [ap]\n"
        #expect(
            issues(yaml) == ["Pipelines/x.yaml:6: enrich[0].sources[0]: no source is named 'ap'; did you mean 'app'?"]
        )
    }

    @Test("a file that cannot be read is one issue naming it")
    func unreadable() {
        #expect(throws: PipelineConfigError.self) { try PipelineConfigLoader.load(path: "/nonexistent/x.yaml") }
    }

    @Test("a bad environment override names the variable")
    func badEnvironment() {
        #expect(
            issues("", environment: ["LOGBOX_LOG_LEVEL": "loud"]) == [
                "environment: LOGBOX_LOG_LEVEL: unknown log level 'loud'; expected one of: trace, debug, info, notice, warning, error, critical"
            ]
        )
    }
}

@Suite("Pipeline config: values and defaults")
struct PipelineConfigValueTests {
    @Test("an empty file is a valid pipeline with every default")
    func defaults() throws {
        let config = try load("")
        #expect(config.dataDirectory == "data")
        #expect(config.logLevel == .info)
        #expect(config.sources.isEmpty)
        #expect(config.sinks.count == 1)
        #expect(config.sinks[0].kind == .store)
        #expect(config.store.flushInterval == .seconds(1))
        #expect(config.store.mergeFactor == 4)
        #expect(config.store.retentionMaxAge == .seconds(30 * 86_400))
        #expect(config.store.retentionMaxBytes == nil)
    }

    @Test("sources get defaults: names, loopback listeners, parsers")
    func sourceDefaults() throws {
        let config = try load(
            """
            sources:
              - type: file
                paths: /var/log/*.log
              - type: syslog_udp
              - type: syslog_tcp
                listen: ":6514"
              - type: stdin
            """
        )
        #expect(config.sources.map(\.name) == ["/var/log/*.log", "syslog_udp", "syslog_tcp", "stdin"])
        #expect(config.sources.map(\.parser.name) == ["auto", "syslog", "syslog", "auto"])
        guard case .file(let file) = config.sources[0].kind else {
            Issue.record("not a file source")
            return
        }
        #expect(file.startAt == .end)
        #expect(file.maxLineLength == 65_536)
        guard case .syslogUDP(let udp) = config.sources[1].kind, case .syslogTCP(let tcp) = config.sources[2].kind
        else {
            Issue.record("not syslog sources")
            return
        }
        #expect(udp.listen == ListenAddress(host: "127.0.0.1", port: 5514))
        #expect(tcp.listen == ListenAddress(host: "127.0.0.1", port: 6514))
        #expect(tcp.framing == .auto)
        #expect(tcp.idleTimeout == .seconds(300))
    }

    @Test(
        "durations and sizes",
        arguments: [("500ms", 0.5), ("1s", 1), ("1h30m", 5400), ("7d", 604_800), ("2w", 1_209_600)]
    )
    func durations(text: String, seconds: Double) throws {
        guard case .success(let value) = ConfigValues.duration(text) else {
            Issue.record("\(text) did not parse")
            return
        }
        #expect(value == .milliseconds(Int64(seconds * 1000)))
    }

    @Test(
        "sizes",
        arguments: [
            ("64KiB", 65_536), ("10MB", 10_000_000), ("2GiB", 2_147_483_648), ("4096", 4096), ("1 MiB", 1_048_576),
        ]
    )
    func sizes(text: String, bytes: Int64) {
        guard case .success(let value) = ConfigValues.size(text) else {
            Issue.record("\(text) did not parse")
            return
        }
        #expect(value == bytes)
    }

    @Test("${VAR} expansion, defaults, $$ and regex anchors")
    func expansion() throws {
        let environment = ["APP_DIR": "/srv/app", "EMPTY": ""]
        func expand(_ text: String) -> String? {
            if case .success(let value) = EnvironmentExpansion.expand(text, environment: environment) { return value }
            return nil
        }
        #expect(expand("${APP_DIR}/logs/*.log") == "/srv/app/logs/*.log")
        #expect(expand("${MISSING:-/tmp}/x") == "/tmp/x")
        #expect(expand("${EMPTY:-fallback}") == "fallback")
        #expect(expand("cost: $$5") == "cost: $5")
        #expect(expand("^end$") == "^end$")
        #expect(expand("${MISSING}") == nil)
        #expect(expand("${HOSTNAME}") == EnvironmentExpansion.hostName)
    }

    @Test("environment overrides beat the file")
    func environmentOverrides() throws {
        let yaml = "data_dir: ./from-file\nlog_level: info\nstore:\n  retention:\n    max_age: 7d\n"
        let config = try load(
            yaml,
            environment: [
                "LOGBOX_DATA_DIR": "/var/lib/logbox", "LOGBOX_LOG_LEVEL": "DEBUG",
                "LOGBOX_RETENTION_MAX_AGE": "none", "LOGBOX_RETENTION_MAX_BYTES": "20GiB",
            ]
        )
        #expect(config.dataDirectory == "/var/lib/logbox")
        #expect(config.logLevel == .debug)
        #expect(config.store.retentionMaxAge == nil)
        #expect(config.store.retentionMaxBytes == 20 << 30)
        #expect(config.environmentOverrides.count == 4)
        #expect(try load(yaml).dataDirectory == "./from-file")
    }

    @Test("sinks with routes, metrics and alerts reserved")
    func sinksAndReserved() throws {
        let config = try load(
            """
            sources:
              - type: stdin
                name: app
            sinks:
              - type: store
              - type: file
                path: /tmp/errors.jsonl
                when: 'level:(error OR critical)'
                sources: [app]
              - type: stdout
            metrics:
              listen: 127.0.0.1:9100
            alerts: {}
            """
        )
        #expect(config.sinks.map(\.name) == ["store", "/tmp/errors.jsonl", "stdout"])
        #expect(config.sinks[1].kind == .file(path: "/tmp/errors.jsonl"))
        #expect(config.sinks[1].when?.text == "level:(error OR critical)")
        #expect(config.sinks[1].sources == ["app"])
        #expect(config.reservedSections == ["metrics", "alerts"])
    }

    @Test("IPv6 listen addresses and networks")
    func ipv6() throws {
        let config = try load(
            "sources:\n  - type: syslog_tcp\n    listen: '[::1]:5514'\n    allow: [fd00::/8, 10.0.0.0/8]\n"
        )
        guard case .syslogTCP(let tcp) = config.sources[0].kind else {
            Issue.record("not TCP")
            return
        }
        #expect(tcp.listen.description == "[::1]:5514")
        #expect(tcp.allow.count == 2)
        #expect(tcp.allow[0].contains(IPAddress("fd12::1")!))
        #expect(!tcp.allow[1].contains(IPAddress("11.0.0.1")!))
    }

    @Test("the file source of a path: relative and absolute globs, exclusions, first match wins")
    func fileSourceMatching() throws {
        let config = try load(
            """
            sources:
              - {type: file, name: rotated, paths: [logs/*.gz], exclude: [logs/skip*]}
              - {type: file, name: logs, paths: [logs/*]}
              - {type: file, name: system, paths: [/var/log/**/*.log]}
            """
        )
        func source(_ path: String) -> String? {
            config.fileSource(matching: path, workingDirectory: "/srv/app")?.name
        }
        #expect(source("logs/a.gz") == "rotated")
        #expect(source("/srv/app/logs/a.gz") == "rotated")
        #expect(source("./logs/skip.gz") == "logs")
        #expect(source("logs/app.log") == "logs")
        #expect(source("/var/log/nginx/access.log") == "system")
        #expect(source("/elsewhere/logs/a.log") == nil)
        #expect(source("other/a.log") == nil)
    }

    @Test("globs match paths component by component")
    func globs() throws {
        let glob = try GlobPattern("Samples/*.log")
        #expect(glob.matches("Samples/auth.log"))
        #expect(glob.matches("./Samples/auth.log"))
        #expect(!glob.matches("Samples/app.jsonl"))
        #expect(!glob.matches("Samples/sub/auth.log"))
        let deep = try GlobPattern("/var/log/**/*.[lg][oz]*")
        #expect(deep.matches("/var/log/nginx/access.log"))
        #expect(deep.matches("/var/log/a.gz"))
        #expect(deep.baseDirectory == "/var/log")
        #expect(throws: ConfigValues.ValueError.self) { try GlobPattern("logs/**") }
    }
}

@Suite("Pipelines/default.yaml")
struct DefaultPipelineTests {
    @Test("validates with no edits and describes the product's example")
    func validates() throws {
        let root = Fixtures.packageRoot()
        let config = try PipelineConfigLoader.load(
            path: "\(root)/Pipelines/default.yaml",
            environment: [:],
            workingDirectory: root
        )
        #expect(config.dataDirectory == "./data")
        #expect(config.sources.map(\.name) == ["samples", "app_json", "app_logfmt", "syslog_udp", "syslog_tcp"])
        for source in config.sources {
            if case .file(let file) = source.kind { #expect(file.startAt == .beginning) }
            if case .syslogUDP(let udp) = source.kind {
                #expect(udp.listen == ListenAddress(host: "127.0.0.1", port: 5514))
            }
            if case .syslogTCP(let tcp) = source.kind {
                #expect(tcp.listen == ListenAddress(host: "127.0.0.1", port: 5514))
            }
        }
        #expect(
            config.enrich.map(\.kind.typeName) == ["add", "level", "parse", "parse", "lookup", "classify_ip", "redact"]
        )
        // Building the chain compiles every pattern and filter and reads the lookup table.
        _ = try EnrichChain(config: config, referenceTime: 0)
        _ = try Router(config: config)
    }
}
