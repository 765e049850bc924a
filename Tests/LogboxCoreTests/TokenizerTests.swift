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
}
