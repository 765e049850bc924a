/// How a `SyslogTCPInput` listens: a runtime view of a `syslog_tcp` source.
///
/// The config decoder fills the pipeline's source config and the run loop turns it into this;
/// tests build it directly.
public struct SyslogTCPOptions: Sendable {
    /// How a connection's messages are delimited (RFC 6587).
    public enum Framing: Sendable, Hashable {
        /// Decided per connection from its first byte: a digit means octet counting.
        case detect
        /// Messages end at LF (a CR before it is dropped) or NUL.
        case newline
        /// `LEN SP MSG`, as rsyslog's `TCP_Framing="octet-counted"` and `logger --octet-count` send.
        case octetCounting
    }

    /// The input's name: every batch's `lines.source`.
    public var name: String
    /// The address to bind; loopback unless the operator opens it up.
    public var host: String = "127.0.0.1"
    /// 0 binds an ephemeral port (`SyslogTCPInput.localPort` tells which).
    public var port: Int = 0
    public var framing: Framing = .detect
    /// Longer messages keep this many bytes and are counted as truncated; the connection goes on.
    public var maxMessageSize: Int = 64 * 1024
    /// An octet-counting length above this is not believed: the connection is closed as a framing
    /// error (a length up to it but over `maxMessageSize` is truncated instead).
    public var maxFrameLength: Int = 16 << 20
    /// A connection that sends nothing for this long is closed and counted; nil never closes.
    public var idleTimeout: Duration? = .seconds(300)
    /// Connections open at once; further ones are closed at once and counted.
    public var maxConnections: Int = 1024
    /// Senders accepted; connections from others are closed at once and counted.
    public var allow: SyslogAllowlist = .everyone
    /// The consumer queue; full means connections stop reading until it drains.
    public var queue = SyslogBatchQueue.Limits()
    /// Pending connections the kernel queues before `accept`.
    public var backlog: Int = 256

    public init(name: String, host: String = "127.0.0.1", port: Int = 0) {
        self.name = name
        self.host = host
        self.port = port
    }
}
