public import NIOCore
import NIOPosix
import Synchronization

/// Receives syslog over TCP (RFC 6587), framing each connection on its own, into a bounded queue.
///
/// Each connection gets a `SyslogFrameDecoder` (newline or octet counting, detected from its
/// first byte unless fixed), a maximum message size, an idle timeout and the allowlist check.
/// When the consumer falls behind, connections stop reading and resume once the queue drains, so
/// senders slow down instead of the box buffering without bound.
///
/// The channels feed the queue from plain handlers rather than through `NIOAsyncChannel`: a
/// message goes from the read buffer into the batch with one copy and no object per message,
/// and the pause-and-resume of reading follows the queue's own limits.
public final class SyslogTCPInput: Sendable {
    public let options: SyslogTCPOptions
    /// The messages received; iterate it or call `next()` in the run loop.
    public let batches: SyslogBatchQueue
    /// The port bound (the ephemeral one when `options.port` was 0).
    public let localPort: Int

    private let serverChannel: any Channel
    private let connections: SyslogConnectionSet
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let counters: SyslogInputCounters
    private let stopped = Atomic<Bool>(false)

    private init(
        options: SyslogTCPOptions,
        batches: SyslogBatchQueue,
        serverChannel: any Channel,
        connections: SyslogConnectionSet,
        group: any EventLoopGroup,
        ownsGroup: Bool,
        counters: SyslogInputCounters
    ) {
        self.options = options
        self.batches = batches
        self.serverChannel = serverChannel
        self.connections = connections
        self.group = group
        self.ownsGroup = ownsGroup
        self.counters = counters
        self.localPort = serverChannel.localAddress?.port ?? options.port
    }

    /// Binds the listening socket and starts accepting.
    /// - Parameter group: the event loops to run on; nil starts a group of one thread per core
    ///   that `shutdown()` stops.
    /// - Throws: `SyslogInputError` for a bad port, or when the address cannot be bound.
    public static func start(_ options: SyslogTCPOptions, group: (any EventLoopGroup)? = nil) async throws
        -> SyslogTCPInput
    {
        guard (0...65_535).contains(options.port) else {
            throw SyslogInputError(message: "\(options.name): port \(options.port) is out of range")
        }
        let ownsGroup = group == nil
        let group = group ?? MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let batches = SyslogBatchQueue(source: options.name, limits: options.queue)
        let counters = SyslogInputCounters()
        let connections = SyslogConnectionSet()
        let framing: SyslogFrameDecoder.Framing =
            switch options.framing {
            case .detect: .detect
            case .newline: .newline
            case .octetCounting: .octetCounting
            }
        let options = options
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: Int32(clamping: options.backlog))
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.autoRead, value: true)
            .childChannelInitializer { channel in
                connections.insert(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    if let idle = options.idleTimeout {
                        try pipeline.addHandler(IdleStateHandler(readTimeout: TimeAmount(idle)))
                    }
                    try pipeline.addHandler(
                        SyslogTCPHandler(
                            queue: batches,
                            counters: counters,
                            allow: options.allow,
                            maxConnections: options.maxConnections,
                            decoder: SyslogFrameDecoder(
                                framing: framing,
                                maxMessageSize: options.maxMessageSize,
                                maxFrameLength: options.maxFrameLength
                            )
                        )
                    )
                }
            }
        do {
            let channel = try await bootstrap.bind(host: options.host, port: options.port).get()
            return SyslogTCPInput(
                options: options,
                batches: batches,
                serverChannel: channel,
                connections: connections,
                group: group,
                ownsGroup: ownsGroup,
                counters: counters
            )
        } catch {
            if ownsGroup { try? await group.shutdownGracefully() }
            throw SyslogInputError(
                message: "\(options.name): cannot listen on tcp \(options.host):\(options.port): \(error)"
            )
        }
    }

    /// The counters now.
    public var statistics: SyslogInputStatistics { self.counters.snapshot }

    /// Stops: accepts no more connections, closes the open ones (delivering a last unterminated
    /// line each had), lets the consumer take what was received (then `nil`), and stops the event
    /// loop group if the input started it. Safe to call more than once.
    ///
    /// Bytes still in the kernel's socket buffers when this is called are not read.
    public func shutdown() async {
        guard !self.stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? await self.serverChannel.close()
        for channel in self.connections.closeAll() {
            try? await channel.closeFuture.get()
        }
        self.batches.finish()
        if self.ownsGroup { try? await self.group.shutdownGracefully() }
    }
}

/// The open connections of a TCP input, so that shutdown can close them.
final class SyslogConnectionSet: Sendable {
    private let channels = Mutex<[ObjectIdentifier: any Channel]>([:])

    func insert(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        self.channels.withLock { $0[id] = channel }
        channel.closeFuture.whenComplete { _ in
            _ = self.channels.withLock { $0.removeValue(forKey: id) }
        }
    }

    /// Closes every open connection; returns them so the caller can wait for each to finish.
    func closeAll() -> [any Channel] {
        let open = self.channels.withLock { Array($0.values) }
        for channel in open { channel.close(promise: nil) }
        return open
    }
}
