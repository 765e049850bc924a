import ArgumentParser
import LogboxTestSupport
import Testing

@testable import logbox

@Suite("logbox check")
struct CheckCommandTests {
    private func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try runCaptured(["check"] + arguments)
    }

    @Test("a valid pipeline: exit 0 and a summary of sources, steps and sinks")
    func valid() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let table = directory.write("owners.csv", "ip,owner\n10.0.0.1,ops\n")
        let config = directory.write(
            "p.yaml",
            """
            data_dir: \(directory.path)/data
            sources:
              - name: auth
                type: file
                paths: [\(directory.path)/*.log]
                start_at: beginning
              - type: syslog_udp
                listen: 127.0.0.1:5514
            enrich:
              - type: level
              - type: lookup
                file: \(table)
                field: src_ip
              - type: drop
                when: 'program:CRON'
            sinks:
              - type: store
              - type: stdout
                when: 'level:error'
            """
        )
        let result = try self.run([config])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.errors.isEmpty)
        #expect(result.output.contains("\(config): valid"))
        #expect(result.output.contains("sources (2):"))
        #expect(result.output.contains("auth        file: \(directory.path)/*.log from the beginning; parser auto"))
        #expect(result.output.contains("syslog_udp  syslog_udp: udp 127.0.0.1:5514; parser syslog"))
        #expect(result.output.contains("enrich steps (3):"))
        #expect(result.output.contains("enrich[2] (drop) when: program:CRON"))
        #expect(result.output.contains("stdout: stdout when: level:error"))
    }

    @Test("an invalid pipeline: exit 2 and every error with its line and key")
    func invalid() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let config = directory.write(
            "bad.yaml",
            """
            sources:
              - type: syslog_tcp
                listen: 127.0.0.1:99999
              - type: file
                paths: [a.log]
                parser: nginxx
            enrich:
              - type: lookup
                file: \(directory.path)/missing.csv
                field: ip
              - type: sample
                when: 'status:>=500 AND'
                rate: 10
            """
        )
        let result = try self.run([config])
        #expect(result.status == 2)
        #expect(result.output.isEmpty)
        let lines = result.errors.split(separator: "\n").map(String.init)
        #expect(lines.count == 5, "\(result.errors)")
        #expect(lines[0] == "\(config):3: sources[0].listen: port 99999 is out of range")
        #expect(lines[1] == "\(config):6: sources[1].parser: unknown parser 'nginxx'; did you mean 'nginx'?")
        #expect(lines[2].hasPrefix("\(config):9: enrich[0].file: cannot read lookup table"))
        #expect(lines[3].hasPrefix("\(config):12: enrich[1].when: bad filter: column "))
        #expect(lines[4] == "\(config): 4 errors")
    }

    @Test("a missing file and bad YAML are errors with exit 2")
    func unreadable() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let missing = try self.run(["\(directory.path)/nope.yaml"])
        #expect(missing.status == 2)
        #expect(missing.errors.contains("nope.yaml: cannot read the config: No such file or directory"))
        let broken = directory.write("broken.yaml", "sources:\n  - type: stdin\n   name: x\n")
        let yaml = try self.run([broken])
        #expect(yaml.status == 2)
        #expect(yaml.errors.hasPrefix("\(broken):3: YAML syntax: "))
    }

    @Test("the default config is Pipelines/default.yaml")
    func defaultPath() throws {
        let command = try #require(try Logbox.parseAsRoot(["check"]) as? CheckCommand)
        #expect(command.config == "Pipelines/default.yaml")
    }
}
