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
    public mutating func tokenize(_ input: UnsafeBufferPointer<UInt8>) {
        self.bytes.removeAll(keepingCapacity: true)
        self.ends.removeAll(keepingCapacity: true)
        do {
            var i = 0
            let count = input.count
            while i < count {
                while i < count, !Self.isWordByte(input[i]) { i += 1 }
                guard i < count else { break }
                let start = self.bytes.count
                var length = 0
                while i < count, Self.isWordByte(input[i]) {
                    if length < Self.maximumLength {
                        let byte = input[i]
                        self.bytes.append(byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte)
                    }
                    length += 1
                    i += 1
                }
                if length > Self.maximumLength {
                    self.truncatedTerms += 1
                    // Do not end inside a UTF-8 character: drop continuation bytes of a cut one.
                    while self.bytes.count > start, self.bytes[self.bytes.count - 1] & 0xC0 == 0x80 {
                        self.bytes.removeLast()
                    }
                    if self.bytes.count > start, self.bytes[self.bytes.count - 1] >= 0xC0 { self.bytes.removeLast() }
                }
                self.ends.append(Int32(self.bytes.count))
            }
        }
    }

    @inline(__always)
    public static func isWordByte(_ byte: UInt8) -> Bool {
        byte >= 0x80 || byte &- UInt8(ascii: "0") < 10 || (byte | 0x20) &- UInt8(ascii: "a") < 26
            || byte == UInt8(ascii: "_")
    }
}
