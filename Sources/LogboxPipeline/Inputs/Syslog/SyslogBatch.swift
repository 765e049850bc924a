public import LogboxCore

/// Messages received by one syslog input: the lines the parsers read, and who sent each.
///
/// `LineSlot` has no sender, so the senders ride in `peers`, parallel to `lines.slots`
/// (`peers[i]` sent `lines.slots[i]`): a fixed-size value per message and no allocation. A
/// datagram's slot has `lineNumber` 0 and `sourceOffset` 0; a TCP message's slot has its 1-based
/// number on its connection and the offset of its first byte in that connection's stream.
public struct SyslogBatch: Sendable {
    /// The messages, without framing or trailing newline; `lines.source` is the input's name.
    public var lines: LineBatch
    /// The sender of each message, parallel to `lines.slots`.
    public var peers: [SyslogPeer]

    public init(lines: LineBatch, peers: [SyslogPeer] = []) {
        self.lines = lines
        self.peers = peers
    }

    public var count: Int { self.lines.count }
    public var isEmpty: Bool { self.lines.slots.isEmpty }

    /// The bytes of message `index`.
    public func message(_ index: Int) -> ArraySlice<UInt8> { self.lines.bytes[self.lines.slots[index].range] }

    /// Appends one message: one `memcpy`, no allocation once the arrays have grown.
    @inline(__always)
    mutating func append(
        _ message: UnsafeRawBufferPointer,
        peer: SyslogPeer,
        lineNumber: Int64,
        sourceOffset: Int64,
        truncatedBytes: Int64
    ) {
        self.lines.append(
            UnsafeBufferPointer(start: message.baseAddress?.assumingMemoryBound(to: UInt8.self), count: message.count),
            lineNumber: lineNumber,
            sourceOffset: sourceOffset,
            truncatedBytes: truncatedBytes
        )
        self.peers.append(peer)
    }

    mutating func removeAll() {
        self.lines.removeAll(keepingCapacity: true)
        self.peers.removeAll(keepingCapacity: true)
    }
}
