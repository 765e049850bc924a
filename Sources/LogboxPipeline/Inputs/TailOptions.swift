/// How a ``FileTailer`` finds, reads and joins the lines of its files.
///
/// A runtime view of a `file` source: the config decoder fills ``FileSourceConfig``, and
/// ``init(_:)`` turns it into this; tests build it directly.
public struct TailOptions: Sendable {
    /// Files to tail; the globs are listed again every ``scanInterval``.
    public var paths: [GlobPattern]
    /// Matches of `paths` that are skipped.
    public var exclude: [GlobPattern] = []
    /// Where a file found by the first scan of a tailer without checkpoints starts. Files that
    /// appear later, and every file once checkpoints exist, start at the beginning (or resume).
    public var startAt: FileSourceConfig.StartPosition = .end
    /// How often the globs are listed again (checked on each `poll`).
    public var scanInterval: Duration = .seconds(5)
    /// How physical lines join into records; nil: every line is a record.
    public var multiline: MultilineRule?
    /// Longer lines (and joined records) keep this many bytes; the rest is counted as cut.
    public var maxLineLength: Int = 64 * 1024
    /// Read `.gz` files the globs match, once, through zlib; when false they are skipped.
    public var readGzip: Bool = false
    /// How long a file renamed away from its path is still read for lines its writer adds
    /// before reopening the new file (a deleted file is closed at its end at once).
    public var rotateWait: Duration = .seconds(5)
    /// Bytes read per `pread` (and inflated per step for gzip files).
    public var readChunkSize: Int = 256 * 1024
    /// Files open at once; further matches wait for a slot (oldest descriptors are never evicted).
    public var maxOpenFiles: Int = 1024
    /// The input's name, copied into every `LineBatch.source`.
    public var sourceName: String = ""

    public init(paths: [GlobPattern]) {
        self.paths = paths
    }

    /// The options of a `file` source.
    public init(_ config: FileSourceConfig, sourceName: String = "") {
        self.paths = config.paths
        self.exclude = config.exclude
        self.startAt = config.startAt
        self.scanInterval = config.scanInterval
        self.maxLineLength = config.maxLineLength
        self.readGzip = config.readGzip
        self.sourceName = sourceName
        if let multiline = config.multiline {
            switch multiline.mode {
            case .startPattern(let pattern):
                self.multiline = MultilineRule(.startPattern, pattern: pattern, timeout: multiline.timeout)
            case .continuationPattern(let pattern):
                self.multiline = MultilineRule(.continuationPattern, pattern: pattern, timeout: multiline.timeout)
            }
            self.multiline?.maxLines = multiline.maxLines
        }
    }
}

/// How physical lines join into one record (a Java stack trace, say).
public struct MultilineRule: Sendable {
    public enum Mode: Sendable, Hashable {
        /// A line matching the pattern starts a record; other lines continue the current one.
        case startPattern
        /// A line matching the pattern continues the current record; other lines start one.
        case continuationPattern
    }

    public var mode: Mode
    /// A PCRE2 pattern, matched anywhere in the line (anchor it with `^`).
    public var pattern: String
    /// A pending record is delivered once no new bytes arrived in its file for this long.
    public var timeout: Duration
    /// A record that reaches this many lines is delivered; the next line starts another.
    public var maxLines: Int = 500

    public init(_ mode: Mode, pattern: String, timeout: Duration = .seconds(1)) {
        self.mode = mode
        self.pattern = pattern
        self.timeout = timeout
    }
}

extension Duration {
    /// Whole nanoseconds, saturating: the unit of `now` in the tailer.
    var tailNanoseconds: Int64 {
        let (seconds, attoseconds) = self.components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, overflowAgain) = scaled.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !overflow, !overflowAgain else { return seconds < 0 ? Int64.min : Int64.max }
        return total
    }
}
