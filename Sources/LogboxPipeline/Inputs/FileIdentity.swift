import LogboxStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Device and inode: which file a descriptor or path is, while it exists.
struct FileNode: Hashable {
    var device: UInt64
    var inode: UInt64

    init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    init(_ info: stat) {
        self.device = UInt64(info.st_dev)
        self.inode = UInt64(info.st_ino)
    }

    init(_ checkpoint: Checkpoint) {
        self.device = checkpoint.device
        self.inode = checkpoint.inode
    }
}

/// A checkpoint's identity without its position: the key of positions remembered per input.
struct IdentityKey: Hashable {
    var node: FileNode
    var fingerprintLength: UInt32
    var fingerprint: UInt32

    init(_ checkpoint: Checkpoint) {
        self.node = FileNode(checkpoint)
        self.fingerprintLength = checkpoint.fingerprintLength
        self.fingerprint = checkpoint.fingerprint
    }
}

/// File identity as the store's checkpoints record it: device, inode, and the CRC-32 of the file's
/// first line (with its newline; at most ``Checkpoint/fingerprintSpan`` bytes).
///
/// The first line is fixed once written, so a file keeps one identity for its whole life and the
/// store keeps one entry for it (a fingerprint of "the first 1 KiB" would change while a file
/// grows, leaving superseded entries that a later file with the same inode could match). A file
/// with no complete line yet has a provisional identity (length 0), settled as soon as its first
/// line is complete, before any line of it is delivered; a length-0 checkpoint identifies nothing
/// and is never matched. Gzip files are complete when read: their fingerprint covers their first
/// bytes, as `logbox import`'s does (both are "the CRC-32 of the first `fingerprintLength` bytes").
enum FileIdentity {
    static func status(descriptor: Int32) -> stat? {
        var info = stat()
        return fstat(descriptor, &info) == 0 ? info : nil
    }

    static func status(path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    /// The first `length` bytes, or nil when the file is shorter or cannot be read.
    static func prefix(descriptor: Int32, length: Int) -> [UInt8]? {
        guard length > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let count = bytes.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + filled, length - filled, off_t(filled))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            filled += count
        }
        return bytes
    }

    /// The CRC-32 of the first `length` bytes, or nil when the file is shorter or cannot be read.
    static func fingerprint(descriptor: Int32, length: Int) -> UInt32? {
        guard length > 0 else { return 0 }
        return Self.prefix(descriptor: descriptor, length: length).map { CRC32.checksum($0) }
    }

    /// The identity of the open file at offset 0 (nil when it cannot be read). `wholePrefix`
    /// fingerprints the first bytes whatever they hold (gzip files).
    static func identify(descriptor: Int32, path: String, info: stat, wholePrefix: Bool = false) -> Checkpoint? {
        let available = Int(min(Int64(Checkpoint.fingerprintSpan), Int64(info.st_size)))
        guard let bytes = Self.prefix(descriptor: descriptor, length: available) else { return nil }
        var length = available
        if !wholePrefix {
            if let newline = bytes.firstIndex(of: 0x0A) {
                length = newline + 1
            } else if available < Checkpoint.fingerprintSpan {
                length = 0
            }
        }
        return Checkpoint(
            path: path,
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            fingerprintLength: UInt32(length),
            fingerprint: length > 0 ? CRC32.checksum(bytes[0..<length]) : 0,
            offset: 0,
            nextLine: 1
        )
    }

    /// Whether the file still starts with the bytes `identity` fingerprinted.
    static func stillMatches(_ identity: Checkpoint, descriptor: Int32, size: Int64) -> Bool {
        guard Int64(identity.fingerprintLength) <= size else { return false }
        return Self.fingerprint(descriptor: descriptor, length: Int(identity.fingerprintLength))
            == identity.fingerprint
    }

    /// The saved position of the open file among `known`: same device and inode, and a fingerprint
    /// its first bytes still match (provisional, length-0 entries never match). Between entries
    /// that both match, the longer fingerprint wins, then the further offset.
    static func bestMatch(descriptor: Int32, info: stat, among known: [Checkpoint]) -> Checkpoint? {
        let node = FileNode(info)
        let candidates = known.filter {
            FileNode($0) == node && $0.fingerprintLength > 0 && Int64($0.fingerprintLength) <= Int64(info.st_size)
        }
        .sorted { ($0.fingerprintLength, $0.offset) > ($1.fingerprintLength, $1.offset) }
        var checked: [UInt32: UInt32] = [:]
        for candidate in candidates {
            let length = candidate.fingerprintLength
            let actual: UInt32?
            if let cached = checked[length] {
                actual = cached
            } else {
                actual = Self.fingerprint(descriptor: descriptor, length: Int(length))
                if let actual { checked[length] = actual }
            }
            if actual == candidate.fingerprint { return candidate }
        }
        return nil
    }
}

/// The two system calls whose names the tailer's own methods shadow.
enum SystemFile {
    /// Opens `path` read-only; -1 on failure (see `errno`).
    static func openForReading(_ path: String) -> Int32 {
        open(path, O_RDONLY | O_CLOEXEC)
    }

    static func close(_ descriptor: Int32) {
        _ = closeDescriptor(descriptor)
    }
}

private func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
