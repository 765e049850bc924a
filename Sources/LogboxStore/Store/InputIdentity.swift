import Glibc

extension Checkpoint {
    /// How many leading bytes a fingerprint covers.
    public static let fingerprintSpan = 1024

    /// A tombstone for the input `identity` names: stored like a position (in a WAL record, so
    /// replay agrees), it makes the store drop what it knows of that input.
    ///
    /// A tailer sends one only for content that is gone: a file unlinked and closed, one no
    /// longer in its directory, the old content of a file truncated in place. So the checkpoint
    /// map does not grow with every file ever tailed, and a later file with the same device, inode
    /// and fingerprint is taken for the new file it is and read from its start. Encoded as an
    /// ordinary checkpoint with `nextLine` 0, a value no position has (lines are numbered from 1),
    /// so the WAL and manifest layouts are unchanged; a build that predates tombstones replays one
    /// as a position at offset 0 of a file that no longer exists, which is harmless.
    public static func forgetting(_ identity: Checkpoint) -> Checkpoint {
        Checkpoint(
            path: identity.path,
            device: identity.device,
            inode: identity.inode,
            fingerprintLength: identity.fingerprintLength,
            fingerprint: identity.fingerprint,
            offset: 0,
            nextLine: 0
        )
    }

    /// Whether this is a tombstone made by ``forgetting(_:)``.
    public var isForgetting: Bool { self.nextLine == 0 }

    /// The identity of the open file `descriptor` (device, inode, fingerprint), at offset 0.
    public static func identify(descriptor: Int32, path: String) throws(StoreError) -> Checkpoint {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw StoreError(.io(errno: errno), file: path, "cannot stat: \(FileSystem.reason(errno))")
        }
        let length = Int(min(Int64(Self.fingerprintSpan), Int64(info.st_size)))
        let fingerprint = try Self.fingerprint(descriptor: descriptor, length: length, path: path)
        return Checkpoint(
            path: path,
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            fingerprintLength: UInt32(length),
            fingerprint: fingerprint,
            offset: 0,
            nextLine: 1
        )
    }

    /// Where the store stands in the file open as `descriptor`, among `known` checkpoints: one with
    /// the same device and inode whose fingerprint still matches the file's first bytes (a file
    /// rewritten in place or an inode reused by a new file does not match).
    public static func resume(descriptor: Int32, path: String, among known: [Checkpoint]) throws(StoreError)
        -> Checkpoint?
    {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw StoreError(.io(errno: errno), file: path, "cannot stat: \(FileSystem.reason(errno))")
        }
        for checkpoint in known
        where checkpoint.device == UInt64(info.st_dev) && checkpoint.inode == UInt64(info.st_ino) {
            guard Int64(checkpoint.fingerprintLength) <= Int64(info.st_size) else { continue }
            let fingerprint = try Self.fingerprint(
                descriptor: descriptor,
                length: Int(checkpoint.fingerprintLength),
                path: path
            )
            if fingerprint == checkpoint.fingerprint { return checkpoint }
        }
        return nil
    }

    private static func fingerprint(descriptor: Int32, length: Int, path: String) throws(StoreError) -> UInt32 {
        guard length > 0 else { return 0 }
        var bytes = [UInt8](repeating: 0, count: length)
        var filled = 0
        while filled < length {
            let count = bytes.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + filled, length - filled, off_t(filled))
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw StoreError(
                    .io(errno: errno),
                    file: path,
                    "cannot read its first bytes: \(FileSystem.reason(errno))"
                )
            }
            filled += count
        }
        return CRC32.checksum(bytes)
    }
}
