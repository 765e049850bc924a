import LogboxParse
import LogboxStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One open file of a ``FileTailer``: its descriptor, identity, framing state and position.
///
/// Owns the descriptor: ``close()`` (or `deinit`) releases it. Not shared outside its tailer.
final class TailedFile {
    enum State: Equatable {
        /// At a watched path: read as it grows.
        case active
        /// Renamed away from its path at `since`: read until it stops growing for `rotateWait`.
        case rotated(since: Int64)
        /// Closed; dropped at the next poll.
        case closed
    }

    /// The path it is read from now (a rotated file's new name, when known).
    var path: String
    /// The identity checkpoints record (its `path` is the watched path where it was found).
    var identity: Checkpoint
    var descriptor: Int32
    var state: State = .active
    let isGzip: Bool

    var framer: LineFramer
    var assembler: MultilineAssembler?
    /// The next byte to read: a file offset, or for gzip the offset in the compressed file.
    var readOffset: Int64
    /// When bytes last arrived (or the file was opened), for multiline timeouts and rotate wait.
    var lastDataAt: Int64
    /// Set by a scan that found the first bytes rewritten: restart at offset 0.
    var contentReplaced = false
    /// The position moved without a line (started at the end): report it with the next poll.
    var positionUnreported = false

    // Gzip only.
    var inflater: GzipInflater?
    var compressed: [UInt8] = []
    var compressedStart = 0
    var memberEnded = false
    var anyMemberEnded = false
    /// What follows the last member is not gzip (padding): nothing more is read.
    var inputEnded = false
    /// Inflated bytes still to drop before framing (resuming inside a gzip file).
    var skipInflated: Int64 = 0

    init(
        path: String,
        identity: Checkpoint,
        descriptor: Int32,
        isGzip: Bool,
        maxLineLength: Int,
        multiline: MultilineRule?,
        offset: Int64,
        nextLine: Int64,
        now: Int64
    ) {
        self.path = path
        self.identity = identity
        self.descriptor = descriptor
        self.isGzip = isGzip
        self.lastDataAt = now
        if isGzip {
            self.framer = LineFramer(maxLineLength: maxLineLength, startLine: nextLine, startOffset: offset)
            self.readOffset = 0
            self.skipInflated = offset
            self.inflater = GzipInflater()
        } else {
            self.framer = LineFramer(maxLineLength: maxLineLength, startLine: nextLine, startOffset: offset)
            self.readOffset = offset
        }
        self.assembler = multiline.map { MultilineAssembler($0, maxLength: maxLineLength) }
    }

    deinit {
        if self.descriptor >= 0 { SystemFile.close(self.descriptor) }
    }

    var isOpen: Bool { self.descriptor >= 0 }

    func close() {
        if self.descriptor >= 0 { SystemFile.close(self.descriptor) }
        self.descriptor = -1
        self.state = .closed
        self.inflater = nil
        self.compressed = []
    }

    var node: FileNode { FileNode(self.identity) }

    /// The position after the last line delivered: a pending multiline record's first line, else
    /// the framer's committed position (a partial last line is not delivered yet).
    var deliveredPosition: Checkpoint {
        var position = self.identity
        if let assembler = self.assembler, assembler.hasRecord {
            position.offset = assembler.firstOffset
            position.nextLine = assembler.firstLine
        } else {
            position.offset = self.framer.committedOffset
            position.nextLine = self.framer.nextLineNumber
        }
        return position
    }

    /// Starts again at offset 0 (truncated or rewritten in place), with the identity of what the
    /// file holds now.
    func restart(identity: Checkpoint, maxLineLength: Int) {
        self.identity = identity
        self.framer = LineFramer(maxLineLength: maxLineLength, startLine: 1, startOffset: 0)
        self.readOffset = 0
        self.contentReplaced = false
        self.assembler?.discard()
    }
}
