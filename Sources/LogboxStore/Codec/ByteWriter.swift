/// Appends little-endian integers, LEB128 varints and byte runs to a growing buffer.
///
/// All on-disk structures of the store are written through it, so they share one byte order
/// (little-endian) and one varint form (unsigned LEB128; signed values zigzag-encoded first).
public struct ByteWriter: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int = 0) {
        self.bytes = []
        self.bytes.reserveCapacity(capacity)
    }

    public var count: Int { self.bytes.count }

    @inlinable
    public mutating func u8(_ value: UInt8) { self.bytes.append(value) }

    @inlinable
    public mutating func u16(_ value: UInt16) {
        self.bytes.append(UInt8(truncatingIfNeeded: value))
        self.bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    }

    @inlinable
    public mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { self.bytes.append(contentsOf: $0) }
    }

    @inlinable
    public mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { self.bytes.append(contentsOf: $0) }
    }

    @inlinable
    public mutating func i64(_ value: Int64) { self.u64(UInt64(bitPattern: value)) }

    /// Unsigned LEB128: 7 bits per byte, high bit set on all but the last.
    @inlinable
    public mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            self.bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        self.bytes.append(UInt8(value))
    }

    @inlinable
    public mutating func varint(_ value: Int) { self.varint(UInt64(value)) }

    /// Zigzag then LEB128, so small negative numbers stay short.
    @inlinable
    public mutating func signedVarint(_ value: Int64) {
        self.varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inlinable
    public mutating func append(_ bytes: some Sequence<UInt8>) { self.bytes.append(contentsOf: bytes) }

    /// A varint length, then the bytes.
    @inlinable
    public mutating func lengthPrefixed(_ bytes: some Collection<UInt8>) {
        self.varint(bytes.count)
        self.bytes.append(contentsOf: bytes)
    }

    public mutating func string(_ text: String) { self.lengthPrefixed(Array(text.utf8)) }

    /// Overwrites 4 bytes at `offset` (to patch a length or checksum written as a placeholder).
    public mutating func patchU32(_ value: UInt32, at offset: Int) {
        withUnsafeBytes(of: value.littleEndian) { raw in
            for i in 0..<4 { self.bytes[offset + i] = raw[i] }
        }
    }
}
