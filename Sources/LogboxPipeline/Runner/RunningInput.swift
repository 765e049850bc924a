import LogboxCore
import LogboxParse
import LogboxStore
import Logging
import NIOCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One started source: the task that feeds the ingest queue, and how to stop it.
///
/// `stop()` returns once everything the input received is in the ingest queue (the writer
/// appends it in order), so a source can be stopped and restarted by a reload without losing or
/// repeating a line: a restarted file tailer resumes from the checkpoints the writer reports.
final class RunningInput: Sendable {
    let control: InputControl
    private let task: Task<Void, Never>
    private let shutdown: (@Sendable () async -> Void)?

    private init(control: InputControl, task: Task<Void, Never>, shutdown: (@Sendable () async -> Void)?) {
        self.control = control
        self.task = task
        self.shutdown = shutdown
    }

    var handle: InputHandle { self.control.handle }

    /// Stops reading and waits until what was read is queued.
    func stop() async {
        self.control.stopRequested.store(true, ordering: .releasing)
        await self.shutdown?()
        await self.task.value
    }

    /// Waits until the input ends by itself (standard input at its end).
    func finished() async { await self.task.value }

    /// Starts `handle.source`.
    /// - Parameters:
    ///   - checkpoints: the store's positions (file sources resume from them).
    ///   - group: the event loops of network inputs.
    /// - Throws: `RunnerError` when a listener cannot bind or a tailer cannot be made.
    static func start(
        _ handle: InputHandle,
        queue: IngestQueue,
        checkpoints: [Checkpoint],
        group: any EventLoopGroup,
        logger: Logger
    ) async throws(RunnerError) -> RunningInput {
        var logger = logger
        logger[metadataKey: "source.name"] = "\(handle.name)"
        switch handle.source.kind {
        case .file(let file):
            let options = TailOptions(file, sourceName: handle.name)
            let tailer: FileTailer
            do {
                tailer = try FileTailer(options: options, checkpoints: checkpoints, now: StoreWriter.now())
            } catch {
                throw RunnerError("\(handle.name): \(error)")
            }
            let control = InputControl(handle)
            let loop = FileTailLoop(tailer: tailer, control: control, queue: queue, logger: logger)
            return RunningInput(control: control, task: Task { await loop.run() }, shutdown: nil)
        case .syslogUDP(let config):
            var options = SyslogUDPOptions(name: handle.name, host: config.listen.host, port: config.listen.port)
            options.allow = Self.allowlist(config.allow)
            options.receiveBuffer = Int(clamping: config.receiveBuffer)
            options.maxMessageSize = min(config.maxMessageSize, 65_535)
            let udp: SyslogUDPInput
            do {
                udp = try await SyslogUDPInput.start(options, group: group)
            } catch {
                throw RunnerError("\(error)")
            }
            handle.network.withLock {
                $0 = { [udp] in
                    let s = udp.statistics
                    return NetworkInputStatus(
                        received: s.received,
                        bytes: s.bytes,
                        dropped: s.droppedQueueFull + s.droppedNotAllowed,
                        truncated: s.truncated,
                        pending: udp.batches.pendingMessages
                    )
                }
            }
            logger.info("listening", metadata: ["listen": "udp \(config.listen.host):\(udp.localPort)"])
            return RunningInput(
                control: InputControl(handle),
                task: Task { await Self.forward(udp.batches, handle: handle, queue: queue) },
                shutdown: { await udp.shutdown() }
            )
        case .syslogTCP(let config):
            var options = SyslogTCPOptions(name: handle.name, host: config.listen.host, port: config.listen.port)
            options.allow = Self.allowlist(config.allow)
            options.maxMessageSize = config.maxMessageSize
            options.idleTimeout = config.idleTimeout
            options.maxConnections = config.maxConnections
            switch config.framing {
            case .auto: options.framing = .detect
            case .newline: options.framing = .newline
            case .octet: options.framing = .octetCounting
            }
            let tcp: SyslogTCPInput
            do {
                tcp = try await SyslogTCPInput.start(options, group: group)
            } catch {
                throw RunnerError("\(error)")
            }
            handle.network.withLock {
                $0 = { [tcp] in
                    let s = tcp.statistics
                    return NetworkInputStatus(
                        received: s.received,
                        bytes: s.bytes,
                        dropped: s.droppedNotAllowed + s.connectionsRejected,
                        truncated: s.truncated,
                        pending: tcp.batches.pendingMessages,
                        connections: s.connectionsOpen,
                        lastError: s.lastFramingError
                    )
                }
            }
            logger.info("listening", metadata: ["listen": "tcp \(config.listen.host):\(tcp.localPort)"])
            return RunningInput(
                control: InputControl(handle),
                task: Task { await Self.forward(tcp.batches, handle: handle, queue: queue) },
                shutdown: { await tcp.shutdown() }
            )
        case .stdin:
            let control = InputControl(handle)
            let loop = StandardInputLoop(control: control, queue: queue, logger: logger)
            return RunningInput(control: control, task: Task { await loop.run() }, shutdown: nil)
        }
    }

    static func allowlist(_ networks: [IPNetwork]) -> SyslogAllowlist {
        (try? SyslogAllowlist(networks.map(\.text))) ?? .everyone
    }

    /// Moves a syslog input's batches into the ingest queue until the input is shut down and drained.
    static func forward(_ batches: SyslogBatchQueue, handle: InputHandle, queue: IngestQueue) async {
        while let batch = await batches.next() {
            handle.queued.add(batch.count, ordering: .relaxed)
            await queue.push(.lines(handle, batch.lines, peers: batch.peers, file: nil, checkpoints: []))
        }
    }
}

/// What an input's loop checks between reads: whether to stop.
final class InputControl: Sendable {
    let handle: InputHandle
    let stopRequested = Atomic<Bool>(false)

    init(_ handle: InputHandle) {
        self.handle = handle
    }

    var isStopRequested: Bool { self.stopRequested.load(ordering: .acquiring) }
}
