import Glibc
import Synchronization

/// The file system calls the store makes, with errors that name the file and the operation.
///
/// Every failure throws `StoreError(.io(errno:))` whose `file` is the path relative to `root` (the
/// data directory) when it lies inside it, and whose message names the call and the system's
/// reason, so `description` reads "wal/000003.wal: fsync: Input/output error".
///
/// Tests set a `FaultPlan` to make chosen calls fail. Without one, the cost is one relaxed atomic
/// load per call. The class is thread-safe: the WAL's group commit and segment writes may share it
/// from different tasks.
public final class FileSystem: Sendable {
    /// The directory paths are shown relative to in errors ("" shows them as given).
    public let root: String
    private let plan: Mutex<FaultPlan>
    /// True while `plan` has rules: the only check made on a call when no faults are set.
    private let armed: Atomic<Bool>

    public init(root: String = "", faults: FaultPlan = FaultPlan()) {
        var root = root
        while root.utf8.count > 1, root.hasSuffix("/") { root.removeLast() }
        self.root = root
        self.armed = Atomic(!faults.isEmpty)
        self.plan = Mutex(faults)
    }

    /// The injected faults. Setting replaces the plan; use `updateFaults` to change it atomically.
    public var faults: FaultPlan {
        get { self.plan.withLock { $0 } }
        set {
            self.plan.withLock { plan in
                plan = newValue
                self.armed.store(!newValue.isEmpty, ordering: .relaxed)
            }
        }
    }

    /// Changes the fault plan under its lock.
    public func updateFaults(_ body: (inout FaultPlan) -> Void) {
        self.plan.withLock { plan in
            body(&plan)
            self.armed.store(!plan.isEmpty, ordering: .relaxed)
        }
    }

    /// `path` relative to `root` when it lies inside it, else `path` unchanged.
    public func relativePath(_ path: String) -> String {
        guard !self.root.isEmpty else { return path }
        if path == self.root { return "." }
        let prefix = self.root == "/" ? "/" : self.root + "/"
        guard path.utf8.starts(with: prefix.utf8) else { return path }
        return String(decoding: path.utf8.dropFirst(prefix.utf8.count), as: UTF8.self)
    }

    // MARK: Faults and errors

    /// The injected fault for this call, if any; one atomic load when no plan is set.
    @inline(__always)
    func fault(_ operation: FaultPlan.Operation, _ path: String, _ otherPath: String? = nil) -> FaultPlan.Fault? {
        guard self.armed.load(ordering: .relaxed) else { return nil }
        let shown = self.relativePath(path)
        let otherShown = otherPath.map { self.relativePath($0) }
        return self.plan.withLock { plan in
            let fault = plan.fault(for: operation, path: shown, otherPath: otherShown)
            self.armed.store(!plan.isEmpty, ordering: .relaxed)
            return fault
        }
    }

    /// The error for `call` failing on `path` with `code`.
    func failure(_ call: String, _ path: String, errno code: Int32, detail: String = "") -> StoreError {
        let what = detail.isEmpty ? call : "\(call) \(detail)"
        return StoreError(.io(errno: code), file: self.relativePath(path), "\(what): \(Self.reason(code))")
    }

    /// The system's text for `code` ("Input/output error").
    public static func reason(_ code: Int32) -> String {
        guard let text = strerror(code) else { return "errno \(code)" }
        return String(cString: text)
    }

    // MARK: Files

    /// Opens `path`; with `create` a missing file is made (mode 0644), with `truncate` emptied.
    public func open(
        _ path: String,
        _ access: OpenFile.Access = .read,
        create: Bool = false,
        truncate: Bool = false,
        exclusive: Bool = false
    ) throws(StoreError) -> OpenFile {
        let call = create ? "create" : "open"
        if let fault = self.fault(.open, path) { throw self.failure(call, path, errno: fault.errno) }
        var flags = O_CLOEXEC | (access == .read ? O_RDONLY : O_RDWR)
        if create { flags |= O_CREAT }
        if truncate { flags |= O_TRUNC }
        if exclusive { flags |= O_EXCL }
        var descriptor: Int32
        repeat { descriptor = Glibc.open(path, flags, 0o644) } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw self.failure(call, path, errno: errno) }
        return OpenFile(descriptor: descriptor, path: path, fileSystem: self)
    }

    /// The whole file.
    public func readFile(_ path: String) throws(StoreError) -> [UInt8] {
        let file = try self.open(path)
        return try file.readAll()
    }

    /// The size of `path` in bytes.
    public func fileSize(_ path: String) throws(StoreError) -> Int64 {
        if let fault = self.fault(.status, path) { throw self.failure("stat", path, errno: fault.errno) }
        var status = stat()
        guard stat(path, &status) == 0 else { throw self.failure("stat", path, errno: errno) }
        return Int64(status.st_size)
    }

    /// Whether anything exists at `path` (no fault injection: a probe, not an operation).
    public func exists(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0
    }

    /// Whether `path` is a directory.
    public func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    /// Cuts (or extends with zeros) `path` to `length` bytes and fsyncs it, so the new length is durable.
    public func truncateFile(_ path: String, to length: Int64) throws(StoreError) {
        let file = try self.open(path, .readWrite)
        try file.truncate(to: length)
        try file.sync()
    }

    /// Renames `source` to `destination`, atomically replacing a file there.
    ///
    /// Durable only once the directory is fsynced (`syncDirectory`).
    public func rename(_ source: String, to destination: String) throws(StoreError) {
        let detail = "to \(self.relativePath(destination))"
        if let fault = self.fault(.rename, source, destination) {
            throw self.failure("rename", source, errno: fault.errno, detail: detail)
        }
        guard Glibc.rename(source, destination) == 0 else {
            throw self.failure("rename", source, errno: errno, detail: detail)
        }
    }

    /// Removes the file `path`.
    public func removeFile(_ path: String) throws(StoreError) {
        if let fault = self.fault(.remove, path) { throw self.failure("unlink", path, errno: fault.errno) }
        guard unlink(path) == 0 else { throw self.failure("unlink", path, errno: errno) }
    }

    // MARK: Directories

    /// Creates the directory `path` if it is missing, then fsyncs its parent so the entry is durable.
    ///
    /// - Returns: whether it was created.
    @discardableResult
    public func createDirectory(_ path: String) throws(StoreError) -> Bool {
        if let fault = self.fault(.makeDirectory, path) { throw self.failure("mkdir", path, errno: fault.errno) }
        if mkdir(path, 0o755) != 0 {
            let code = errno
            if code == EEXIST && self.isDirectory(path) { return false }
            throw self.failure("mkdir", path, errno: code)
        }
        try self.syncDirectory(Self.parent(of: path))
        return true
    }

    /// fsyncs the directory `path`, which makes creations, renames and removals in it durable.
    public func syncDirectory(_ path: String) throws(StoreError) {
        if let fault = self.fault(.fsync, path) { throw self.failure("fsync", path, errno: fault.errno) }
        var descriptor: Int32
        repeat {
            descriptor = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else { throw self.failure("open", path, errno: errno) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw self.failure("fsync", path, errno: errno) }
    }

    /// The names in the directory `path` (without "." and ".."), sorted bytewise.
    public func listDirectory(_ path: String) throws(StoreError) -> [String] {
        if let fault = self.fault(.listDirectory, path) { throw self.failure("opendir", path, errno: fault.errno) }
        guard let directory = opendir(path) else { throw self.failure("opendir", path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        errno = 0
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
            errno = 0
        }
        if errno != 0 { throw self.failure("readdir", path, errno: errno) }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Removes the directory `path`; with `recursive`, everything in it first (symlinks are removed, not followed).
    public func removeDirectory(_ path: String, recursive: Bool = false) throws(StoreError) {
        if recursive {
            for name in try self.listDirectory(path) {
                let child = "\(path)/\(name)"
                var status = stat()
                guard lstat(child, &status) == 0 else { throw self.failure("stat", child, errno: errno) }
                if (status.st_mode & S_IFMT) == S_IFDIR {
                    try self.removeDirectory(child, recursive: true)
                } else {
                    try self.removeFile(child)
                }
            }
        }
        if let fault = self.fault(.remove, path) { throw self.failure("rmdir", path, errno: fault.errno) }
        guard rmdir(path) == 0 else { throw self.failure("rmdir", path, errno: errno) }
    }

    // MARK: Atomic replacement

    /// Replaces `path` with `bytes` so that after a crash it holds either the old or the new content.
    ///
    /// The order matters:
    /// 1. write `path.tmp` in the same directory (rename is atomic only within one file system);
    /// 2. fsync it, so its data is on disk before any name points at it (else a crash after the
    ///    rename can leave an empty or partial file under the real name);
    /// 3. rename it over `path`: readers see the old file or the new one, never a mix;
    /// 4. fsync the directory, which makes the rename itself durable.
    ///
    /// If a step before the rename fails, the temporary file is removed and `path` is untouched.
    /// If the final directory fsync fails, the new content is in place but may not survive a crash.
    public func writeAtomically(path: String, bytes: [UInt8]) throws(StoreError) {
        let temporary = path + ".tmp"
        do throws(StoreError) {
            let file = try self.open(temporary, .readWrite, create: true, truncate: true)
            try file.write(bytes, at: 0)
            try file.sync()
            file.close()
            try self.rename(temporary, to: path)
        } catch {
            _ = unlink(temporary)
            throw error
        }
        try self.syncDirectory(Self.parent(of: path))
    }

    /// The directory holding `path` ("." for a bare name).
    public static func parent(of path: String) -> String {
        let bytes = Array(path.utf8)
        var end = bytes.count
        while end > 1 && bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
        guard let slash = bytes[..<end].lastIndex(of: UInt8(ascii: "/")) else { return "." }
        if slash == 0 { return "/" }
        return String(decoding: bytes[..<slash], as: UTF8.self)
    }
}
