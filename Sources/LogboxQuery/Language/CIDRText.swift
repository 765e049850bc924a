/// Reading and writing the text of IP addresses and networks for `field:10.0.0.0/8` clauses.
///
/// Addresses are 16 bytes; IPv4 is mapped to `::ffff:a.b.c.d` so one comparison covers both.
enum CIDRText {
    /// What a value written after `field:` is, as far as networks go.
    enum Reading {
        /// Not an address followed by `/digits`: an ordinary value.
        case notNetwork
        case network(CIDR)
        /// An address and `/digits`, but the prefix is too long for the family.
        case badPrefix(Int, maximum: Int)
    }

    /// Reads `address/prefix`; a plain address without `/` is `.notNetwork`, as it is a value.
    static func read(_ text: [Unicode.Scalar]) -> Reading {
        guard let slash = text.lastIndex(of: "/") else { return .notNetwork }
        let addressPart = text[..<slash]
        let prefixPart = text[(slash + 1)...]
        guard !prefixPart.isEmpty, prefixPart.count <= 3,
            prefixPart.allSatisfy({ $0.value >= 0x30 && $0.value <= 0x39 })
        else { return .notNetwork }
        let prefix = prefixPart.reduce(0) { $0 * 10 + Int($1.value - 0x30) }
        if let v4 = Self.parseIPv4(addressPart) {
            guard prefix <= 32 else { return .badPrefix(prefix, maximum: 32) }
            return .network(CIDR(address: Self.mapped(v4), prefixLength: 96 + prefix, isIPv4: true))
        }
        if let v6 = Self.parseIPv6(addressPart) {
            guard prefix <= 128 else { return .badPrefix(prefix, maximum: 128) }
            return .network(CIDR(address: v6, prefixLength: prefix, isIPv4: false))
        }
        return .notNetwork
    }

    static func read(_ text: String) -> Reading {
        Self.read(Array(text.unicodeScalars))
    }

    static func mapped(_ v4: [UInt8]) -> [UInt8] {
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + v4
    }

    /// Dotted quad: four decimal parts of 1...3 digits, each at most 255.
    static func parseIPv4(_ text: some Collection<Unicode.Scalar>) -> [UInt8]? {
        var bytes: [UInt8] = []
        var value = 0
        var digits = 0
        for s in text {
            if s.value >= 0x30 && s.value <= 0x39 {
                guard digits < 3 else { return nil }
                value = value * 10 + Int(s.value - 0x30)
                digits += 1
            } else if s == "." {
                guard digits > 0, value <= 255, bytes.count < 3 else { return nil }
                bytes.append(UInt8(value))
                value = 0
                digits = 0
            } else {
                return nil
            }
        }
        guard digits > 0, value <= 255, bytes.count == 3 else { return nil }
        bytes.append(UInt8(value))
        return bytes
    }

    /// RFC 4291 text: eight groups of 1...4 hex digits, one `::` for a run of zero groups, and
    /// optionally a dotted quad in place of the last two groups.
    static func parseIPv6(_ text: some Collection<Unicode.Scalar>) -> [UInt8]? {
        let scalars = Array(text)
        guard scalars.count >= 2, scalars.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var i = 0
        if scalars[0] == ":" {
            guard scalars[1] == ":" else { return nil }
            sawGap = true
            i = 2
            if i == scalars.count { return [UInt8](repeating: 0, count: 16) }
        }
        while i < scalars.count {
            // A dotted quad may end the address.
            var j = i
            var value: UInt32 = 0
            var hexDigits = 0
            while j < scalars.count, let d = Self.hexValue(scalars[j]) {
                value = value &* 16 &+ d
                hexDigits += 1
                j += 1
            }
            if j < scalars.count, scalars[j] == "." {
                guard let v4 = Self.parseIPv4(scalars[i...]) else { return nil }
                let groups = [UInt16(v4[0]) << 8 | UInt16(v4[1]), UInt16(v4[2]) << 8 | UInt16(v4[3])]
                if sawGap { tail += groups } else { head += groups }
                i = scalars.count
                break
            }
            guard hexDigits >= 1, hexDigits <= 4 else { return nil }
            if sawGap { tail.append(UInt16(value)) } else { head.append(UInt16(value)) }
            i = j
            if i == scalars.count { break }
            guard scalars[i] == ":" else { return nil }
            i += 1
            if i < scalars.count, scalars[i] == ":" {
                guard !sawGap else { return nil }
                sawGap = true
                i += 1
                if i == scalars.count { break }
            } else if i == scalars.count {
                return nil  // a trailing single ':'
            }
        }
        let total = head.count + tail.count
        if sawGap {
            guard total <= 7 else { return nil }
        } else {
            guard total == 8 else { return nil }
        }
        let groups = head + [UInt16](repeating: 0, count: 8 - total) + tail
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for g in groups {
            bytes.append(UInt8(g >> 8))
            bytes.append(UInt8(g & 0xFF))
        }
        return bytes
    }

    private static func hexValue(_ s: Unicode.Scalar) -> UInt32? {
        switch s.value {
        case 0x30...0x39: s.value - 0x30
        case 0x41...0x46: s.value - 0x41 + 10
        case 0x61...0x66: s.value - 0x61 + 10
        default: nil
        }
    }

    /// The network as a query writes it: `10.0.0.0/8` for IPv4, RFC 5952 text for IPv6.
    static func format(_ cidr: CIDR) -> String {
        let a = cidr.address
        guard a.count == 16 else { return "" }
        if cidr.isIPv4 {
            return "\(a[12]).\(a[13]).\(a[14]).\(a[15])/\(cidr.prefixLength - 96)"
        }
        return Self.formatIPv6(a) + "/\(cidr.prefixLength)"
    }

    static func formatIPv6(_ a: [UInt8]) -> String {
        if a[0..<10].allSatisfy({ $0 == 0 }), a[10] == 0xFF, a[11] == 0xFF {
            return "::ffff:\(a[12]).\(a[13]).\(a[14]).\(a[15])"
        }
        let groups = (0..<8).map { UInt16(a[2 * $0]) << 8 | UInt16(a[2 * $0 + 1]) }
        // The longest run of at least two zero groups (the first of equal runs) becomes `::`.
        var bestStart = -1
        var bestLength = 1
        var k = 0
        while k < 8 {
            guard groups[k] == 0 else {
                k += 1
                continue
            }
            var end = k
            while end < 8, groups[end] == 0 { end += 1 }
            if end - k > bestLength {
                bestStart = k
                bestLength = end - k
            }
            k = end
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        guard bestStart >= 0 else { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }
}
