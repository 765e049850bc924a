import LogboxCore
import LogboxParse

/// A `*`/`?` pattern over bytes: `*` any run of bytes, `?` exactly one byte, the rest literal.
struct Glob: Sendable, Hashable {
    let pattern: [UInt8]

    /// The bytes before the first `*` or `?`: every match starts with them, so a term dictionary
    /// is enumerated from there.
    var literalPrefix: [UInt8] {
        Array(self.pattern.prefix { $0 != UInt8(ascii: "*") && $0 != UInt8(ascii: "?") })
    }

    /// Whether the whole of `text` matches.
    /// - Complexity: O(n·m) worst case, O(n + m) for patterns with one `*`; no allocation.
    func matches(_ text: ArraySlice<UInt8>) -> Bool {
        let star = UInt8(ascii: "*")
        let any = UInt8(ascii: "?")
        let pattern = self.pattern
        var p = 0
        var t = text.startIndex
        var starP = -1
        var starT = t
        while t < text.endIndex {
            if p < pattern.count, pattern[p] == star {
                starP = p
                p += 1
                starT = t
            } else if p < pattern.count, pattern[p] == any || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if starP >= 0 {
                p = starP + 1
                starT += 1
                t = starT
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == star { p += 1 }
        return p == pattern.count
    }
}

/// IPv4 and IPv6 addresses as text, read into the 16-byte form `CIDR` uses (IPv4 mapped to
/// `::ffff:a.b.c.d`), so an IPv4 value and its IPv4-mapped IPv6 spelling are the same address.
enum IPAddressText {
    /// The address `text` spells, or nil when it is not exactly one address.
    static func parse(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        if text.isEmpty || text.count > 45 { return nil }
        if !text.contains(UInt8(ascii: ":")) {
            guard let v4 = self.parseIPv4(text) else { return nil }
            return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + v4
        }
        return self.parseIPv6(text)
    }

    /// A dotted quad; `leadingZeros` accepts `010` as 10 (a network typed in a query), which an
    /// address in an event never is.
    static func parseIPv4(_ text: ArraySlice<UInt8>, leadingZeros: Bool = false) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(4)
        var value = 0
        var digits = 0
        for byte in text {
            if byte == UInt8(ascii: ".") {
                guard digits > 0, out.count < 3 else { return nil }
                out.append(UInt8(value))
                value = 0
                digits = 0
                continue
            }
            let digit = Int(byte) - 48
            guard digit >= 0, digit <= 9, digits < 3 else { return nil }
            if digits == 1 && value == 0 && !leadingZeros { return nil }
            value = value * 10 + digit
            digits += 1
            guard value <= 255 else { return nil }
        }
        guard digits > 0, out.count == 3 else { return nil }
        out.append(UInt8(value))
        return out
    }

    static func parseIPv6(_ text: ArraySlice<UInt8>, leadingZeros: Bool = false) -> [UInt8]? {
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var i = text.startIndex
        let end = text.endIndex
        if text.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            sawGap = true
            i += 2
            if i == end { return [UInt8](repeating: 0, count: 16) }
        } else if text.first == UInt8(ascii: ":") {
            return nil
        }
        var groups = 0
        while i < end {
            // An embedded IPv4 address ends the text.
            var j = i
            while j < end, text[j] != UInt8(ascii: ":") { j += 1 }
            let piece = text[i..<j]
            if j == end, piece.contains(UInt8(ascii: ".")) {
                guard let v4 = self.parseIPv4(piece, leadingZeros: leadingZeros) else { return nil }
                let a = UInt16(v4[0]) << 8 | UInt16(v4[1])
                let b = UInt16(v4[2]) << 8 | UInt16(v4[3])
                if sawGap { tail += [a, b] } else { head += [a, b] }
                groups += 2
                i = j
                break
            }
            guard !piece.isEmpty, piece.count <= 4 else { return nil }
            var value: UInt16 = 0
            for byte in piece {
                let digit: UInt16
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt16(byte - 48)
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt16(byte - 87)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt16(byte - 55)
                default: return nil
                }
                value = value << 4 | digit
            }
            if sawGap { tail.append(value) } else { head.append(value) }
            groups += 1
            i = j
            if i < end {
                // At a colon: one separates groups, two mark the gap (once).
                i += 1
                if i < end, text[i] == UInt8(ascii: ":") {
                    guard !sawGap else { return nil }
                    sawGap = true
                    i += 1
                } else if i == end {
                    return nil
                }
            }
        }
        if sawGap {
            guard groups <= 7 else { return nil }
        } else {
            guard groups == 8 else { return nil }
        }
        let all = head + [UInt16](repeating: 0, count: 8 - groups) + tail
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for group in all {
            out.append(UInt8(group >> 8))
            out.append(UInt8(group & 0xFF))
        }
        return out
    }

    /// Whether `address` (16 bytes) lies in `network`.
    static func contains(_ network: CIDR, _ address: [UInt8]) -> Bool {
        var bits = network.prefixLength
        var index = 0
        while bits >= 8 {
            if address[index] != network.address[index] { return false }
            bits -= 8
            index += 1
        }
        if bits > 0 {
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
            if address[index] & mask != network.address[index] & mask { return false }
        }
        return true
    }

    /// Text prefixes every value inside an IPv4 `network` starts with: the fixed octets
    /// (`10.` for 10.0.0.0/8), plus `:` and `0` for IPv4-mapped IPv6 spellings. Nil when any
    /// value may match (an IPv6 network, or an IPv4 one shorter than /8).
    static func textPrefixes(_ network: CIDR) -> [[UInt8]]? {
        let isMapped = network.address.prefix(12).elementsEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF])
        guard isMapped, network.prefixLength >= 104 else { return nil }
        let octets = min(4, (network.prefixLength - 96) / 8)
        var text = network.address[12..<12 + octets].map { String($0) }.joined(separator: ".")
        if octets < 4 { text += "." }
        return [Array(text.utf8), [UInt8(ascii: ":")], [UInt8(ascii: "0")]]
    }
}

/// Reading the bounds of a range on `timestamp`.
enum TimeBound {
    static let day: Int64 = 86_400 * 1_000_000_000

    /// The instant `text` names (RFC 3339; a date and time without a zone, read as UTC; or a
    /// date, its midnight UTC) and whether it was a bare date.
    static func parse(_ text: String) -> (nanoseconds: Int64, isDate: Bool)? {
        let bytes = Array(text.utf8)
        if let date = self.parseDate(bytes) { return (date, true) }
        let span = bytes.span
        if let (value, end) = TimestampParser.parseRFC3339(span, from: 0), end == bytes.count {
            return (value.nanoseconds, false)
        }
        if let (value, end) = TimestampParser.parseISOLocal(span, from: 0, zone: .utc), end == bytes.count {
            return (value.nanoseconds, false)
        }
        return nil
    }

    /// `YYYY-MM-DD` as nanoseconds at midnight UTC.
    static func parseDate(_ bytes: [UInt8]) -> Int64? {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                let digit = Int(bytes[i]) - 48
                guard digit >= 0, digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), month >= 1,
            month <= 12, day >= 1, day <= daysInMonth(year: Int64(year), month: month)
        else { return nil }
        return daysFromCivil(year: Int64(year), month: month, day: day) * Self.day
    }
}

/// Reading a literal prefix off a regex, for enumerating a term dictionary from it.
enum RegexPrefix {
    /// The literal bytes an anchored pattern (`^abc…`) requires at the start, or nil.
    static func literalPrefix(_ pattern: String) -> [UInt8]? {
        let bytes = Array(pattern.utf8)
        guard bytes.first == UInt8(ascii: "^"), !bytes.contains(UInt8(ascii: "|")) else { return nil }
        var out: [UInt8] = []
        var i = 1
        while i < bytes.count {
            let byte = bytes[i]
            let isLiteral =
                (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                || "-_/:=@,;<>!%&'\"~ #".utf8.contains(byte)
            guard isLiteral else { break }
            out.append(byte)
            i += 1
        }
        if i < bytes.count, "?*{".utf8.contains(bytes[i]), !out.isEmpty { out.removeLast() }
        return out.isEmpty ? nil : out
    }
}
