import Testing

@testable import LogboxStore

@Suite("Term table")
struct TermTableTests {
    /// What `forEachPostings` reports for one term.
    private struct Postings: Equatable {
        var term: [UInt8]
        var docs: [UInt32]
        var positions: [UInt32]
        var counts: [UInt32]
    }

    private func postings(_ table: TermTable) -> [Postings] {
        var result: [Postings] = []
        table.forEachPostings { term, docs, positions, counts in
            result.append(Postings(term: Array(term), docs: docs, positions: positions, counts: counts))
        }
        return result
    }

    /// Terms `t0` ... `t{n-1}` (and the empty term), enough of them to make the table grow several times.
    private func term(_ number: Int) -> [UInt8] {
        number == 0 ? [] : Array("term-\(number * 7919 % 5003)-long-enough-for-two-words".prefix(number % 40).utf8)
    }

    @Test("exact terms: sorted by bytes, each doc once, across growth")
    func exact() {
        var table = TermTable(keepsPositions: false)
        var expected: [[UInt8]: [UInt32]] = [:]
        for doc in UInt32(0)..<300 {
            for pick in [Int(doc) % 97, Int(doc) * 31 % 1500, Int(doc) % 97] {
                let term = self.term(pick)
                term.withUnsafeBufferPointer { table.add($0, doc: doc) }
                if expected[term]?.last != doc { expected[term, default: []].append(doc) }
            }
        }
        let reference = expected.keys.sorted { $0.lexicographicallyPrecedes($1) }.map {
            Postings(term: $0, docs: expected[$0]!, positions: [], counts: [])
        }
        #expect(table.count == expected.count)
        #expect(self.postings(table) == reference)
    }

    @Test("text terms: positions per doc in order, added in one call per text")
    func positions() {
        var table = TermTable(keepsPositions: true)
        var expected: [[UInt8]: [(doc: UInt32, position: UInt32)]] = [:]
        for doc in UInt32(0)..<200 {
            let terms = (0..<(Int(doc) % 9)).map { self.term((Int(doc) * 13 + $0 * $0) % 700) }
            let bytes = terms.flatMap { $0 }
            var ends: [Int32] = []
            for term in terms { ends.append((ends.last ?? 0) + Int32(term.count)) }
            bytes.withUnsafeBufferPointer { bytes in
                ends.withUnsafeBufferPointer { table.add(terms: bytes, ends: $0, doc: doc) }
            }
            for (position, term) in terms.enumerated() {
                expected[term, default: []].append((doc, UInt32(position)))
            }
        }
        let reference = expected.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { term in
            var postings = Postings(term: term, docs: [], positions: [], counts: [])
            for (doc, position) in expected[term]! {
                if postings.docs.last != doc {
                    postings.docs.append(doc)
                    postings.counts.append(0)
                }
                postings.counts[postings.counts.count - 1] += 1
                postings.positions.append(position)
            }
            return postings
        }
        #expect(self.postings(table) == reference)
    }
}
