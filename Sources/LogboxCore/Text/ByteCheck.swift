/// Finds the bytes that make a line not text: NUL, invalid UTF-8, binary control bytes.
public enum ByteCheck {
    /// The first problem in `line`, with its 1-based column, or nil for clean UTF-8 text.
    ///
    /// NUL is reported as `.nulByte`; a control byte other than the whitespace controls (tab, CR,
    /// VT, FF) and ESC as `.binaryData`; a malformed UTF-8 sequence as `.invalidUTF8`.
    /// - Complexity: O(n), eight ASCII bytes per step on the common path.
    public static func firstProblem(_ line: Span<UInt8>) -> ParseIssue? {
        line.withUnsafeBufferPointer { bytes -> ParseIssue? in
            let count = bytes.count
            var i = 0
            while i < count {
                // Fast path: eight printable ASCII bytes at once (no high bit, no byte below 0x20).
                if i + 8 <= count {
                    let word = UnsafeRawPointer(bytes.baseAddress! + i).loadUnaligned(as: UInt64.self)
                    let high = word & 0x8080_8080_8080_8080
                    // A byte below 0x20 has bits 5-7 clear: (byte + 0x60) has its high bit clear.
                    let low = ~(word &+ 0x6060_6060_6060_6060) & 0x8080_8080_8080_8080 & ~high
                    if high == 0 && low == 0 {
                        i += 8
                        continue
                    }
                }
                let byte = bytes[i]
                if byte < 0x80 {
                    if byte == 0 { return ParseIssue(.nulByte, column: i + 1) }
                    // Whitespace controls (tab, a stray CR, VT, FF) and ESC (terminal colours) are text.
                    if byte < 0x20 && !(byte >= 0x09 && byte <= 0x0D) && byte != 0x1B {
                        return ParseIssue(.binaryData, column: i + 1)
                    }
                    i += 1
                    continue
                }
                let length = sequenceLength(bytes, i)
                if length == 0 { return ParseIssue(.invalidUTF8, column: i + 1) }
                i += length
            }
            return nil
        }
    }

    /// The length of the valid UTF-8 sequence starting at `i` (its first byte ≥ 0x80), or 0.
    @inlinable
    public static func sequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        let lead = bytes[i]
        let count = bytes.count
        @inline(__always) func continuation(_ j: Int) -> Bool { j < count && bytes[j] & 0xC0 == 0x80 }
        switch lead {
        case 0xC2...0xDF:
            return continuation(i + 1) ? 2 : 0
        case 0xE0:
            return i + 1 < count && bytes[i + 1] >= 0xA0 && bytes[i + 1] <= 0xBF && continuation(i + 2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF:
            return continuation(i + 1) && continuation(i + 2) ? 3 : 0
        case 0xED:
            return i + 1 < count && bytes[i + 1] >= 0x80 && bytes[i + 1] <= 0x9F && continuation(i + 2) ? 3 : 0
        case 0xF0:
            return i + 1 < count && bytes[i + 1] >= 0x90 && bytes[i + 1] <= 0xBF && continuation(i + 2)
                && continuation(i + 3) ? 4 : 0
        case 0xF1...0xF3:
            return continuation(i + 1) && continuation(i + 2) && continuation(i + 3) ? 4 : 0
        case 0xF4:
            return i + 1 < count && bytes[i + 1] >= 0x80 && bytes[i + 1] <= 0x8F && continuation(i + 2)
                && continuation(i + 3) ? 4 : 0
        default:
            return 0
        }
    }
}
