#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The sender networks a syslog input accepts; messages from anyone else are dropped and counted.
///
/// Networks are CIDR blocks of either family (`10.0.0.0/8`, `2001:db8::/32`, or a bare address
/// for one host). The check runs per datagram on the event loop, so it compares 128-bit masks and
/// never builds text. An empty list accepts every sender.
public struct SyslogAllowlist: Sendable, Hashable, CustomStringConvertible {
    /// One CIDR block, the address and mask in the IPv4-mapped 128-bit form of `SyslogPeer`.
    public struct Network: Sendable, Hashable, CustomStringConvertible {
        public var high: UInt64
        public var low: UInt64
        /// Prefix length in the 128-bit form (an IPv4 `/8` is 104).
        public var prefixLength: Int
        /// As written in the config.
        public var text: String

        /// Parses `ADDRESS[/PREFIX]`; nil when it is not a valid address or prefix.
        public init?(_ text: String) {
            let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            let addressText = String(parts[0])
            var peer: SyslogPeer
            var maximum: Int
            var v4 = in_addr()
            var v6 = in6_addr()
            if inet_pton(AF_INET, addressText, &v4) == 1 {
                peer = SyslogPeer(ipv4: UInt32(bigEndian: v4.s_addr), port: 0)
                maximum = 32
            } else if inet_pton(AF_INET6, addressText, &v6) == 1 {
                let words = withUnsafeBytes(of: &v6) { raw -> (UInt64, UInt64) in
                    var high: UInt64 = 0
                    var low: UInt64 = 0
                    for i in 0..<8 { high = high << 8 | UInt64(raw[i]) }
                    for i in 8..<16 { low = low << 8 | UInt64(raw[i]) }
                    return (high, low)
                }
                peer = SyslogPeer(high: words.0, low: words.1, port: 0)
                maximum = 128
            } else {
                return nil
            }
            var prefix = maximum
            if parts.count == 2 {
                guard let value = Int(parts[1]), value >= 0, value <= maximum else { return nil }
                prefix = value
            }
            // An IPv4 block covers the mapped prefix `::ffff:0:0/96` plus its own bits.
            self.prefixLength = prefix + (128 - maximum)
            let (maskHigh, maskLow) = Self.mask(self.prefixLength)
            self.high = peer.high & maskHigh
            self.low = peer.low & maskLow
            self.text = text
        }

        /// Whether `peer`'s address lies in this block.
        /// - Complexity: O(1).
        @inline(__always)
        public func contains(_ peer: SyslogPeer) -> Bool {
            let (maskHigh, maskLow) = Self.mask(self.prefixLength)
            return peer.high & maskHigh == self.high && peer.low & maskLow == self.low
        }

        public var description: String { self.text }

        @inline(__always)
        static func mask(_ prefix: Int) -> (UInt64, UInt64) {
            if prefix <= 0 { return (0, 0) }
            if prefix >= 128 { return (.max, .max) }
            if prefix >= 64 {
                return (.max, prefix == 64 ? 0 : ~(UInt64.max >> UInt64(prefix - 64)))
            }
            return (~(UInt64.max >> UInt64(prefix)), 0)
        }
    }

    public var networks: [Network]

    /// Accepts every sender.
    public static let everyone = SyslogAllowlist(networks: [])

    public init(networks: [Network]) {
        self.networks = networks
    }

    /// Parses CIDR blocks.
    /// - Throws: `SyslogAllowlistError` naming the first block that does not parse.
    public init(_ cidrs: [String]) throws(SyslogAllowlistError) {
        var networks: [Network] = []
        for (index, text) in cidrs.enumerated() {
            guard let network = Network(text) else { throw SyslogAllowlistError(index: index, text: text) }
            networks.append(network)
        }
        self.networks = networks
    }

    /// Whether messages from `peer` are accepted.
    /// - Complexity: O(number of networks).
    @inline(__always)
    public func allows(_ peer: SyslogPeer) -> Bool {
        if self.networks.isEmpty { return true }
        for network in self.networks where network.contains(peer) { return true }
        return false
    }

    public var description: String {
        self.networks.isEmpty ? "everyone" : self.networks.map(\.text).joined(separator: ", ")
    }
}

/// A sender network that is not `ADDRESS[/PREFIX]`.
public struct SyslogAllowlistError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Position of the bad entry in the list.
    public var index: Int
    public var text: String

    public var description: String { "allow[\(self.index)]: '\(self.text)' is not an address or CIDR block" }
}
