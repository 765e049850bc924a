import LogboxCore
import LogboxStore
import Testing

@Suite("Indexing rules")
struct IndexingRulesTests {
    @Test("a kind indexed as written has the exact term exactTerm(of:) makes, cut at the same length")
    func termAsWritten() {
        let raws: [[UInt8]] = [
            Array("GET".utf8), Array("0.004".utf8), Array("{\"a\":1}".utf8), [],
            [UInt8](repeating: UInt8(ascii: "x"), count: IndexingRules.maximumExactTermLength + 40),
        ]
        for rawValue in UInt8(0)...31 {
            guard let kind = ValueKind(rawValue: rawValue), IndexingRules.isTermAsWritten(kind) else { continue }
            for raw in raws {
                var expected: [UInt8] = []
                let cut = IndexingRules.exactTerm(of: kind, raw: raw[...], payload: 0, into: &expected)
                raw.withUnsafeBufferPointer { buffer in
                    let (term, truncated) = IndexingRules.exactTerm(asWritten: buffer)
                    #expect(Array(term) == expected, "\(kind)")
                    #expect(truncated == cut)
                }
            }
        }
        #expect(IndexingRules.isTermAsWritten(.text) && IndexingRules.isTermAsWritten(.decimal))
        #expect(!IndexingRules.isTermAsWritten(.integer) && !IndexingRules.isTermAsWritten(.jsonEscaped))
    }
}
