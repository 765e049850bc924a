import Dispatch
import LogboxCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

#if canImport(Glibc)
    import CMalloc
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `logbox run`: the pipeline runner and the control socket under one `ServiceGroup`, with the
/// signals a daemon answers: SIGTERM and SIGINT shut down gracefully (drain, sync, checkpoints,
/// exit 0), SIGHUP reloads the config.
///
/// The group's services shut down in reverse order: the runner first (it drains everything it
/// received into the store), then the control socket, which answers `logbox status` meanwhile.
public enum Daemon {
    /// Where the daemon's own log lines go.
    public enum LogDestination: Sendable {
        /// swift-log's stream handler on standard error (bootstrapped once per process).
        case standardError
        /// Nowhere (tests running the daemon in process).
        case none
    }

    /// swift-log allows one bootstrap per process.
    private static let loggingBootstrapped = Atomic<Bool>(false)

    /// Runs until a signal stops it; returns the exit status (0 after a graceful shutdown).
    ///
    /// Blocks the calling thread (the command line's synchronous `run`) while the daemon's tasks
    /// run on the concurrency pool and the event loops.
    /// - Parameters:
    ///   - configPath: what SIGHUP reads again.
    ///   - errors: where a failure to start is written (one line each), before the exit status 2.
    public static func runBlocking(
        config: PipelineConfig,
        configPath: String,
        dataDirectory: String,
        log: LogDestination = .standardError,
        errors: @escaping @Sendable (String) -> Void
    ) -> Int32 {
        Self.unblockSignals()
        Self.boundMallocFootprint()
        let status = Mutex<Int32>(0)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            let result = await Self.run(
                config: config,
                configPath: configPath,
                dataDirectory: dataDirectory,
                log: log,
                errors: errors
            )
            status.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return status.withLock { $0 }
    }

    /// The daemon as an async function (see `runBlocking`).
    public static func run(
        config: PipelineConfig,
        configPath: String,
        dataDirectory: String,
        log: LogDestination = .standardError,
        errors: @escaping @Sendable (String) -> Void
    ) async -> Int32 {
        var logger: Logger
        switch log {
        case .standardError:
            if !Self.loggingBootstrapped.exchange(true, ordering: .relaxed) {
                LoggingSystem.bootstrap(StreamLogHandler.standardError)
            }
            logger = Logger(label: "logbox")
        case .none:
            logger = Logger.silent
        }
        logger.logLevel = Logger.Level(rawValue: config.logLevel.rawValue) ?? .info
        // Watch the signals before anything else, so an early SIGHUP does not kill the process.
        let runnerBox = Mutex<PipelineRunner?>(nil)
        let groupBox = Mutex<ServiceGroup?>(nil)
        let shutdownRequested = Atomic<Bool>(false)
        let signals = SignalWatcher(
            shutdown: {
                shutdownRequested.store(true, ordering: .relaxed)
                if let group = groupBox.withLock({ $0 }) { Task { await group.triggerGracefulShutdown() } }
            },
            reload: {
                runnerBox.withLock { $0 }?.reload(configPath: configPath)
            }
        )
        defer { signals.cancel() }

        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        defer { eventLoops.shutdownGracefully { _ in } }
        let runner: PipelineRunner
        let control: ControlServer
        do {
            runner = try PipelineRunner(
                config: config,
                dataDirectory: dataDirectory,
                logger: logger,
                eventLoopGroup: eventLoops
            )
            control = try await ControlServer.bind(directory: dataDirectory, group: eventLoops) {
                [board = runner.board] in board.report().json()
            }
        } catch {
            errors("\(error)")
            return 2
        }
        runnerBox.withLock { $0 = runner }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: control),
                    .init(
                        service: runner,
                        successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup
                    ),
                ],
                logger: logger
            )
        )
        groupBox.withLock { $0 = group }
        if shutdownRequested.load(ordering: .relaxed) { await group.triggerGracefulShutdown() }
        do {
            try await group.run()
        } catch {
            errors("\(error)")
            logger.error("stopped after an error", metadata: ["error": "\(error)"])
            return 2
        }
        return 0
    }

    /// Keeps freed memory from piling up in glibc's heaps (the daemon's and `logbox import`'s
    /// peak RSS targets).
    ///
    /// The daemon's large buffers (line batches, WAL payloads, a segment's postings) are allocated
    /// and freed by different threads all the time. By default glibc raises its mmap threshold
    /// to the largest block freed so far (up to 32 MiB), after which such buffers come from
    /// per-thread arenas that rarely shrink; a fixed threshold keeps the largest ones mmapped
    /// (given back to the kernel when freed), and two arenas keep the many threads from each
    /// holding a heap of their own. 4 MiB, not lower: every mmapped block is page-faulted in
    /// afresh, and at 256 KiB that cost 12 % of the daemon's CPU (peak RSS of the 1M-line file
    /// run: about 150 MB at 256 KiB, 175 MB at 4 MiB, 175-330 MB left to glibc).
    public static func boundMallocFootprint() {
        #if canImport(Glibc)
            _ = mallopt(M_MMAP_THRESHOLD, 4 << 20)
            _ = mallopt(M_ARENA_MAX, 2)
        #endif
    }

    /// A parent may have started us with signals blocked; a daemon must receive them.
    static func unblockSignals() {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, signal) }
        sigprocmask(SIG_UNBLOCK, &signals, nil)
    }
}

/// SIGTERM/SIGINT and SIGHUP delivered through Dispatch signal sources on a queue of their own.
// @unchecked Sendable: the sources are set up in `init` and only cancelled afterwards, which
// Dispatch allows from any thread.
final class SignalWatcher: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(shutdown: @escaping @Sendable () -> Void, reload: @escaping @Sendable () -> Void) {
        let queue = DispatchQueue(label: "logbox.signals")
        var sources: [any DispatchSourceSignal] = []
        for (number, action) in [(SIGTERM, shutdown), (SIGINT, shutdown), (SIGHUP, reload)] {
            #if canImport(Darwin)
                // kqueue delivers signals only when their default action is off.
                signal(number, SIG_IGN)
            #endif
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler(handler: action)
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    func cancel() {
        for source in self.sources { source.cancel() }
    }
}
