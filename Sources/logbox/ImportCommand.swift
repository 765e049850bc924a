import ArgumentParser
import Glibc
import LogboxCore
import LogboxParse
import LogboxStore
import Synchronization

/// Set by SIGINT/SIGTERM: the import stops after the current batch, with what it stored durable.
private let stopRequested = Atomic<Bool>(false)

/// `logbox import`: parse files and index them into the store, resumably.
struct ImportCommand: OutputCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Parse log files and index them into the store.",
        discussion: """
            Resumable: each file's position is stored with its events, so running the same command again \
            after a crash or Ctrl-C imports exactly the lines not yet stored (--force imports the files \
            again). A live progress bar at a terminal, a line every five seconds otherwise, and a summary.
            """
    )

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: "Parser: \(ParserRegistry.names.joined(separator: ", ")).")
    var parser: String = "auto"

    @Option(name: .long, help: "Pattern for --parser pattern.")
    var pattern: String?

    @Option(name: .long, help: "Time zone of timestamps written without one.")
    var timezone: String = "UTC"

    @Option(name: .long, help: "Longer lines are cut to this many bytes and counted.")
    var maxLineLength: Int = 64 * 1024

    @Flag(name: .long, help: "Import files again even if the store has them.")
    var force = false

    @Option(name: .long, help: "Events per segment flushed from memory (tuning; smaller segments merge more often).")
    var flushEvents: Int = StoreOptions().flushEvents

    @Option(name: .long, help: "Segments of one level merged into one (tuning).")
    var mergeFactor: Int = StoreOptions().mergeFactor

    @Argument(help: "Log files to import.")
    var files: [String] = []

    func validate() throws {
        guard !self.files.isEmpty else { throw ValidationError("give at least one FILE") }
        guard !self.files.contains("-") else {
            throw ValidationError("import reads files; pipe standard input to 'logbox run' instead")
        }
        guard self.flushEvents > 0 else { throw ValidationError("--flush-events must be positive") }
        guard self.mergeFactor >= 2 else { throw ValidationError("--merge-factor must be at least 2") }
    }

    func execute(output: Output, errors: Output) -> Int32 {
        let zone: TimeZoneRules
        do {
            zone = try TimeZoneRules(named: self.timezone)
            _ = try ParserRegistry.make(
                self.parser,
                pattern: self.pattern,
                context: ParseContext(zone: zone, referenceTime: 0)
            )
        } catch {
            errors.write("logbox import: \(error)\n")
            return 2
        }
        let directory = self.store.resolved
        let writer: StoreWriter
        do {
            var options = StoreOptions()
            options.flushEvents = self.flushEvents
            options.mergeFactor = self.mergeFactor
            writer = try StoreWriter(directory: directory, options: options)
        } catch {
            errors.write("logbox import: \(directory): \(error)\n")
            return 2
        }
        if let cut = writer.recovery.truncation {
            errors.write(
                "logbox import: recovered the WAL: cut \(cut.bytesCut) bytes of a torn record at \(cut.file)@\(cut.offset) (\(cut.reason))\n"
            )
        }
        stopRequested.store(false, ordering: .relaxed)
        signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
        // A parent may have started us with these signals blocked; we want them delivered.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &signals, nil)
        defer {
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }

        var totalBytes: Int64 = 0
        for path in self.files {
            var info = stat()
            if stat(path, &info) == 0 { totalBytes += Int64(info.st_size) }
        }
        var progress = ProgressReporter(output: errors, totalBytes: totalBytes)
        var stats = ParseStats()
        var events = 0
        var bytesDone: Int64 = 0
        var skipped: [String] = []
        var failedFiles = 0
        var lines = LineBatch()
        var batch = EventBatch()

        fileLoop: for path in self.files {
            if stopRequested.load(ordering: .relaxed) { break }
            do {
                var reader = try FileLineReader(path: path, maxLineLength: self.maxLineLength)
                var identity = try Checkpoint.identify(descriptor: reader.fileDescriptor, path: path)
                if !self.force,
                    let known = try Checkpoint.resume(
                        descriptor: reader.fileDescriptor,
                        path: path,
                        among: writer.checkpoints
                    )
                {
                    identity = known
                    var info = stat()
                    _ = fstat(reader.fileDescriptor, &info)
                    if known.offset >= Int64(info.st_size) {
                        skipped.append(path)
                        bytesDone += Int64(info.st_size)
                        continue fileLoop
                    }
                    bytesDone += known.offset
                    reader = try FileLineReader(
                        path: path,
                        maxLineLength: self.maxLineLength,
                        startOffset: known.offset,
                        startLine: known.nextLine
                    )
                }
                let context = ParseContext(zone: zone, referenceTime: reader.modificationTime ?? StoreWriter.now())
                var driver = BatchParser(
                    parser: try ParserRegistry.make(self.parser, pattern: self.pattern, context: context)
                )
                let source = Self.baseName(path)
                while try reader.nextBatch(into: &lines, targetBytes: 1 << 20) {
                    let receivedAt = StoreWriter.now()
                    driver.parse(lines, into: &batch)
                    var checkpoint = identity
                    (checkpoint.offset, checkpoint.nextLine) = reader.position
                    try writer.append(
                        batch,
                        source: source,
                        file: path,
                        checkpoints: [checkpoint],
                        receivedAt: receivedAt
                    )
                    try writer.maintain()
                    events += batch.count
                    bytesDone += Int64(lines.bytes.count + lines.count)
                    batch.lines = LineBatch()
                    progress.update(bytes: bytesDone, events: events)
                    if stopRequested.load(ordering: .relaxed) { break }
                }
                stats.add(driver.stats)
                if stopRequested.load(ordering: .relaxed) { break fileLoop }
            } catch {
                progress.finish()
                errors.write("logbox import: \(error)\n")
                failedFiles += 1
                if error is StoreError { break fileLoop }
            }
        }
        progress.finish()
        do {
            try writer.close()
        } catch {
            errors.write("logbox import: \(directory): \(error)\n")
            return 2
        }
        let seconds = progress.elapsedSeconds
        let rate = seconds > 0 ? Double(events) / seconds : 0
        let megabytes = Double(stats.bytes) / 1_000_000
        var summary = "imported \(events) events from \(self.files.count - skipped.count - failedFiles) files"
        summary += " in \(ParseCommand.decimal(seconds, 2)) s (\(ProgressReporter.count(rate)) events/s, "
        summary += "\(ParseCommand.decimal(seconds > 0 ? megabytes / seconds : 0, 1)) MB/s)"
        if stats.failed > 0 { summary += "; \(stats.failed) lines kept unparsed" }
        if !skipped.isEmpty { summary += "; already imported: \(skipped.joined(separator: ", "))" }
        if stopRequested.load(ordering: .relaxed) { summary += "; interrupted: run the same command to continue" }
        errors.write(summary + "\n")
        let manifest = writer.manifest
        errors.write(
            "store \(directory): \(manifest.segments.count) segments, \(manifest.segments.reduce(0) { $0 + $1.docCount }) events\n"
        )
        if stopRequested.load(ordering: .relaxed) { return 130 }
        return failedFiles > 0 ? 2 : 0
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
