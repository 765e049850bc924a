import LogboxCore
import LogboxParse
import LogboxStore
import Logging
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The writer task: the one owner of the `StoreWriter` (which is not thread-safe).
///
/// Takes items from the ingest queue in order; per batch of lines: parse with the input's parser,
/// add `peer` for network messages, enrich, route, write to the sinks, and append to the store
/// together with the checkpoints the lines reach. Ticks (and every batch) run `maintain`, so the
/// WAL is group-committed every `sync_interval` and new events reach a segment, visible to
/// `logbox query`, within about `flush_interval`. `finish` syncs and closes the store.
final class IngestWriter {
    private let store: StoreWriter
    private let queue: IngestQueue
    private let board: StatusBoard
    private var logger: Logger
    private var config: PipelineConfig
    private var chain: EnrichChain
    private var router: Router
    /// One per sink of `config.sinks`: nil for the store sink.
    private var sinks: [JSONLinesSink?]
    private var parsers: [Int: InputParser] = [:]
    /// One batch for every input: parsers and enrich steps intern field names in its table.
    private var events = EventBatch()
    private var storeMask: [Bool] = []
    private var lastMaintain = ContinuousClock.now
    private var lastPrune = ContinuousClock.now
    private var droppedBefore = 0
    private var sinkEvents = 0
    private var sinkErrors = 0

    /// A source's parser, remade every hour so that BSD timestamps infer the year from a recent time.
    struct InputParser {
        var driver: BatchParser
        var madeAt: ContinuousClock.Instant
    }

    /// - Parameter logger: the daemon's log; nil logs nothing.
    init(store: StoreWriter, queue: IngestQueue, board: StatusBoard, config: PipelineConfig, logger: Logger? = nil)
        throws(RunnerError)
    {
        self.store = store
        self.queue = queue
        self.board = board
        self.logger = logger ?? Logger.silent
        self.config = config
        do {
            self.chain = try EnrichChain(config: config, referenceTime: StoreWriter.now())
            self.router = try Router(config: config)
        } catch {
            throw RunnerError(error.issues.map(\.description).joined(separator: "\n"))
        }
        self.sinks = try Self.openSinks(config)
    }

    static func openSinks(_ config: PipelineConfig) throws(RunnerError) -> [JSONLinesSink?] {
        var sinks: [JSONLinesSink?] = []
        for sink in config.sinks {
            switch sink.kind {
            case .store: sinks.append(nil)
            case .stdout: sinks.append(JSONLinesSink(name: sink.name, descriptor: 1))
            case .file(let path):
                do {
                    sinks.append(try JSONLinesSink(name: sink.name, path: path))
                } catch {
                    throw RunnerError("\(error)")
                }
            }
        }
        return sinks
    }

    /// Runs until `finish`: then syncs and closes the store.
    func run() async throws(RunnerError) {
        self.publishStore()
        while true {
            let item = await self.queue.next()
            switch item {
            case .lines(let input, let lines, let peers, let file, let checkpoints):
                await self.write(input: input, lines: lines, peers: peers, file: file, checkpoints: checkpoints)
                self.maintainIfDue(force: false)
            case .tick:
                self.maintainIfDue(force: true)
            case .reconfigure(let config, let reply):
                reply(self.reconfigure(config))
            case .finish:
                do {
                    try self.store.sync()
                    try self.store.close()
                } catch {
                    self.publishStore(error: "\(error)")
                    throw RunnerError("\(self.store.directory): \(error)")
                }
                self.publishStore()
                return
            }
        }
    }

    // MARK: Batches

    private func write(
        input: InputHandle,
        lines: LineBatch,
        peers: [SyslogPeer],
        file: String?,
        checkpoints: [Checkpoint]
    ) async {
        input.queued.add(-lines.count, ordering: .relaxed)
        let source = input.name
        if lines.count > 0 {
            var parser = self.parser(for: input)
            let before = parser.driver.stats
            parser.driver.parse(lines, into: &self.events)
            let after = parser.driver.stats
            self.parsers[input.id] = parser
            input.parsed.add(after.parsed - before.parsed, ordering: .relaxed)
            input.failed.add(after.failed - before.failed, ordering: .relaxed)
            if !peers.isEmpty { self.addPeers(peers) }
            if !self.chain.isEmpty {
                self.chain.run(&self.events, source: source, file: file, input: source)
            }
        } else {
            self.events.removeAll()
        }
        let selections = self.router.route(self.events, source: source, file: file)
        // The store takes the union of what its sinks select (usually one sink, everything).
        var storeSelection: EventSelection?
        for (index, sink) in self.sinks.enumerated() {
            guard let selection = selections[index] else { continue }
            guard let sink else {
                storeSelection = Self.union(storeSelection, selection, count: self.events.count)
                continue
            }
            do {
                try sink.write(self.events, selection: selection, source: source, file: file)
                self.sinkEvents += Self.count(selection, of: self.events.count)
            } catch {
                self.sinkErrors += 1
                self.logger.error("sink write failed", metadata: ["sink.name": "\(sink.name)", "error": "\(error)"])
            }
        }
        var stored = self.events
        if let selection = storeSelection {
            if let mask = selection.mask { stored.keepEvents(mask) }
        } else {
            stored.events.removeAll()
        }
        // Checkpoints go with the batch even when no event is stored, so the position still moves.
        var attempt = 0
        while true {
            do {
                try self.store.append(
                    stored,
                    source: source,
                    file: file,
                    checkpoints: checkpoints,
                    receivedAt: lines.receivedAt
                )
                break
            } catch {
                // Not taken (a full disk, say): wait and try again, which also holds the inputs back.
                // Stopping, give up after a few tries so the daemon can exit: a file's checkpoint did
                // not move, so its lines are read again at the next start.
                attempt += 1
                if self.board.isStopping && attempt > 5 {
                    input.recordError("store append failed while stopping; \(lines.count) lines not stored: \(error)")
                    self.logger.error(
                        "store append failed while stopping; lines not stored",
                        metadata: ["lines": "\(lines.count)", "error": "\(error)"]
                    )
                    return
                }
                self.publishStore(error: "\(error)")
                if attempt == 1 || attempt % 60 == 0 {
                    self.logger.error("store append failed; retrying", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        input.stored.add(stored.count, ordering: .relaxed)
        let dropped = self.chain.droppedEvents
        if dropped != self.droppedBefore {
            self.board.addEnrichDropped(dropped - self.droppedBefore)
            self.droppedBefore = dropped
        }
        self.board.setSinkCounts(events: self.sinkEvents, errors: self.sinkErrors)
    }

    private func parser(for input: InputHandle) -> InputParser {
        let now = ContinuousClock.now
        if let existing = self.parsers[input.id], now - existing.madeAt < .seconds(3600) { return existing }
        let parserConfig = input.source.parser
        let zone = (try? TimeZoneRules(named: parserConfig.timezone)) ?? .utc
        let context = ParseContext(zone: zone, referenceTime: StoreWriter.now())
        let parser: any LogParser
        do {
            parser = try ParserRegistry.make(parserConfig.name, pattern: parserConfig.pattern, context: context)
        } catch {
            // The config was checked at load; fall back to `auto` rather than lose lines.
            self.logger.error("parser failed; using auto", metadata: ["source.name": "\(input.name)"])
            parser = (try? ParserRegistry.make("auto", context: context))!
        }
        return InputParser(driver: BatchParser(parser: parser), madeAt: now)
    }

    /// Adds `peer` (the sender's address) to every event: one arena value per run of one sender.
    private func addPeers(_ peers: [SyslogPeer]) {
        var added: [(event: Int, field: FieldSlot)] = []
        added.reserveCapacity(self.events.count)
        var lastPeer: SyslogPeer?
        var lastRange = 0..<0
        for event in 0..<self.events.count {
            let line = Int(self.events.events[event].line)
            guard line < peers.count else { continue }
            let peer = peers[line]
            if peer != lastPeer {
                lastRange = self.events.appendValue(Array(peer.addressText.utf8))
                lastPeer = peer
            }
            added.append(
                (
                    event,
                    FieldSlot(
                        name: .peer,
                        kind: .text,
                        start: Int32(truncatingIfNeeded: lastRange.lowerBound),
                        length: Int32(truncatingIfNeeded: lastRange.count)
                    )
                )
            )
        }
        self.events.addFields(added)
    }

    static func union(_ left: EventSelection?, _ right: EventSelection, count: Int) -> EventSelection {
        guard let left else { return right }
        guard let leftMask = left.mask, let rightMask = right.mask else { return .all }
        return EventSelection(mask: (0..<count).map { leftMask[$0] || rightMask[$0] })
    }

    static func count(_ selection: EventSelection, of count: Int) -> Int {
        guard let mask = selection.mask else { return count }
        return mask.reduce(0) { $0 + ($1 ? 1 : 0) }
    }

    // MARK: Maintenance

    /// Runs `maintain` on ticks, at most every 100 ms between batches, and at once when the
    /// memtable is full: appending is fast, so a timer alone would let the memtable (and the
    /// segment a flush builds from it, and the memory that takes) grow several times past
    /// `flushEvents`.
    private func maintainIfDue(force: Bool) {
        let now = ContinuousClock.now
        guard force || now - self.lastMaintain >= .milliseconds(100) || self.store.memtableIsFull else { return }
        self.lastMaintain = now
        do {
            try self.store.maintain()
            if now - self.lastPrune >= .seconds(600),
                self.config.store.retentionMaxAge != nil || self.config.store.retentionMaxBytes != nil
            {
                self.lastPrune = now
                let dropped = try self.store.prune(
                    maxAge: self.config.store.retentionMaxAge,
                    maxBytes: self.config.store.retentionMaxBytes.map { UInt64(max(0, $0)) }
                )
                if !dropped.isEmpty {
                    self.logger.info("retention dropped segments", metadata: ["segments": "\(dropped.count)"])
                }
            }
            self.publishStore()
        } catch {
            self.logger.error("store maintenance failed", metadata: ["error": "\(error)"])
            self.publishStore(error: "\(error)")
        }
    }

    private func publishStore(error: String? = nil) {
        let manifest = self.store.manifest
        var status = StoreStatus()
        status.segments = manifest.segments.count
        status.events = manifest.segments.reduce(0) { $0 + $1.docCount }
        status.unflushed = self.store.unflushedEvents
        status.lastError = error
        self.board.setStore(status, keepError: error == nil)
    }

    // MARK: Reload

    private func reconfigure(_ config: PipelineConfig) -> Result<[Checkpoint], RunnerError> {
        do {
            let chain = try EnrichChain(config: config, referenceTime: StoreWriter.now())
            let router = try Router(config: config)
            let sinks = try Self.openSinks(config)
            self.chain = chain
            self.router = router
            self.sinks = sinks
            self.droppedBefore = 0
            self.config = config
            self.logger.logLevel = Logger.Level(rawValue: config.logLevel.rawValue) ?? .info
        } catch let error as PipelineConfigError {
            return .failure(RunnerError(error.issues.map(\.description).joined(separator: "\n")))
        } catch let error as RunnerError {
            return .failure(error)
        } catch {
            return .failure(RunnerError("\(error)"))
        }
        // Everything queued before this message is appended: positions are current.
        return .success(self.store.checkpoints)
    }
}
