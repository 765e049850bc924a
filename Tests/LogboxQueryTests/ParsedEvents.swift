import LogboxCore
import LogboxParse
import LogboxTestSupport

/// Events parsed from log lines, as an input would hand them to the store.
enum ParsedEvents {
    /// `lines` parsed by `parser`, with a reference time in November 2026 for the years syslog
    /// lines leave out.
    static func batch(_ lines: [String], source: String, parser: String = "auto") throws -> EventBatch {
        var batchParser = BatchParser(
            parser: try ParserRegistry.make(parser, context: ParseContext(referenceTime: 1_795_000_000_000_000_000))
        )
        var events = EventBatch()
        batchParser.parse(Fixtures.lineBatch(lines, source: source), into: &events)
        return events
    }
}
