public import LogboxCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Splits a byte stream into lines: LF or CRLF, a last line without a newline, a maximum length.
///
/// Feed chunks as they are read; complete lines are appended to a `LineBatch`. A line longer than
/// `maxLineLength` keeps its first `maxLineLength` bytes, the rest is skipped as it streams past
/// (never buffered) and counted in the slot's `truncatedBytes`, so an attacker's 2 GB line costs
/// at most `maxLineLength` bytes of memory. Line numbers and source offsets count every line.
public struct LineFramer: Sendable {
    public let maxLineLength: Int

    /// The 1-based number the next line will get.
    public private(set) var nextLineNumber: Int64 = 1
    /// Bytes consumed so far from the source.
    public private(set) var consumedBytes: Int64 = 0
    /// Lines cut to `maxLineLength`.
    public private(set) var truncatedLines: Int = 0

    /// The start of a line split across chunks (at most `maxLineLength + 1` bytes, the extra one
    /// being a possible `\r` that only the next chunk can show was followed by `\n`).
    private var pending: [UInt8] = []
    private var pendingStart: Int64 = 0
    /// Bytes skipped from the current over-long line.
    private var skipped: Int64 = 0
    /// Whether the last skipped byte was `\r` (the CR of a CRLF is not content).
    private var skippedEndsWithCR = false

    /// - Parameters:
    ///   - startLine: the number of the first line (a resumed read continues the numbering).
    ///   - startOffset: the source offset of the first byte fed.
    public init(maxLineLength: Int = 64 * 1024, startLine: Int64 = 1, startOffset: Int64 = 0) {
        precondition(maxLineLength > 0, "maxLineLength must be positive")
        self.maxLineLength = maxLineLength
        self.nextLineNumber = startLine
        self.consumedBytes = startOffset
    }

    /// The source offset just past the last complete line handed out: where a resumed read starts.
    public var committedOffset: Int64 {
        self.hasPendingLine ? self.pendingStart : self.consumedBytes
    }

    /// Whether a partial line is waiting for more bytes.
    public var hasPendingLine: Bool { !self.pending.isEmpty || self.skipped > 0 }

    /// Appends every line that `chunk` completes to `batch`.
    /// - Complexity: O(n); lines are found with `memchr`.
    public mutating func append(_ chunk: UnsafeRawBufferPointer, into batch: inout LineBatch) {
        guard let base = chunk.baseAddress, chunk.count > 0 else { return }
        let bytes = base.assumingMemoryBound(to: UInt8.self)
        var start = 0
        while start < chunk.count {
            guard let found = memchr(bytes + start, 0x0A, chunk.count - start) else {
                self.keepPartial(UnsafeBufferPointer(start: bytes + start, count: chunk.count - start))
                self.consumedBytes += Int64(chunk.count - start)
                return
            }
            let newline = UnsafeRawPointer(found).assumingMemoryBound(to: UInt8.self) - bytes
            let piece = UnsafeBufferPointer(start: bytes + start, count: newline - start)
            self.consumedBytes += Int64(newline - start + 1)
            if self.pending.isEmpty && self.skipped == 0 {
                let lineStart = self.consumedBytes - Int64(newline - start + 1)
                var length = piece.count
                if length > 0 && piece[length - 1] == 0x0D { length -= 1 }
                let kept = min(length, self.maxLineLength)
                self.emit(
                    UnsafeBufferPointer(rebasing: piece[0..<kept]),
                    start: lineStart,
                    cut: Int64(length - kept),
                    into: &batch
                )
            } else {
                self.keepPartial(piece)
                self.flushPending(terminated: true, into: &batch)
            }
            start = newline + 1
        }
    }

    /// Convenience for byte arrays (tests, small inputs).
    public mutating func append(_ chunk: [UInt8], into batch: inout LineBatch) {
        chunk.withUnsafeBytes { self.append($0, into: &batch) }
    }

    /// Ends the stream: a last line without a newline becomes a line too.
    public mutating func finish(into batch: inout LineBatch) {
        if self.hasPendingLine { self.flushPending(terminated: false, into: &batch) }
    }

    private mutating func keepPartial(_ piece: UnsafeBufferPointer<UInt8>) {
        if self.pending.isEmpty && self.skipped == 0 {
            self.pendingStart = self.consumedBytes
        }
        // Room for one byte past the limit: it may be the `\r` of a CRLF.
        let room = self.maxLineLength + 1 - self.pending.count
        if piece.count <= room {
            self.pending.append(contentsOf: piece)
        } else {
            self.pending.append(contentsOf: piece[0..<max(room, 0)])
            self.skipped += Int64(piece.count - max(room, 0))
            self.skippedEndsWithCR = piece[piece.count - 1] == 0x0D
        }
    }

    private mutating func flushPending(terminated: Bool, into batch: inout LineBatch) {
        var length = self.pending.count
        var cut = self.skipped
        if terminated && cut == 0 && length > 0 && self.pending[length - 1] == 0x0D {
            length -= 1
        } else if terminated && cut > 0 && self.skippedEndsWithCR {
            cut -= 1
        }
        if length > self.maxLineLength {
            cut += Int64(length - self.maxLineLength)
            length = self.maxLineLength
        }
        self.pending.withUnsafeBufferPointer { buffer in
            self.emit(
                UnsafeBufferPointer(rebasing: buffer[0..<length]),
                start: self.pendingStart,
                cut: cut,
                into: &batch
            )
        }
        self.pending.removeAll(keepingCapacity: self.pending.capacity <= 1 << 20)
        self.skipped = 0
        self.skippedEndsWithCR = false
    }

    private mutating func emit(
        _ line: UnsafeBufferPointer<UInt8>,
        start: Int64,
        cut: Int64,
        into batch: inout LineBatch
    ) {
        if cut > 0 { self.truncatedLines += 1 }
        batch.append(line, lineNumber: self.nextLineNumber, sourceOffset: start, truncatedBytes: cut)
        self.nextLineNumber += 1
    }
}
