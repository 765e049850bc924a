import LogboxCore

/// Cell text for query output: safe on a terminal, quoted for CSV.
enum QueryCells {
    /// The text on one line, with nothing a terminal would act on: tabs and line breaks become
    /// spaces, other control characters (an escape sequence in a log line) become `\xNN`.
    static func terminalSafe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: Self.isControl) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if !Self.isControl(scalar) {
                out.unicodeScalars.append(scalar)
            } else if scalar == "\t" || scalar == "\n" || scalar == "\r" {
                out.append(" ")
            } else {
                out += "\\x" + Self.hex(UInt8(truncatingIfNeeded: scalar.value))
            }
        }
        return out
    }

    /// `text` cut to `width` characters, an ellipsis marking the cut.
    static func fit(_ text: String, _ width: Int) -> String {
        guard width > 0 else { return "" }
        guard text.count > width else { return text }
        return String(text.prefix(width - 1)) + "…"
    }

    /// `text` cut or padded with spaces to exactly `width` characters.
    static func pad(_ text: String, _ width: Int) -> String {
        let fitted = Self.fit(text, width)
        return fitted + String(repeating: " ", count: max(0, width - fitted.count))
    }

    /// Appends one CSV field as RFC 4180 quotes it: in double quotes, doubled inside, when it holds a
    /// comma, a quote or a line break; bytes that are not UTF-8 as `\xNN`, as JSON output writes them.
    static func appendCSV(_ bytes: ArraySlice<UInt8>, into out: inout [UInt8]) {
        let needsQuotes = bytes.contains {
            $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D
        }
        if needsQuotes { out.append(UInt8(ascii: "\"")) }
        bytes.withUnsafeBufferPointer { buffer in
            var i = 0
            while i < buffer.count {
                let byte = buffer[i]
                if byte >= 0x80 {
                    let length = ByteCheck.sequenceLength(buffer, i)
                    if length == 0 {
                        out.append(contentsOf: "\\x\(Self.hex(byte))".utf8)
                        i += 1
                    } else {
                        out.append(contentsOf: buffer[i..<i + length])
                        i += length
                    }
                    continue
                }
                if byte == UInt8(ascii: "\"") { out.append(byte) }
                out.append(byte)
                i += 1
            }
        }
        if needsQuotes { out.append(UInt8(ascii: "\"")) }
    }

    static func appendCSV(_ text: String, into out: inout [UInt8]) {
        Self.appendCSV(ArraySlice(text.utf8), into: &out)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value < 0xA0)
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }
}
