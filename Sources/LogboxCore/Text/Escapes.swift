/// Decoding of the backslash escapes that parsers leave in place (they record spans, not strings).
public enum Escapes {
    /// Decodes a JSON string body (also logfmt's quoted values). An invalid escape is kept as written,
    /// so nothing is lost; `\uD83D\uDE00` surrogate pairs become one scalar, a lone surrogate U+FFFD.
    public static func decodeJSON(_ raw: ArraySlice<UInt8>, into out: inout [UInt8]) {
        var i = raw.startIndex
        while i < raw.endIndex {
            let byte = raw[i]
            guard byte == UInt8(ascii: "\\"), i + 1 < raw.endIndex else {
                out.append(byte)
                i += 1
                continue
            }
            let escaped = raw[i + 1]
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                guard let unit = hex4(raw, i + 2) else {
                    out.append(byte)
                    i += 1
                    continue
                }
                var scalar: UInt32 = UInt32(unit)
                var consumed = 6
                if unit >= 0xD800 && unit < 0xDC00 {
                    if i + 7 < raw.endIndex, raw[i + 6] == UInt8(ascii: "\\"), raw[i + 7] == UInt8(ascii: "u"),
                        let low = hex4(raw, i + 8), low >= 0xDC00, low < 0xE000
                    {
                        scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                        consumed = 12
                    } else {
                        scalar = 0xFFFD
                    }
                } else if unit >= 0xDC00 && unit < 0xE000 {
                    scalar = 0xFFFD
                }
                appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", into: &out)
                i += consumed
                continue
            default:
                out.append(byte)
                out.append(escaped)
            }
            i += 2
        }
    }

    /// Decodes an RFC 5424 PARAM-VALUE: `\"`, `\\` and `\]` lose their backslash; any other
    /// backslash is a literal character (RFC 5424 §6.3.3).
    public static func decodeStructuredData(_ raw: ArraySlice<UInt8>, into out: inout [UInt8]) {
        var i = raw.startIndex
        while i < raw.endIndex {
            let byte = raw[i]
            if byte == UInt8(ascii: "\\"), i + 1 < raw.endIndex,
                raw[i + 1] == UInt8(ascii: "\"") || raw[i + 1] == UInt8(ascii: "\\") || raw[i + 1] == UInt8(ascii: "]")
            {
                out.append(raw[i + 1])
                i += 2
            } else {
                out.append(byte)
                i += 1
            }
        }
    }

    public static func appendUTF8(_ scalar: Unicode.Scalar, into out: inout [UInt8]) {
        let value = scalar.value
        switch value {
        case 0..<0x80:
            out.append(UInt8(value))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | (value >> 6)))
            out.append(UInt8(0x80 | (value & 0x3F)))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | (value >> 12)))
            out.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (value & 0x3F)))
        default:
            out.append(UInt8(0xF0 | (value >> 18)))
            out.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (value & 0x3F)))
        }
    }

    private static func hex4(_ raw: ArraySlice<UInt8>, _ at: Int) -> UInt16? {
        guard at + 4 <= raw.endIndex else { return nil }
        var value: UInt16 = 0
        for i in at..<at + 4 {
            let byte = raw[i]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }
}
