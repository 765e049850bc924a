/// How a store writer behaves; every setting has a default that suits a small box.
public struct StoreOptions: Sendable {
    /// Flush the memtable into a segment once it holds this many events…
    public var flushEvents = 262_144
    /// …or this many bytes of WAL payload.
    public var flushBytes = 64 << 20
    /// Group commit: the WAL is fsynced at least this often while records arrive.
    public var syncInterval: Duration = .milliseconds(100)
    /// A WAL file rolls over at this size.
    public var walFileSize = 64 << 20
    /// Merge this many segments of one level into one of the next level.
    public var mergeFactor = 8
    /// Segments larger than this many events are not merged further.
    public var maximumMergedEvents = 20_000_000
    /// Run merges in the background as segments accumulate.
    public var backgroundMerges = true
    /// LZ4HC level for the doc store of merged segments (0: LZ4 fast, as fresh segments use).
    public var mergedCompressionLevel: Int32 = 9
    /// Called on the merge queue after a merged segment is written and before it is published
    /// (tests use it to hold a merge open while ingest goes on).
    public var beforeMergePublish: (@Sendable () -> Void)?

    public init() {}
}
