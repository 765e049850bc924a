/// How a doc store compresses its blocks; one choice per docs file, kept in its trailer.
///
/// Fresh segments use LZ4 fast (cheap while ingest runs), merged ones LZ4HC or deflate: the
/// further a segment is merged, the colder its data and the more a smaller file is worth.
public enum DocCompression: Sendable, Hashable, CustomStringConvertible {
    /// LZ4 fast.
    case lz4
    /// LZ4HC at a level in 1...12: slower to write than LZ4 fast, as fast to read (figures in
    /// `StoreOptions.mergedDocCompression`).
    case lz4hc(Int32)
    /// zlib (deflate) at a level in 1...9: smaller than LZ4HC, slower to write and to read (figures
    /// in `StoreOptions.compactDocCompression`).
    case deflate(Int32)

    /// The trailer byte (docs version 3): 0 = LZ4 fast, 1...12 = LZ4HC level, 0x80 | 1...9 = deflate level.
    var trailerByte: UInt8 {
        switch self {
        case .lz4: 0
        case .lz4hc(let level): UInt8(level)
        case .deflate(let level): 0x80 | UInt8(level)
        }
    }

    /// Reads a trailer byte; nil when it names no compression this build writes.
    init?(trailerByte byte: UInt8) {
        switch byte {
        case 0: self = .lz4
        case 1...12: self = .lz4hc(Int32(byte))
        case 0x81...0x89: self = .deflate(Int32(byte & 0x7F))
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
        }
    }

    func compress(_ input: ArraySlice<UInt8>) -> [UInt8] {
        switch self {
        case .lz4: LZ4Block.compress(input, level: 0)
        case .lz4hc(let level): LZ4Block.compress(input, level: level)
        case .deflate(let level): DeflateBlock.compress(input, level: level)
        }
    }

    func decompress(_ input: ByteStorage, size: Int) throws(StoreError) -> ByteStorage {
        switch self {
        case .lz4, .lz4hc: try LZ4Block.decompressToStorage(input, size: size)
        case .deflate: try DeflateBlock.decompressToStorage(input, size: size)
        }
    }

    public var description: String {
        switch self {
        case .lz4: "LZ4"
        case .lz4hc(let level): "LZ4HC \(level)"
        case .deflate(let level): "deflate \(level)"
        }
    }
}
