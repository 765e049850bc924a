import LogboxCore
import LogboxParse
import LogboxPipeline
import LogboxTestSupport
import Testing

/// Parses `lines` with parser `name` into a batch, as a source would hand it to the enrich steps.
private func parsed(_ lines: [String], parser name: String = "auto") throws -> EventBatch {
    let context = ParseContext(referenceTime: 1_795_000_000_000_000_000)
    var driver = BatchParser(parser: try ParserRegistry.make(name, context: context))
    var batch = EventBatch()
    driver.parse(Fixtures.lineBatch(lines), into: &batch)
    return batch
}

/// The text of field `name` of `event`, or nil.
private func value(_ batch: EventBatch, _ event: Int, _ name: String) -> String? {
    var names = batch.names
    let id = names.intern(name)
    return batch.field(id, of: event).map { batch.string($0) }
}

/// Every field of `event` as text, and its line.
private func everything(_ batch: EventBatch, _ event: Int) -> String {
    var text = String(decoding: batch.lines.bytes[batch.lineSlot(of: event).range], as: UTF8.self)
    for field in batch.fields(of: event) { text += "\n\(batch.names.name(field.name))=\(batch.string(field))" }
    return text
}

private func config(_ yaml: String) throws -> PipelineConfig {
    try PipelineConfigLoader.parse(yaml: yaml, file: "test.yaml", environment: ["TEAM": "payments"])
}

private let sshdFailure =
    "Nov  1 00:00:02 web-02 sshd[25173]: Failed password for invalid user validator from 113.148.98.76 port 26418 ssh2"
private let sshdFailureRoot =
    "Nov  1 00:00:22 bastion-01 sshd[28163]: Failed password for root from 10.20.1.7 port 56450 ssh2"
private let sshdAccepted =
    "Nov  1 00:00:27 api-01 sshd[51772]: Accepted password for carol from 10.20.1.116 port 56671 ssh2"

@Suite("Enrich steps")
struct EnrichStepTests {
    @Test("add and set: static values, ${HOSTNAME}, environment, numbers typed")
    func assign() throws {
        var batch = try parsed([sshdFailure, #"{"msg":"hi","env":"dev"}"#])
        var chain = try EnrichChain(
            config: try config(
                """
                enrich:
                  - type: add
                    fields: {collector: "${HOSTNAME}", team: "${TEAM}", env: prod, shard: 7}
                  - type: set
                    fields: {program: renamed}
                """
            ),
            referenceTime: 0
        )
        chain.run(&batch, source: "test")
        #expect(value(batch, 0, "collector") == EnvironmentExpansion.hostName)
        #expect(value(batch, 0, "team") == "payments")
        #expect(value(batch, 0, "env") == "prod")
        #expect(value(batch, 1, "env") == "dev")  // add keeps what the event has
        #expect(value(batch, 0, "program") == "renamed")  // set replaces
        var names = batch.names
        #expect(batch.field(names.intern("shard"), of: 0)?.number == 7)
        // The line is untouched.
        #expect(String(decoding: batch.lines.bytes[batch.lineSlot(of: 0).range], as: UTF8.self) == sshdFailure)
    }

    @Test("rename, drop_fields and keep_fields")
    func fields() throws {
        var batch = try parsed([sshdFailure, sshdAccepted])
        var chain = try EnrichChain(
            config: try config(
                """
                enrich:
                  - type: rename
                    fields: {program: app, pid: process}
                  - type: drop_fields
                    fields: [process]
                  - type: keep_fields
                    fields: [app, host, message]
                """
            ),
            referenceTime: 0
        )
        chain.run(&batch, source: "test")
        for event in 0..<2 {
            #expect(value(batch, event, "app") == "sshd")
            #expect(value(batch, event, "program") == nil)
            #expect(value(batch, event, "process") == nil)
            #expect(value(batch, event, "pid") == nil)
            #expect(value(batch, event, "facility") == nil)
            #expect(batch.fields(of: event).count == 3)
        }
        #expect(value(batch, 1, "host") == "api-01")
    }

    @Test(
        "level: from syslog severity numbers and level words",
        arguments: [
            ("<11>1 2026-11-01T00:00:00Z h app - - - boom", "error"),
            ("<12>Oct 11 22:14:15 h app: careful", "warning"),
            ("<8>Oct 11 22:14:15 h app: down", "emergency"),
            (#"{"msg":"x","lvl":"WARN"}"#, "warning"),
            ("ts=2026-11-01T00:00:00Z severity=E msg=x", "error"),
            ("ts=2026-11-01T00:00:00Z loglevel=fatal msg=x", "critical"),
            (#"{"msg":"x","severity_text":"panic"}"#, "emergency"),
        ]
    )
    func level(line: String, expected: String) throws {
        var batch = try parsed([line])
        var step = LevelStep(name: "level")
        step.apply(to: &batch, selection: .all)
        #expect(value(batch, 0, "level") == expected)
        #expect(batch.field(.level, of: 0)?.kind == .level)
    }

    @Test("parse: a pattern over sshd messages extracts user and src_ip; others are untouched")
    func sshdPattern() throws {
        var batch = try parsed([sshdFailure, sshdFailureRoot, sshdAccepted])
        let config = ParseFieldConfig(
            parser: ParserConfig(
                name: "pattern",
                pattern: "Failed password for (?:invalid user )?%{USERNAME:user} from %{IP:src_ip} port %{INT:src_port}"
            )
        )
        var step = try ParseFieldStep(name: "sshd", config: config, referenceTime: 0)
        step.apply(to: &batch, selection: .all)
        #expect(value(batch, 0, "user") == "validator")
        #expect(value(batch, 0, "src_ip") == "113.148.98.76")
        #expect(value(batch, 0, "src_port") == "26418")
        #expect(value(batch, 1, "user") == "root")
        #expect(value(batch, 1, "src_ip") == "10.20.1.7")
        #expect(value(batch, 2, "user") == nil)
        #expect(value(batch, 2, "message")?.hasPrefix("Accepted password") == true)
        #expect(value(batch, 0, "program") == "sshd")
        #expect(step.parsed == 2)
        #expect(step.failed == 1)
    }

    @Test("parse: JSON inside a syslog message, with a prefix, escapes decoded first")
    func jsonInSyslog() throws {
        var batch = try parsed([
            #"<14>1 2026-11-01T00:00:00Z web app 1 - - {"user":"ann","status":503,"path":"/a\"b"}"#,
            #"{"msg":"{\"inner\":\"x\\\"y\",\"n\":2}"}"#,
            "<14>1 2026-11-01T00:00:00Z web app 1 - - not json",
        ])
        var step = try ParseFieldStep(
            name: "json",
            config: ParseFieldConfig(parser: ParserConfig(name: "json"), prefix: "json."),
            referenceTime: 0
        )
        step.apply(to: &batch, selection: .all)
        #expect(value(batch, 0, "json.user") == "ann")
        #expect(value(batch, 0, "json.path") == #"/a"b"#)
        var names = batch.names
        #expect(batch.field(names.intern("json.status"), of: 0)?.number == 503)
        // The message of a JSON line was a string with escapes: decoded into the arena, then parsed.
        #expect(value(batch, 1, "json.inner") == #"x"y"#)
        #expect(value(batch, 1, "json.n") == "2")
        #expect(value(batch, 2, "json.user") == nil)
        #expect(step.failed == 1)
    }

    @Test("lookup: CSV key column to fields")
    func lookup() throws {
        let csv = "ip,owner,\"note, quoted\"\n10.0.0.2,platform,\"k8s \"\"probe\"\"\"\n198.51.100.164,unknown,crawler\n"
        guard case .success(let table) = LookupTable.parse(csv: Array(csv.utf8), keyColumn: "ip", columns: []) else {
            Issue.record("table did not parse")
            return
        }
        #expect(table.columns == ["owner", "note, quoted"])
        var batch = try parsed([
            #"10.0.0.2 - - [01/Nov/2026:00:00:00 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.31""#,
            #"203.0.113.9 - - [01/Nov/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 2 "-" "curl""#,
        ])
        var step = LookupStep(name: "owners", table: table, field: "client_ip", prefix: "client_")
        step.apply(to: &batch, selection: .all)
        #expect(value(batch, 0, "client_owner") == "platform")
        #expect(value(batch, 0, "client_note, quoted") == #"k8s "probe""#)
        #expect(value(batch, 1, "client_owner") == nil)
        #expect(step.hits == 1)
        #expect(step.misses == 1)
    }

    @Test(
        "classify_ip: classes for IPv4 and IPv6, user CIDR tags (most specific wins)",
        arguments: [
            ("127.0.0.1", "loopback", nil),
            ("10.1.2.3", "private", "office"),
            ("10.9.9.9", "private", "internal"),
            ("192.168.1.1", "private", nil),
            ("172.31.0.1", "private", nil),
            ("172.32.0.1", "public", nil),
            ("169.254.1.1", "link_local", nil),
            ("224.0.0.251", "multicast", nil),
            ("8.8.8.8", "public", nil),
            ("::1", "loopback", nil),
            ("fe80::1", "link_local", nil),
            ("fd00::1", "private", nil),
            ("ff02::1", "multicast", nil),
            ("2606:4700::1111", "public", "cloud"),
            ("::ffff:10.1.0.5", "private", "office"),
        ] as [(String, String, String?)]
    )
    func classify(address: String, expected: String, tag: String?) throws {
        var batch = try parsed(["src_ip=\(address) msg=x"], parser: "logfmt")
        var networks: [(network: IPNetwork, tag: String)] = []
        for (text, name) in [("10.0.0.0/8", "internal"), ("10.1.0.0/16", "office"), ("2606:4700::/32", "cloud")] {
            if case .success(let network) = IPNetwork.parse(text) { networks.append((network, name)) }
        }
        var config = ClassifyIPConfig(fields: ["src_ip"])
        config.networks = networks
        var step = ClassifyIPStep(name: "ip", config: config)
        step.apply(to: &batch, selection: .all)
        #expect(value(batch, 0, "src_ip_class") == expected)
        #expect(value(batch, 0, "src_ip_tag") == tag)
    }

    @Test("drop by filter and the per-source selection")
    func dropAndSources() throws {
        var batch = try parsed([sshdFailure, sshdAccepted, sshdFailureRoot])
        var chain = try EnrichChain(
            config: try config(
                """
                sources:
                  - {type: stdin, name: auth}
                  - {type: syslog_udp, name: other}
                enrich:
                  - type: add
                    sources: [other]
                    fields: {seen_by_other: yes}
                  - type: drop
                    when: '"Accepted password"'
                """
            ),
            referenceTime: 0
        )
        chain.run(&batch, source: "auth")
        #expect(batch.count == 2)
        #expect(value(batch, 0, "seen_by_other") == nil)
        #expect(value(batch, 1, "host") == "bastion-01")
        #expect(chain.droppedEvents == 1)
    }

    @Test("sample keeps 1 in N by the line's hash: the same events every run, about 1/N of them")
    func sampleDeterminism() throws {
        let lines = (0..<2000).map { "ts=2026-11-01T00:00:00Z level=debug n=\($0) msg=tick" }
        func keptLines() throws -> [String] {
            var batch = try parsed(lines, parser: "logfmt")
            var step = SampleStep(name: "sample", rate: 10)
            step.apply(to: &batch, selection: .all)
            return (0..<batch.count).map {
                String(decoding: batch.lines.bytes[batch.lineSlot(of: $0).range], as: UTF8.self)
            }
        }
        let first = try keptLines()
        #expect(first == (try keptLines()))
        #expect(first.count > 120 && first.count < 280)
        // Which lines are kept does not depend on their neighbours.
        var single = try parsed([first[0]], parser: "logfmt")
        var step = SampleStep(name: "sample", rate: 10)
        step.apply(to: &single, selection: .all)
        #expect(single.count == 1)
    }
}

@Suite("Redaction")
struct RedactStepTests {
    static let secrets: [(line: String, rule: String, secret: String)] = [
        (
            #"{"ts":"2026-11-01T00:36:41.792Z","level":"warn","msg":"s3 upload retried with access key AKIAQN09CVW8ZAE28LZV","user_id":"u_1"}"#,
            "aws_access_key", "AKIAQN09CVW8ZAE28LZV"
        ),
        (
            #"{"msg":"forwarding upstream request headers Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0BMZnrppDDoY.vEily9Nf4zOoWrw","level":"debug"}"#,
            "bearer_token", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0BMZnrppDDoY.vEily9Nf4zOoWrw"
        ),
        (
            #"{"msg":"billing client configured url=https:\/\/api.billing.example.com\/v2\/charges?api_key=829199245a5f84bf8309b40324358071"}"#,
            "secret_param", "829199245a5f84bf8309b40324358071"
        ),
        (
            "ts=2026-11-01T00:16:38.728Z level=debug msg=\"connecting\" user=billing password=Pg-R63lxJt6hoD5JcAyKn sslmode=require",
            "secret_param", "Pg-R63lxJt6hoD5JcAyKn"
        ),
        (
            "ts=2026-11-01T00:16:38.728Z msg=\"dsn postgres://billing:S3cr3tPass@db-01:5432/app\"",
            "url_password", "S3cr3tPass"
        ),
        (
            "<14>1 2026-11-01T00:00:00Z h app 1 - - loaded -----BEGIN RSA PRIVATE KEY-----MIIEowIBAAKCAQEA7x-----END RSA PRIVATE KEY----- ok",
            "private_key", "MIIEowIBAAKCAQEA7x"
        ),
    ]

    @Test("each built-in rule removes its secret from the line and every field, and counts it", arguments: 0..<6)
    func builtIn(index: Int) throws {
        let (line, rule, secret) = Self.secrets[index]
        var batch = try parsed([line])
        var step = try RedactStep(name: "redact", config: RedactConfig())
        step.apply(to: &batch, selection: .all)
        let text = everything(batch, 0)
        #expect(!text.contains(secret), "\(text)")
        #expect(text.contains("[REDACTED]"))
        #expect(step.countsByRule[rule] == 1)
        #expect(step.counts.reduce(0, +) == 1)
        // JSON output of the event (what stdout/file sinks and the store's readers show) is clean too.
        var writer = EventJSONWriter(includeRaw: true)
        var json: [UInt8] = []
        writer.write(event: 0, of: batch, into: &json)
        #expect(!String(decoding: json, as: UTF8.self).contains(secret))
    }

    @Test("several secrets in one line, extra patterns, values added by other steps")
    func severalAndExtra() throws {
        var batch = try parsed([
            "ts=2026-11-01T00:00:00Z msg=\"token=abc123def456 and secret=zzz999 card 4111-1111-1111-1111\" note=x"
        ])
        var add = AssignFieldsStep(name: "add", fields: [("copied", "api_key=QQQQQQQQ")], overwrite: false)
        add.apply(to: &batch, selection: .all)
        var config = RedactConfig()
        config.patterns = [("card", #"\b(\d{4}-\d{4}-\d{4}-\d{4})\b"#)]
        var step = try RedactStep(name: "redact", config: config)
        step.apply(to: &batch, selection: .all)
        let text = everything(batch, 0)
        for secret in ["abc123def456", "zzz999", "4111-1111-1111-1111", "QQQQQQQQ"] {
            #expect(!text.contains(secret), "\(text)")
        }
        #expect(step.countsByRule["secret_param"] == 3)
        #expect(step.countsByRule["card"] == 1)
        #expect(value(batch, 0, "note") == "x")
    }

    @Test("an event without a secret is left as it was")
    func clean() throws {
        var batch = try parsed([sshdAccepted])
        let before = everything(batch, 0)
        var step = try RedactStep(name: "redact", config: RedactConfig())
        step.apply(to: &batch, selection: .all)
        #expect(everything(batch, 0) == before)
        #expect(step.counts.allSatisfy { $0 == 0 })
    }
}
