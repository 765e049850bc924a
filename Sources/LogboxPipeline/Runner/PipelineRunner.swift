import LogboxCore
import LogboxStore
public import Logging
public import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// The collector: the pipeline's inputs feeding one writer task, as one `Service`.
///
/// Opening (in `init`) takes the store's writer lock, so a second daemon on the same data
/// directory is refused before anything listens. `run()` starts every source (file tailers
/// resume from the store's checkpoints), runs the writer until graceful shutdown (or
/// cancellation), then stops the inputs, lets the writer drain what they received through parse,
/// enrich and the sinks, syncs the WAL and closes the store, so nothing received is lost.
///
/// `reload(configPath:)` (SIGHUP) reads the config again; a config with errors is logged and the
/// old one stays. Otherwise sources whose settings changed or that are gone are stopped after
/// what they read is queued, the writer swaps enrich steps, routes and sinks in order with the
/// data, and new or changed sources start from the checkpoints the writer then reports: no line
/// is lost or stored twice. Unchanged sources keep running throughout.
public final class PipelineRunner: Service, Sendable {
    /// What the supervisor task is asked to do.
    enum Command: Sendable {
        case reload(String)
        case shutdown
        case inputEnded
    }

    public let dataDirectory: String
    let queue: IngestQueue
    let board: StatusBoard
    private let initialConfig: PipelineConfig
    private let initialCheckpoints: [Checkpoint]
    /// The daemon's log; a reload may change its level.
    private let loggerBox: Mutex<Logger>
    private var logger: Logger { self.loggerBox.withLock { $0 } }
    private let group: any EventLoopGroup
    private let commands: AsyncStream<Command>
    private let commandSink: AsyncStream<Command>.Continuation
    private let writerSlot: WriterSlot
    private let nextInputID = Atomic<Int>(0)
    private let failure = Mutex<RunnerError?>(nil)

    /// Holds the writer until `run()` takes it into the writer task.
    // @unchecked Sendable: `writer` is set in `init` and taken once by `run()`, under the lock;
    // afterwards only the writer task touches the `IngestWriter` (and its `StoreWriter`).
    final class WriterSlot: @unchecked Sendable {
        private let lock = Mutex(())
        private var writer: IngestWriter?
        init(_ writer: IngestWriter) { self.writer = writer }
        func take() -> IngestWriter? {
            self.lock.withLock { _ in
                defer { self.writer = nil }
                return self.writer
            }
        }
    }

    /// Opens the store and prepares the writer; nothing is read until `run()`.
    /// - Parameters:
    ///   - dataDirectory: the store (already resolved from `--data-dir`, the environment, the config).
    ///   - logger: the daemon's log; nil logs nothing.
    ///   - eventLoopGroup: the event loops of the syslog listeners; nil uses NIO's shared group.
    /// - Throws: `RunnerError` when the store cannot be opened (locked by another writer, say), or
    ///   a sink cannot be opened, or the enrich steps cannot be made.
    public init(
        config: PipelineConfig,
        dataDirectory: String,
        logger: Logger? = nil,
        eventLoopGroup: (any EventLoopGroup)? = nil,
        queueBytes: Int? = nil
    ) throws(RunnerError) {
        let logger = logger ?? Logger.silent
        self.dataDirectory = dataDirectory
        self.initialConfig = config
        self.loggerBox = Mutex(logger)
        self.group = eventLoopGroup ?? MultiThreadedEventLoopGroup.singleton
        self.queue = IngestQueue(maxBytes: queueBytes ?? IngestQueue.defaultMaxBytes)
        self.board = StatusBoard(config: config.file, dataDirectory: dataDirectory)
        (self.commands, self.commandSink) = AsyncStream.makeStream(of: Command.self)
        var options = StoreOptions()
        options.flushInterval = config.store.flushInterval
        options.syncInterval = config.store.syncInterval
        options.mergeFactor = config.store.mergeFactor
        // Segments are built on the other core(s) while the writer parses and appends: two
        // flushes of 16k events in parallel use both cores with the memory of one 32k flush
        // (Benchmarks/pipeline: faster to queryable and lower peak RSS than one flush of 32k).
        options.backgroundFlush = true
        options.flushThreads = 2
        options.flushEvents = 16_384
        // Below 2,000 events/s (most hours of a small shop's day) the merge thread's spare time
        // deflates cold segments: docs 0.20 -> 0.149 x raw, as `logbox index compact` would.
        options.recompressBelowRate = 2_000
        let store: StoreWriter
        do {
            store = try StoreWriter(directory: dataDirectory, options: options)
        } catch {
            throw RunnerError("\(dataDirectory): \(error)")
        }
        if let cut = store.recovery.truncation {
            logger.warning(
                "recovered the WAL: cut a torn record",
                metadata: ["wal.file": "\(cut.file)", "wal.offset": "\(cut.offset)", "bytes": "\(cut.bytesCut)"]
            )
        }
        self.initialCheckpoints = store.checkpoints
        do {
            self.writerSlot = WriterSlot(
                try IngestWriter(store: store, queue: self.queue, board: self.board, config: config, logger: logger)
            )
        } catch {
            try? store.close()
            throw error
        }
    }

    /// Asks the running daemon to read `configPath` again (SIGHUP).
    public func reload(configPath: String) {
        self.commandSink.yield(.reload(configPath))
    }

    /// Asks the daemon to stop: what was received is written, then `run()` returns.
    public func stop() {
        self.commandSink.yield(.shutdown)
    }

    /// The status report the control socket sends.
    public func status() -> RunnerStatus { self.board.report() }

    public func run() async throws {
        guard let writer = self.writerSlot.take() else { throw RunnerError("the runner runs once") }
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await self.supervise() }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(100))
                        self.queue.pushTick()
                    }
                }
                do throws(RunnerError) {
                    try await writer.run()
                } catch {
                    // Only closing the store throws, after the supervisor finished the inputs.
                    self.failure.withLock { $0 = $0 ?? error }
                }
                group.cancelAll()
                try await group.waitForAll()
            }
        } onCancelOrGracefulShutdown: {
            self.commandSink.yield(.shutdown)
        }
        self.commandSink.finish()
        if let failure = self.failure.withLock({ $0 }) { throw failure }
        self.logger.info("stopped: everything received is stored")
    }

    // MARK: Supervisor

    /// Starts the sources, handles reloads, and on shutdown stops the inputs and ends the writer.
    private func supervise() async {
        var config = self.initialConfig
        var running: [String: RunningInput] = [:]
        var order: [String] = []
        do {
            for source in config.sources {
                let input = try await self.start(source, checkpoints: self.initialCheckpoints)
                running[source.name] = input
                order.append(source.name)
            }
            self.publish(running, order)
            self.logger.info(
                "started",
                metadata: ["sources": "\(config.sources.count)", "data_dir": "\(self.dataDirectory)"]
            )
        } catch {
            self.logger.error("cannot start", metadata: ["error": "\(error)"])
            self.failure.withLock { $0 = $0 ?? error }
            self.commandSink.yield(.shutdown)
        }
        loop: for await command in self.commands {
            switch command {
            case .shutdown:
                break loop
            case .inputEnded:
                // Standard input at its end: with nothing else to read, the daemon's work is done.
                let onlyStdin = config.sources.allSatisfy { if case .stdin = $0.kind { true } else { false } }
                if onlyStdin { break loop }
            case .reload(let path):
                await self.reload(path: path, config: &config, running: &running, order: &order)
            }
        }
        self.board.markStopping()
        self.logger.info("stopping: draining the inputs")
        for name in order {
            await running[name]?.stop()
        }
        await self.queue.push(.finish)
    }

    private func start(_ source: SourceConfig, checkpoints: [Checkpoint]) async throws(RunnerError) -> RunningInput {
        let id = self.nextInputID.add(1, ordering: .relaxed).newValue
        let handle = InputHandle(id: id, source: source, startedAt: StoreWriter.now())
        let input = try await RunningInput.start(
            handle,
            queue: self.queue,
            checkpoints: checkpoints,
            group: self.group,
            logger: self.logger
        )
        if case .stdin = source.kind {
            Task { [commandSink] in
                await input.finished()
                commandSink.yield(.inputEnded)
            }
        }
        return input
    }

    /// Hands `config` to the writer behind everything queued; its checkpoints once it is applied.
    private func reconfigureWriter(_ config: PipelineConfig) async -> Result<[Checkpoint], RunnerError> {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result<[Checkpoint], RunnerError>, Never>) in
            Task { [queue] in
                await queue.push(.reconfigure(config, reply: { continuation.resume(returning: $0) }))
            }
        }
    }

    private func publish(_ running: [String: RunningInput], _ order: [String]) {
        self.board.setInputs(order.compactMap { running[$0]?.handle })
    }

    private func reload(
        path: String,
        config: inout PipelineConfig,
        running: inout [String: RunningInput],
        order: inout [String]
    ) async {
        self.logger.info("reloading the config", metadata: ["config": "\(path)"])
        let next: PipelineConfig
        do throws(PipelineConfigError) {
            next = try PipelineConfigLoader.load(path: path)
            var problems: [ConfigIssue] = []
            do { _ = try EnrichChain(config: next, referenceTime: StoreWriter.now()) } catch {
                problems += error.issues
            }
            do { _ = try Router(config: next) } catch { problems += error.issues }
            if !problems.isEmpty { throw PipelineConfigError(issues: problems) }
        } catch {
            for issue in error.issues {
                self.logger.error("reload rejected; keeping the running config", metadata: ["issue": "\(issue)"])
            }
            self.board.reloaded(error: error.issues.map(\.description).joined(separator: "; "))
            return
        }
        do {
            _ = try IngestWriter.openSinks(next)
        } catch {
            self.logger.error("reload rejected; keeping the running config", metadata: ["error": "\(error)"])
            self.board.reloaded(error: error.message)
            return
        }
        if next.dataDirectory != config.dataDirectory {
            self.logger.warning(
                "data_dir changes take effect at the next start",
                metadata: ["data_dir": "\(next.dataDirectory)"]
            )
        }
        let restartKeys = config.store.keysNeedingRestart(toBecome: next.store)
        if !restartKeys.isEmpty {
            self.logger.warning(
                "store settings changed; they take effect at the next start",
                metadata: ["keys": "\(restartKeys.joined(separator: ","))"]
            )
        }
        var keep: Set<String> = []
        for source in next.sources {
            if let input = running[source.name], input.handle.fingerprint == InputHandle.fingerprint(source) {
                keep.insert(source.name)
            }
        }
        // Stop what changed or went away; what they read is queued before the reconfigure below.
        var stopped: [SourceConfig] = []
        for name in order where !keep.contains(name) {
            guard let input = running.removeValue(forKey: name) else { continue }
            await input.stop()
            stopped.append(input.handle.source)
            self.logger.info("source stopped", metadata: ["source.name": "\(name)"])
        }
        var checkpoints: [Checkpoint] = []
        var toStart: [SourceConfig]
        switch await self.reconfigureWriter(next) {
        case .success(let positions):
            checkpoints = positions
            config = next
            self.loggerBox.withLock { $0.logLevel = Logger.Level(rawValue: next.logLevel.rawValue) ?? .info }
            toStart = next.sources.filter { running[$0.name] == nil }
            self.board.setConfig(next.file)
            self.board.reloaded(error: nil)
        case .failure(let error):
            // The writer kept the old steps and sinks: put the stopped sources back as they were.
            self.logger.error("reload failed; keeping the running config", metadata: ["error": "\(error)"])
            self.board.reloaded(error: error.message)
            toStart = stopped
            if case .success(let positions) = await self.reconfigureWriter(config) { checkpoints = positions }
        }
        for source in toStart {
            do {
                running[source.name] = try await self.start(source, checkpoints: checkpoints)
                self.logger.info("source started", metadata: ["source.name": "\(source.name)"])
            } catch {
                self.logger.error(
                    "cannot start source",
                    metadata: ["source.name": "\(source.name)", "error": "\(error)"]
                )
                self.board.reloaded(error: error.message)
            }
        }
        var nextOrder: [String] = []
        for source in config.sources where running[source.name] != nil { nextOrder.append(source.name) }
        order = nextOrder
        self.publish(running, order)
        self.logger.info("config reloaded", metadata: ["sources": "\(order.count)"])
    }
}
