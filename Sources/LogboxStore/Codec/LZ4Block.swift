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
        try input.withUnsafeBufferPointer { source throws(StoreError) in try Self.decompress(source, size: size) }
    }

    /// Decompresses a block of a mapped file (or any storage) without copying it first.
    public static func decompress(_ input: ByteStorage, size: Int) throws(StoreError) -> [UInt8] {
        try input.withUnsafeBufferPointer { source throws(StoreError) in try Self.decompress(source, size: size) }
    }

    /// Decompresses into new heap storage (what the doc store decodes records from).
    static func decompressToStorage(_ input: ByteStorage, size: Int) throws(StoreError) -> ByteStorage {
        try Self.check(inputCount: input.count, size: size)
        guard size > 0 else { return ByteStorage() }
        let heap = HeapBytes(count: size)
        let read = input.withUnsafeBufferPointer { source in
            LZ4_decompress_safe(
                UnsafeRawPointer(source.baseAddress!).assumingMemoryBound(to: CChar.self),
                UnsafeMutableRawPointer(heap.pointer).assumingMemoryBound(to: CChar.self),
                Int32(source.count),
                Int32(size)
            )
        }
        guard read == Int32(size) else { throw StoreError(.corrupt, "LZ4 block does not decode to \(size) bytes") }
        return ByteStorage(owner: heap, base: UnsafePointer(heap.pointer), count: size)
    }

    private static func check(inputCount: Int, size: Int) throws(StoreError) {
        guard size > 0 else {
            guard inputCount == 0 else { throw StoreError(.corrupt, "LZ4 block has data but an empty size") }
            return
        }
        guard size <= Int(Int32.max), inputCount > 0, inputCount <= Int(Int32.max) else {
            throw StoreError(.corrupt, "LZ4 block of \(inputCount) bytes cannot hold \(size)")
        }
    }

    private static func decompress(_ source: UnsafeBufferPointer<UInt8>, size: Int) throws(StoreError) -> [UInt8] {
        try Self.check(inputCount: source.count, size: size)
        guard size > 0 else { return [] }
        var failed = false
        let output = [UInt8](unsafeUninitializedCapacity: size) { destination, initialized in
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
        if failed { throw StoreError(.corrupt, "LZ4 block does not decode to \(size) bytes") }
        return output
    }
}
