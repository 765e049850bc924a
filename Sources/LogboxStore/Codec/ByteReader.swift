/// Reads what `ByteWriter` wrote, checking every length against the end of the buffer.
///
/// A read past the end or an over-long varint throws `StoreError(.corrupt)` with the offset, so a
/// damaged file is reported, never trapped on. `offset` is relative to the start of `bytes`.
/// It reads a `ByteStorage` (a mapped file, without copying it); arrays are copied in once.
public struct ByteReader: Sendable {
    public let bytes: ByteStorage
    /// Position of the next read, relative to `bytes.startIndex`.
    public var offset: Int = 0

    public init(_ bytes: ByteStorage) { self.bytes = bytes }
    public init(_ bytes: ArraySlice<UInt8>) { self.bytes = ByteStorage(bytes) }
    public init(_ bytes: [UInt8]) { self.bytes = ByteStorage(bytes) }

    public var remaining: Int { self.bytes.count - self.offset }
    public var isAtEnd: Bool { self.offset >= self.bytes.count }

    @inline(__always)
    private func need(_ count: Int) throws(StoreError) {
        guard count >= 0, count <= self.bytes.count - self.offset else {
            throw StoreError(.corrupt, offset: Int64(self.offset), "needs \(count) bytes, \(self.remaining) left")
        }
    }

    public mutating func u8() throws(StoreError) -> UInt8 {
        try self.need(1)
        defer { self.offset += 1 }
        return self.bytes[self.bytes.startIndex + self.offset]
    }

    public mutating func u16() throws(StoreError) -> UInt16 {
        try self.need(2)
        let base = self.bytes.startIndex + self.offset
        self.offset += 2
        return UInt16(self.bytes[base]) | UInt16(self.bytes[base + 1]) << 8
    }

    public mutating func u32() throws(StoreError) -> UInt32 {
        try self.need(4)
        let base = self.bytes.startIndex + self.offset
        self.offset += 4
        var value: UInt32 = 0
        for i in 0..<4 { value |= UInt32(self.bytes[base + i]) << (8 * UInt32(i)) }
        return value
    }

    public mutating func u64() throws(StoreError) -> UInt64 {
        try self.need(8)
        let base = self.bytes.startIndex + self.offset
        self.offset += 8
        var value: UInt64 = 0
        for i in 0..<8 { value |= UInt64(self.bytes[base + i]) << (8 * UInt64(i)) }
        return value
    }

    public mutating func i64() throws(StoreError) -> Int64 { Int64(bitPattern: try self.u64()) }

    public mutating func varint() throws(StoreError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try self.u8()
            if shift == 63 && byte > 1 {
                throw StoreError(.corrupt, offset: Int64(self.offset - 1), "varint overflows 64 bits")
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            if shift > 63 { throw StoreError(.corrupt, offset: Int64(self.offset - 1), "varint longer than 10 bytes") }
        }
    }

    /// A varint that must fit a non-negative `Int` no larger than `limit`.
    public mutating func count(limit: Int = Int(Int32.max)) throws(StoreError) -> Int {
        let start = self.offset
        let value = try self.varint()
        guard value <= UInt64(limit) else {
            throw StoreError(.corrupt, offset: Int64(start), "count \(value) exceeds \(limit)")
        }
        return Int(value)
    }

    public mutating func signedVarint() throws(StoreError) -> Int64 {
        let raw = try self.varint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// The next `count` bytes.
    public mutating func bytes(_ count: Int) throws(StoreError) -> ByteStorage {
        try self.need(count)
        let base = self.bytes.startIndex + self.offset
        self.offset += count
        return self.bytes[base..<base + count]
    }

    /// A varint length, then that many bytes.
    public mutating func lengthPrefixed() throws(StoreError) -> ByteStorage {
        let count = try self.count()
        return try self.bytes(count)
    }

    public mutating func string() throws(StoreError) -> String {
        String(decoding: try self.lengthPrefixed(), as: UTF8.self)
    }

    public mutating func skip(_ count: Int) throws(StoreError) {
        try self.need(count)
        self.offset += count
    }
}
