import LogboxCore
import LogboxParse
import LogboxTestSupport
import Testing

/// The project's own sample generator with malformed lines, through the parser of each format and `auto`.
@Suite("Generated samples with malformed lines")
struct SampleCorpusTests {
    static let parserOfFile = [
        "auth.log": "rfc3164", "nginx_access.log": "nginx", "app.jsonl": "json", "syslog5424.log": "rfc5424",
        "app.logfmt": "logfmt",
    ]

    @Test(
        "one event per line; well-formed lines never flagged; binary and invalid lines always flagged",
        arguments: ["own", "auto"]
    )
    func malformed(mode: String) throws {
        let output = SampleLogGenerator(options: .init(seed: 7, malformedRate: 0.02)).generateWithTruth()
        for file in output.files {
            let parserName = mode == "auto" ? "auto" : Self.parserOfFile[file.name]!
            let parser = try ParserRegistry.make(
                parserName,
                context: ParseContext(zone: .utc, referenceTime: 1_793_577_600_000_000_000)
            )
            var framer = LineFramer()
            var lines = LineBatch(source: file.name)
            framer.append(file.bytes, into: &lines)
            framer.finish(into: &lines)
            var driver = BatchParser(parser: parser)
            var events = EventBatch()
            driver.parse(lines, into: &events)
            let physical =
                file.bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count
                - (file.bytes.last == 0x0A ? 1 : 0)
            #expect(events.count == physical, "\(file.name)")
            let malformed = Dictionary(uniqueKeysWithValues: file.malformedLines.map { ($0.line, $0.kind) })
            for index in 0..<events.count {
                let number = Int(lines.slots[index].lineNumber)
                let issue = events.events[index].issue
                switch malformed[number] {
                case nil:
                    #expect(
                        issue == nil,
                        "\(file.name):\(number) with \(parserName): \(issue.map(String.init(describing:)) ?? "")"
                    )
                case .invalidUTF8?, .nulBytes?, .binaryGarbage?:
                    #expect(issue != nil, "\(file.name):\(number) is malformed but not flagged")
                default:
                    break  // a truncated line that is still grammatical stays parsed
                }
            }
            #expect(driver.stats.failed <= file.malformedLines.count, "\(file.name)")
        }
    }
}
