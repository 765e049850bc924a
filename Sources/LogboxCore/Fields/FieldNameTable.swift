#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Interns field names (byte strings) into `FieldID`s without building a `String` per lookup.
///
/// An open-addressing hash table over one byte arena: a lookup hashes the name with FNV-1a and
/// compares bytes, so the steady state (names already seen) allocates nothing. Only a new name
/// grows the arena. The well-known names of `FieldID` are registered first, at their fixed ids.
public struct FieldNameTable: Sendable {
    /// All names back to back.
    private var arena: [UInt8] = []
    /// `ends[id]` is where name `id` ends in `arena`; it starts where the previous one ends.
    private var ends: [Int32] = []
    private var hashes: [UInt32] = []
    /// Slot → id + 1, 0 for empty. The capacity is a power of two, kept at most half full.
    private var slots: [Int32] = Array(repeating: 0, count: 64)

    public init() {
        for name in FieldID.wellKnownNames {
            var bytes = Array(name.utf8)
            _ = self.intern(bytes.span)
            bytes.removeAll()
        }
    }

    /// The number of distinct names.
    public var count: Int { self.ends.count }

    /// Returns the id of `name`, adding it when new.
    /// - Complexity: O(length of name), amortized.
    public mutating func intern(_ name: Span<UInt8>) -> FieldID {
        let hash = Self.fnv1a(name)
        let mask = self.slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let entry = self.slots[slot]
            if entry == 0 { break }
            let id = Int(entry - 1)
            if self.hashes[id] == hash && self.equals(id: id, name) { return FieldID(rawValue: UInt32(id)) }
            slot = (slot + 1) & mask
        }
        let id = self.ends.count
        name.withUnsafeBufferPointer { self.arena.append(contentsOf: $0) }
        self.ends.append(Int32(self.arena.count))
        self.hashes.append(hash)
        self.slots[slot] = Int32(id + 1)
        if self.ends.count * 2 > self.slots.count { self.grow() }
        return FieldID(rawValue: UInt32(id))
    }

    /// Returns the id of `name` when it was interned before, without adding it.
    public func lookup(_ name: Span<UInt8>) -> FieldID? {
        let hash = Self.fnv1a(name)
        let mask = self.slots.count - 1
        var slot = Int(hash) & mask
        while true {
            let entry = self.slots[slot]
            if entry == 0 { return nil }
            let id = Int(entry - 1)
            if self.hashes[id] == hash && self.equals(id: id, name) { return FieldID(rawValue: UInt32(id)) }
            slot = (slot + 1) & mask
        }
    }

    /// Interns a name given as text (set-up code and tests; not for the hot path).
    public mutating func intern(_ name: String) -> FieldID {
        var bytes = Array(name.utf8)
        defer { bytes.removeAll() }
        return self.intern(bytes.span)
    }

    /// The name of `id` as its bytes.
    public func nameBytes(_ id: FieldID) -> ArraySlice<UInt8> {
        let index = Int(id.rawValue)
        let start = index == 0 ? 0 : Int(self.ends[index - 1])
        return self.arena[start..<Int(self.ends[index])]
    }

    /// The name of `id` as text.
    public func name(_ id: FieldID) -> String {
        String(decoding: self.nameBytes(id), as: UTF8.self)
    }

    private func equals(id: Int, _ name: Span<UInt8>) -> Bool {
        let start = id == 0 ? 0 : Int(self.ends[id - 1])
        let end = Int(self.ends[id])
        guard end - start == name.count else { return false }
        return self.arena.withUnsafeBufferPointer { arena in
            name.withUnsafeBufferPointer { name in
                // Both ranges were checked above: `start..<end` lies in the arena, lengths match.
                name.isEmpty || memcmp(arena.baseAddress! + start, name.baseAddress!, name.count) == 0
            }
        }
    }

    private mutating func grow() {
        var slots = [Int32](repeating: 0, count: self.slots.count * 2)
        let mask = slots.count - 1
        for id in 0..<self.hashes.count {
            var slot = Int(self.hashes[id]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id + 1)
        }
        self.slots = slots
    }

    /// FNV-1a, 32 bits: stable across processes (unlike `Hasher`), cheap for short names.
    @inlinable
    public static func fnv1a(_ bytes: Span<UInt8>) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var hash: UInt32 = 2_166_136_261
            for byte in buffer {
                hash = (hash ^ UInt32(byte)) &* 16_777_619
            }
            return hash
        }
    }
}
