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

    /// Dotted quad: four decimal parts of 1...3 digits, each at most 255 (leading zeros allowed
    /// in a network written in a query: `010.0.0.0/8` is 10.0.0.0/8).
    static func parseIPv4(_ text: some Collection<Unicode.Scalar>) -> [UInt8]? {
        Self.ascii(text).flatMap { IPAddressText.parseIPv4($0[...], leadingZeros: true) }
    }

    /// RFC 4291 text: eight groups of 1...4 hex digits, one `::` for a run of zero groups, and
    /// optionally a dotted quad in place of the last two groups.
    static func parseIPv6(_ text: some Collection<Unicode.Scalar>) -> [UInt8]? {
        guard text.count >= 2, text.count <= 45 else { return nil }
        return Self.ascii(text).flatMap { IPAddressText.parseIPv6($0[...], leadingZeros: true) }
    }

    /// The scalars as bytes, or nil when one is not ASCII (no address has such a character).
    private static func ascii(_ text: some Collection<Unicode.Scalar>) -> [UInt8]? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        for scalar in text {
            guard scalar.isASCII else { return nil }
            bytes.append(UInt8(scalar.value))
        }
        return bytes
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
