/// How a store writer behaves; every setting has a default that suits a small box.
public struct StoreOptions: Sendable {
    /// Flush the memtable into a segment once it holds this many events…
    public var flushEvents = 32_768
    /// …or this many bytes of WAL payload (this bounds the memory a flush needs)…
    public var flushBytes = 16 << 20
    /// …or once the oldest unflushed event was appended this long ago, so that new events reach
    /// readers' snapshots within about this interval (DESIGN.md: visible within a second). Checked
    /// by `maintain()`, which the ingest loop calls between batches and on an idle timer.
    public var flushInterval: Duration = .seconds(1)
    /// Build segments on a flush thread while appends go on (`StoreWriter.maintain`), so ingest
    /// and segment building use two cores. Costs a second memtable's worth of memory at most; off
    /// by default so that `maintain` publishes synchronously where callers rely on it.
    public var backgroundFlush = false
    /// With `backgroundFlush`: how many memtables may be turned into segments at once. More than
    /// one builds segments in parallel (published in order), for more cores; each costs a frozen
    /// memtable and a segment builder's memory.
    public var flushThreads = 1
    /// Group commit: the WAL is fsynced at least this often while records arrive.
    public var syncInterval: Duration = .milliseconds(100)
    /// LZ4-compress WAL record payloads (kept only where smaller; replay reads both kinds): a
    /// daemon's WAL holds the only copy of events until they are flushed, and is fsynced often.
    public var compressWAL = true
    /// Write appended batches to the WAL at all. Off only for a bulk import, whose source files are
    /// the durable copy: the manifest's checkpoints move only with published segments, so after a
    /// crash the import resumes from the last published segment and re-reads what the lost
    /// memtable held (exactly once, as with a WAL); until a flush nothing appended is durable, and
    /// `sync` makes nothing durable either (call `flush`).
    public var writeWAL = true
    /// A WAL file rolls over at this size.
    public var walFileSize = 64 << 20
    /// Merge this many neighbouring segments of one size tier into one.
    public var mergeFactor = 4
    /// Segments of at most this many events share the lowest size tier (`MergePolicy`), so the
    /// tiny segments of once-a-second flushes are merged with each other until they reach it.
    public var mergeFloorEvents = 4_096
    /// Segments larger than this many events are not merged further: a merge holds each output file
    /// in memory until it writes it (the postings, the largest, ~35 bytes per event), so this bounds
    /// its memory.
    public var maximumMergedEvents = 262_144
    /// Segments `compact` writes hold at most this many events: twice a background merge's, since
    /// compact runs when ingest is quiet and fewer segments repeat fewer dictionaries. On the
    /// 1M-line benchmark corpus `logbox index compact` leaves 6 segments of at most 262,144 events
    /// in 58.4 MB (0.303 x raw, peak RSS 80 MB), 3 of at most 524,288 in 57.0 MB (0.295 x, 122 MB),
    /// 1 of 1,048,576 in 56.1 MB (0.291 x, 179 MB).
    public var compactMaximumEvents = 524_288
    /// Run merges in the background as segments accumulate.
    public var backgroundMerges = true
    /// How background merges compress their doc store: zstd level 3 writes faster than LZ4HC 3
    /// (758 against 267 MB/s in 256 KiB blocks, `zstd -b3 -B262144` and `lz4 -b3 -B262144` over
    /// 60 MB of the benchmark corpus) and stores smaller: `logbox index compact` of the 1M-line
    /// corpus at zstd 3 leaves docs at 0.154 x raw in 2.5 s (LZ4HC 3: 0.20). It reads at about
    /// 2 GB/s, LZ4 at 6. Merges must keep up with ingest first: deflate, at a quarter of LZ4HC 3's
    /// speed, left a 10M-line import on two busy cores with 183 unmerged segments.
    public var mergedDocCompression: DocCompression = .zstd(3)
    /// How `compact`, which an operator runs when ingest is quiet, compresses its doc store: zstd
    /// level 12 stores the 1M-line corpus's docs at 0.123 x raw (zstd 9: 0.127, 15: 0.120, 19:
    /// 0.113; deflate 9: 0.149), and `logbox index compact` of its 11 fresh segments takes 5.4 s
    /// (zstd 9: 3.8 s, 15: 12.2 s, 19: 74 s; deflate 9: 6.3 s). Inflating costs about the same at
    /// every level.
    public var compactDocCompression: DocCompression = .zstd(12)
    /// When set, while fewer events than this per second arrive (measured over 10 s) and no merge is
    /// due, the merge thread recompresses final segments (too large to be merged again) whose docs
    /// are not yet `compactDocCompression`, one at a time, oldest first (`StoreWriter.maintain`): a
    /// daemon's cold data ends up as small as `compact` makes it, without an operator, and busy
    /// hours keep the merge thread for merges. nil: never (imports want every cycle).
    public var recompressBelowRate: Double?
    /// Called on the merge thread after a merged segment is written and before it is published
    /// (tests use it to hold a merge open while ingest goes on).
    public var beforeMergePublish: (@Sendable () -> Void)?
    /// Called on the flush thread after a background flush wrote its segment and before it is
    /// published (tests use it to hold a flush in flight).
    public var beforeFlushPublish: (@Sendable () -> Void)?
    /// The clock `flushInterval` is measured with (tests pass a fake one).
    public var clock: @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }

    public init() {}
}
