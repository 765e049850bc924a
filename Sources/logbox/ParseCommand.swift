import ArgumentParser
import Glibc
import LogboxCore
import LogboxParse

/// `logbox parse`: shows what a parser extracts from the user's own logs.
struct ParseCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Show the fields a parser extracts from log lines.",
        discussion: """
            Prints one JSON object per input line (flat dotted keys, `timestamp` as RFC 3339 UTC, \
            `raw` and `parse_error` for a line that failed), or an aligned table on a terminal. \
            A summary goes to standard error. Exit status 0 when every input was read, even if \
            some lines failed to parse; 2 for an unreadable file or a bad option.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case json, table
    }

    @Option(name: .long, help: "Parser: \(ParserRegistry.names.joined(separator: ", ")).")
    var parser: String = "auto"

    @Option(
        name: .long,
        help: "Pattern for --parser pattern: a regex with named groups and %{BLOCK:field} building blocks."
    )
    var pattern: String?

    @Option(name: .long, help: "Output format (default: table on a terminal, json otherwise).")
    var format: Format?

    @Option(
        name: .long,
        help: "Time zone of timestamps written without one: an IANA name, a POSIX TZ string, UTC, or local."
    )
    var timezone: String = "UTC"

    @Option(
        name: .long,
        help:
            "Reference time for the year of BSD syslog timestamps (RFC 3339; default: the file's modification time, now for stdin)."
    )
    var referenceTime: String?

    @Option(name: .long, help: "Longer lines are cut to this many bytes and counted.")
    var maxLineLength: Int = 64 * 1024

    @Flag(name: .long, help: "Add the raw line to every JSON object, not only to failed ones.")
    var raw = false

    @Argument(help: "Log files to read; - for standard input.")
    var files: [String] = []

    func validate() throws {
        guard !self.files.isEmpty else { throw ValidationError("give at least one FILE, or - for standard input") }
        guard self.maxLineLength > 0 else { throw ValidationError("--max-line-length must be positive") }
    }

    /// Runs the command against the given outputs and returns the exit status (tests call this).
    func execute(output: Output, errors: Output) -> Int32 {
        let zone: TimeZoneRules
        do {
            zone = try TimeZoneRules(named: self.timezone)
        } catch {
            errors.write("logbox parse: --timezone: \(error)\n")
            return 2
        }
        var fixedReference: Int64?
        if let referenceTime {
            var bytes = Array(referenceTime.utf8)
            var inference = YearInference(referenceNanoseconds: Self.now(), zone: zone)
            let parsed = TimestampParser.parseAny(bytes.span, from: 0, inference: &inference)
            bytes.removeAll()
            guard let parsed, parsed.end == referenceTime.utf8.count else {
                errors.write("logbox parse: --reference-time: '\(referenceTime)' is not an RFC 3339 time\n")
                return 2
            }
            fixedReference = parsed.value.nanoseconds
        }
        // Fail on a bad parser name or pattern before reading anything.
        do {
            _ = try ParserRegistry.make(
                self.parser,
                pattern: self.pattern,
                context: ParseContext(zone: zone, referenceTime: 0)
            )
        } catch {
            errors.write("logbox parse: \(error)\n")
            return 2
        }
        let format = self.format ?? (output.isTerminal ? .table : .json)
        var table = TableWriter(width: output.width, color: output.isTerminal)
        var total = ParseStats()
        var failedFiles = 0
        let clock = ContinuousClock()
        let started = clock.now
        for path in self.files {
            let fileStarted = clock.now
            let stats: ParseStats
            do {
                var reader = try FileLineReader(path: path, maxLineLength: self.maxLineLength)
                let reference = fixedReference ?? reader.modificationTime ?? Self.now()
                let context = ParseContext(zone: zone, referenceTime: reference)
                let parser: any LogParser
                do {
                    parser = try ParserRegistry.make(self.parser, pattern: self.pattern, context: context)
                } catch {
                    errors.write("logbox parse: \(error)\n")
                    return 2
                }
                var driver = BatchParser(parser: parser)
                var lines = LineBatch(source: path == "-" ? "stdin" : path)
                var events = EventBatch()
                var json = EventJSONWriter(includeRaw: self.raw)
                while try reader.nextBatch(into: &lines, targetBytes: 1 << 20) {
                    driver.parse(lines, into: &events)
                    switch format {
                    case .json:
                        for index in 0..<events.count {
                            output.withBuffer { json.write(event: index, of: events, into: &$0) }
                        }
                    case .table:
                        table.write(events, file: self.files.count > 1 ? path : nil, to: output)
                    }
                    events.lines = LineBatch()  // drop the second reference so `lines` reuses its buffer
                }
                stats = driver.stats
            } catch {
                output.flush()
                errors.write("logbox parse: cannot read \(error)\n")
                failedFiles += 1
                continue
            }
            output.flush()
            total.add(stats)
            if self.files.count > 1 {
                errors.write(
                    Self.summary(of: stats, name: path, seconds: ProgressReporter.seconds(clock.now - fileStarted))
                )
            }
        }
        output.flush()
        errors.write(
            Self.summary(
                of: total,
                name: self.files.count > 1 ? "total" : self.files[0],
                seconds: ProgressReporter.seconds(clock.now - started)
            )
        )
        return failedFiles > 0 ? 2 : 0
    }

    static func summary(of stats: ParseStats, name: String, seconds: Double) -> String {
        var text = "\(name): \(stats.lines) lines, \(stats.parsed) parsed, \(stats.failed) failed"
        if stats.failed > 0 {
            let reasons = stats.failedByReason.sorted {
                $0.value > $1.value || ($0.value == $1.value && $0.key.rawValue < $1.key.rawValue)
            }
            text += " (" + reasons.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
        }
        if stats.truncated > 0 { text += ", \(stats.truncated) truncated" }
        let megabytes = Double(stats.bytes) / 1_000_000
        let rate = seconds > 0 ? megabytes / seconds : 0
        text += ", \(Self.decimal(megabytes, 2)) MB in \(Self.decimal(seconds, 3)) s (\(Self.decimal(rate, 1)) MB/s)\n"
        return text
    }

    static func decimal(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: ".") {
            let fraction = text[text.index(after: dot)...]
            if fraction.count < digits { text += String(repeating: "0", count: digits - fraction.count) }
        }
        return text
    }

    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
