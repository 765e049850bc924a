import Foundation
import LogboxCore
import LogboxParse
import LogboxTestSupport
import Testing

/// Tests over `../shared/corpus` (real loghub samples and the corpus generator); enabled only when
/// that folder exists beside the project, as on the developers' machines and in CI.
@Suite("Shared corpus", .enabled(if: SharedCorpus.exists, "../shared/corpus is not beside the project"))
struct SharedCorpusTests {
    @Test("auto over all ten loghub samples: no crash, every line accounted for", arguments: SharedCorpus.loghubNames)
    func loghubAuto(name: String) throws {
        let path = "\(SharedCorpus.root)/loghub/\(name)/\(name)_2k.log"
        let (lines, events, stats) = try SharedCorpus.parse(path: path, parser: "auto")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let expected =
            bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count - (bytes.last == 0x0A ? 1 : 0)
        #expect(lines == expected)
        #expect(events == lines)
        #expect(stats.parsed + stats.failed == lines)
        #expect(lines == 2000)
    }

    @Test("gen_logs.py with malformed lines: one event per line, no well-formed line flagged, flags ≤ malformed")
    func generated() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "\(SharedCorpus.root)/gen_logs.py", "--out", directory.path, "--lines", "30000", "--seed", "3",
            "--malformed-rate", "0.01", "--quiet",
        ]
        try process.run()
        await OffPool.exit(of: process)
        try #require(process.terminationStatus == 0)
        let truth = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: "\(directory.path)/truth.json"))
            )
                as? [String: Any]
        )
        let files = try #require(truth["files"] as? [String: [String: Any]])
        let malformed = try #require((truth["malformed"] as? [String: Any])?["lines"] as? [String: [[Any]]])
        let parserOfFile = [
            "auth.log": "rfc3164", "nginx_access.log": "nginx", "app.jsonl": "json", "syslog5424.log": "rfc5424",
            "app.logfmt": "logfmt",
        ]
        for (file, parser) in parserOfFile {
            let expectedLines = try #require(files[file]?["lines"] as? Int)
            let bad = Set((malformed[file] ?? []).compactMap { $0.first as? Int })
            for name in [parser, "auto"] {
                var flagged: [Int] = []
                let (lines, events, _) = try SharedCorpus.parse(path: "\(directory.path)/\(file)", parser: name) {
                    number,
                    issue in
                    flagged.append(number)
                    _ = issue
                }
                #expect(lines == expectedLines, "\(file) with \(name)")
                #expect(events == lines)
                let wrongly = flagged.filter { !bad.contains($0) }
                #expect(wrongly.isEmpty, "\(file) with \(name): well-formed lines flagged: \(wrongly.prefix(10))")
                #expect(flagged.count <= bad.count)
            }
        }
    }
}

enum SharedCorpus {
    static let root = Fixtures.packageRoot() + "/../shared/corpus"
    static let exists = FileManager.default.fileExists(atPath: root + "/gen_logs.py")
    static let loghubNames = [
        "Android", "Apache", "BGL", "HDFS", "HealthApp", "Linux", "Mac", "OpenSSH", "Proxifier", "Zookeeper",
    ]

    /// Parses a whole file; returns lines framed, events made and the stats; `flagged` sees each issue.
    static func parse(
        path: String,
        parser name: String,
        flagged: (Int, ParseIssue) -> Void = { _, _ in }
    ) throws -> (lines: Int, events: Int, stats: ParseStats) {
        var reader = try FileLineReader(path: path, maxLineLength: 64 * 1024)
        let context = ParseContext(zone: .utc, referenceTime: reader.modificationTime ?? 0)
        var driver = BatchParser(parser: try ParserRegistry.make(name, context: context))
        var lines = LineBatch()
        var events = EventBatch()
        var lineCount = 0
        var eventCount = 0
        while try reader.nextBatch(into: &lines, targetBytes: 1 << 20) {
            lineCount += lines.count
            driver.parse(lines, into: &events)
            eventCount += events.count
            for index in 0..<events.count {
                if let issue = events.events[index].issue { flagged(Int(events.lineSlot(of: index).lineNumber), issue) }
            }
            events.lines = LineBatch()
        }
        return (lineCount, eventCount, driver.stats)
    }
}
