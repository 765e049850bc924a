import ArgumentParser
import Foundation
import LogboxTestSupport
import Testing

@testable import logbox

@Suite("logbox parse")
struct ParseCommandTests {
    private func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try runCaptured(arguments)
    }

    private func objects(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }

    @Test("one JSON object per line, a summary on stderr, exit 0 even with failed lines")
    func jsonLines() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.write(
            "auth.log",
            "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8\n"
                + "Oct 11 22:14:16 web-02 sshd[28022]: Failed password for root from 203.0.113.7 port 22 ssh2\n"
                + "<999>garbage\n"
        )
        let result = try self.run(["parse", "--parser", "rfc3164", "--reference-time", "2026-11-29T00:00:00Z", path])
        #expect(result.status == 0)
        let events = try self.objects(result.output)
        #expect(events.count == 3)
        #expect(events[0]["host"] as? String == "mymachine")
        #expect(events[0]["program"] as? String == "su")
        #expect(events[0]["facility"] as? Int == 4)
        #expect(events[0]["severity"] as? Int == 2)
        #expect(events[0]["timestamp"] as? String == "2026-10-11T22:14:15Z")
        #expect(events[1]["pid"] as? Int == 28022)
        #expect(events[1]["raw"] == nil)
        #expect(events[2]["raw"] as? String == "<999>garbage")
        #expect((events[2]["parse_error"] as? String)?.contains("column") == true)
        #expect(result.errors.contains("3 lines, 2 parsed, 1 failed (bad priority: 1)"))
    }

    @Test("an unknown parser is an error naming the known ones, exit 2")
    func unknownParser() throws {
        let result = try self.run(["parse", "--parser", "nope", "/dev/null"])
        #expect(result.status == 2)
        #expect(result.errors.contains("unknown parser 'nope'; known parsers: auto, syslog"))
    }

    @Test("an unreadable file is an error naming it, the others are still read, exit 2")
    func unreadable() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let good = directory.write("good.jsonl", #"{"msg":"hi","level":"warn"}"# + "\n")
        let result = try self.run(["parse", "\(directory.path)/missing.log", good])
        #expect(result.status == 2)
        #expect(result.errors.contains("missing.log: No such file or directory"))
        let events = try self.objects(result.output)
        #expect(events.count == 1)
        #expect(events[0]["level"] as? String == "warning")
        #expect(events[0]["message"] as? String == "hi")
    }

    @Test("a pattern parser from the command line")
    func pattern() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.write("app.log", "10.0.0.1 GET /index.html 200\n")
        let result = try self.run([
            "parse", "--parser", "pattern", "--pattern",
            "%{IP:client_ip} %{WORD:method} %{NOTSPACE:path} %{INT:status}",
            path,
        ])
        #expect(result.status == 0)
        let events = try self.objects(result.output)
        #expect(events.first?["client_ip"] as? String == "10.0.0.1")
        #expect(events.first?["status"] as? Int == 200)
    }

    @Test("every file of Samples/ parses with auto, with no failed line")
    func samples() throws {
        let root = Fixtures.packageRoot()
        let names = ["auth.log", "nginx_access.log", "app.jsonl", "syslog5424.log", "app.logfmt"]
        for name in names {
            let result = try self.run(["parse", "\(root)/Samples/\(name)"])
            #expect(result.status == 0, "\(name): \(result.errors)")
            #expect(result.errors.contains(" 0 failed"), "\(name): \(result.errors)")
            let lines = try String(contentsOfFile: "\(root)/Samples/\(name)", encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false).dropLast().count
            #expect(try self.objects(result.output).count == lines, "\(name)")
        }
    }

    @Test("standard input through the real binary")
    func standardInput() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("logbox")
        try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no logbox binary at \(binary.path)")
        let process = Process()
        process.executableURL = binary
        process.arguments = ["parse", "-"]
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(
            Data("level=error msg=\"disk full\" free=0\n{\"ts\":1700000000,\"msg\":\"x\"}".utf8)
        )
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let events = try self.objects(String(decoding: data, as: UTF8.self))
        #expect(events.count == 2)
        #expect(events[0]["free"] as? Int == 0)
        #expect(events[1]["timestamp"] as? String == "2023-11-14T22:13:20Z")
    }
}
