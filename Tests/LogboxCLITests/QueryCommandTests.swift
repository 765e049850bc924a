import ArgumentParser
import Foundation
import Glibc
import LogboxCore
import LogboxParse
import LogboxQuery
import LogboxStore
import LogboxTestSupport
import Testing

@testable import logbox

/// `logbox query`: formats, counts, exit statuses, errors and warnings, time windows.
@Suite("logbox query")
struct QueryCommandTests {
    let store = SampleStore.shared

    private var sshFailures: [StoredRow] {
        self.store.rows.filter { $0.fields["program"] == "sshd" && $0.hasPhrase(["failed", "password"]) }
    }

    @Test("json: one object per line with flat keys, RFC 3339 UTC timestamps, source and file")
    func json() throws {
        let run = try self.store.query([#"program:sshd "Failed password""#, "--all", "--limit", "5"])
        #expect(run.status == 0)
        let objects = try run.objects()
        #expect(objects.count == 5)
        for object in objects {
            let timestamp = try #require(object["timestamp"] as? String)
            #expect(timestamp.hasSuffix("Z") && timestamp.contains("T"))
            #expect(object["program"] as? String == "sshd")
            #expect(object["source"] as? String == "auth.log")
            #expect((object["file"] as? String)?.hasSuffix("Samples/auth.log") == true)
            #expect((object["message"] as? String)?.contains("Failed password") == true)
        }
        // Piped: no histogram, no footer, nothing on stderr.
        #expect(run.errors.isEmpty)
    }

    @Test("raw: the stored lines exactly")
    func raw() throws {
        let run = try self.store.query(["source:nginx_access.log", "--all", "--format", "raw"])
        let file = try String(contentsOfFile: "\(Fixtures.packageRoot())/Samples/nginx_access.log", encoding: .utf8)
        let lines = file.split(separator: "\n").map(String.init)
        #expect(run.lines.sorted() == lines.sorted())
    }

    @Test("csv: a header, one row per event, RFC 4180 quoting")
    func csv() throws {
        let run = try self.store.query([#"program:sshd "Failed password""#, "--all", "--format", "csv"])
        #expect(run.status == 0)
        #expect(run.lines.first == "timestamp,host,program,level,message")
        #expect(run.lines.count == self.sshFailures.count + 1)
        let first = try #require(run.lines.dropFirst().first)
        #expect(first.contains(",sshd,"))

        var out: [UInt8] = []
        QueryCells.appendCSV(#"say "hi", then go"#, into: &out)
        out.append(UInt8(ascii: ","))
        QueryCells.appendCSV("plain", into: &out)
        out.append(UInt8(ascii: ","))
        QueryCells.appendCSV([0x61, 0xFF, 0x0A, 0x62][...], into: &out)
        #expect(String(decoding: out, as: UTF8.self) == "\"say \"\"hi\"\", then go\",plain,\"a\\xff\nb\"")
    }

    @Test("--count prints one number; 0 matches exit 1")
    func count() throws {
        let run = try self.store.query([#"program:sshd "Failed password""#, "--all", "--count"])
        #expect(run.status == 0)
        #expect(run.output == "\(self.sshFailures.count)\n")
        let none = try self.store.query(["program:no-such-program", "--all", "--count"])
        #expect(none.status == 1)
        #expect(none.output == "0\n")
    }

    @Test("exit status as grep: 0 matched, 1 nothing, 2 an error")
    func exitStatus() throws {
        #expect(try self.store.query(["program:sshd", "--all", "--limit", "1"]).status == 0)
        let nothing = try self.store.query(["program:no-such-program", "--all"])
        #expect(nothing.status == 1)
        #expect(nothing.output.isEmpty)
        #expect(try self.store.query(["program:sshd AND (", "--all"]).status == 2)
        #expect(try self.store.query(["level:error | stats count() by (nope)", "--all", "--count"]).status == 2)
        // A pipe that produces no rows.
        #expect(try self.store.query(["program:no-such-program | stats count() by (host)", "--all"]).status == 1)
    }

    @Test("a syntax error prints the query with a caret under the column, exit 2")
    func syntaxError() throws {
        let run = try self.store.query(["program:sshd )", "--all"])
        #expect(run.status == 2)
        #expect(run.output.isEmpty)
        let lines = run.errors.split(separator: "\n").map(String.init)
        #expect(lines.count >= 3, "\(run.errors)")
        #expect(lines.first == "  program:sshd )")
        #expect(lines.dropFirst().first == "  " + String(repeating: " ", count: 13) + "^")
        #expect(lines.dropFirst(2).first?.hasPrefix("column 14: ") == true, "\(run.errors)")
    }

    @Test("an unknown field warns with the closest known fields, and the query still runs")
    func unknownField() throws {
        let run = try self.store.query(["hots:web-02", "--all"])
        #expect(run.status == 1)
        #expect(run.errors.contains("warning"), "\(run.errors)")
        #expect(run.errors.contains("'hots'"), "\(run.errors)")
        #expect(run.errors.contains("host"), "\(run.errors)")
        #expect(run.errors.contains("column 1"), "\(run.errors)")

        let known = try self.store.query(["host:web-02", "--all", "--count"])
        #expect(known.status == 0)
        #expect(known.errors.isEmpty)
    }

    @Test("option errors: --all with --since, --count with pipes or --follow, --limit 0, a bad time")
    func optionErrors() throws {
        let allSince = try self.store.query(["program:sshd", "--all", "--since", "1h"])
        #expect(allSince.status == 2)
        #expect(allSince.errors.contains("--all and --since"))
        let countPipe = try self.store.query(["program:sshd | stats count()", "--all", "--count"])
        #expect(countPipe.status == 2)
        #expect(countPipe.errors.contains("--count"))
        #expect(try self.store.query(["program:sshd", "--count", "--follow"]).status == 2)
        #expect(try self.store.query(["program:sshd", "--limit", "0"]).status == 2)
        let badTime = try self.store.query(["program:sshd", "--since", "last tuesday"])
        #expect(badTime.status == 2)
        #expect(badTime.errors.contains("--since"))
        // --until alone is fine.
        #expect(try self.store.query(["program:sshd", "--until", "2026-11-02T00:00:00Z", "--count"]).status == 0)
    }

    @Test("--since and --until bound the window by the event time")
    func window() throws {
        let from: Int64 = 1_793_491_200_000_000_000 + 1_800_000_000_000  // 2026-11-01T00:30:00Z
        let to: Int64 = from + 1_800_000_000_000
        let expected = self.store.rows.filter {
            $0.source == "nginx_access.log" && $0.timestamp >= from && $0.timestamp < to
        }
        #expect(!expected.isEmpty)
        let run = try self.store.query([
            "source:nginx_access.log", "--since", "2026-11-01T00:30:00Z", "--until", "2026-11-01T01:00:00Z", "--count",
        ])
        #expect(run.output == "\(expected.count)\n", "\(run.errors)")
        // --until alone: the 24 hours before it.
        let day = try self.store.query(["source:nginx_access.log", "--until", "2026-11-01T01:00:00Z", "--count"])
        let before = self.store.rows.filter { $0.source == "nginx_access.log" && $0.timestamp < to }
        #expect(day.output == "\(before.count)\n", "\(day.errors)")
    }

    @Test("no store: a clear message naming the directory, exit 2")
    func missingStore() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let run = try runLogbox(["query", "error", "--data-dir", "\(directory.path)/nothing"])
        #expect(run.status == 2)
        #expect(run.errors.contains("no store at \(directory.path)/nothing"), "\(run.errors)")
        #expect(run.errors.contains("logbox import"))
    }

    @Test("a damaged segment: a warning naming it and the data dir; the other segments still answer")
    func damagedSegment() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = "\(directory.path)/data"
        let now = StoreWriter.now()
        let writer = try StoreWriter(directory: data)
        for sequence in 1...2 {
            try appendJSONLines(
                [
                    jsonLine(
                        time: now - Int64(sequence) * 1_000_000_000,
                        level: "error",
                        message: "disk",
                        sequence: sequence
                    )
                ],
                to: writer
            )
            try writer.flush(mergeAfter: false)
        }
        try writer.close()
        let first = try #require(try StoreSnapshot(directory: data).segments.first)
        #expect(truncate("\(first.directory)/docs", 3) == 0)
        let run = try runLogbox(["query", "disk", "--data-dir", data])
        #expect(run.status == 0)
        #expect(try run.objects().count == 1)
        #expect(run.errors.contains("warning: 1 segment(s) of \(data) could not be read"), "\(run.errors)")
        #expect(run.errors.contains("logbox index verify"))
    }

    @Test("a cost-limit error: its message and hint, no caret without a column")
    func costLimit() throws {
        let command = try #require(try Logbox.parseAsRoot(["query", "/a.*b/"]) as? QueryCommand)
        let text = command.describe(
            QueryError(.costLimit, "the regex would check 5000000 events", hint: "narrow it"),
            directory: "data"
        )
        #expect(text == "logbox query: the regex would check 5000000 events\nhint: narrow it")
        let located = command.describe(QueryError(.invalid, "bad regex", column: 1), directory: "data")
        #expect(located.hasPrefix("  /a.*b/\n  ^\ncolumn 1: bad regex"))
        let store = command.describe(StoreError(.corrupt, file: "segments/x/docs", "bad checksum"), directory: "data")
        #expect(store == "logbox query: cannot read the store at ./data: segments/x/docs: bad checksum")
    }

    @Test("the default window is the last 24 hours")
    func defaultWindow() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = "\(directory.path)/data"
        let now = StoreWriter.now()
        let writer = try StoreWriter(directory: data)
        try appendJSONLines(
            [
                jsonLine(time: now - 3_600_000_000_000, level: "error", message: "recent failure", sequence: 1),
                jsonLine(time: now - 48 * 3_600_000_000_000, level: "error", message: "old failure", sequence: 2),
            ],
            to: writer
        )
        try writer.close()
        let recent = try runLogbox(["query", "failure", "--data-dir", data])
        #expect(recent.status == 0)
        #expect(try recent.objects().map { $0["message"] as? String } == ["recent failure"])
        let all = try runLogbox(["query", "failure", "--all", "--data-dir", data])
        #expect(try all.objects().map { $0["message"] as? String } == ["recent failure", "old failure"])
        let week = try runLogbox(["query", "failure", "--since", "7d", "--count", "--data-dir", data])
        #expect(week.output == "2\n")
    }

    @Test("at a terminal: a histogram above an aligned, cut table, and a footer on stderr")
    func terminal() throws {
        let run = try self.store.query([#"program:sshd "Failed password""#, "--all", "--limit", "20"], terminal: true)
        #expect(run.status == 0)
        let lines = run.lines
        try #require(lines.count == 22, "\(run.output)")
        // The histogram: bars from the block characters, the window's ends and the scale.
        #expect(lines[0].contains { Sparkline.blocks.contains($0) }, "\(lines[0])")
        #expect(lines[0].contains("max "))
        #expect(lines[1].contains("TIME") && lines[1].contains("HOST") && lines[1].contains("MESSAGE"))
        let width = Output(capturingAsTerminal: true).width
        for line in lines.dropFirst(2) {
            let visible = line.replacing(/\u{1B}\[[0-9;]*m/, with: "")
            #expect(visible.count <= width, "\(visible)")
            #expect(visible.contains("sshd"))
        }
        #expect(run.errors == "20 of \(self.sshFailures.count) matching events (newest first); --limit to see more\n")

        let wide = try self.store.query(["program:sshd", "--all", "--limit", "20", "--wide"], terminal: true)
        #expect(wide.status == 0)

        // Errors in red at a terminal (unless NO_COLOR is set); never an escape sequence when piped.
        let colored = try self.store.query(["level:error", "--all", "--limit", "5"], terminal: true)
        #expect(colored.output.contains("\u{1B}[31m") == (getenv("NO_COLOR") == nil))
        let piped = try self.store.query(["level:error", "--all", "--limit", "5", "--format", "table"])
        #expect(!piped.output.contains("\u{1B}"))
        #expect(!piped.output.contains { Sparkline.blocks.contains($0) })
        #expect(piped.errors.isEmpty)
    }

    @Test("pipes print a result table in every format")
    func resultFormats() throws {
        let query = #"program:sshd "Failed password" | stats count() by (host) | sort by (count desc)"#
        var counts: [String: Int] = [:]
        for row in self.sshFailures { counts[row.fields["host"] ?? "", default: 0] += 1 }
        let top = try #require(counts.max { $0.value < $1.value })

        let csv = try self.store.query([query, "--all", "--format", "csv"])
        #expect(csv.lines.first == "host,count")
        #expect(csv.lines.dropFirst().first == "\(top.key),\(top.value)")
        #expect(csv.lines.count == counts.count + 1)

        let raw = try self.store.query([query, "--all", "--format", "raw"])
        #expect(raw.lines.first == "\(top.key)\t\(top.value)")

        let table = try self.store.query([query, "--all"], terminal: true)
        #expect(table.lines.first?.contains("host") == true)
        #expect(table.lines.dropFirst().first?.hasPrefix(top.key) == true)
        #expect(table.lines.dropFirst().first?.hasSuffix("\(top.value)") == true)
    }

    @Test("the sparkline scales bars to the largest bucket and leaves empty buckets blank")
    func sparkline() {
        let line = Sparkline(counts: [0, 1, 4, 8, 2], from: 0, to: 5 * 60_000_000_000)
        #expect(line.bars == " ▁▄█▂")
        #expect(line.maximum == 8)
        #expect(line.total == 15)
        #expect(Sparkline.duration(line.bucketNanoseconds) == "1m")
        #expect(Sparkline.duration(90 * 60 * 1_000_000_000) == "1h30m")
        #expect(Sparkline.duration(250_000_000) == "250ms")
        #expect(line.line { "t\($0 / 60_000_000_000)" } == "t0  ▁▄█▂ t5  max 8 per 1m")
    }

    @Test("table cells never carry a terminal escape from a log line")
    func terminalSafe() {
        #expect(QueryCells.terminalSafe("a\u{1B}[31mb\tc\nd") == "a\\x1b[31mb c d")
        #expect(QueryCells.fit("abcdef", 4) == "abc…")
        #expect(QueryCells.pad("ab", 4) == "ab  ")
    }
}

/// A JSON line as `app.jsonl` writes it, with a sequence number to tell events apart.
func jsonLine(time: Int64, level: String, message: String, sequence: Int) -> String {
    let timestamp = RFC3339.string(TimestampValue(nanoseconds: time, fractionDigits: 3))
    return #"{"ts":"\#(timestamp)","level":"\#(level)","service":"follow","msg":"\#(message)","seq":\#(sequence)}"#
}

/// Parses `lines` as JSON lines and appends them to the store as one batch of `app.jsonl`.
func appendJSONLines(_ lines: [String], to writer: StoreWriter) throws {
    var parser = BatchParser(
        parser: try ParserRegistry.make("json", context: ParseContext(referenceTime: StoreWriter.now()))
    )
    var events = EventBatch()
    parser.parse(Fixtures.lineBatch(lines, source: "app.jsonl"), into: &events)
    try writer.append(events, source: "app.jsonl", receivedAt: StoreWriter.now())
}

/// What `logbox query` printed and returned.
struct QueryRun {
    var status: Int32
    var output: String
    var errors: String

    var lines: [String] {
        self.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// Standard output as JSON objects, one per line.
    func objects() throws -> [[String: Any]] {
        try self.lines.map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
        }
    }
}

/// Runs a `logbox` command in process with captured outputs, as a pipe (or a terminal) would see them.
func runLogbox(_ arguments: [String], terminal: Bool = false) throws -> QueryRun {
    let command = try Logbox.parseAsRoot(arguments)
    let output = Output(capturingAsTerminal: terminal)
    let errors = Output(capturingAsTerminal: false)
    let status: Int32
    switch command {
    case let query as QueryCommand: status = query.execute(output: output, errors: errors)
    case let importing as ImportCommand: status = importing.execute(output: output, errors: errors)
    default:
        Issue.record("not a command that runs in process: \(arguments)")
        return QueryRun(status: -1, output: "", errors: "")
    }
    output.flush()
    errors.flush()
    return QueryRun(status: status, output: output.capturedText, errors: errors.capturedText)
}

/// One stored event, read straight from the segments, as the brute-force answers see it.
struct StoredRow: Hashable {
    var timestamp: Int64
    var line: String
    var source: String
    /// Each field's text (escapes decoded, a level as its normalized name): the first of a name.
    var fields: [String: String]
    var numbers: [String: Double]
    /// The message's terms (`Tokenizer`), in order.
    var terms: [String]
    /// What a bare `/regex/` reads: the message, else the line.
    var text: String

    /// Whether `phrase`'s terms appear consecutively among the message's terms.
    func hasPhrase(_ words: [String]) -> Bool {
        guard !words.isEmpty, self.terms.count >= words.count else { return false }
        for start in 0...(self.terms.count - words.count) where Array(self.terms[start..<start + words.count]) == words
        {
            return true
        }
        return false
    }

    /// The IPv4 address in `field` (also as `::ffff:a.b.c.d`), as four bytes.
    func ipv4(_ field: String) -> [UInt8]? {
        guard var text = self.fields[field] else { return nil }
        if text.lowercased().hasPrefix("::ffff:") { text.removeFirst(7) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        let bytes = parts.compactMap { UInt8($0) }
        return bytes.count == 4 ? bytes : nil
    }
}

/// Samples/ imported once into a temporary store (removed when the test process exits), with
/// every stored event read back and the generator's truth about the files.
final class SampleStore: Sendable {
    static let shared = SampleStore()

    let temporary: TemporaryDirectory
    let data: String
    let rows: [StoredRow]
    let truth: SampleTruth
    let importStatus: Int32

    private init() {
        self.temporary = TemporaryDirectory(prefix: "logbox-query")
        self.data = "\(self.temporary.path)/data"
        atexit { SampleStore.shared.temporary.remove() }

        let root = Fixtures.packageRoot()
        let names = ["auth.log", "nginx_access.log", "app.jsonl", "syslog5424.log", "app.logfmt"]
        // Small flushes: many segments, so newest-first ordering crosses segment boundaries.
        let imported = try? runLogbox(
            ["import", "--data-dir", self.data, "--flush-events", "1000"] + names.map { "\(root)/Samples/\($0)" }
        )
        self.importStatus = imported?.status ?? -1
        self.truth = SampleLogGenerator(options: .init(seed: 1)).generateWithTruth().truth

        var rows: [StoredRow] = []
        if let snapshot = try? StoreSnapshot(directory: self.data) {
            for segment in snapshot.segments {
                try? segment.docs.events(in: 0..<UInt32(segment.docCount)) { _, event in
                    rows.append(Self.row(event, meta: segment.meta))
                }
            }
        }
        self.rows = rows
    }

    static func row(_ event: StoredEvent, meta: SegmentMeta) -> StoredRow {
        var fields: [String: String] = [:]
        var numbers: [String: Double] = [:]
        var message: [UInt8]?
        for field in event.fields {
            let name = Int(field.name) < meta.fieldNames.count ? meta.fieldNames[Int(field.name)] : "#\(field.name)"
            guard fields[name] == nil else { continue }
            fields[name] = event.string(field)
            if let number = field.number { numbers[name] = number }
            if name == "message" {
                var bytes: [UInt8] = []
                event.decodedBytes(field, into: &bytes)
                message = bytes
            }
        }
        var terms: [String] = []
        if let message {
            var tokenizer = Tokenizer()
            message.withUnsafeBufferPointer { tokenizer.tokenize($0) }
            terms = (0..<tokenizer.count).map { String(decoding: tokenizer.term($0), as: UTF8.self) }
        }
        return StoredRow(
            timestamp: event.timestamp,
            line: String(decoding: event.line, as: UTF8.self),
            source: Int(event.source) < meta.sources.count ? meta.sources[Int(event.source)] : "",
            fields: fields,
            numbers: numbers,
            terms: terms,
            text: String(decoding: message ?? event.line, as: UTF8.self)
        )
    }

    /// Runs `logbox query ARGUMENTS --data-dir <the sample store>`.
    func query(_ arguments: [String], terminal: Bool = false) throws -> QueryRun {
        try runLogbox(["query"] + arguments + ["--data-dir", self.data], terminal: terminal)
    }
}
