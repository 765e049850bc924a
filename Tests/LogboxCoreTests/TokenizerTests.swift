import LogboxCore
import Testing

@Suite("Tokenizer")
struct TokenizerTests {
    private func terms(_ text: String) -> [String] {
        var tokenizer = Tokenizer()
        let bytes = Array(text.utf8)
        tokenizer.tokenize(bytes.span)
        return (0..<tokenizer.count).map { String(decoding: tokenizer.term($0), as: UTF8.self) }
    }

    @Test(
        "words are lower-cased runs of letters, digits, _ and non-ASCII characters",
        arguments: [
            (
                "Failed password for root from 203.0.113.7 port 22",
                ["failed", "password", "for", "root", "from", "203", "0", "113", "7", "port", "22"]
            ),
            ("user_id=u_001 ERROR: Größe 東京!", ["user_id", "u_001", "error", "größe", "東京"]),
            ("", []), ("  ...--  ", []), ("a", ["a"]),
        ]
    )
    func words(text: String, expected: [String]) {
        #expect(self.terms(text) == expected)
    }

    @Test("terms longer than the maximum keep their first bytes, never half a character")
    func long() {
        var tokenizer = Tokenizer()
        let long = Array(String(repeating: "x", count: 100).utf8)
        tokenizer.tokenize(long.span)
        #expect(tokenizer.term(0).count == Tokenizer.maximumLength)
        #expect(tokenizer.truncatedTerms == 1)
        let wide = Array((String(repeating: "x", count: 63) + "é" + "yyy").utf8)
        tokenizer.tokenize(wide.span)
        #expect(String(validating: Array(tokenizer.term(0)), as: UTF8.self) != nil)
    }

    /// The tokenizer as first written (one `append` per byte): the definition the fast one must match.
    private static func referenceTerms(_ input: [UInt8]) -> (terms: [[UInt8]], truncated: Int) {
        var terms: [[UInt8]] = []
        var truncated = 0
        var i = 0
        while i < input.count {
            while i < input.count, !Tokenizer.isWordByte(input[i]) { i += 1 }
            guard i < input.count else { break }
            var term: [UInt8] = []
            var length = 0
            while i < input.count, Tokenizer.isWordByte(input[i]) {
                if length < Tokenizer.maximumLength {
                    let byte = input[i]
                    term.append(byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte)
                }
                length += 1
                i += 1
            }
            if length > Tokenizer.maximumLength {
                truncated += 1
                while let last = term.last, last & 0xC0 == 0x80 { term.removeLast() }
                if let last = term.last, last >= 0xC0 { term.removeLast() }
            }
            terms.append(term)
        }
        return (terms, truncated)
    }

    @Test("matches the byte-by-byte definition on random text, reusing one tokenizer", arguments: [1, 2, 3])
    func matchesReference(seed: UInt64) {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            // SplitMix64: a fixed sequence per seed.
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let alphabet = Array("aZ9_ .-=:/é東\u{0}\u{7F}".utf8) + [0x80, 0xBF, 0xC3, 0xFF]
        var tokenizer = Tokenizer()
        var truncated = 0
        for _ in 0..<2000 {
            let length = Int(next() % 200)
            var input: [UInt8] = []
            for _ in 0..<length {
                // Long runs of one word byte now and then, to cross `maximumLength`.
                if next() % 50 == 0 {
                    input.append(contentsOf: repeatElement(UInt8(ascii: "x"), count: Int(next() % 80)))
                    input.append(contentsOf: Array("é".utf8))
                } else {
                    input.append(alphabet[Int(next() % UInt64(alphabet.count))])
                }
            }
            let expected = Self.referenceTerms(input)
            input.withUnsafeBufferPointer { tokenizer.tokenize($0) }
            truncated += expected.truncated
            #expect((0..<tokenizer.count).map { Array(tokenizer.term($0)) } == expected.terms)
            #expect(tokenizer.bytes.count == expected.terms.reduce(0) { $0 + $1.count })
        }
        #expect(tokenizer.truncatedTerms == truncated)
    }
}
