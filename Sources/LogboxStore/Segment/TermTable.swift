#if canImport(Glibc)
    import Glibc
#endif

/// The terms of one field while a segment is built: term bytes → the docs (and positions) having it.
///
/// An open-addressing hash table over a byte arena (FNV-1a, like the field-name table) gives each
/// term an index; each occurrence is appended to flat arrays (term index, doc, position), 8 or 12
/// bytes per occurrence and no allocation per term. `forEachPostings` groups them by term with a
/// counting sort at the end. Docs arrive in ascending order, which the grouping preserves.
struct TermTable {
    private var arena: [UInt8] = []
    private var ends: [Int] = []
    private var hashes: [UInt32] = []
    private var slots: [Int32] = Array(repeating: 0, count: 256)
    /// The last doc each term was seen in (exact terms are recorded once per doc).
    private var lastDoc: [UInt32] = []
    private var occurrenceTerm: [UInt32] = []
    private var occurrenceDoc: [UInt32] = []
    private var occurrencePosition: [UInt32] = []
    let keepsPositions: Bool

    init(keepsPositions: Bool) {
        self.keepsPositions = keepsPositions
    }

    var count: Int { self.ends.count }

    func term(_ index: Int) -> ArraySlice<UInt8> {
        let start = index == 0 ? 0 : self.ends[index - 1]
        return self.arena[start..<self.ends[index]]
    }

    /// Records that `doc` has `term` (at `position` when positions are kept). Docs arrive in order.
    mutating func add(_ term: UnsafeBufferPointer<UInt8>, doc: UInt32, position: UInt32 = 0) {
        let index = self.index(of: term)
        if !self.keepsPositions {
            if self.lastDoc[index] == doc { return }
            self.lastDoc[index] = doc
        }
        self.occurrenceTerm.append(UInt32(index))
        self.occurrenceDoc.append(doc)
        if self.keepsPositions { self.occurrencePosition.append(position) }
    }

    /// Calls `body` for each term in ascending byte order with its docs (ascending, unique) and,
    /// when positions are kept, the positions per doc (`counts[i]` of them for `docs[i]`).
    func forEachPostings(
        _ body: (ArraySlice<UInt8>, borrowing [UInt32], borrowing [UInt32], borrowing [UInt32]) -> Void
    ) {
        // Counting sort of the occurrences by term; stable, so docs stay ascending per term.
        var starts = [Int](repeating: 0, count: self.count + 1)
        for term in self.occurrenceTerm { starts[Int(term) + 1] += 1 }
        for index in 0..<self.count { starts[index + 1] += starts[index] }
        var fill = starts
        var docs = [UInt32](repeating: 0, count: self.occurrenceDoc.count)
        var positions = [UInt32](repeating: 0, count: self.keepsPositions ? self.occurrenceDoc.count : 0)
        for occurrence in 0..<self.occurrenceTerm.count {
            let term = Int(self.occurrenceTerm[occurrence])
            docs[fill[term]] = self.occurrenceDoc[occurrence]
            if self.keepsPositions { positions[fill[term]] = self.occurrencePosition[occurrence] }
            fill[term] += 1
        }
        var uniqueDocs: [UInt32] = []
        var counts: [UInt32] = []
        var termPositions: [UInt32] = []
        for term in self.sortedOrder() {
            uniqueDocs.removeAll(keepingCapacity: true)
            counts.removeAll(keepingCapacity: true)
            termPositions.removeAll(keepingCapacity: true)
            for occurrence in starts[term]..<starts[term + 1] {
                let doc = docs[occurrence]
                if uniqueDocs.last != doc {
                    uniqueDocs.append(doc)
                    if self.keepsPositions { counts.append(0) }
                }
                if self.keepsPositions {
                    counts[counts.count - 1] += 1
                    termPositions.append(positions[occurrence])
                }
            }
            body(self.term(term), uniqueDocs, termPositions, counts)
        }
    }

    /// Term indexes in ascending byte order of the terms.
    func sortedOrder() -> [Int] {
        var order = Array(0..<self.count)
        self.arena.withUnsafeBufferPointer { arena in
            order.sort { a, b in
                let aStart = a == 0 ? 0 : self.ends[a - 1]
                let bStart = b == 0 ? 0 : self.ends[b - 1]
                let aLength = self.ends[a] - aStart
                let bLength = self.ends[b] - bStart
                let shared = min(aLength, bLength)
                if shared > 0 {
                    let comparison = memcmp(arena.baseAddress! + aStart, arena.baseAddress! + bStart, shared)
                    if comparison != 0 { return comparison < 0 }
                }
                return aLength < bLength
            }
        }
        return order
    }

    private mutating func index(of term: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt32 = 2_166_136_261
        for byte in term { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let mask = self.slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let entry = self.slots[slot]
            if entry == 0 { break }
            let index = Int(entry - 1)
            if self.hashes[index] == hash && self.equals(index, term) { return index }
            slot = (slot + 1) & mask
        }
        let index = self.ends.count
        self.arena.append(contentsOf: term)
        self.ends.append(self.arena.count)
        self.hashes.append(hash)
        self.lastDoc.append(UInt32.max)
        self.slots[slot] = Int32(index + 1)
        if self.ends.count * 2 > self.slots.count { self.grow() }
        return index
    }

    private func equals(_ index: Int, _ term: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = index == 0 ? 0 : self.ends[index - 1]
        guard self.ends[index] - start == term.count else { return false }
        guard term.count > 0 else { return true }
        return self.arena.withUnsafeBufferPointer { arena in
            memcmp(arena.baseAddress! + start, term.baseAddress!, term.count) == 0
        }
    }

    private mutating func grow() {
        var slots = [Int32](repeating: 0, count: self.slots.count * 2)
        let mask = slots.count - 1
        for index in 0..<self.hashes.count {
            var slot = Int(self.hashes[index]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index + 1)
        }
        self.slots = slots
    }
}
