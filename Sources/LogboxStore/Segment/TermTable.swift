#if canImport(Glibc)
    import Glibc
#endif

/// The terms of one field while a segment is built: term bytes → the docs (and positions) having it.
///
/// An open-addressing hash table over a byte arena gives each term an index; each occurrence is
/// appended to flat arrays (term index, doc, position), 8 or 12 bytes per occurrence and no
/// allocation per term. `forEachPostings` groups them by term with a counting sort at the end.
/// Docs arrive in ascending order, which the grouping preserves.
///
/// A slot holds the term's hash next to its index, so a probe rejects other terms without reading
/// the arena, and one cache line answers most lookups. The hash lives in memory only (terms are
/// written sorted by bytes), so it may change freely.
struct TermTable {
    private var arena: [UInt8] = []
    private var ends: [Int] = []
    /// Slot -> `hash << 32 | (index + 1)`; 0 marks an empty slot. Load is kept at most 1/2.
    private var slots: [UInt64] = Array(repeating: 0, count: 256)
    /// The last doc each term was seen in (exact terms are recorded once per doc).
    private var lastDoc: [UInt32] = []
    /// Docs each term was recorded in so far (kept for exact terms only: message spans ask it).
    private var docCounts: [UInt32] = []
    private var occurrenceTerm: [UInt32] = []
    private var occurrenceDoc: [UInt32] = []
    private var occurrencePosition: [UInt32] = []
    let keepsPositions: Bool

    init(keepsPositions: Bool) {
        self.keepsPositions = keepsPositions
    }

    var count: Int { self.ends.count }

    /// Reserves room for `occurrences` more (term, doc[, position]) records.
    mutating func reserveCapacity(occurrences: Int) {
        let total = self.occurrenceTerm.count + occurrences
        self.occurrenceTerm.reserveCapacity(total)
        self.occurrenceDoc.reserveCapacity(total)
        if self.keepsPositions { self.occurrencePosition.reserveCapacity(total) }
    }

    func term(_ index: Int) -> ArraySlice<UInt8> {
        let start = index == 0 ? 0 : self.ends[index - 1]
        return self.arena[start..<self.ends[index]]
    }

    /// Records that `doc` has `term` (at `position` when positions are kept). Docs arrive in order.
    /// Returns the term's index.
    @discardableResult
    mutating func add(_ term: UnsafeBufferPointer<UInt8>, doc: UInt32, position: UInt32 = 0) -> Int {
        let index = self.index(of: term)
        self.add(termIndex: index, doc: doc, position: position)
        return index
    }

    /// The index of `term` if the table has it (no insert).
    func existingIndex(of term: UnsafeBufferPointer<UInt8>) -> Int? {
        let hash = UInt32(truncatingIfNeeded: WordHash.hash(term))
        let mask = self.slots.count - 1
        var slot = Int(hash) & mask
        while self.slots[slot] != 0 {
            let entry = self.slots[slot]
            if entry >> 32 == UInt64(hash), self.equals(Int(entry & 0xFFFF_FFFF) - 1, term) {
                return Int(entry & 0xFFFF_FFFF) - 1
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The length of the shortest term (0 for an empty table).
    var shortestTerm: Int {
        var shortest = self.ends.isEmpty ? 0 : Int.max
        var start = 0
        for end in self.ends {
            shortest = min(shortest, end - start)
            start = end
        }
        return shortest
    }

    /// Whether every byte of every term passes `test`.
    func allTermBytes(_ test: (UInt8) -> Bool) -> Bool {
        self.arena.allSatisfy(test)
    }

    /// Terms recorded in more than one doc (a table without positions).
    var repeatedTerms: Int { self.docCounts.reduce(0) { $0 + ($1 > 1 ? 1 : 0) } }

    /// The docs the term at `index` was recorded in so far, in a table without positions.
    func docCount(termIndex index: Int) -> UInt32 {
        self.docCounts[index]
    }

    /// The index of `term`, added (with no docs yet) if new: for a caller that records one term
    /// for many docs, to look it up once and then call `add(termIndex:doc:position:)`.
    ///
    /// Call `add(termIndex:…)` with it before `forEachPostings`: a term without docs is not written.
    mutating func termIndex(_ term: UnsafeBufferPointer<UInt8>) -> Int {
        self.index(of: term)
    }

    /// Records that `doc` has the term at `index` (from `termIndex(_:)`), as `add(_:doc:position:)` does.
    mutating func add(termIndex index: Int, doc: UInt32, position: UInt32 = 0) {
        if !self.keepsPositions {
            if self.lastDoc[index] == doc { return }
            self.lastDoc[index] = doc
            self.docCounts[index] += 1
        }
        self.occurrenceTerm.append(UInt32(index))
        self.occurrenceDoc.append(doc)
        if self.keepsPositions { self.occurrencePosition.append(position) }
    }

    /// Records the terms of one text of `doc`, term `i` at position `firstPosition + i`, as `add`
    /// would one by one.
    ///
    /// `bytes` holds the terms back to back and `ends` where each one ends (the tokenizer's
    /// layout), so the message path makes no slice or array per term.
    /// - Complexity: O(total term bytes), amortized.
    mutating func add(
        terms bytes: UnsafeBufferPointer<UInt8>,
        ends: UnsafeBufferPointer<Int32>,
        doc: UInt32,
        firstPosition: UInt32 = 0
    ) {
        guard self.keepsPositions else {
            var start = 0
            for position in 0..<ends.count {
                let end = Int(ends[position])
                self.add(
                    UnsafeBufferPointer(rebasing: bytes[start..<end]),
                    doc: doc,
                    position: firstPosition + UInt32(position)
                )
                start = end
            }
            return
        }
        // Every term is an occurrence: the text's docs and positions go in at once, so each term
        // costs one append (with its uniqueness and capacity checks), not three.
        self.occurrenceDoc.append(contentsOf: repeatElement(doc, count: ends.count))
        self.occurrencePosition.append(contentsOf: firstPosition..<firstPosition + UInt32(ends.count))
        var start = 0
        for position in 0..<ends.count {
            let end = Int(ends[position])
            self.occurrenceTerm.append(UInt32(self.index(of: UnsafeBufferPointer(rebasing: bytes[start..<end]))))
            start = end
        }
    }

    /// Calls `body` for each term in ascending byte order with its docs (ascending, unique) and,
    /// when positions are kept, the positions per doc (`counts[i]` of them for `docs[i]`).
    func forEachPostings(
        _ body: (ArraySlice<UInt8>, borrowing [UInt32], borrowing [UInt32], borrowing [UInt32]) -> Void
    ) {
        let termCount = self.count
        let total = self.occurrenceTerm.count
        // Counting sort of the occurrences by term; stable, so docs stay ascending per term.
        var starts = [Int](repeating: 0, count: termCount + 1)
        var docs = [UInt32](repeating: 0, count: total)
        var positions = [UInt32](repeating: 0, count: self.keepsPositions ? total : 0)
        starts.withUnsafeMutableBufferPointer { starts in
            self.occurrenceTerm.withUnsafeBufferPointer { terms in
                // In bounds: every occurrence's term index is below `termCount`.
                for term in terms { starts[Int(term) + 1] += 1 }
                for index in 0..<termCount { starts[index + 1] += starts[index] }
                var fill = Array(starts[0..<termCount])
                // One pass places docs and positions together: `fill` is read at random once per occurrence.
                fill.withUnsafeMutableBufferPointer { fill in
                    docs.withUnsafeMutableBufferPointer { docs in
                        positions.withUnsafeMutableBufferPointer { positions in
                            self.occurrenceDoc.withUnsafeBufferPointer { occurrenceDocs in
                                self.occurrencePosition.withUnsafeBufferPointer { occurrencePositions in
                                    for occurrence in 0..<total {
                                        let term = Int(terms[occurrence])
                                        let slot = fill[term]
                                        fill[term] = slot + 1
                                        docs[slot] = occurrenceDocs[occurrence]
                                        // `positions` is empty unless positions are kept.
                                        if self.keepsPositions { positions[slot] = occurrencePositions[occurrence] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var uniqueDocs: [UInt32] = []
        var counts: [UInt32] = []
        var termPositions: [UInt32] = []
        let order = self.sortedOrder()
        docs.withUnsafeBufferPointer { docs in
            positions.withUnsafeBufferPointer { positions in
                for term in order {
                    let occurrences = starts[term]..<starts[term + 1]
                    uniqueDocs.removeAll(keepingCapacity: true)
                    counts.removeAll(keepingCapacity: true)
                    termPositions.removeAll(keepingCapacity: true)
                    if self.keepsPositions {
                        termPositions.append(contentsOf: UnsafeBufferPointer(rebasing: positions[occurrences]))
                        // Runs of one doc become that doc once, with the run's length as its count.
                        var occurrence = occurrences.lowerBound
                        while occurrence < occurrences.upperBound {
                            let doc = docs[occurrence]
                            var runEnd = occurrence + 1
                            while runEnd < occurrences.upperBound, docs[runEnd] == doc { runEnd += 1 }
                            uniqueDocs.append(doc)
                            counts.append(UInt32(runEnd - occurrence))
                            occurrence = runEnd
                        }
                    } else {
                        // Already unique: `add` records an exact term once per doc.
                        uniqueDocs.append(contentsOf: UnsafeBufferPointer(rebasing: docs[occurrences]))
                    }
                    body(self.term(term), uniqueDocs, termPositions, counts)
                }
            }
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
        let hash = UInt32(truncatingIfNeeded: WordHash.hash(term))
        let tag = UInt64(hash) << 32
        let mask = self.slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let entry = self.slots[slot]
            if entry == 0 { break }
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let index = Int(entry & 0xFFFF_FFFF) - 1
                if self.equals(index, term) { return index }
            }
            slot = (slot + 1) & mask
        }
        let index = self.ends.count
        self.arena.append(contentsOf: term)
        self.ends.append(self.arena.count)
        self.lastDoc.append(UInt32.max)
        self.docCounts.append(0)
        self.slots[slot] = tag | UInt64(index + 1)
        if self.ends.count * 2 > self.slots.count { self.grow() }
        return index
    }

    private func equals(_ index: Int, _ term: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = index == 0 ? 0 : self.ends[index - 1]
        guard self.ends[index] - start == term.count else { return false }
        guard term.count > 0 else { return true }
        return self.arena.withUnsafeBufferPointer { arena in
            Self.bytesEqual(
                UnsafeRawPointer(arena.baseAddress! + start),
                UnsafeRawPointer(term.baseAddress!),
                term.count
            )
        }
    }

    /// `memcmp(a, b, count) == 0` inline: terms are mostly a few bytes, where a call costs more than the compare.
    @inline(__always)
    private static func bytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        var offset = 0
        while offset + 8 <= count {
            // In bounds: checked by the loop condition.
            if a.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                != b.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            {
                return false
            }
            offset += 8
        }
        while offset < count {
            if a.load(fromByteOffset: offset, as: UInt8.self) != b.load(fromByteOffset: offset, as: UInt8.self) {
                return false
            }
            offset += 1
        }
        return true
    }

    private mutating func grow() {
        var slots = [UInt64](repeating: 0, count: self.slots.count * 2)
        let mask = slots.count - 1
        for entry in self.slots where entry != 0 {
            var slot = Int(entry >> 32) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
        self.slots = slots
    }
}
