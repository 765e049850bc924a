/// How a `SyslogUDPInput` listens: a runtime view of a `syslog_udp` source.
///
/// The config decoder fills the pipeline's source config and the run loop turns it into this;
/// tests build it directly. Defaults suit a box that takes bursts from a few dozen hosts.
public struct SyslogUDPOptions: Sendable {
    /// The input's name: every batch's `lines.source`.
    public var name: String
    /// The address to bind; loopback unless the operator opens it up.
    public var host: String = "127.0.0.1"
    /// 0 binds an ephemeral port (`SyslogUDPInput.localPort` tells which).
    public var port: Int = 0
    /// SO_RCVBUF in bytes, so the kernel holds a burst while the pipeline is busy; nil keeps the
    /// system default. Linux caps it at `net.core.rmem_max` unless the process may force it.
    public var receiveBuffer: Int? = 8 << 20
    /// Senders accepted; datagrams from others are dropped and counted.
    public var allow: SyslogAllowlist = .everyone
    /// Longer datagrams keep this many bytes and are counted as truncated (at most 65 535).
    public var maxMessageSize: Int = 65_535
    /// Datagrams read per `recvmmsg` call.
    public var vectorReadCount: Int = 32
    /// The consumer queue; full means datagrams are dropped and counted.
    public var queue = SyslogBatchQueue.Limits()

    public init(name: String, host: String = "127.0.0.1", port: Int = 0) {
        self.name = name
        self.host = host
        self.port = port
    }
}
