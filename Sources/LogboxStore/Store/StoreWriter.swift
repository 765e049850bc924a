import Dispatch
import Glibc
public import LogboxCore
import Synchronization

/// The one writer of a data directory: WAL, memtable, segment flushes, merges, retention.
///
/// Opening takes the directory's `LOCK` (a second writer is refused, naming the holder), reads the
/// manifest, removes what an interrupted write left behind, and replays the WAL records the
/// manifest does not cover into the memtable, cutting a torn tail. Then, per batch of events:
/// `append` (WAL record, memtable), then `maintain` (group commit: the WAL is fsynced at least
/// every `syncInterval`; the memtable becomes a segment at `flushEvents`/`flushBytes`, or once its
/// oldest event is `flushInterval` old, after which the WAL files it covered are deleted); `sync`
/// when durability is needed now. Readers see events once they are in a segment, so a daemon calls
/// `maintain` on an idle timer too (a fraction of `flushInterval`), not only after appends.
/// Merges run on a background thread at a lower CPU priority and never block `append`.
///
/// Background flush (`StoreOptions.backgroundFlush`): `maintain` hands the full memtable to a
/// flush thread and returns; appends go on into a new memtable and a new WAL file while the
/// segment is built on another core. Invariants: at most `flushThreads` flushes are in flight (one
/// more that is due by size waits for the oldest; one due only by time waits for a later
/// `maintain`); flushes build in parallel but publish in the order they started, each after the
/// one before it; the manifest's checkpoints and WAL sequence are those of the published frozen
/// memtable, so they never cover an event that is not in a published segment; WAL files are
/// deleted only once a published segment covers them; a failed flush fails the ones after it too
/// (they cannot publish past it) and all their batches go back, in order, in front of the
/// memtable, so the next `maintain` tries again. A crash at any point replays from the manifest's
/// WAL sequence. `flush`, `close`, `compact` and `prune` wait for the flushes in flight.
///
/// Not thread-safe: one task drives a writer (the flush and merge threads synchronize with it
/// through the manifest and the flush job).
public final class StoreWriter {
    public let directory: String
    public let options: StoreOptions
    public let fileSystem: FileSystem
    /// What opening found and repaired: WAL records replayed, a torn tail cut.
    public let recovery: ReplayReport

    private var lock: DirectoryLock?
    private var wal: WALWriter
    private let state: ManifestState
    private var memtable: [WALBatch] = []
    /// The payload being encoded, reused from batch to batch (it keeps the capacity of the largest
    /// batch; the memtable keeps an exact-size copy of each).
    private var payloadWriter = ByteWriter()
    private var memtableEvents = 0
    private var memtableBytes = 0
    private var memtableLastSequence: UInt64 = 0
    /// When the oldest event of the memtable was appended (or replayed); nil while it is empty.
    private var memtableSince: ContinuousClock.Instant?
    /// The ingest rate window (`recompressBelowRate`): since when, how many events, and whether
    /// the last full window was quiet.
    private var rateWindowStart: ContinuousClock.Instant
    private var rateWindowEvents = 0
    private var ingestIsQuiet = false
    private var checkpointsByInput: [CheckpointKey: Checkpoint] = [:]
    private let merges = DispatchGroup()
    private let mergeStatus = MergeTracker()
    /// Memtables being turned into segments, each on a thread of its own, oldest first.
    private var flushesInFlight: [FlushJob] = []

    /// A frozen memtable on its way to becoming a published segment.
    ///
    /// Everything but `outcome` and `previous` is set before the job is dispatched and never
    /// changes; the flush thread sets `outcome` once, then leaves `done`.
    private final class FlushJob: Sendable {
        let batches: [WALBatch]
        let events: Int
        let bytes: Int
        let since: ContinuousClock.Instant?
        /// The last WAL sequence in `batches`: the manifest's WAL sequence once published.
        let covered: UInt64
        let mergeAfter: Bool
        let done = DispatchGroup()
        private let result = Mutex<Result<SegmentInfo, StoreError>?>(nil)
        /// The flush started just before this one, which must publish first; dropped once it has.
        private let previous: Mutex<FlushJob?>

        init(
            batches: [WALBatch],
            events: Int,
            bytes: Int,
            since: ContinuousClock.Instant?,
            covered: UInt64,
            mergeAfter: Bool,
            previous: FlushJob?
        ) {
            self.previous = Mutex(previous)
            self.batches = batches
            self.events = events
            self.bytes = bytes
            self.since = since
            self.covered = covered
            self.mergeAfter = mergeAfter
            self.done.enter()
        }

        var outcome: Result<SegmentInfo, StoreError>? { self.result.withLock { $0 } }

        /// Builds and writes the segment, then publishes it after the flush before it (on a flush thread).
        func run(
            id: UInt64,
            checkpoints: [Checkpoint],
            state: ManifestState,
            fileSystem: FileSystem,
            beforePublish: (@Sendable () -> Void)?
        ) {
            let outcome: Result<SegmentInfo, StoreError>
            do throws(StoreError) {
                var builder = SegmentBuilder(id: id, level: 0, compressionLevel: 0)
                builder.reserveCapacity(events: self.events, payloadBytes: self.bytes)
                for batch in self.batches { try builder.add(batch: batch) }
                let built = builder.finish(createdAt: StoreWriter.now())
                let info = try SegmentFiles.write(
                    built,
                    segmentsDirectory: state.segmentsDirectory,
                    fileSystem: fileSystem
                )
                beforePublish?()
                // Publish in order: the manifest's checkpoints and WAL sequence only move forward,
                // and never past a memtable that is not in a segment.
                if let previous = self.previous.withLock({ $0.take() }) {
                    previous.done.wait()
                    if case .failure(let error)? = previous.outcome {
                        let directory = "\(state.segmentsDirectory)/\(SegmentInfo.directoryName(info.id))"
                        try? fileSystem.removeDirectory(directory, recursive: true)
                        throw error
                    }
                }
                let covered = self.covered
                try state.publish { (manifest: inout Manifest) throws(StoreError) in
                    manifest.segments.append(info)
                    manifest.walSequence = max(manifest.walSequence, covered)
                    manifest.checkpoints = checkpoints
                }
                outcome = .success(info)
            } catch {
                outcome = .failure(error)
            }
            self.result.withLock { $0 = outcome }
            self.done.leave()
        }
    }

    /// The state of background merges, shared with the merge thread.
    private final class MergeTracker: Sendable {
        struct Status {
            var running = false
            /// Set by `close`, `compact`, `prune` and deinit: a running chain of merges stops after the
            /// merge in hand.
            var stopping = false
            var failure: StoreError?
            var completed = 0
            /// Segments known to need no recompression (`recompressWhenIdle`): checked, or written so.
            var compressedEnough: Set<UInt64> = []
        }
        private let status = Mutex(Status())
        func withLock<T>(_ body: (inout Status) -> T) -> T { self.status.withLock { body(&$0) } }
    }

    struct CheckpointKey: Hashable {
        var device: UInt64
        var inode: UInt64
        var fingerprintLength: UInt32
        var fingerprint: UInt32
        init(_ checkpoint: Checkpoint) {
            self.device = checkpoint.device
            self.inode = checkpoint.inode
            self.fingerprintLength = checkpoint.fingerprintLength
            self.fingerprint = checkpoint.fingerprint
        }
    }

    public static func walDirectory(_ directory: String) -> String { "\(directory)/wal" }
    public static func segmentsDirectory(_ directory: String) -> String { "\(directory)/segments" }
    public static func manifestPath(_ directory: String) -> String { "\(directory)/\(Manifest.fileName)" }

    public init(directory: String, options: StoreOptions = StoreOptions(), fileSystem: FileSystem = FileSystem())
        throws(StoreError)
    {
        self.directory = directory
        self.options = options
        self.fileSystem = fileSystem
        _ = try fileSystem.createDirectory(directory)
        let lock = try DirectoryLock(directory: directory)
        let segments = Self.segmentsDirectory(directory)
        _ = try fileSystem.createDirectory(segments)
        let manifestPath = Self.manifestPath(directory)
        let manifest =
            fileSystem.exists(manifestPath) ? try Manifest.decode(try fileSystem.readFile(manifestPath)) : Manifest()
        self.state = ManifestState(
            manifest: manifest,
            path: manifestPath,
            segmentsDirectory: segments,
            fileSystem: fileSystem
        )
        _ = SegmentJanitor.sweep(segmentsDirectory: segments, manifest: manifest, fileSystem: fileSystem, atOpen: true)
        for checkpoint in manifest.checkpoints { self.checkpointsByInput[CheckpointKey(checkpoint)] = checkpoint }

        // Replay what the WAL holds beyond the manifest into the memtable.
        var batches: [WALBatch] = []
        var lastSequence = manifest.walSequence
        var events = 0
        var bytes = 0
        let walDirectory = Self.walDirectory(directory)
        _ = try fileSystem.createDirectory(walDirectory)
        let report = try WALReader.replay(
            directory: walDirectory,
            fileSystem: fileSystem,
            afterSequence: manifest.walSequence
        ) {
            (sequence: UInt64, payload: [UInt8]) throws(StoreError) in
            let batch = try WALBatch.decode(payload)
            batches.append(batch)
            events += batch.eventCount
            bytes += payload.count
            lastSequence = max(lastSequence, sequence)
        }
        self.recovery = report
        self.wal = try WALWriter(
            directory: walDirectory,
            fileSystem: fileSystem,
            syncInterval: options.syncInterval,
            segmentSize: options.walFileSize,
            nextSequenceAtLeast: lastSequence + 1
        )
        self.memtable = batches
        self.memtableEvents = events
        self.memtableBytes = bytes
        self.memtableLastSequence = lastSequence
        self.rateWindowStart = options.clock()
        if events > 0 { self.memtableSince = self.rateWindowStart }
        for batch in batches { self.apply(batch.checkpoints) }
        self.lock = consume lock
        // Merges an earlier writer left due (an import that outran them) start now, not only after
        // this writer's first flush: an idle daemon would otherwise never get to them.
        if options.backgroundMerges { self.scheduleMerge() }
    }

    deinit {
        for job in self.flushesInFlight { job.done.wait() }
        self.stopMerges()
    }

    // MARK: Ingest

    /// Where the input with this identity stands (nil: never seen), including unflushed batches.
    public func checkpoint(matching identity: Checkpoint) -> Checkpoint? {
        self.checkpointsByInput[CheckpointKey(identity)]
    }

    /// Every input position the store knows.
    public var checkpoints: [Checkpoint] { Array(self.checkpointsByInput.values) }

    /// Writes `batch` to the WAL and the memtable. Durable after the next `sync` (or the group-commit
    /// interval); with `StoreOptions.writeWAL` off it goes to the memtable only and is durable once
    /// its segment is published. `checkpoints` are the input positions this batch reaches. When it
    /// throws, the batch was not taken (a failed WAL write leaves no partial record) and may be
    /// appended again.
    public func append(
        _ batch: EventBatch,
        source: String,
        file: String? = nil,
        checkpoints: [Checkpoint] = [],
        receivedAt: Int64
    ) throws(StoreError) {
        guard batch.count > 0 || !checkpoints.isEmpty else { return }
        WALBatch.encode(
            batch,
            source: source,
            file: file,
            checkpoints: checkpoints,
            receivedAt: receivedAt,
            into: &self.payloadWriter
        )
        let payload = self.payloadWriter.bytes
        let sequence =
            self.options.writeWAL
            ? try self.wal.append(payload, compress: self.options.compressWAL) : self.wal.reserveSequence()
        self.rateWindowEvents += batch.count
        if self.memtableSince == nil && batch.count > 0 { self.memtableSince = self.options.clock() }
        // The batch keeps an exact-size copy of the payload: the memtable (two of them with a flush
        // in flight) holds payloads until their segment is out.
        self.memtable.append(try WALBatch.decode(payload))
        self.memtableEvents += batch.count
        self.memtableBytes += payload.count
        self.memtableLastSequence = sequence
        self.apply(checkpoints)
    }

    /// Takes the positions of an appended (or replayed) batch, in order; a tombstone
    /// (`Checkpoint.forgetting`) drops its input, so the next manifest no longer lists it.
    private func apply(_ checkpoints: [Checkpoint]) {
        for checkpoint in checkpoints {
            if checkpoint.isForgetting {
                self.checkpointsByInput[CheckpointKey(checkpoint)] = nil
            } else {
                self.checkpointsByInput[CheckpointKey(checkpoint)] = checkpoint
            }
        }
    }

    /// Group commit and flush policy, called between appends (and on an idle timer): fsyncs the WAL
    /// when `syncInterval` has passed, and turns the memtable into a segment once it holds
    /// `flushEvents` events or `flushBytes` bytes, or its oldest event is older than
    /// `flushInterval`. Kept apart from `append` so that an error here (a full disk while
    /// writing a segment) is not mistaken for the batch not being taken: it was.
    ///
    /// With `backgroundFlush`, segments are built on flush threads: this call takes the outcomes
    /// of finished flushes (throwing a failure, after which the next call tries again) and hands a
    /// due memtable over, waiting only when `flushThreads` flushes still run and the memtable is
    /// full.
    public func maintain() throws(StoreError) {
        _ = try self.wal.syncIfDue()
        try self.finishFlushes(wait: .none)
        let full = self.memtableIsFull
        guard full || self.flushIsDue else {
            if let rate = self.options.recompressBelowRate { self.recompressIfQuiet(below: rate) }
            return
        }
        guard self.options.backgroundFlush else {
            try self.flush()
            return
        }
        if self.flushesInFlight.count >= max(1, self.options.flushThreads) {
            // Due by time only: a running flush makes room soon; a later call hands it over.
            guard full else { return }
            try self.finishFlushes(wait: .oldest)
        }
        try self.startFlush(mergeAfter: true)
    }

    /// Whether the memtable holds `flushEvents` events or `flushBytes` bytes: `maintain` should run
    /// now, not only on the caller's timer, or the memtable (and the segment built from it) grows
    /// past the size that bounds a flush's memory.
    public var memtableIsFull: Bool {
        self.memtableEvents >= self.options.flushEvents || self.memtableBytes >= self.options.flushBytes
    }

    /// Whether the memtable holds events appended more than `flushInterval` ago.
    public var flushIsDue: Bool {
        guard self.memtableEvents > 0, let since = self.memtableSince else { return false }
        return self.options.clock() - since > self.options.flushInterval
    }

    /// Makes everything appended so far durable (one fdatasync of the WAL).
    public func sync() throws(StoreError) {
        try self.wal.sync()
    }

    /// Events appended but not yet in a published segment (a flush in flight included).
    public var unflushedEvents: Int {
        var events = self.memtableEvents
        for job in self.flushesInFlight {
            if case .success = job.outcome { continue }
            events += job.events
        }
        return events
    }

    /// Whether a background flush is building (or waiting to publish) a segment now.
    public var isFlushing: Bool { self.flushesInFlight.contains { $0.outcome == nil } }

    /// Turns the memtable into a segment, publishes it, and deletes the WAL files it covered; then
    /// starts a background merge if one is due (`mergeAfter`). Waits for a flush in flight first,
    /// and returns once everything appended so far is in a published segment.
    public func flush(mergeAfter: Bool = true) throws(StoreError) {
        try self.finishFlushes(wait: .all)
        try self.wal.sync()
        guard !self.memtable.isEmpty else { return }
        try self.startFlush(mergeAfter: mergeAfter)
        try self.finishFlushes(wait: .all)
    }

    /// Freezes the memtable and hands it to a flush thread. The caller made sure fewer than
    /// `flushThreads` flushes are in flight.
    ///
    /// The WAL moves on to a new file first, so that the frozen records sit in files the new
    /// memtable's records are not in: once the segment is published, `finishFlush` deletes them.
    /// The checkpoints taken here are exactly those of the frozen batches and earlier.
    private func startFlush(mergeAfter: Bool) throws(StoreError) {
        precondition(
            self.flushesInFlight.count < max(1, self.options.flushThreads),
            "a flush started while flushThreads are in flight"
        )
        guard !self.memtable.isEmpty else { return }
        if let failure = self.mergeStatus.withLock({ $0.failure }) { throw failure }
        try self.wal.roll()
        let job = FlushJob(
            batches: self.memtable,
            events: self.memtableEvents,
            bytes: self.memtableBytes,
            since: self.memtableSince,
            covered: self.memtableLastSequence,
            mergeAfter: mergeAfter,
            previous: self.flushesInFlight.last
        )
        let checkpoints = Array(self.checkpointsByInput.values)
        let id = self.state.reserveSegmentIDs()
        self.memtable = []
        self.memtableSince = nil
        self.memtableEvents = 0
        self.memtableBytes = 0
        self.flushesInFlight.append(job)
        let state = self.state
        let fileSystem = self.fileSystem
        let beforePublish = self.options.beforeFlushPublish
        BackgroundThread.start {
            job.run(
                id: id,
                checkpoints: checkpoints,
                state: state,
                fileSystem: fileSystem,
                beforePublish: beforePublish
            )
        }
    }

    /// Which flushes `finishFlushes` waits for.
    private enum FlushWait {
        case none, oldest, all
    }

    /// Takes the outcomes of finished flushes, oldest first, stopping at one still running
    /// (after waiting as `wait` says): on success deletes the WAL files its segment covers and
    /// schedules a merge; on failure waits for the later flushes (which fail too, not publishing
    /// past it), puts all their batches back in front of the memtable, in order, and throws.
    private func finishFlushes(wait: FlushWait) throws(StoreError) {
        var first = true
        while let job = self.flushesInFlight.first {
            if wait == .all || (wait == .oldest && first) { job.done.wait() }
            first = false
            guard let outcome = job.outcome else { return }
            self.flushesInFlight.removeFirst()
            switch outcome {
            case .success:
                _ = try self.wal.deleteFiles(upToSequence: job.covered)
                if job.mergeAfter && self.options.backgroundMerges { self.scheduleMerge() }
            case .failure(let error):
                var batches = job.batches
                var events = job.events
                var bytes = job.bytes
                for later in self.flushesInFlight {
                    later.done.wait()
                    batches += later.batches
                    events += later.events
                    bytes += later.bytes
                }
                self.flushesInFlight.removeAll()
                self.memtable = batches + self.memtable
                self.memtableEvents += events
                self.memtableBytes += bytes
                self.memtableSince = job.since ?? self.memtableSince
                throw error
            }
        }
    }

    /// Flushes, waits for a running merge, syncs and releases the lock. No new merge starts: the
    /// next writer (or `compact`) merges what is left, so closing stays quick.
    public func close() throws(StoreError) {
        try self.flush(mergeAfter: false)
        self.stopMerges()
        if let failure = self.mergeStatus.withLock({ $0.failure }) { throw failure }
        try self.wal.sync()
        self.lock = nil
    }

    // MARK: Maintenance

    /// The manifest as it stands.
    public var manifest: Manifest { self.state.manifest }

    /// Whether the merge policy has a merge due on the published segments (one may be running):
    /// an import that outran its merges leaves them to the next writer, which starts them when it
    /// opens, or to `compact`.
    public var isMergeDue: Bool { MergePolicy.pick(self.state.manifest.segments, options: self.options) != nil }

    /// Merges completed by the background queue since open.
    public var completedMerges: Int { self.mergeStatus.withLock { $0.completed } }

    /// Whether a background merge is running now.
    public var isMerging: Bool { self.mergeStatus.withLock { $0.running } }

    /// Waits for background merges: the running one and those it goes on to while more are due.
    public func waitForMerges() { self.merges.wait() }

    /// Waits for the merge in hand only: a running chain stops after it.
    private func stopMerges() {
        self.mergeStatus.withLock { $0.stopping = true }
        self.merges.wait()
    }

    /// Starts a background merge if some size tier has `mergeFactor` neighbouring segments
    /// (`MergePolicy`) and none is running.
    public func scheduleMerge() {
        guard self.claimMergeThread() else { return }
        guard let candidates = MergePolicy.pick(self.state.manifest.segments, options: self.options) else {
            self.mergeStatus.withLock { $0.running = false }
            return
        }
        let state = self.state
        let options = self.options
        self.runOnMergeThread { (status: MergeTracker) throws(StoreError) in
            // One merge, then the next while more are due: an idle writer finishes what a burst (or
            // an import before it) left, instead of waiting for flushes to trigger each one.
            var next: [SegmentInfo]? = candidates
            while let run = next {
                try Merger.merge(
                    run,
                    state: state,
                    compression: options.mergedDocCompression,
                    beforePublish: options.beforeMergePublish
                )
                status.withLock { $0.completed += 1 }
                if status.withLock({ $0.stopping }) { break }
                next = MergePolicy.pick(state.manifest.segments, options: options)
            }
        }
    }

    /// Measures the ingest rate over windows of 10 s; while the last one was below `rate` events per
    /// second, no flush is in flight and no merge is due, recompresses a segment.
    private func recompressIfQuiet(below rate: Double) {
        let now = self.options.clock()
        let elapsed = now - self.rateWindowStart
        if elapsed >= .seconds(10) {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            self.ingestIsQuiet = Double(self.rateWindowEvents) < rate * seconds
            self.rateWindowStart = now
            self.rateWindowEvents = 0
        }
        guard self.ingestIsQuiet, self.flushesInFlight.isEmpty,
            !self.isMergeDue
        else { return }
        self.scheduleRecompression()
    }

    /// Starts recompressing the oldest final segment whose docs are not `compactDocCompression`, if
    /// no merge runs (`recompressBelowRate`). Segments are checked on the merge thread, each once.
    func scheduleRecompression() {
        guard self.claimMergeThread() else { return }
        let options = self.options
        let finalSize = options.maximumMergedEvents / max(options.mergeFactor, 2)
        let known = self.mergeStatus.withLock { $0.compressedEnough }
        let candidates = self.state.manifest.segments.filter { $0.docCount > finalSize && !known.contains($0.id) }
        guard !candidates.isEmpty else {
            self.mergeStatus.withLock { $0.running = false }
            return
        }
        let state = self.state
        self.runOnMergeThread { (status: MergeTracker) throws(StoreError) in
            for segment in candidates {
                if try Self.docCompression(of: segment, state: state) == options.compactDocCompression {
                    status.withLock { _ = $0.compressedEnough.insert(segment.id) }
                    continue
                }
                let id = try Merger.merge(
                    [segment],
                    state: state,
                    compression: options.compactDocCompression,
                    beforePublish: options.beforeMergePublish
                )
                status.withLock {
                    $0.completed += 1
                    if let id { $0.compressedEnough.insert(id) }
                }
                return
            }
        }
    }

    /// How the docs of `segment` are compressed (opens the segment; reads its docs trailer).
    private static func docCompression(of segment: SegmentInfo, state: ManifestState) throws(StoreError)
        -> DocCompression
    {
        let directory = "\(state.segmentsDirectory)/\(segment.directoryName)"
        return try SegmentReader(directory: directory, fileSystem: state.fileSystem).docs.compression
    }

    /// Takes the merge thread for a merge or a recompression: false when one runs already.
    private func claimMergeThread() -> Bool {
        self.mergeStatus.withLock { status -> Bool in
            if status.running { return false }
            status.running = true
            return true
        }
    }

    /// Runs `work` on the merge thread `claimMergeThread` took, records a failure, and frees it. A
    /// niced thread of its own: ingest and flushes come first when the cores are busy.
    private func runOnMergeThread(_ work: @escaping @Sendable (MergeTracker) throws(StoreError) -> Void) {
        let status = self.mergeStatus
        self.merges.enter()
        BackgroundThread.start(niceness: BackgroundThread.mergeNiceness) { [merges] in
            defer { merges.leave() }
            do throws(StoreError) {
                try work(status)
            } catch {
                status.withLock { $0.failure = error }
            }
            status.withLock { $0.running = false }
        }
    }

    /// Merges neighbouring segments into as few as `compactMaximumEvents` allows (`logbox index
    /// compact`), in the foreground, with the doc store recompressed as `compactDocCompression` says.
    public func compact() throws(StoreError) {
        try self.flush()
        self.stopMerges()
        defer { self.mergeStatus.withLock { $0.stopping = false } }
        var runs: [[SegmentInfo]] = [[]]
        var events = 0
        for segment in self.state.manifest.segments {
            if events + segment.docCount > self.options.compactMaximumEvents && !runs[runs.count - 1].isEmpty {
                runs.append([])
                events = 0
            }
            runs[runs.count - 1].append(segment)
            events += segment.docCount
        }
        for run in runs where !run.isEmpty {
            // A segment alone is rewritten only to recompress it (a flushed segment's docs always are).
            if run.count == 1,
                try Self.docCompression(of: run[0], state: self.state) == self.options.compactDocCompression
            {
                continue
            }
            try Merger.merge(run, state: self.state, compression: self.options.compactDocCompression)
        }
    }

    /// Drops whole segments, oldest first: those whose newest event is older than `maxAge` before
    /// `now`, then more until the store is within `maxBytes`. Returns the dropped segments.
    @discardableResult
    public func prune(maxAge: Duration?, maxBytes: UInt64?, now: Int64 = StoreWriter.now()) throws(StoreError)
        -> [SegmentInfo]
    {
        try self.flush()
        self.stopMerges()
        defer { self.mergeStatus.withLock { $0.stopping = false } }
        return try self.state.publish { (manifest: inout Manifest) throws(StoreError) in
            let dropped = Retention.select(manifest.segments, maxAge: maxAge, maxBytes: maxBytes, now: now)
            let ids = Set(dropped.map(\.id))
            manifest.segments.removeAll { ids.contains($0.id) }
            manifest.retired.append(contentsOf: ids)
            return dropped
        }
    }

    /// Removes a segment from the manifest and moves its directory to `quarantine/` (verify's repair).
    public func quarantine(segment id: UInt64) throws(StoreError) {
        let quarantine = "\(self.directory)/quarantine"
        _ = try self.fileSystem.createDirectory(quarantine)
        let name = SegmentInfo.directoryName(id)
        // Move first, then drop it from the manifest: published first, the janitor would delete it.
        let source = "\(self.state.segmentsDirectory)/\(name)"
        if self.fileSystem.exists(source) {
            try self.fileSystem.rename(source, to: "\(quarantine)/\(name)")
            try self.fileSystem.syncDirectory(quarantine)
            try self.fileSystem.syncDirectory(self.state.segmentsDirectory)
        }
        try self.state.publish { (manifest: inout Manifest) throws(StoreError) in
            manifest.segments.removeAll { $0.id == id }
        }
    }

    public static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
