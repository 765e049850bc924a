/// Bounds-checked reads over a byte span at a moving offset, for the decoders' inner loops.
///
/// The same varint form as `ByteReader`, without copying the buffer's slice per read: a term block
/// or a block of positions is decoded with no reference counting at all.
extension Span where Element == UInt8 {
    /// The unsigned LEB128 varint at `offset`; moves `offset` past it.
    @inline(__always)
    func varint(at offset: inout Int) throws(StoreError) -> UInt64 {
        if offset >= 0, offset < self.count {
            let byte = self[unchecked: offset]  // checked: 0 <= offset < count
            if byte < 0x80 {
                offset += 1
                return UInt64(byte)
            }
        }
        return try self.longVarint(at: &offset)
    }

    /// A varint that must be at most `limit`, as an `Int`.
    @inline(__always)
    func count(at offset: inout Int, limit: Int) throws(StoreError) -> Int {
        let start = offset
        let value = try self.varint(at: &offset)
        guard value <= UInt64(max(limit, 0)) else {
            throw StoreError(.corrupt, offset: Int64(start), "count \(value) exceeds \(limit)")
        }
        return Int(value)
    }

    /// Moves `offset` past `count` varints without decoding them.
    func skipVarints(_ count: Int, at offset: inout Int) throws(StoreError) {
        var remaining = count
        var at = offset
        guard at >= 0 else { throw StoreError(.corrupt, offset: Int64(at), "negative offset") }
        while remaining > 0 {
            guard at < self.count else {
                throw StoreError(.corrupt, offset: Int64(at), "varints run past the end")
            }
            if self[unchecked: at] < 0x80 { remaining -= 1 }  // checked: 0 <= at < count
            at += 1
        }
        offset = at
    }

    private func longVarint(at offset: inout Int) throws(StoreError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var at = offset
        while true {
            guard at >= 0, at < self.count else {
                throw StoreError(.corrupt, offset: Int64(at), "varint runs past the end")
            }
            let byte = self[unchecked: at]  // checked just above
            if shift == 63 && byte > 1 {
                throw StoreError(.corrupt, offset: Int64(at), "varint overflows 64 bits")
            }
            value |= UInt64(byte & 0x7F) << shift
            at += 1
            if byte & 0x80 == 0 {
                offset = at
                return value
            }
            shift += 7
            if shift > 63 { throw StoreError(.corrupt, offset: Int64(at - 1), "varint longer than 10 bytes") }
        }
    }
}
