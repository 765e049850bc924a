import Glibc
import LogboxQuery
import LogboxStore
import Synchronization

/// Set by SIGINT (2) or SIGTERM (15) while following; 0 while running.
private let followStopSignal = Atomic<Int32>(0)

/// `logbox query --follow`: the last events of the window, then each new matching event once, in
/// the order the store took them, until Ctrl-C.
///
/// Events reach a reader as segments (the writer flushes about every second). What was printed is
/// known by segment *leaves*: a flush makes a segment of one leaf, and a merge concatenates its
/// inputs' leaves in doc order keeping their ids, which grow with every flush. So after a merge
/// the same events keep the same leaf ids, and "the docs of leaves with an id above the highest one
/// seen" is exactly what is new, whatever merged meanwhile.
struct QueryFollower {
    /// How often the manifest is looked at.
    static let pollInterval: Duration = .milliseconds(250)

    let directory: String
    let filter: PreparedFilter
    var writer: QueryEventWriter
    let errors: Output
    /// The highest leaf id whose events have been looked at.
    private(set) var highestLeaf: UInt64 = 0
    private var generation: UInt64?
    /// The segments whose leaves have been looked at (a segment never changes once written).
    private var examined: Set<UInt64> = []
    private var unreadablePolls = 0

    init(directory: String, filter: PreparedFilter, writer: QueryEventWriter, errors: Output) {
        self.directory = directory
        self.filter = filter
        self.writer = writer
        self.errors = errors
    }

    /// A segment's leaves: their ids and the doc ids each covers, in doc order.
    static func leaves(of meta: SegmentMeta) -> [(id: UInt64, docs: Range<UInt32>)] {
        var start: UInt32 = 0
        return meta.effectiveLeaves.map { leaf in
            let end = start + UInt32(leaf.docCount)
            defer { start = end }
            return (leaf.id, start..<end)
        }
    }

    /// Prints the newest `limit` events of `window` oldest first, then follows; returns the exit status.
    mutating func run(engine: QueryEngine, snapshot: StoreSnapshot, window: TimeWindow, limit: Int) throws -> Int32 {
        followStopSignal.store(0, ordering: .relaxed)
        signal(SIGINT) { _ in followStopSignal.store(SIGINT, ordering: .relaxed) }
        signal(SIGTERM) { _ in followStopSignal.store(SIGTERM, ordering: .relaxed) }
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &signals, nil)
        defer {
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }

        var recent: [MatchedEvent] = []
        try engine.newest(self.filter, in: window, limit: limit) { match in
            recent.append(match)
            return true
        }
        for match in recent.reversed() { self.writer.write(match.event, of: match.segment) }
        self.writer.finish()
        self.generation = snapshot.manifest.generation
        self.examined = Set(snapshot.manifest.segments.map(\.id))
        self.highestLeaf = snapshot.segments.lazy.flatMap { Self.leaves(of: $0.meta) }.map(\.id).max() ?? 0

        let clock = ContinuousClock()
        var next = clock.now
        while true {
            next += Self.pollInterval
            while clock.now < next {
                if followStopSignal.load(ordering: .relaxed) != 0 { return self.stopped() }
                usleep(20_000)
            }
            if followStopSignal.load(ordering: .relaxed) != 0 { return self.stopped() }
            try self.poll()
        }
    }

    /// 130 for Ctrl-C, as a shell reports a command it interrupted; 0 for a polite SIGTERM.
    private mutating func stopped() -> Int32 {
        self.writer.finish()
        return followStopSignal.load(ordering: .relaxed) == SIGINT ? 130 : 0
    }

    /// Looks at the manifest; when it changed, prints the matching events of leaves not seen yet.
    ///
    /// Segments are immutable, so only segments with an id not examined before can hold new
    /// leaves: those alone are opened, however large the store.
    mutating func poll() throws {
        let fileSystem = FileSystem()
        let manifestPath = StoreWriter.manifestPath(self.directory)
        guard fileSystem.exists(manifestPath) else { return }
        let manifest = try Manifest.decode(try fileSystem.readFile(manifestPath))
        guard manifest.generation != self.generation else { return }
        let segmentsDirectory = StoreWriter.segmentsDirectory(self.directory)
        var opened: [SegmentReader] = []
        var unreadable: [String] = []
        for info in manifest.segments where !self.examined.contains(info.id) {
            do {
                opened.append(
                    try SegmentReader(directory: "\(segmentsDirectory)/\(info.directoryName)", fileSystem: fileSystem)
                )
            } catch {
                unreadable.append("\(info.directoryName): \(error)")
            }
        }
        if !unreadable.isEmpty {
            // A merge may have replaced the segment since the manifest was read: look again next
            // time rather than skip its leaves; after a few tries, go on without it.
            self.unreadablePolls += 1
            if self.unreadablePolls < 8 { return }
            self.errors.write(
                "logbox query: warning: new events skipped, cannot read \(unreadable.joined(separator: "; "))\n"
            )
            self.errors.flush()
        }
        self.unreadablePolls = 0
        self.generation = manifest.generation
        self.examined = Set(manifest.segments.map(\.id))

        var fresh: [(leaf: UInt64, segment: SegmentReader, docs: Range<UInt32>)] = []
        for segment in opened {
            for leaf in Self.leaves(of: segment.meta) where leaf.id > self.highestLeaf {
                fresh.append((leaf.id, segment, leaf.docs))
            }
        }
        fresh.sort { $0.leaf < $1.leaf }
        for (leaf, segment, docs) in fresh {
            var cursor = segment.docs.makeCursor()
            for doc in docs where doc < UInt32(segment.docCount) {
                let event = try cursor.event(doc)
                if self.filter.matches(event, names: segment.meta.fieldNames, sources: segment.meta.sources) {
                    self.writer.write(event, of: segment)
                }
            }
            self.highestLeaf = max(self.highestLeaf, leaf)
        }
        self.writer.finish()
    }
}
