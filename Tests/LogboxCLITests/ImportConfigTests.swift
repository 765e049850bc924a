import ArgumentParser
import LogboxStore
import LogboxTestSupport
import Testing

@testable import logbox

@Suite("logbox import --config")
struct ImportConfigTests {
    private func run(_ arguments: [String]) throws -> (status: Int32, errors: String) {
        let result = try runCaptured(["import"] + arguments)
        return (result.status, result.errors)
    }

    /// Every stored event as its line and its fields by name.
    private func stored(_ directory: String) throws -> [(line: String, fields: [String: String])] {
        let snapshot = try StoreSnapshot(directory: directory)
        var events: [(line: String, fields: [String: String])] = []
        for segment in snapshot.segments {
            try segment.docs.events(in: 0..<UInt32(segment.docCount)) { _, event in
                var fields: [String: String] = [:]
                for field in event.fields { fields[segment.meta.fieldNames[Int(field.name)]] = event.string(field) }
                fields["source"] = segment.meta.sources[Int(event.source)]
                events.append((String(decoding: event.line, as: UTF8.self), fields))
            }
        }
        return events
    }

    static let authLog = """
        Nov  1 00:00:02 web-02 sshd[25173]: Failed password for invalid user validator from 113.148.98.76 port 26418 ssh2
        Nov  1 00:00:27 api-01 sshd[51772]: Accepted password for carol from 10.20.1.116 port 56671 ssh2
        Nov  1 00:01:00 web-01 CRON[53145]: pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)
        Nov  1 00:01:18 db-01 backup[77]: pushing to s3 with AKIAQN09CVW8ZAE28LZV password=hunter2hunter2

        """

    private func pipeline(_ directory: TemporaryDirectory) -> String {
        directory.write(
            "p.yaml",
            """
            data_dir: \(directory.path)/pipeline-data
            sources:
              - name: auth
                type: file
                paths: [\(directory.path)/*.log]
                parser: rfc3164
            enrich:
              - type: add
                fields: {env: test}
              - type: parse
                sources: [auth]
                when: 'program:sshd'
                pattern: 'Failed password for (?:invalid user )?%{USERNAME:user} from %{IP:src_ip} port %{INT:src_port}'
              - type: classify_ip
                field: src_ip
              - type: drop
                when: 'program:CRON'
              - type: redact
            """
        )
    }

    @Test("the pipeline's data_dir, file-source parser and enrich steps are used; the import is resumable")
    func pipelineImport() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = directory.write("auth.log", Self.authLog)
        let config = self.pipeline(directory)
        let result = try self.run(["--config", config, log])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.errors.contains("imported 3 events from 1 files"))
        #expect(result.errors.contains("1 events dropped by enrich steps"))
        #expect(result.errors.contains("redacted: aws_access_key 1, secret_param 1"))
        let events = try self.stored("\(directory.path)/pipeline-data")
        #expect(events.count == 3)
        let failure = try #require(events.first { $0.line.contains("Failed password") })
        #expect(failure.fields["user"] == "validator")
        #expect(failure.fields["src_ip"] == "113.148.98.76")
        #expect(failure.fields["src_ip_class"] == "public")
        #expect(failure.fields["env"] == "test")
        #expect(failure.fields["program"] == "sshd")
        #expect(failure.fields["source"] == "auth.log")
        let accepted = try #require(events.first { $0.line.contains("Accepted password") })
        #expect(accepted.fields["user"] == nil)
        #expect(!events.contains { $0.line.contains("CRON") })
        let secret = try #require(events.first { $0.line.contains("backup") })
        #expect(!secret.line.contains("AKIAQN09CVW8ZAE28LZV") && !secret.line.contains("hunter2hunter2"))
        #expect(secret.fields.values.allSatisfy { !$0.contains("AKIA") && !$0.contains("hunter2") })

        // Same command again: nothing new to import.
        let again = try self.run(["--config", config, log])
        #expect(again.status == 0)
        #expect(again.errors.contains("already imported"))
        #expect(try self.stored("\(directory.path)/pipeline-data").count == 3)
    }

    @Test("--data-dir beats the pipeline's data_dir; a FILE no source matches is parsed with auto")
    func dataDirAndUnmatched() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let json = directory.write("app.jsonl", #"{"msg":"hello","level":"warn","token":"abcdef123456"}"# + "\n")
        let result = try self.run([
            "--config", self.pipeline(directory), "--data-dir", "\(directory.path)/cli-data", json,
        ])
        #expect(result.status == 0, "\(result.errors)")
        let events = try self.stored("\(directory.path)/cli-data")
        #expect(events.count == 1)
        #expect(events[0].fields["message"] == "hello")
        #expect(events[0].fields["level"] == "warning")
        #expect(events[0].fields["env"] == "test")
        #expect(!events[0].line.contains("abcdef123456"))
    }

    @Test("--config and --parser are exclusive")
    func exclusive() {
        #expect(throws: (any Error).self) {
            try Logbox.parseAsRoot(["import", "--config", "p.yaml", "--parser", "json", "x.log"])
        }
        let message = Logbox.message(for: ImportCommandExclusiveProbe.error)
        #expect(message.contains("--config and --parser/--pattern are exclusive"))
    }

    @Test("an invalid pipeline stops the import with its errors, exit 2")
    func invalidPipeline() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let config = directory.write("bad.yaml", "sources:\n  - type: file\n    paths: [x.log]\n    parser: nope\n")
        let log = directory.write("a.log", "line\n")
        let result = try self.run(["--config", config, "--data-dir", "\(directory.path)/data", log])
        #expect(result.status == 2)
        #expect(result.errors.contains("\(config):4: sources[0].parser: unknown parser 'nope'"))
    }
}

/// The validation error of `--config` with `--parser`, as ArgumentParser reports it.
private enum ImportCommandExclusiveProbe {
    static var error: any Error {
        do {
            _ = try Logbox.parseAsRoot(["import", "--config", "p.yaml", "--parser", "json", "x.log"])
            return ValidationError("no error")
        } catch {
            return error
        }
    }
}
