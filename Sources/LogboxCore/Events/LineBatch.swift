/// Where one line lies in a `LineBatch`, and where it came from.
public struct LineSlot: Sendable, Hashable {
    /// Byte offset of the line in `LineBatch.bytes` (without its line terminator).
    public var offset: Int32
    public var length: Int32
    /// 1-based line number in the source; 0 when the transport has no lines (UDP datagrams).
    public var lineNumber: Int64
    /// Byte offset of the line's first byte in its source file or stream.
    public var sourceOffset: Int64
    /// Bytes cut from the end of an over-long line (0 for a whole line).
    public var truncatedBytes: Int64

    @inlinable
    public init(offset: Int32, length: Int32, lineNumber: Int64, sourceOffset: Int64, truncatedBytes: Int64 = 0) {
        self.offset = offset
        self.length = length
        self.lineNumber = lineNumber
        self.sourceOffset = sourceOffset
        self.truncatedBytes = truncatedBytes
    }

    @inlinable
    public var range: Range<Int> { Int(self.offset)..<Int(self.offset) + Int(self.length) }
}

/// Many lines in one contiguous buffer: what a source hands to the parsers.
///
/// No heap object per line: the lines are ranges of `bytes`. A batch is reused with
/// `removeAll(keepingCapacity:)` so the steady state allocates nothing.
public struct LineBatch: Sendable {
    public var bytes: [UInt8]
    public var slots: [LineSlot]
    /// The input's name (`auth.log`, `udp://127.0.0.1:514`, `stdin`).
    public var source: String
    /// When the bytes were received, nanoseconds since the epoch: the timestamp of lines that carry none.
    public var receivedAt: Int64

    public init(source: String = "", receivedAt: Int64 = 0, capacity: Int = 0) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
        self.slots = []
        self.source = source
        self.receivedAt = receivedAt
    }

    public var count: Int { self.slots.count }

    /// Appends one line (without terminator): the framing hot path, one `memcpy`.
    public mutating func append(
        _ line: UnsafeBufferPointer<UInt8>,
        lineNumber: Int64,
        sourceOffset: Int64,
        truncatedBytes: Int64 = 0
    ) {
        let offset = self.bytes.count
        self.bytes.append(contentsOf: line)
        self.slots.append(
            LineSlot(
                offset: Int32(offset),
                length: Int32(line.count),
                lineNumber: lineNumber,
                sourceOffset: sourceOffset,
                truncatedBytes: truncatedBytes
            )
        )
    }

    /// Appends one line (without terminator).
    public mutating func append(
        _ line: some Collection<UInt8>,
        lineNumber: Int64,
        sourceOffset: Int64,
        truncatedBytes: Int64 = 0
    ) {
        Array(line).withUnsafeBufferPointer {
            self.append($0, lineNumber: lineNumber, sourceOffset: sourceOffset, truncatedBytes: truncatedBytes)
        }
    }

    public mutating func removeAll(keepingCapacity: Bool = true) {
        self.bytes.removeAll(keepingCapacity: keepingCapacity)
        self.slots.removeAll(keepingCapacity: keepingCapacity)
    }
}
