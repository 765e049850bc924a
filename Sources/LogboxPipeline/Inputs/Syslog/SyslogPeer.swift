public import NIOCore

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The sender of one network message: its address as 128 bits and its port, without a `String`.
///
/// Kept per message in `SyslogBatch.peers`, so the receive path allocates nothing per message;
/// the text form (`addressText`) is built only when a consumer asks for it. IPv4 senders are held
/// in the IPv4-mapped form `::ffff:a.b.c.d`, so one comparison serves both families.
public struct SyslogPeer: Sendable, Hashable, CustomStringConvertible {
    /// The upper 64 bits of the address in network order.
    public var high: UInt64
    /// The lower 64 bits of the address in network order (an IPv4 address in its low 32 bits).
    public var low: UInt64
    public var port: UInt16

    public init(high: UInt64, low: UInt64, port: UInt16) {
        self.high = high
        self.low = low
        self.port = port
    }

    /// An IPv4 sender from its 32 bits in host order.
    public init(ipv4: UInt32, port: UInt16) {
        self.init(high: 0, low: 0x0000_FFFF_0000_0000 | UInt64(ipv4), port: port)
    }

    /// The sender of `address`; nil for a UNIX domain socket.
    ///
    /// Reads the socket address's bytes: the port at offset 2 and the address at 4 (IPv4) or
    /// 8 (IPv6), the same on Linux and the BSDs.
    public init?(_ address: SocketAddress) {
        let family: Int
        switch address {
        case .v4: family = 4
        case .v6: family = 6
        case .unixDomainSocket: return nil
        }
        let words = address.withSockAddr { pointer, length -> (UInt64, UInt64, UInt16)? in
            let raw = UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer), count: length)
            let port = UInt16(raw[2]) << 8 | UInt16(raw[3])
            if family == 4 {
                guard length >= 8 else { return nil }
                var ip: UInt64 = 0
                for i in 4..<8 { ip = ip << 8 | UInt64(raw[i]) }
                return (0, 0x0000_FFFF_0000_0000 | ip, port)
            }
            guard length >= 24 else { return nil }
            var high: UInt64 = 0
            var low: UInt64 = 0
            for i in 8..<16 { high = high << 8 | UInt64(raw[i]) }
            for i in 16..<24 { low = low << 8 | UInt64(raw[i]) }
            return (high, low, port)
        }
        guard let words else { return nil }
        self.init(high: words.0, low: words.1, port: words.2)
    }

    /// Whether the address is IPv4 (or IPv4-mapped IPv6).
    public var isIPv4: Bool { self.high == 0 && self.low >> 32 == 0x0000_FFFF }

    /// The address alone, as `logbox query` matches it: `10.0.0.7`, `2001:db8::7`.
    ///
    /// This is the value of the event's `peer` field: without the port, so that CIDR queries
    /// (`peer:10.0.0.0/8`) and lookups by address work.
    public var addressText: String {
        if self.isIPv4 {
            let v = UInt32(truncatingIfNeeded: self.low)
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: self.high >> UInt64(56 - 8 * i))
            bytes[8 + i] = UInt8(truncatingIfNeeded: self.low >> UInt64(56 - 8 * i))
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBytes { raw in
            text.withUnsafeMutableBufferPointer { out in
                inet_ntop(AF_INET6, raw.baseAddress, out.baseAddress, socklen_t(out.count)) != nil
            }
        }
        guard ok else { return "::" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `address:port`, with brackets around an IPv6 address.
    public var description: String {
        self.isIPv4 ? "\(self.addressText):\(self.port)" : "[\(self.addressText)]:\(self.port)"
    }
}
