/// An IPv4 or IPv6 address as 128 bits; IPv4 is held in its mapped form `::ffff:a.b.c.d`.
///
/// Parsed straight from bytes (a field value in a batch) without building a `String`.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// An IPv4 address from its 32 bits.
    public init(ipv4: UInt32) {
        self.high = 0
        self.low = 0x0000_FFFF_0000_0000 | UInt64(ipv4)
    }

    /// Whether this is an IPv4 (or IPv4-mapped IPv6) address.
    public var isIPv4: Bool { self.high == 0 && self.low >> 32 == 0x0000_FFFF }

    /// The IPv4 address's 32 bits; meaningful only when `isIPv4`.
    public var ipv4: UInt32 { UInt32(truncatingIfNeeded: self.low) }

    /// Parses `a.b.c.d` or an IPv6 address (`::1`, `2001:db8::7`, `::ffff:10.0.0.1`, `fe80::1%eth0`).
    /// - Complexity: O(n), no allocation.
    public static func parse(_ text: Span<UInt8>) -> IPAddress? {
        guard text.count >= 2, text.count <= 64 else { return nil }
        var hasColon = false
        for i in 0..<text.count where text[i] == UInt8(ascii: ":") {
            hasColon = true
            break
        }
        if !hasColon {
            return Self.parseIPv4(text, from: 0, to: text.count).map { IPAddress(ipv4: $0) }
        }
        return Self.parseIPv6(text)
    }

    public init?(_ text: String) {
        var bytes = Array(text.utf8)
        guard let address = Self.parse(bytes.span) else { return nil }
        bytes.removeAll()
        self = address
    }

    public var description: String {
        if self.isIPv4 {
            let v = self.ipv4
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        var groups: [String] = []
        for i in 0..<8 {
            let word = i < 4 ? self.high >> UInt64(48 - 16 * i) : self.low >> UInt64(48 - 16 * (i - 4))
            groups.append(String(UInt16(truncatingIfNeeded: word), radix: 16))
        }
        return groups.joined(separator: ":")
    }

    static func parseIPv4(_ text: Span<UInt8>, from start: Int, to end: Int) -> UInt32? {
        var result: UInt32 = 0
        var octets = 0
        var i = start
        while i < end {
            var value: UInt32 = 0
            let digitsStart = i
            while i < end, text[i] >= 0x30, text[i] <= 0x39, i - digitsStart < 3 {
                value = value * 10 + UInt32(text[i] - 0x30)
                i += 1
            }
            let digits = i - digitsStart
            // No empty octets, no leading zeros (they read as octal elsewhere), no value above 255.
            guard digits > 0, value <= 255, !(digits > 1 && text[digitsStart] == 0x30) else { return nil }
            result = result << 8 | value
            octets += 1
            if i == end { break }
            guard octets < 4, text[i] == UInt8(ascii: ".") else { return nil }
            i += 1
            guard i < end else { return nil }
        }
        return octets == 4 ? result : nil
    }

    private static func parseIPv6(_ text: Span<UInt8>) -> IPAddress? {
        var end = text.count
        // A zone index (`%eth0`) names an interface, not part of the address.
        for i in 0..<text.count where text[i] == UInt8(ascii: "%") {
            end = i
            break
        }
        var words = [UInt16](repeating: 0, count: 8)
        var count = 0
        var gap = -1
        var i = 0
        if end >= 2, text[0] == UInt8(ascii: ":") {
            guard text[1] == UInt8(ascii: ":") else { return nil }
            gap = 0
            i = 2
        }
        while i < end {
            guard count < 8 else { return nil }
            let groupStart = i
            var value: UInt32 = 0
            while i < end, let digit = Self.hexValue(text[i]), i - groupStart < 4 {
                value = value << 4 | UInt32(digit)
                i += 1
            }
            if i < end, text[i] == UInt8(ascii: "."), count <= 6 {
                // Embedded IPv4 in the last 32 bits.
                guard let v4 = Self.parseIPv4(text, from: groupStart, to: end) else { return nil }
                words[count] = UInt16(v4 >> 16)
                words[count + 1] = UInt16(v4 & 0xFFFF)
                count += 2
                i = end
                break
            }
            guard i > groupStart else { return nil }
            words[count] = UInt16(value)
            count += 1
            if i == end { break }
            guard text[i] == UInt8(ascii: ":") else { return nil }
            i += 1
            if i < end, text[i] == UInt8(ascii: ":") {
                guard gap < 0 else { return nil }
                gap = count
                i += 1
            } else if i == end {
                return nil
            }
        }
        if gap >= 0 {
            guard count < 8 else { return nil }
            let tail = count - gap
            for k in 0..<tail { words[7 - k] = words[count - 1 - k] }
            for k in gap..<(8 - tail) { words[k] = 0 }
        } else {
            guard count == 8 else { return nil }
        }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for k in 0..<4 { high = high << 16 | UInt64(words[k]) }
        for k in 4..<8 { low = low << 16 | UInt64(words[k]) }
        return IPAddress(high: high, low: low)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `2001:db8::/32`); an address alone is a /32 or /128.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The network address, host bits cleared.
    public var address: IPAddress
    /// Prefix length in bits of the 128-bit form (an IPv4 /8 is 104).
    public var prefixLength: Int
    /// The text as written in the config.
    public var text: String

    /// Parses `ADDRESS/PREFIX` or a bare address.
    public static func parse(_ text: String) -> Result<IPNetwork, ConfigValues.ValueError> {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else {
            return .failure(
                ConfigValues.ValueError("'\(text)' is not an IP network (write 10.0.0.0/8 or 2001:db8::/32)")
            )
        }
        let maximum = address.isIPv4 ? 32 : 128
        var prefix = maximum
        if parts.count == 2 {
            guard let value = Int(parts[1]), value >= 0, value <= maximum, !parts[1].hasPrefix("+") else {
                return .failure(
                    ConfigValues.ValueError("prefix length '\(parts[1])' of '\(text)' must be 0...\(maximum)")
                )
            }
            prefix = value
        }
        let length = address.isIPv4 ? prefix + 96 : prefix
        return .success(IPNetwork(address: Self.mask(address, length), prefixLength: length, text: text))
    }

    public init(address: IPAddress, prefixLength: Int, text: String) {
        self.address = address
        self.prefixLength = prefixLength
        self.text = text
    }

    public func contains(_ candidate: IPAddress) -> Bool {
        Self.mask(candidate, self.prefixLength) == self.address
    }

    public var description: String { self.text }

    static func mask(_ address: IPAddress, _ length: Int) -> IPAddress {
        let highMask: UInt64 = length >= 64 ? .max : (length == 0 ? 0 : ~(UInt64.max >> UInt64(length)))
        let lowBits = length - 64
        let lowMask: UInt64 = lowBits >= 64 ? .max : (lowBits <= 0 ? 0 : ~(UInt64.max >> UInt64(lowBits)))
        return IPAddress(high: address.high & highMask, low: address.low & lowMask)
    }
}
