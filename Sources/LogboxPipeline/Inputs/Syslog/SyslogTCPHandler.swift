import NIOCore
import Synchronization

/// Frames one TCP connection's stream into messages of the input's queue, and holds its reads
/// while the queue is full.
///
/// Backpressure works on NIO's `read` event: with auto-read on, NIO asks for the next read after
/// each burst; this handler withholds it while the queue is full and issues it when the queue has
/// drained, so the socket's data waits in the kernel (and the sender's TCP window closes) rather
/// than in memory. At most one read's worth of messages (plus one partial message) is held per
/// connection.
final class SyslogTCPHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private let queue: SyslogBatchQueue
    private let counters: SyslogInputCounters
    private let allow: SyslogAllowlist
    private let maxConnections: Int
    private var decoder: SyslogFrameDecoder
    private var peer = SyslogPeer(high: 0, low: 0, port: 0)
    private var messageNumber: Int64 = 0
    /// Whether this connection counts in `connectionsOpen`.
    private var counted = false
    /// Whether a read is being withheld until the queue drains.
    private var paused = false
    /// Set once the connection is being closed for a reason of its own; later bytes are ignored.
    private var closing = false

    init(
        queue: SyslogBatchQueue,
        counters: SyslogInputCounters,
        allow: SyslogAllowlist,
        maxConnections: Int,
        decoder: SyslogFrameDecoder
    ) {
        self.queue = queue
        self.counters = counters
        self.allow = allow
        self.maxConnections = maxConnections
        self.decoder = decoder
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let address = context.remoteAddress, let peer = SyslogPeer(address), self.allow.allows(peer) else {
            SyslogInputCounters.add(self.counters.droppedNotAllowed)
            self.closing = true
            context.close(promise: nil)
            return
        }
        self.peer = peer
        let open = self.counters.connectionsOpen.wrappingAdd(1, ordering: .relaxed).newValue
        self.counted = true
        guard open <= self.maxConnections else {
            SyslogInputCounters.add(self.counters.connectionsRejected)
            self.closing = true
            context.close(promise: nil)
            return
        }
        SyslogInputCounters.add(self.counters.connectionsTotal)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !self.closing else { return }
        let buffer = Self.unwrapInboundIn(data)
        do {
            try buffer.withUnsafeReadableBytes { raw in
                try self.decoder.decode(raw) { message, cut, offset in self.deliver(message, cut, offset) }
            }
        } catch {
            self.framingFailed(error, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !self.closing {
            do {
                try self.decoder.finish { message, cut, offset in self.deliver(message, cut, offset) }
            } catch {
                self.recordFramingError(error)
            }
        }
        self.closing = true
        if self.counted {
            self.counted = false
            self.counters.connectionsOpen.wrappingSubtract(1, ordering: .relaxed)
        }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            // A connection held back by a full queue is not idle: it is waiting for us.
            guard !self.paused, !self.closing else { return }
            SyslogInputCounters.add(self.counters.idleClosed)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset by the peer or a failed read ends the connection; what was framed is delivered.
        context.close(promise: nil)
    }

    func read(context: ChannelHandlerContext) {
        guard !self.paused else { return }
        guard self.queue.isFull else {
            context.read()
            return
        }
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop)
        let boundContext = NIOLoopBound(context, eventLoop: loop)
        let paused = self.queue.pauseIfFull {
            loop.execute { handler.value.resume(context: boundContext.value) }
        }
        if paused {
            self.paused = true
            SyslogInputCounters.add(self.counters.pausedReading)
            return
        }
        context.read()
    }

    /// The queue drained: issue the withheld read (which pauses again if it filled meanwhile).
    private func resume(context: ChannelHandlerContext) {
        guard self.paused else { return }
        self.paused = false
        guard context.channel.isActive, !self.closing else { return }
        self.read(context: context)
    }

    @inline(__always)
    private func deliver(_ message: UnsafeRawBufferPointer, _ cut: Int64, _ offset: Int64) {
        self.messageNumber += 1
        _ = self.queue.append(
            message,
            peer: self.peer,
            lineNumber: self.messageNumber,
            sourceOffset: offset,
            truncatedBytes: cut,
            dropWhenFull: false
        )
        SyslogInputCounters.add(self.counters.received)
        SyslogInputCounters.add(self.counters.bytes, message.count)
        if cut > 0 { SyslogInputCounters.add(self.counters.truncated) }
    }

    private func framingFailed(_ error: any Error, context: ChannelHandlerContext) {
        self.recordFramingError(error)
        self.closing = true
        context.close(promise: nil)
    }

    private func recordFramingError(_ error: any Error) {
        SyslogInputCounters.add(self.counters.framingErrors)
        let text = "\(self.peer): \(error)"
        self.counters.lastFramingError.withLock { $0 = text }
    }
}
