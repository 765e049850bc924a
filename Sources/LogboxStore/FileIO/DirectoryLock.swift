import Glibc

/// The one-writer lock of a data directory: an exclusive `flock` on its `LOCK` file.
///
/// The kernel drops a `flock` when the holder's descriptor closes, including when the process
/// dies, so a crash never leaves a stale lock. The holder writes its pid and command into the file
/// so a second process can say who is in the way ("data/LOCK is held by pid 4242 (logbox
/// import)"); the text is informational only, the `flock` is the lock.
///
/// `flock` locks belong to an open file description: a second `open` of `LOCK` in the same
/// process conflicts too, so two stores in one process cannot share a directory either.
/// Released when the value goes away (or on `release()`).
public struct DirectoryLock: ~Copyable, Sendable {
    public static let fileName = "LOCK"

    /// The lock file's path.
    public let path: String
    private let descriptor: Int32

    /// Takes the lock of `directory` without waiting.
    ///
    /// - Parameter command: what to record as the holder's command (defaults to this process's arguments).
    /// - Throws: `StoreError(.locked)` naming the holder when another descriptor holds it;
    ///   `StoreError(.io)` when the file cannot be opened or written.
    public init(directory: String, command: String = DirectoryLock.currentCommand()) throws(StoreError) {
        let path = directory.hasSuffix("/") ? directory + Self.fileName : "\(directory)/\(Self.fileName)"
        var descriptor: Int32
        repeat {
            descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        } while descriptor < 0 && errno == EINTR
        guard descriptor >= 0 else {
            let code = errno
            throw StoreError(.io(errno: code), file: path, "open: \(FileSystem.reason(code))")
        }
        var result: Int32
        repeat { result = flock(descriptor, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
        if result != 0 {
            let code = errno
            let holder = Self.holder(descriptor: descriptor)
            _ = close(descriptor)
            guard code == EWOULDBLOCK else {
                throw StoreError(.io(errno: code), file: path, "flock: \(FileSystem.reason(code))")
            }
            let who = holder.map { "pid \($0.pid)" + ($0.command.isEmpty ? "" : " (\($0.command))") }
            throw StoreError(.locked, "\(path) is held by \(who ?? "another process")")
        }
        let text = Array("\(getpid())\n\(Self.oneLine(command))\n".utf8)
        let wrote =
            ftruncate(descriptor, 0) == 0
            && text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress!, $0.count, 0) } == text.count
        if !wrote {
            let code = errno
            _ = close(descriptor)
            throw StoreError(.io(errno: code), file: path, "write: \(FileSystem.reason(code))")
        }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        // Clear the holder's name first, while the lock still keeps others from writing theirs.
        _ = ftruncate(self.descriptor, 0)
        _ = close(self.descriptor)
    }

    /// Releases the lock now.
    public consuming func release() {}

    /// The pid and command recorded in `directory`'s lock file, if it names one.
    ///
    /// Only meaningful while someone holds the lock; a holder that exited cleanly leaves it empty.
    public static func holder(of directory: String) -> (pid: Int32, command: String)? {
        let descriptor = open("\(directory)/\(Self.fileName)", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { _ = close(descriptor) }
        return Self.holder(descriptor: descriptor)
    }

    /// This process's command line: the program's file name and its arguments, on one line.
    public static func currentCommand() -> String {
        var arguments = CommandLine.arguments
        guard let program = arguments.first else { return "" }
        arguments[0] = String(program.split(separator: "/").last ?? Substring(program))
        return Self.oneLine(arguments.joined(separator: " "))
    }

    private static func holder(descriptor: Int32) -> (pid: Int32, command: String)? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, 0) }
        guard count > 0 else { return nil }
        let lines = buffer[..<count].split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard let first = lines.first, let pid = Int32(String(decoding: first, as: UTF8.self)), pid > 0 else {
            return nil
        }
        let command = lines.count > 1 ? String(decoding: lines[1], as: UTF8.self) : ""
        return (pid, command)
    }

    /// `text` without line breaks, at most 200 bytes (cut on a character boundary).
    private static func oneLine(_ text: String) -> String {
        var result = ""
        for character in text {
            let piece = character.isNewline ? " " : String(character)
            if result.utf8.count + piece.utf8.count > 200 { break }
            result += piece
        }
        return result
    }
}
