public import LogboxCore
public import LogboxStore

/// What one ``FileTailer/poll(into:maxBytes:now:)`` delivered.
///
/// The batch holds consecutive lines of one file. `checkpoints` are the positions to store
/// in the same WAL record as the batch (the first is this file's, after its last line; others
/// record positions that moved without lines, such as a file started at its end). Storing them
/// together is what keeps a checkpoint from running ahead of the WAL.
public struct TailProgress: Sendable {
    /// The file the lines were read from, as it is named now ("" when nothing was delivered).
    public var path: String
    /// The positions to store with the batch; empty when nothing moved.
    public var checkpoints: [Checkpoint]

    public init(path: String = "", checkpoints: [Checkpoint] = []) {
        self.path = path
        self.checkpoints = checkpoints
    }

    /// Whether the poll found nothing to do: the caller should wait before polling again.
    public var isIdle: Bool { self.checkpoints.isEmpty }

    /// The position just after line `index` of `batch` (the batch this progress came with): what
    /// to store when only the lines up to `index` were written.
    public func checkpoint(throughLine index: Int, of batch: LineBatch) -> Checkpoint? {
        guard var position = self.checkpoints.first, index >= 0, index < batch.count else { return nil }
        if index + 1 < batch.count {
            let next = batch.slots[index + 1]
            position.offset = next.sourceOffset
            position.nextLine = next.lineNumber
        }
        return position
    }
}

/// Counters of one tailer since it was made.
public struct TailStatistics: Sendable, Hashable {
    /// Lines (records, with multiline) delivered.
    public var lines = 0
    /// Bytes read from files (inflated bytes for gzip files).
    public var bytes: Int64 = 0
    /// Lines or records cut to the maximum length.
    public var truncatedLines = 0
    /// Files that restarted at offset 0: truncated in place (copytruncate) or rewritten.
    public var truncations = 0
    /// Files renamed or deleted away from a watched path while open.
    public var rotations = 0
    /// Files opened, and descriptors closed.
    public var filesOpened = 0
    public var filesClosed = 0
    /// Gzip files read to their end.
    public var gzipFilesRead = 0
    /// Files dropped after an error.
    public var errors = 0

    public init() {}
}
