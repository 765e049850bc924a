import Glibc

/// An open file descriptor with its path, closed when the value goes away.
///
/// Non-copyable so exactly one owner closes it. Every call goes through the owning `FileSystem`
/// for fault injection and for errors naming the file and the operation.
public struct OpenFile: ~Copyable, Sendable {
    public enum Access: Sendable, Hashable {
        case read
        case readWrite
    }

    /// The path as opened (updated by its owner after a rename, so errors name the file where it is).
    public internal(set) var path: String
    let descriptor: Int32
    let fileSystem: FileSystem

    init(descriptor: Int32, path: String, fileSystem: FileSystem) {
        self.descriptor = descriptor
        self.path = path
        self.fileSystem = fileSystem
    }

    deinit { _ = Glibc.close(self.descriptor) }

    /// Closes the descriptor now.
    ///
    /// A `close` error is not reported: on Linux the descriptor is gone either way, and durability
    /// comes from `sync`, never from `close`.
    public consuming func close() {}

    /// Up to `count` bytes from `offset`; fewer only at the end of the file.
    public func read(at offset: Int64, count: Int) throws(StoreError) -> [UInt8] {
        if let fault = self.fileSystem.fault(.read, self.path) {
            throw self.fileSystem.failure("read", self.path, errno: fault.errno)
        }
        guard count > 0 else { return [] }
        var code: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let got = pread(self.descriptor, buffer.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if got < 0 {
                    if errno == EINTR { continue }
                    code = errno
                    break
                }
                if got == 0 { break }
                done += got
            }
            initialized = done
        }
        if code != 0 { throw self.fileSystem.failure("read", self.path, errno: code) }
        return bytes
    }

    /// The whole file, from offset 0 to its end (read until end-of-file, so a file still growing is read in full).
    public func readAll() throws(StoreError) -> [UInt8] {
        var bytes = try self.read(at: 0, count: max(Int(try self.size()), 0))
        while true {
            let more = try self.read(at: Int64(bytes.count), count: 1 << 16)
            if more.isEmpty { return bytes }
            bytes.append(contentsOf: more)
        }
    }

    /// Writes all of `bytes` at `offset` (looping over short writes).
    ///
    /// On failure some prefix of `bytes` may already be in the file; callers that need all or
    /// nothing truncate back (the WAL does).
    public func write(_ bytes: ArraySlice<UInt8>, at offset: Int64) throws(StoreError) {
        var limit = bytes.count
        var injected: Int32 = 0
        if let fault = self.fileSystem.fault(.write, self.path) {
            limit = min(max(fault.bytesWrittenFirst, 0), bytes.count)
            injected = fault.errno
        }
        let code: Int32 = bytes.withUnsafeBytes { raw in
            var done = 0
            while done < limit {
                let wrote = pwrite(self.descriptor, raw.baseAddress! + done, limit - done, off_t(offset) + off_t(done))
                if wrote < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if wrote == 0 { return EIO }
                done += wrote
            }
            return 0
        }
        if code != 0 { throw self.fileSystem.failure("write", self.path, errno: code) }
        if injected != 0 { throw self.fileSystem.failure("write", self.path, errno: injected) }
    }

    public func write(_ bytes: [UInt8], at offset: Int64) throws(StoreError) {
        try self.write(bytes[...], at: offset)
    }

    /// Writes all of `bytes` at the end of the file.
    public func append(_ bytes: [UInt8]) throws(StoreError) {
        try self.write(bytes[...], at: try self.size())
    }

    /// `fsync(2)`: data and metadata are on disk when it returns.
    ///
    /// A failure must not be retried and trusted: after a writeback error Linux may drop the dirty
    /// pages and report success on the next call ("fsyncgate").
    public func sync() throws(StoreError) {
        if let fault = self.fileSystem.fault(.fsync, self.path) {
            throw self.fileSystem.failure("fsync", self.path, errno: fault.errno)
        }
        var result: Int32
        repeat { result = fsync(self.descriptor) } while result != 0 && errno == EINTR
        guard result == 0 else { throw self.fileSystem.failure("fsync", self.path, errno: errno) }
    }

    /// `fdatasync(2)`: the data, and the size if it changed, are on disk when it returns (not the times).
    public func syncData() throws(StoreError) {
        if let fault = self.fileSystem.fault(.fsync, self.path) {
            throw self.fileSystem.failure("fdatasync", self.path, errno: fault.errno)
        }
        var result: Int32
        repeat { result = fdatasync(self.descriptor) } while result != 0 && errno == EINTR
        guard result == 0 else { throw self.fileSystem.failure("fdatasync", self.path, errno: errno) }
    }

    /// The current size in bytes.
    public func size() throws(StoreError) -> Int64 {
        if let fault = self.fileSystem.fault(.status, self.path) {
            throw self.fileSystem.failure("fstat", self.path, errno: fault.errno)
        }
        var status = stat()
        guard fstat(self.descriptor, &status) == 0 else {
            throw self.fileSystem.failure("fstat", self.path, errno: errno)
        }
        return Int64(status.st_size)
    }

    /// Sets the size to `length` (`ftruncate(2)`); not durable until `sync`.
    public func truncate(to length: Int64) throws(StoreError) {
        if let fault = self.fileSystem.fault(.truncate, self.path) {
            throw self.fileSystem.failure("ftruncate", self.path, errno: fault.errno)
        }
        var result: Int32
        repeat { result = ftruncate(self.descriptor, off_t(length)) } while result != 0 && errno == EINTR
        guard result == 0 else { throw self.fileSystem.failure("ftruncate", self.path, errno: errno) }
    }
}
