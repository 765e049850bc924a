#if canImport(Glibc)
    import Glibc
#endif

/// Gives each distinct byte string an id in first-seen order, without allocating per lookup.
///
/// Strings live back to back in one arena; an open-addressing table (load <= 1/2) holds their ids. The keyword
/// column writer calls it once per value, so a lookup hashes and compares bytes in place instead of building an
/// `[UInt8]` key for a `Dictionary`.
struct ColumnKeywordInterner: Sendable {
    private(set) var arena: [UInt8] = []
    /// Entry `i` is `arena[ends[i - 1] ..< ends[i]]` (`0` for the first).
    private(set) var ends: [Int] = []
    private var hashes: [UInt64] = []
    /// Slot -> entry id + 1; 0 marks an empty slot.
    private var table: [Int32] = Array(repeating: 0, count: 16)

    var count: Int { self.ends.count }

    /// Bytes of entry `id`.
    func entry(_ id: Int) -> ArraySlice<UInt8> {
        self.arena[(id == 0 ? 0 : self.ends[id - 1])..<self.ends[id]]
    }

    /// The id of `bytes`, adding it when new; `isNew` tells which.
    mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> (id: Int, isNew: Bool) {
        let hash = WordHash.hash(bytes)
        let mask = self.table.count - 1
        var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        while true {
            let stored = Int(self.table[slot])
            if stored == 0 { break }
            let id = stored - 1
            if self.hashes[id] == hash && self.matches(id, bytes) { return (id, false) }
            slot = (slot + 1) & mask
        }
        let id = self.count
        self.arena.append(contentsOf: bytes)
        self.ends.append(self.arena.count)
        self.hashes.append(hash)
        self.table[slot] = Int32(id + 1)
        if self.count * 2 > self.table.count { self.grow() }
        return (id, true)
    }

    private func matches(_ id: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = id == 0 ? 0 : self.ends[id - 1]
        guard self.ends[id] - start == bytes.count else { return false }
        guard bytes.count > 0 else { return true }
        return self.arena.withUnsafeBufferPointer { arena in
            // In bounds: the entry `start ..< start + bytes.count` lies inside the arena. `memcmp`
            // rather than `elementsEqual`, which compares byte by byte through the generic path.
            memcmp(arena.baseAddress! + start, bytes.baseAddress!, bytes.count) == 0
        }
    }

    private mutating func grow() {
        var table = [Int32](repeating: 0, count: self.table.count * 2)
        let mask = table.count - 1
        for id in 0..<self.count {
            let hash = self.hashes[id]
            var slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
            while table[slot] != 0 { slot = (slot + 1) & mask }
            table[slot] = Int32(id + 1)
        }
        self.table = table
    }
}
