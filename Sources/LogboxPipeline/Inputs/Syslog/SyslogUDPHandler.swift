import NIOCore

/// Turns each datagram into one message of the input's queue, on the event loop.
///
/// Never waits: a full queue drops the datagram and counts it, so UDP never slows the event
/// loop (the kernel buffer would overflow instead, uncounted).
final class SyslogUDPHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let queue: SyslogBatchQueue
    private let counters: SyslogInputCounters
    private let allow: SyslogAllowlist
    private let maxMessageSize: Int

    init(queue: SyslogBatchQueue, counters: SyslogInputCounters, allow: SyslogAllowlist, maxMessageSize: Int) {
        self.queue = queue
        self.counters = counters
        self.allow = allow
        self.maxMessageSize = max(1, maxMessageSize)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = Self.unwrapInboundIn(data)
        guard let peer = SyslogPeer(envelope.remoteAddress), self.allow.allows(peer) else {
            SyslogInputCounters.add(self.counters.droppedNotAllowed)
            return
        }
        envelope.data.withUnsafeReadableBytes { raw in
            let message = SyslogFrameDecoder.trimmed(raw)
            guard message.count > 0 else { return }
            let kept = min(message.count, self.maxMessageSize)
            let cut = message.count - kept
            let appended = self.queue.append(
                UnsafeRawBufferPointer(rebasing: message[0..<kept]),
                peer: peer,
                lineNumber: 0,
                sourceOffset: 0,
                truncatedBytes: Int64(cut),
                dropWhenFull: true
            )
            guard appended else {
                SyslogInputCounters.add(self.counters.droppedQueueFull)
                return
            }
            SyslogInputCounters.add(self.counters.received)
            SyslogInputCounters.add(self.counters.bytes, kept)
            if cut > 0 { SyslogInputCounters.add(self.counters.truncated) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A datagram socket reports per-packet errors (ICMP unreachable, a message cut by the
        // kernel); they are no reason to stop listening.
    }
}
