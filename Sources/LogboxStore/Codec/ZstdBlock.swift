internal import CZstd

/// Zstandard (RFC 8878) block compression for the coldest doc-store blocks.
///
/// zstd's entropy stage (Huffman literals, FSE-coded matches) and its window the size of the block
/// beat deflate's 32 KiB window and Huffman codes on log text, and it inflates faster (figures in
/// `StoreOptions.compactDocCompression`). Each block is one zstd frame with its content size and
/// its content checksum (4 bytes of XXH64), so that damage inside a block is found on read even
/// where it still decodes to the right length.
enum ZstdBlock {
    /// The levels a docs trailer can name.
    static let levels: ClosedRange<Int32> = 1...22

    /// Compresses `input` at zstd level `level` (`levels`).
    static func compress(_ input: ArraySlice<UInt8>, level: Int32) -> [UInt8] {
        guard !input.isEmpty else { return [] }
        let bound = ZSTD_compressBound(input.count)
        let context = ZSTD_createCCtx()!
        defer { ZSTD_freeCCtx(context) }
        for (parameter, value) in [(ZSTD_c_compressionLevel, level), (ZSTD_c_checksumFlag, 1)] {
            let code = ZSTD_CCtx_setParameter(context, parameter, value)
            precondition(ZSTD_isError(code) == 0, "zstd refused parameter \(parameter) = \(value)")
        }
        return input.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: bound) { destination, initialized in
                let written = ZSTD_compress2(
                    context,
                    destination.baseAddress!,
                    bound,
                    source.baseAddress!,
                    source.count
                )
                precondition(ZSTD_isError(written) == 0, "zstd failed to compress into its own bound (\(written))")
                initialized = written
            }
        }
    }

    /// Decompresses into new heap storage a block that must decode to exactly `size` bytes.
    /// - Throws: `StoreError(.corrupt)` when it does not (damage, or a wrong size).
    static func decompressToStorage(_ input: ByteStorage, size: Int) throws(StoreError) -> ByteStorage {
        guard size > 0, input.count > 0 else {
            guard size == 0, input.isEmpty else {
                throw StoreError(.corrupt, "zstd block of \(input.count) bytes cannot hold \(size)")
            }
            return ByteStorage()
        }
        let heap = HeapBytes(count: size)
        let produced = input.withUnsafeBufferPointer { source in
            ZSTD_decompress(heap.pointer, size, source.baseAddress!, source.count)
        }
        guard ZSTD_isError(produced) == 0, produced == size else {
            let reason =
                ZSTD_isError(produced) != 0 ? String(cString: ZSTD_getErrorName(produced)) : "\(produced) bytes"
            throw StoreError(.corrupt, "zstd block does not decode to \(size) bytes (\(reason))")
        }
        return ByteStorage(owner: heap, base: UnsafePointer(heap.pointer), count: size)
    }
}
