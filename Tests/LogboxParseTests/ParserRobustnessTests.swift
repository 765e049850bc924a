import LogboxCore
import LogboxParse
import LogboxTestSupport
import Testing

/// Every parser, fed random and mangled bytes: no crash, one event per line, every line accounted for.
@Suite("Parser robustness")
struct ParserRobustnessTests {
    static let parsers = ["auto", "syslog", "rfc3164", "rfc5424", "nginx", "json", "logfmt", "kv", "pattern"]

    private static func make(_ name: String) throws -> any LogParser {
        try ParserRegistry.make(
            name,
            pattern: name == "pattern" ? "%{IP:client_ip} %{WORD:method} %{GREEDYDATA:message}" : nil,
            context: ParseContext(zone: .utc, referenceTime: 1_795_000_000_000_000_000)
        )
    }

    /// Random lines: raw bytes, and valid lines of every format with bytes flipped, cut or inserted.
    private static func lines(seed: UInt64, count: Int) -> LineBatch {
        var random = SeededRandom(seed: seed)
        let templates = SampleLogGenerator(
            options: .init(seed: seed, authLines: 50, nginxLines: 50, jsonLines: 50, rfc5424Lines: 50, logfmtLines: 50)
        )
        .generate().flatMap { file in file.bytes.split(separator: 0x0A).map(Array.init) }
        var batch = LineBatch(source: "random")
        for number in 0..<count {
            var line: [UInt8]
            switch random.next(below: 4) {
            case 0:
                line = (0..<Int(random.next(below: 200))).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                line = line.map { $0 == 0x0A ? 0x20 : $0 }
            case 1:
                line = templates[Int(random.next(below: UInt64(templates.count)))]
                line = Array(line.prefix(Int(random.next(below: UInt64(line.count + 1)))))
            default:
                line = templates[Int(random.next(below: UInt64(templates.count)))]
                for _ in 0..<(1 + Int(random.next(below: 4))) where !line.isEmpty {
                    let at = Int(random.next(below: UInt64(line.count)))
                    let byte = UInt8(truncatingIfNeeded: random.next())
                    line[at] = byte == 0x0A ? 0x00 : byte
                }
            }
            batch.append(line, lineNumber: Int64(number + 1), sourceOffset: 0)
        }
        return batch
    }

    @Test(
        "random and mangled bytes: one event per line, issues have a reason and a column in the line",
        arguments: parsers
    )
    func randomBytes(parser name: String) throws {
        var driver = BatchParser(parser: try Self.make(name))
        var events = EventBatch()
        for seed in 1...5 {
            let lines = Self.lines(seed: UInt64(seed) * 7919, count: 600)
            driver.parse(lines, into: &events)
            #expect(events.count == lines.count)
            for index in 0..<events.count {
                let event = events.events[index]
                #expect(Int(event.line) == index)
                if let issue = event.issue {
                    #expect(
                        issue.column >= 1 && Int(issue.column) <= max(1, Int(lines.slots[index].length) + 1),
                        "\(name) line \(index): \(issue)"
                    )
                }
                for field in events.fields(of: index) {
                    let line = lines.slots[index].range
                    #expect(
                        field.length == 0
                            || (line.contains(Int(field.start))
                                && Int(field.start) + Int(field.length) <= line.upperBound),
                        "\(name): field outside its line"
                    )
                }
            }
        }
        #expect(driver.stats.lines == 3000)
        #expect(driver.stats.parsed + driver.stats.failed == 3000)
    }
}
