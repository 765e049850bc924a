internal import CLZ4

/// LZ4 block compression: the fast level for WAL records and fresh segments, HC for merged ones.
public enum LZ4Block {
    /// Compresses `input`; `level` 0 is LZ4 fast, 1...12 is LZ4HC at that level.
    public static func compress(_ input: ArraySlice<UInt8>, level: Int32 = 0) -> [UInt8] {
        guard !input.isEmpty else { return [] }
        precondition(input.count <= Int(LZ4_MAX_INPUT_SIZE), "LZ4 input of \(input.count) bytes is over its limit")
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        return input.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: bound) { destination, initialized in
                let written: Int32
                let src = UnsafeRawPointer(source.baseAddress!).assumingMemoryBound(to: CChar.self)
                let dst = UnsafeMutableRawPointer(destination.baseAddress!).assumingMemoryBound(to: CChar.self)
                if level > 0 {
                    written = LZ4_compress_HC(src, dst, Int32(source.count), Int32(bound), level)
                } else {
                    written = LZ4_compress_default(src, dst, Int32(source.count), Int32(bound))
                }
                precondition(written > 0, "LZ4 failed to compress into its own bound")
                initialized = Int(written)
            }
        }
    }

    public static func compress(_ input: [UInt8], level: Int32 = 0) -> [UInt8] {
        self.compress(input[...], level: level)
    }

    /// Decompresses a block whose decompressed size is known (stored beside it).
    /// - Throws: `StoreError(.corrupt)` when the block does not decode to exactly `size` bytes.
    public static func decompress(_ input: ArraySlice<UInt8>, size: Int) throws(StoreError) -> [UInt8] {
        guard size > 0 else {
            guard input.isEmpty else { throw StoreError(.corrupt, "LZ4 block has data but an empty size") }
            return []
        }
        guard size <= Int(Int32.max), !input.isEmpty, input.count <= Int(Int32.max) else {
            throw StoreError(.corrupt, "LZ4 block of \(input.count) bytes cannot hold \(size)")
        }
        var failed = false
        let output = input.withUnsafeBufferPointer { source in
            [UInt8](unsafeUninitializedCapacity: size) { destination, initialized in
                let read = LZ4_decompress_safe(
                    UnsafeRawPointer(source.baseAddress!).assumingMemoryBound(to: CChar.self),
                    UnsafeMutableRawPointer(destination.baseAddress!).assumingMemoryBound(to: CChar.self),
                    Int32(source.count),
                    Int32(size)
                )
                if read != Int32(size) {
                    failed = true
                    initialized = 0
                } else {
                    initialized = size
                }
            }
        }
        if failed { throw StoreError(.corrupt, "LZ4 block does not decode to \(size) bytes") }
        return output
    }
}
