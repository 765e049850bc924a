public import NIOCore
import NIOPosix
import Synchronization

/// Receives syslog over UDP: one message per datagram, into a bounded queue the pipeline drains.
///
/// Reads with `recvmmsg` (`vectorReadCount` datagrams per call) into one buffer sized for
/// 64 KiB datagrams, and copies each message straight into the queue's batch. A full queue drops
/// the datagram and counts it, as does a sender outside the allowlist: UDP has no way to slow a
/// sender, so the receiver's job is to never stall and to say what it lost. (An `NIOAsyncChannel`
/// would stop reading instead, and the kernel would drop the datagrams without a count.)
public final class SyslogUDPInput: Sendable {
    public let options: SyslogUDPOptions
    /// The messages received; iterate it or call `next()` in the run loop.
    public let batches: SyslogBatchQueue
    /// The port bound (the ephemeral one when `options.port` was 0).
    public let localPort: Int
    /// SO_RCVBUF as the kernel reports it after the request (Linux reports twice the usable size,
    /// capped by `net.core.rmem_max` unless forcing was allowed); nil when not requested.
    public let receiveBuffer: Int?

    private let channel: any Channel
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let counters: SyslogInputCounters
    private let stopped = Atomic<Bool>(false)

    private init(
        options: SyslogUDPOptions,
        batches: SyslogBatchQueue,
        channel: any Channel,
        group: any EventLoopGroup,
        ownsGroup: Bool,
        counters: SyslogInputCounters,
        receiveBuffer: Int?
    ) {
        self.options = options
        self.batches = batches
        self.channel = channel
        self.group = group
        self.ownsGroup = ownsGroup
        self.counters = counters
        self.receiveBuffer = receiveBuffer
        self.localPort = channel.localAddress?.port ?? options.port
    }

    /// Binds the socket and starts receiving.
    /// - Parameter group: the event loops to run on; nil starts a one-thread group that
    ///   `shutdown()` stops.
    /// - Throws: `SyslogInputError` for a bad port, or the bind error (address in use, …).
    public static func start(_ options: SyslogUDPOptions, group: (any EventLoopGroup)? = nil) async throws
        -> SyslogUDPInput
    {
        guard (0...65_535).contains(options.port) else {
            throw SyslogInputError(message: "\(options.name): port \(options.port) is out of range")
        }
        let ownsGroup = group == nil
        let group = group ?? MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let batches = SyslogBatchQueue(source: options.name, limits: options.queue)
        let counters = SyslogInputCounters()
        let vectorCount = max(1, options.vectorReadCount)
        // NIO splits the receive buffer evenly between the datagrams of one `recvmmsg`.
        let perDatagram = 65_536
        let allow = options.allow
        let maxMessageSize = min(options.maxMessageSize, 65_535)
        let bootstrap = DatagramBootstrap(group: group)
            .channelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .channelOption(ChannelOptions.datagramVectorReadMessageCount, value: vectorCount)
            .channelOption(
                ChannelOptions.recvAllocator,
                value: FixedSizeRecvByteBufferAllocator(capacity: vectorCount * perDatagram)
            )
            .channelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        SyslogUDPHandler(
                            queue: batches,
                            counters: counters,
                            allow: allow,
                            maxMessageSize: maxMessageSize
                        )
                    )
                }
            }
        do {
            let channel = try await bootstrap.bind(host: options.host, port: options.port).get()
            var granted: Int?
            if let requested = options.receiveBuffer, requested > 0 {
                granted = await Self.setReceiveBuffer(channel, requested)
            }
            return SyslogUDPInput(
                options: options,
                batches: batches,
                channel: channel,
                group: group,
                ownsGroup: ownsGroup,
                counters: counters,
                receiveBuffer: granted
            )
        } catch {
            if ownsGroup { try? await group.shutdownGracefully() }
            throw SyslogInputError(
                message: "\(options.name): cannot listen on udp \(options.host):\(options.port): \(error)"
            )
        }
    }

    /// The counters now.
    public var statistics: SyslogInputStatistics { self.counters.snapshot }

    /// Stops receiving: closes the socket, lets the consumer take what was received (then `nil`),
    /// and stops the event loop group if the input started it. Safe to call more than once.
    public func shutdown() async {
        guard !self.stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? await self.channel.close()
        self.batches.finish()
        if self.ownsGroup { try? await self.group.shutdownGracefully() }
    }

    /// Asks for `requested` bytes of SO_RCVBUF, forcing past `rmem_max` where allowed; returns what was granted.
    private static func setReceiveBuffer(_ channel: any Channel, _ requested: Int) async -> Int? {
        let size = SocketOptionValue(clamping: requested)
        let option = ChannelOptions.socketOption(.so_rcvbuf)
        _ = try? await channel.setOption(option, value: size).get()
        var granted = (try? await channel.getOption(option).get()).map { Int($0) }
        #if os(Linux)
            // Linux reports twice the size set; less than that means `net.core.rmem_max` capped it.
            // SO_RCVBUFFORCE (33) lifts the cap for a privileged process; failing is fine.
            if let current = granted, current < 2 * requested {
                let force = ChannelOptions.socketOption(NIOBSDSocket.Option(rawValue: 33))
                if (try? await channel.setOption(force, value: size).get()) != nil {
                    granted = (try? await channel.getOption(option).get()).map { Int($0) }
                }
            }
        #endif
        return granted
    }
}
