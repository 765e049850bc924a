/// Splits text into the terms that full-text search matches: one definition for indexing and querying.
///
/// A term is a maximal run of word bytes — ASCII letters and digits, `_`, and every byte of a
/// non-ASCII UTF-8 character (so `größe` and `東京` stay whole) — with ASCII letters folded to lower
/// case. Everything else separates terms: `Failed password for root from 203.0.113.7` gives
/// `failed password for root from 203 0 113 7`, and the phrase `"203.0.113.7"` matches through
/// positions. A term longer than `maximumLength` bytes keeps its first `maximumLength` bytes (and
/// is counted), so a hostile 1 MB token cannot blow up the dictionary; a query term is cut the
/// same way, so it still finds the event.
public struct Tokenizer: Sendable {
    public static let maximumLength = 64

    /// The terms of the last `tokenize` call, back to back.
    public private(set) var bytes: [UInt8] = []
    /// End offset of each term in `bytes` (a term starts where the previous one ends).
    public private(set) var ends: [Int32] = []
    /// Terms cut to `maximumLength` since this tokenizer was made.
    public private(set) var truncatedTerms = 0

    public init() {}

    public var count: Int { self.ends.count }

    /// The bytes of term `index` (its position in the text is `index`).
    public func term(_ index: Int) -> ArraySlice<UInt8> {
        let start = index == 0 ? 0 : Int(self.ends[index - 1])
        return self.bytes[start..<Int(self.ends[index])]
    }

    /// Replaces the current terms with those of `text`.
    /// - Complexity: O(n); allocates only when the term buffers must grow.
    public mutating func tokenize(_ text: Span<UInt8>) {
        text.withUnsafeBufferPointer { self.tokenize($0) }
    }

    /// Replaces the current terms with those of `input`.
    ///
    /// Terms never hold more bytes than the text, nor more than one term per two bytes (a word byte
    /// and a separator), so both buffers are sized once up front and the loop writes through
    /// pointers: no per-byte `append` with its uniqueness and capacity checks.
    public mutating func tokenize(_ input: UnsafeBufferPointer<UInt8>) {
        var bytes = [UInt8]()
        var ends = [Int32]()
        // Work on the buffers as locals (moved out, so still uniquely referenced) to keep the
        // pointer closures free of overlapping accesses to `self`.
        swap(&bytes, &self.bytes)
        swap(&ends, &self.ends)
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        let count = input.count
        bytes.append(contentsOf: repeatElement(0, count: count))
        ends.append(contentsOf: repeatElement(0, count: (count + 1) / 2))
        var used = 0
        var termCount = 0
        var truncated = 0
        Self.foldedBytes.withUnsafeBufferPointer { folded in
            bytes.withUnsafeMutableBufferPointer { out in
                ends.withUnsafeMutableBufferPointer { termEnds in
                    var i = 0
                    while i < count {
                        // In bounds: `folded` has an entry for each of the 256 byte values.
                        while i < count, folded[Int(input[i])] == 0 { i += 1 }
                        guard i < count else { break }
                        let start = used
                        var length = 0
                        while i < count {
                            let byte = folded[Int(input[i])]
                            if byte == 0 { break }
                            if length < Self.maximumLength {
                                // In bounds: `used` counts kept input bytes, at most `count`.
                                out[used] = byte
                                used += 1
                            }
                            length += 1
                            i += 1
                        }
                        if length > Self.maximumLength {
                            truncated += 1
                            // Do not end inside a UTF-8 character: drop continuation bytes of a cut one.
                            while used > start, out[used - 1] & 0xC0 == 0x80 { used -= 1 }
                            if used > start, out[used - 1] >= 0xC0 { used -= 1 }
                        }
                        // In bounds: each term took a word byte and (but the last) a separator.
                        termEnds[termCount] = Int32(used)
                        termCount += 1
                    }
                }
            }
        }
        bytes.removeLast(bytes.count - used)
        ends.removeLast(ends.count - termCount)
        self.truncatedTerms += truncated
        swap(&bytes, &self.bytes)
        swap(&ends, &self.ends)
    }

    /// Per byte value: the byte as a term keeps it (ASCII letters lower-cased), or 0 for a separator
    /// (NUL is one, so 0 is free as the mark). One load per byte instead of `isWordByte`'s compares.
    private static let foldedBytes: [UInt8] = (0...255).map { (value: Int) -> UInt8 in
        let byte = UInt8(value)
        guard Self.isWordByte(byte) else { return 0 }
        return byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    @inline(__always)
    public static func isWordByte(_ byte: UInt8) -> Bool {
        byte >= 0x80 || byte &- UInt8(ascii: "0") < 10 || (byte | 0x20) &- UInt8(ascii: "a") < 26
            || byte == UInt8(ascii: "_")
    }
}
