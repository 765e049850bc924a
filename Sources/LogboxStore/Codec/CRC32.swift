internal import CZlib

/// CRC-32 (IEEE, zlib's `crc32`): the checksum of every WAL record and segment file footer.
///
/// zlib's implementation is table- or SIMD-driven (several GB/s), negligible next to ingest.
public enum CRC32 {
    /// The checksum of `bytes`, continuing from `previous` (0 to start).
    public static func checksum(_ bytes: ArraySlice<UInt8>, previous: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { Self.checksum($0, previous: previous) }
    }

    /// The checksum of a mapped file's bytes (or any storage), read in place.
    public static func checksum(_ bytes: ByteStorage, previous: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { Self.checksum($0, previous: previous) }
    }

    static func checksum(_ buffer: UnsafeBufferPointer<UInt8>, previous: UInt32) -> UInt32 {
        var crc = UInt(previous)
        var base = buffer.baseAddress
        var remaining = buffer.count
        // zlib takes a 32-bit length: feed huge buffers in pieces.
        while remaining > 0, let pointer = base {
            let piece = min(remaining, 1 << 30)
            crc = crc32(crc, pointer, UInt32(piece))
            base = pointer + piece
            remaining -= piece
        }
        return UInt32(truncatingIfNeeded: crc)
    }

    public static func checksum(_ bytes: [UInt8], previous: UInt32 = 0) -> UInt32 {
        self.checksum(bytes[...], previous: previous)
    }
}
