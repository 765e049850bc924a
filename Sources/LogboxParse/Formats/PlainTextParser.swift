public import LogboxCore

/// Lines in no structured format: a leading timestamp and level word are taken when present.
///
/// Many application logs start `2015-07-29 17:41:44,747 INFO ...`, `2026-11-01T00:00:01Z [WARN] ...`
/// or `Nov  1 00:02:41 ...`: the timestamp becomes the event's, a level word right after it (bare,
/// or in `[]`/`<>`, or followed by `:`) becomes `level`, and everything after the timestamp is
/// the `message`. Any other line is all message. This parser never rejects a line: plain text is
/// a valid log line, so `auto` uses it for lines whose first bytes name no other format.
public struct PlainTextParser: LogParser {
    public let name = "plain"
    private let zone: TimeZoneRules
    private var years: YearInference

    public init(context: ParseContext) {
        self.zone = context.zone
        self.years = context.yearInference
    }

    public mutating func parse(_ line: Span<UInt8>, into out: inout EventBatch) throws(ParseIssue) {
        var start = 0
        let first = line.count > 0 ? line[0] : 0
        let startsLikeTime = first &- UInt8(ascii: "0") < 10 || (first | 0x20) &- UInt8(ascii: "a") < 26
        if startsLikeTime, let time = TimestampParser.parseAny(line, from: 0, inference: &self.years),
            time.format != .epoch, time.end == line.count || Self.isSeparator(line[time.end])
        {
            out.setTimestamp(time.value)
            start = time.end
            while start < line.count, Self.isSeparator(line[start]) { start += 1 }
            self.takeLevel(line, at: start, into: &out)
        }
        out.append(.message, .text, start..<line.count)
    }

    /// A level word at `at`: `INFO`, `[INFO]`, `<info>`, `INFO:`.
    private func takeLevel(_ line: Span<UInt8>, at: Int, into out: inout EventBatch) {
        var wordStart = at
        var bracketed = false
        if wordStart < line.count, line[wordStart] == UInt8(ascii: "[") || line[wordStart] == UInt8(ascii: "<") {
            wordStart += 1
            bracketed = true
        }
        var wordEnd = wordStart
        while wordEnd < line.count, wordEnd - wordStart <= 11, (line[wordEnd] | 0x20) &- UInt8(ascii: "a") < 26 {
            wordEnd += 1
        }
        guard wordEnd > wordStart, wordEnd == line.count || !Self.isWordByte(line[wordEnd]) else { return }
        // Bare short words are too often ordinary text ("a user ..."): outside brackets a level
        // word has four letters or more, or is three capitals (`ERR`, `WRN`).
        let length = wordEnd - wordStart
        let capitals = line[wordStart] &- UInt8(ascii: "A") < 26 && line[wordEnd - 1] &- UInt8(ascii: "A") < 26
        guard bracketed || length >= 4 || (length == 3 && capitals) else { return }
        if let level = Level(word: line.extracting(wordStart..<wordEnd)) {
            out.append(.level, .level, wordStart..<wordEnd, payload: Int64(level.rawValue))
        }
    }

    private static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == 0x09 || byte == UInt8(ascii: "|") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ":")
    }

    private static func isWordByte(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte &- UInt8(ascii: "0") < 10 || byte == UInt8(ascii: "_")
    }
}
