#if canImport(Glibc)
import Glibc
#endif

/// The terms of one field while a segment is built: term bytes → the docs (and positions) having it.
///
/// An open-addressing hash table over a byte arena (FNV-1a, like the field-name table), so adding
/// a term already seen allocates nothing; each term's postings are appended in doc order, which is
/// the order segments are built in.
struct TermTable {
    private var arena: [UInt8] = []
    private var ends: [Int] = []
    private var hashes: [UInt32] = []
    private var slots: [Int32] = Array(repeating: 0, count: 256)
    /// Per term: the docs having it, ascending, without repeats.
    private(set) var docs: [[UInt32]] = []
    /// Per term, when positions are kept: per doc the number of positions, and the positions.
    private(set) var positionCounts: [[UInt32]] = []
    private(set) var positions: [[UInt32]] = []
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
        if self.docs[index].last != doc {
            self.docs[index].append(doc)
            if self.keepsPositions { self.positionCounts[index].append(0) }
        }
        if self.keepsPositions {
            self.positionCounts[index][self.positionCounts[index].count - 1] += 1
            self.positions[index].append(position)
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
        self.docs.append([])
        if self.keepsPositions {
            self.positionCounts.append([])
            self.positions.append([])
        }
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
