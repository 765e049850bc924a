/// How a doc store compresses its blocks; one choice per docs file, kept in its trailer.
///
/// Fresh segments use LZ4 fast (cheap while ingest runs), merged ones zstd: the
/// further a segment is merged, the colder its data and the more a smaller file is worth.
public enum DocCompression: Sendable, Hashable, CustomStringConvertible {
    /// LZ4 fast.
    case lz4
    /// LZ4HC at a level in 1...12: slower to write than LZ4 fast, as fast to read (figures in
    /// `StoreOptions.mergedDocCompression`).
    case lz4hc(Int32)
    /// zlib (deflate) at a level in 1...9: smaller than LZ4HC, slower to write and to read.
    case deflate(Int32)
    /// Zstandard at a level in 1...22 (docs version 5): smaller than deflate at the same write
    /// speed, and faster to read (figures in `StoreOptions.compactDocCompression`).
    case zstd(Int32)

    /// The trailer byte (docs version 3): 0 = LZ4 fast, 1...12 = LZ4HC level, 0x80 | 1...9 = deflate
    /// level; (version 5) 0x40 | 1...22 = zstd level.
    var trailerByte: UInt8 {
        switch self {
        case .lz4: 0
        case .lz4hc(let level): UInt8(level)
        case .deflate(let level): 0x80 | UInt8(level)
        case .zstd(let level): 0x40 | UInt8(level)
        }
    }

    /// The first docs format version that can name this compression.
    var minimumVersion: UInt16 {
        switch self {
        case .lz4, .lz4hc: 1
        case .deflate: 3
        case .zstd: 5
        }
    }

    /// Whether blocks hold the record heads apart from the tails (layout in `DocStoreWriter`): the
    /// coders with an entropy stage fit each kind of bytes better alone.
    var transposesBlocks: Bool {
        switch self {
        case .lz4, .lz4hc: false
        case .deflate, .zstd: true
        }
    }

    /// Reads a trailer byte; nil when it names no compression this build writes.
    init?(trailerByte byte: UInt8) {
        switch byte {
        case 0: self = .lz4
        case 1...12: self = .lz4hc(Int32(byte))
        case 0x81...0x89: self = .deflate(Int32(byte & 0x7F))
        case 0x41...0x56: self = .zstd(Int32(byte & 0x3F))
        default: return nil
        }
    }

    /// The choice an LZ4 level (0: fast, 1...12: HC) names.
    public init(lz4Level level: Int32) {
        self = level == 0 ? .lz4 : .lz4hc(level)
    }

    var isValid: Bool {
        switch self {
        case .lz4: true
        case .lz4hc(let level): (1...12).contains(level)
        case .deflate(let level): (1...9).contains(level)
        case .zstd(let level): ZstdBlock.levels.contains(level)
        }
    }

    func compress(_ input: ArraySlice<UInt8>) -> [UInt8] {
        switch self {
        case .lz4: LZ4Block.compress(input, level: 0)
        case .lz4hc(let level): LZ4Block.compress(input, level: level)
        case .deflate(let level): DeflateBlock.compress(input, level: level)
        case .zstd(let level): ZstdBlock.compress(input, level: level)
        }
    }

    func decompress(_ input: ByteStorage, size: Int) throws(StoreError) -> ByteStorage {
        switch self {
        case .lz4, .lz4hc: try LZ4Block.decompressToStorage(input, size: size)
        case .deflate: try DeflateBlock.decompressToStorage(input, size: size)
        case .zstd: try ZstdBlock.decompressToStorage(input, size: size)
        }
    }

    public var description: String {
        switch self {
        case .lz4: "LZ4"
        case .lz4hc(let level): "LZ4HC \(level)"
        case .deflate(let level): "deflate \(level)"
        case .zstd(let level): "zstd \(level)"
        }
    }
}
