internal import CZlib

/// zlib (RFC 1950: deflate with an Adler-32) block compression for cold doc-store blocks.
///
/// Stores written before zstd hold such blocks; this build writes them only when asked. Deflate's
/// Huffman stage is what LZ4 lacks: merged docs of the 1M-line benchmark corpus store at
/// 0.149 x raw with it (level 9, transposed blocks) against 0.20 with LZ4HC 3 (`logbox index
/// stats` after `import`, then after `compact`).
enum DeflateBlock {
    /// Compresses `input` at zlib level `level` (1...9).
    static func compress(_ input: ArraySlice<UInt8>, level: Int32) -> [UInt8] {
        guard !input.isEmpty else { return [] }
        precondition(input.count <= Int(UInt32.max), "deflate input of \(input.count) bytes is over its limit")
        let bound = Int(compressBound(uLong(input.count)))
        return input.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: bound) { destination, initialized in
                var written = uLongf(bound)
                let code = compress2(
                    destination.baseAddress!,
                    &written,
                    source.baseAddress!,
                    uLong(source.count),
                    level
                )
                precondition(code == Z_OK, "zlib failed to compress into its own bound (\(code))")
                initialized = Int(written)
            }
        }
    }

    /// Decompresses into new heap storage a block that must decode to exactly `size` bytes.
    /// - Throws: `StoreError(.corrupt)` when it does not (damage, or a wrong size).
    static func decompressToStorage(_ input: ByteStorage, size: Int) throws(StoreError) -> ByteStorage {
        guard size > 0, input.count > 0, size <= Int(UInt32.max), input.count <= Int(UInt32.max) else {
            guard size == 0, input.isEmpty else {
                throw StoreError(.corrupt, "deflate block of \(input.count) bytes cannot hold \(size)")
            }
            return ByteStorage()
        }
        let heap = HeapBytes(count: size)
        var produced = uLongf(size)
        let code = input.withUnsafeBufferPointer { source in
            uncompress(heap.pointer, &produced, source.baseAddress!, uLong(source.count))
        }
        guard code == Z_OK, produced == uLongf(size) else {
            throw StoreError(.corrupt, "deflate block does not decode to \(size) bytes (zlib \(code))")
        }
        return ByteStorage(owner: heap, base: UnsafePointer(heap.pointer), count: size)
    }
}
