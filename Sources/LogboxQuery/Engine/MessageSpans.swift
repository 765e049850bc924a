import LogboxCore
import LogboxStore

/// The message span terms of one segment (`IndexingRules`): where each word stands in which span.
///
/// A word of the message is at position p of a doc when the word's own postings say so, or when a
/// span term holding the word as its k-th word is at position p - k. The executor answers words,
/// phrases and prefixes from that union, so a segment with spans gives the same docs as one without.
struct MessageSpans: Sendable {
    /// Where one word stands: a span term's postings, and the word's place in it.
    struct Occurrence: Sendable {
        var address: PostingsAddress
        /// The span's index in `spans`.
        var span: Int
        var offset: UInt32
    }

    /// Every span term's postings address and words, in term order.
    private(set) var spans: [(address: PostingsAddress, words: [[UInt8]])] = []
    private var byWord: [[UInt8]: [Occurrence]] = [:]

    static let empty = MessageSpans()

    private init() {}

    /// Reads the span terms of `terms`' message field: they sort first, behind their marker byte.
    /// - Complexity: O(span term bytes); a flushed segment has at most `IndexingRules.maximumSpanTerms`.
    init(_ terms: TermDictionaryReader) throws {
        var tokenizer = Tokenizer()
        try terms.enumerate(field: IndexingRules.messageField, from: [IndexingRules.spanMarker]) { term, address in
            guard IndexingRules.isSpanTerm(term) else { return false }
            term.dropFirst().withUnsafeBufferPointer { tokenizer.tokenize($0) }
            var words: [[UInt8]] = []
            for index in 0..<tokenizer.count { words.append(Array(tokenizer.term(index))) }
            for (offset, word) in words.enumerated() {
                self.byWord[word, default: []].append(
                    Occurrence(address: address, span: self.spans.count, offset: UInt32(offset))
                )
            }
            self.spans.append((address, words))
            return true
        }
    }

    var isEmpty: Bool { self.spans.isEmpty }

    /// The spans holding `word`, each with the word's place in it (a span may hold it twice).
    func occurrences(of word: [UInt8]) -> [Occurrence] {
        self.byWord[word] ?? []
    }

    /// Whether the span of `occurrence`, standing at word `index` of `phrase`, agrees with every
    /// other word of the phrase that falls inside it (else it cannot be where the phrase matches).
    func fits(_ occurrence: Occurrence, at index: Int, of phrase: [[UInt8]]) -> Bool {
        let words = self.spans[occurrence.span].words
        let start = Int(occurrence.offset) - index
        for (other, word) in phrase.enumerated() where other != index {
            let inSpan = start + other
            if inSpan >= 0, inSpan < words.count, words[inSpan] != word { return false }
        }
        return true
    }

    /// The span terms with a word that `accept` takes.
    func addresses(where accept: (ArraySlice<UInt8>) -> Bool) -> [PostingsAddress] {
        self.spans.filter { span in span.words.contains { accept($0[...]) } }.map(\.address)
    }
}
