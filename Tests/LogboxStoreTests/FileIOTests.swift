import Glibc
import LogboxStore
import LogboxTestSupport
import Testing

@Suite("File I/O")
struct FileIOTests {
    @Test("errors name the path relative to the root, the call and the system's reason")
    func errorMessages() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FileSystem(root: directory.path)
        let missing = #expect(throws: StoreError.self) { try fileSystem.readFile("\(directory.path)/nope/missing") }
        #expect(missing?.kind == .io(errno: ENOENT))
        #expect(missing?.file == "nope/missing")
        #expect(missing?.description == "nope/missing: open: No such file or directory")

        try fileSystem.createDirectory("\(directory.path)/wal")
        let file = try fileSystem.open("\(directory.path)/wal/000003.wal", .readWrite, create: true)
        fileSystem.faults.failNext(.fsync, matching: "wal/")
        let fsync = #expect(throws: StoreError.self) { try file.sync() }
        #expect(fsync?.kind == .io(errno: EIO))
        #expect(fsync?.description == "wal/000003.wal: fsync: Input/output error")

        fileSystem.faults.failNext(.rename, matching: "b.txt", errno: EXDEV)
        let rename = #expect(throws: StoreError.self) {
            try fileSystem.rename("\(directory.path)/a.txt", to: "\(directory.path)/b.txt")
        }
        #expect(rename?.description == "a.txt: rename to b.txt: Invalid cross-device link")
        // Outside the root, paths are shown as given.
        #expect(FileSystem(root: "/srv/data").relativePath("/etc/hosts") == "/etc/hosts")
        #expect(FileSystem(root: "/srv/data/").relativePath("/srv/data/wal/1") == "wal/1")
        #expect(FileSystem().relativePath("x/y") == "x/y")
    }

    @Test("files: write at offsets, read back, size, truncate, list, rename, remove")
    func fileOperations() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FileSystem(root: directory.path)
        let path = "\(directory.path)/data.bin"
        let file = try fileSystem.open(path, .readWrite, create: true)
        try file.write(Array("hello world".utf8), at: 0)
        try file.write(Array("W".utf8), at: 6)
        try file.append(Array("!".utf8))
        try file.syncData()
        #expect(try file.size() == 12)
        #expect(try file.read(at: 6, count: 100) == Array("World!".utf8))
        #expect(try file.read(at: 50, count: 10) == [])
        try file.truncate(to: 5)
        #expect(try fileSystem.readFile(path) == Array("hello".utf8))
        file.close()
        #expect(try fileSystem.fileSize(path) == 5)

        #expect(try fileSystem.createDirectory("\(directory.path)/sub"))
        #expect(try !fileSystem.createDirectory("\(directory.path)/sub"))
        try fileSystem.writeAtomically(path: "\(directory.path)/sub/b", bytes: [2])
        try fileSystem.writeAtomically(path: "\(directory.path)/sub/a", bytes: [1])
        #expect(try fileSystem.listDirectory("\(directory.path)/sub") == ["a", "b"])
        try fileSystem.rename("\(directory.path)/sub/a", to: "\(directory.path)/sub/c")
        #expect(try fileSystem.listDirectory("\(directory.path)/sub") == ["b", "c"])
        try fileSystem.truncateFile("\(directory.path)/sub/c", to: 0)
        #expect(try fileSystem.readFile("\(directory.path)/sub/c") == [])
        try fileSystem.removeFile("\(directory.path)/sub/c")
        #expect(!fileSystem.exists("\(directory.path)/sub/c"))
        try fileSystem.createDirectory("\(directory.path)/sub/deeper")
        try fileSystem.writeAtomically(path: "\(directory.path)/sub/deeper/x", bytes: [])
        try fileSystem.removeDirectory("\(directory.path)/sub", recursive: true)
        #expect(!fileSystem.exists("\(directory.path)/sub"))
        #expect(FileSystem.parent(of: "a/b/c") == "a/b")
        #expect(FileSystem.parent(of: "/c") == "/")
        #expect(FileSystem.parent(of: "c") == ".")
    }

    @Test("a fault fires after N successes, a given number of times, and can cut a write short")
    func faultRules() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FileSystem(root: directory.path)
        let file = try fileSystem.open("\(directory.path)/f", .readWrite, create: true)
        fileSystem.faults.failNext(.write, matching: "f", errno: ENOSPC, after: 2, times: 2)
        try file.write([1], at: 0)
        try file.write([2], at: 1)
        #expect(throws: StoreError.self) { try file.write([3], at: 2) }
        #expect(throws: StoreError.self) { try file.write([3], at: 2) }
        try file.write([3], at: 2)
        #expect(fileSystem.faults.isEmpty)
        #expect(fileSystem.faults.injectedCount == 2)

        fileSystem.faults.failNext(.write, errno: ENOSPC, bytesWrittenFirst: 2)
        let short = #expect(throws: StoreError.self) { try file.write([4, 5, 6, 7], at: 3) }
        #expect(short?.kind == .io(errno: ENOSPC))
        #expect(try fileSystem.readFile("\(directory.path)/f") == [1, 2, 3, 4, 5])

        fileSystem.faults.failNext(.write, matching: "segments/")
        try file.write([9], at: 0)
        #expect(!fileSystem.faults.isEmpty)
        fileSystem.faults.clear()

        fileSystem.faults.failAlways(.read)
        #expect(throws: StoreError.self) { try file.read(at: 0, count: 1) }
        #expect(throws: StoreError.self) { try file.read(at: 0, count: 1) }
        fileSystem.updateFaults { $0.clear() }
        #expect(try file.read(at: 0, count: 1) == [9])
    }

    @Test("random faults repeat with the same seed")
    func randomFaults() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        directory.write("f", [1, 2, 3])
        func pattern(seed: UInt64) -> [Bool] {
            let fileSystem = FileSystem(root: directory.path)
            fileSystem.faults.failRandomly(.status, probability: 0.3, seed: seed)
            return (0..<200).map { _ in (try? fileSystem.fileSize("\(directory.path)/f")) == nil }
        }
        let first = pattern(seed: 7)
        #expect(first == pattern(seed: 7))
        #expect(first != pattern(seed: 8))
        let failures = first.filter { $0 }.count
        #expect(failures > 30 && failures < 100)
    }

    @Test("the fault plan is shared safely between tasks")
    func concurrentFaults() async throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.write("f", [1])
        let fileSystem = FileSystem(root: directory.path)
        fileSystem.faults.failRandomly(.status, probability: 0.5, seed: 3)
        let failures = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var failed = 0
                    for _ in 0..<500 where (try? fileSystem.fileSize(path)) == nil { failed += 1 }
                    return failed
                }
            }
            return await group.reduce(0, +)
        }
        #expect(failures == fileSystem.faults.injectedCount)
        #expect(failures > 0 && failures < 2000)
    }

    @Test("writeAtomically replaces the content and leaves no temporary file")
    func atomicWrite() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FileSystem(root: directory.path)
        let path = "\(directory.path)/checkpoints"
        try fileSystem.writeAtomically(path: path, bytes: [1, 2, 3])
        try fileSystem.writeAtomically(path: path, bytes: [4, 5])
        #expect(try fileSystem.readFile(path) == [4, 5])
        #expect(try fileSystem.listDirectory(directory.path) == ["checkpoints"])
    }

    @Test(
        "a failed write, fsync or rename in writeAtomically leaves the old file intact",
        arguments: [FaultPlan.Operation.rename, .fsync, .write, .open]
    )
    func atomicWriteFailure(operation: FaultPlan.Operation) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fileSystem = FileSystem(root: directory.path)
        let path = "\(directory.path)/MANIFEST"
        try fileSystem.writeAtomically(path: path, bytes: Array("old".utf8))
        fileSystem.faults.failNext(operation, matching: "MANIFEST", errno: ENOSPC, bytesWrittenFirst: 2)
        let error = #expect(throws: StoreError.self) {
            try fileSystem.writeAtomically(path: path, bytes: Array("new content".utf8))
        }
        #expect(error?.kind == .io(errno: ENOSPC))
        #expect(error?.file == "MANIFEST.tmp")
        #expect(try fileSystem.readFile(path) == Array("old".utf8))
        #expect(try fileSystem.listDirectory(directory.path) == ["MANIFEST"])
        try fileSystem.writeAtomically(path: path, bytes: Array("new".utf8))
        #expect(try fileSystem.readFile(path) == Array("new".utf8))
    }
}

@Suite("File I/O: directory lock")
struct FileIODirectoryLockTests {
    @Test("a second lock of the same directory fails and names the holder")
    func secondLockFails() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let lock = try DirectoryLock(directory: directory.path, command: "logbox import")
        #expect(lock.path == "\(directory.path)/LOCK")
        let holder = try #require(DirectoryLock.holder(of: directory.path))
        #expect(holder.pid == getpid())
        #expect(holder.command == "logbox import")

        // Another open file description of LOCK, as another process would have.
        let error = #expect(throws: StoreError.self) {
            _ = try DirectoryLock(directory: directory.path, command: "logbox run")
        }
        #expect(error?.kind == .locked)
        #expect(error?.message == "\(directory.path)/LOCK is held by pid \(getpid()) (logbox import)")

        lock.release()
        #expect(DirectoryLock.holder(of: directory.path) == nil)
        let again = try DirectoryLock(directory: directory.path, command: "logbox run")
        #expect(DirectoryLock.holder(of: directory.path)?.command == "logbox run")
        _ = consume again
        let third = try DirectoryLock(directory: directory.path)
        #expect(DirectoryLock.holder(of: directory.path)?.pid == getpid())
        third.release()
    }

    @Test("a lock file whose holder left no name, or a missing directory, still gives a clear error")
    func unnamedHolder() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let lock = try DirectoryLock(directory: directory.path, command: "first")
        let descriptor = open("\(directory.path)/LOCK", O_WRONLY | O_TRUNC)
        #expect(descriptor >= 0)
        close(descriptor)
        let error = #expect(throws: StoreError.self) { _ = try DirectoryLock(directory: directory.path) }
        #expect(error?.message == "\(directory.path)/LOCK is held by another process")
        lock.release()

        let missing = #expect(throws: StoreError.self) { _ = try DirectoryLock(directory: "\(directory.path)/absent") }
        #expect(missing?.kind == .io(errno: ENOENT))
    }
}
