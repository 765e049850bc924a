import ArgumentParser
import Glibc
import LogboxCore
import LogboxParse
import LogboxPipeline
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

            With --config, the pipeline decides: its data_dir (unless --data-dir or LOGBOX_DATA_DIR), the \
            parser of the file source whose glob matches each FILE (auto when none does), and its enrich \
            steps, run before indexing. Events keep the file's name as their `source`; steps limited with \
            `sources:` treat a FILE as the pipeline source whose glob matched it.
            """
    )

    @OptionGroup var store: DataDirectoryOptions

    @Option(name: .long, help: "Parser: \(ParserRegistry.names.joined(separator: ", ")) (default: auto).")
    var parser: String?

    @Option(name: .long, help: "Pattern for --parser pattern.")
    var pattern: String?

    @Option(
        name: .long,
        help: "A pipeline config (Pipelines/NAME.yaml) giving parsers, enrich steps and the data directory."
    )
    var config: String?

    @Option(name: .long, help: "Time zone of timestamps written without one (default: UTC, or the pipeline source's).")
    var timezone: String?

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

    /// Whether every path names a regular file, which a resumed import can read again from its
    /// checkpoint; a FIFO, a pipe (`<(zcat …)`) or a device cannot.
    static func inputsCanBeReadAgain(_ paths: [String]) -> Bool {
        paths.allSatisfy { path in
            var info = stat()
            return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
        }
    }

    func validate() throws {
        guard !self.files.isEmpty else { throw ValidationError("give at least one FILE") }
        guard !self.files.contains("-") else {
            throw ValidationError("import reads files; pipe standard input to 'logbox run' instead")
        }
        guard self.flushEvents > 0 else { throw ValidationError("--flush-events must be positive") }
        guard self.mergeFactor >= 2 else { throw ValidationError("--merge-factor must be at least 2") }
        if self.config != nil, self.parser != nil || self.pattern != nil {
            throw ValidationError(
                "--config and --parser/--pattern are exclusive: the pipeline's file sources give the parser of each FILE"
            )
        }
    }

    /// How one file is parsed, and which pipeline source it counts as.
    struct FilePlan {
        var parser: ParserConfig
        var source: String?
        var maxLineLength: Int
    }

    static var workingDirectory: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func execute(output: Output, errors: Output) -> Int32 {
        var pipeline: PipelineConfig?
        var chain = EnrichChain(steps: [])
        if let config = self.config {
            do throws(PipelineConfigError) {
                let loaded = try PipelineConfigLoader.load(path: config)
                chain = try EnrichChain(config: loaded, referenceTime: StoreWriter.now())
                pipeline = loaded
            } catch {
                for issue in error.issues { errors.write("logbox import: \(issue)\n") }
                return 2
            }
        }
        let workingDirectory = Self.workingDirectory
        var plans: [FilePlan] = []
        var zones: [String: TimeZoneRules] = [:]
        do {
            for path in self.files {
                var plan = FilePlan(
                    parser: ParserConfig(name: self.parser ?? "auto", pattern: self.pattern),
                    source: nil,
                    maxLineLength: self.maxLineLength
                )
                if let pipeline {
                    plan = FilePlan(parser: ParserConfig(), source: nil, maxLineLength: self.maxLineLength)
                    if let source = pipeline.fileSource(matching: path, workingDirectory: workingDirectory),
                        case .file(let file) = source.kind
                    {
                        plan = FilePlan(parser: source.parser, source: source.name, maxLineLength: file.maxLineLength)
                    }
                }
                if let timezone = self.timezone { plan.parser.timezone = timezone }
                if zones[plan.parser.timezone] == nil {
                    zones[plan.parser.timezone] = try TimeZoneRules(named: plan.parser.timezone)
                }
                _ = try ParserRegistry.make(
                    plan.parser.name,
                    pattern: plan.parser.pattern,
                    context: ParseContext(zone: zones[plan.parser.timezone]!, referenceTime: 0)
                )
                plans.append(plan)
            }
        } catch {
            errors.write("logbox import: \(error)\n")
            return 2
        }
        // --data-dir, then LOGBOX_DATA_DIR (already applied to the pipeline's data_dir), then the pipeline's.
        let directory = self.store.dataDir ?? pipeline?.dataDirectory ?? self.store.resolved
        let writer: StoreWriter
        // Flushes build segments on their own thread while merges run on another; without this,
        // glibc's per-thread heaps keep what they freed (10M-line import: 235 MB peak, 205 MB with).
        Daemon.boundMallocFootprint()
        do {
            var options = StoreOptions()
            options.flushEvents = self.flushEvents
            options.mergeFactor = self.mergeFactor
            options.backgroundFlush = true
            // No WAL when every FILE is a regular file: the files are the durable copy, and the
            // manifest's checkpoints move only with published segments, so a crash resumes from the
            // last segment (exactly once). Writing the WAL cost 12% of a one-core auth.log import
            // (3.28 s against 2.87 s). A pipe or FIFO cannot be read again: its events go to the WAL.
            options.writeWAL = !Self.inputsCanBeReadAgain(self.files)
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

        fileLoop: for (path, plan) in zip(self.files, plans) {
            if stopRequested.load(ordering: .relaxed) { break }
            do {
                var reader = try FileLineReader(path: path, maxLineLength: plan.maxLineLength)
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
                        maxLineLength: plan.maxLineLength,
                        startOffset: known.offset,
                        startLine: known.nextLine
                    )
                }
                let context = ParseContext(
                    zone: zones[plan.parser.timezone]!,
                    referenceTime: reader.modificationTime ?? StoreWriter.now()
                )
                var driver = BatchParser(
                    parser: try ParserRegistry.make(plan.parser.name, pattern: plan.parser.pattern, context: context)
                )
                let source = Self.baseName(path)
                while try reader.nextBatch(into: &lines, targetBytes: 1 << 20) {
                    let receivedAt = StoreWriter.now()
                    driver.parse(lines, into: &batch)
                    if !chain.isEmpty { chain.run(&batch, source: source, file: path, input: plan.source) }
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
        if chain.droppedEvents > 0 { summary += "; \(chain.droppedEvents) events dropped by enrich steps" }
        let redactions = chain.redactionCounts.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        if !redactions.isEmpty {
            summary += "; redacted: " + redactions.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        if !skipped.isEmpty { summary += "; already imported: \(skipped.joined(separator: ", "))" }
        if stopRequested.load(ordering: .relaxed) { summary += "; interrupted: run the same command to continue" }
        errors.write(summary + "\n")
        let manifest = writer.manifest
        let stored = manifest.segments.reduce(0) { $0 + $1.docCount }
        let bytes = manifest.segments.reduce(0) { $0 + $1.bytes }
        var store = "store \(directory): \(manifest.segments.count) segments, \(stored) events, "
        store += IndexStats.size(bytes)
        if writer.isMergeDue {
            // The import outran its background merges: say so, or the store looks bigger than it will be.
            let fresh = manifest.segments.filter { $0.level == 0 }.count
            store += "; merges pending (\(fresh) segments not merged yet): `logbox index compact` merges them now, "
            store += "else later writers (`logbox run`, the next import) do as they go"
        }
        errors.write(store + "\n")
        if stopRequested.load(ordering: .relaxed) { return 130 }
        return failedFiles > 0 ? 2 : 0
    }

    static func baseName(_ path: String) -> String {
        path.split(separator: "/").last.map(String.init) ?? path
    }
}
