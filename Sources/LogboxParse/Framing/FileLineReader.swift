public import LogboxCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a file (or standard input) in large chunks and frames it into `LineBatch`es.
public struct FileLineReader: ~Copyable {
    /// The path as given (`-` for standard input).
    public let path: String
    private let descriptor: Int32
    private var framer: LineFramer
    private var buffer: [UInt8]
    private var atEnd = false

    /// Opens `path` for reading; `-` reads standard input.
    /// - Parameters:
    ///   - startOffset: where to start reading a file (a checkpoint's offset); its first line is `startLine`.
    public init(
        path: String,
        maxLineLength: Int = 64 * 1024,
        chunkSize: Int = 1 << 20,
        startOffset: Int64 = 0,
        startLine: Int64 = 1
    ) throws(FileReadError) {
        self.path = path
        if path == "-" {
            self.descriptor = 0
        } else {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw FileReadError(path: path, errno: errno) }
            var info = stat()
            if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                close(descriptor)
                throw FileReadError(path: path, errno: EISDIR)
            }
            if startOffset > 0 && lseek(descriptor, off_t(startOffset), SEEK_SET) < 0 {
                let failure = errno
                close(descriptor)
                throw FileReadError(path: path, errno: failure)
            }
            self.descriptor = descriptor
        }
        self.framer = LineFramer(
            maxLineLength: maxLineLength,
            startLine: startLine,
            startOffset: path == "-" ? 0 : startOffset
        )
        self.buffer = [UInt8](repeating: 0, count: chunkSize)
    }

    deinit {
        if self.descriptor > 0 { close(self.descriptor) }
    }

    /// The file's modification time in nanoseconds since the epoch (nil for standard input):
    /// the reference time that infers the year of BSD syslog timestamps.
    public var modificationTime: Int64? {
        guard self.descriptor > 0 else { return nil }
        var info = stat()
        guard fstat(self.descriptor, &info) == 0 else { return nil }
        return Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }

    /// The source offset just past the last line handed out, and the number the next line gets:
    /// what a checkpoint records so that a later read resumes exactly there.
    public var position: (offset: Int64, nextLine: Int64) {
        (self.framer.committedOffset, self.framer.nextLineNumber)
    }

    /// The open descriptor (for `fstat`: the identity a checkpoint records).
    public var fileDescriptor: Int32 { self.descriptor }

    /// Lines cut to the maximum length so far.
    public var truncatedLines: Int { self.framer.truncatedLines }

    /// Fills `batch` (emptied first) with whole lines, reading until it holds at least
    /// `targetBytes` or the input ends. Returns false once the input is exhausted and nothing was read.
    public mutating func nextBatch(into batch: inout LineBatch, targetBytes: Int = 1 << 20) throws(FileReadError)
        -> Bool
    {
        batch.removeAll(keepingCapacity: true)
        while !self.atEnd && batch.bytes.count < targetBytes {
            let count = self.buffer.withUnsafeMutableBytes { raw in read(self.descriptor, raw.baseAddress, raw.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: self.path, errno: errno)
            }
            if count == 0 {
                self.atEnd = true
                self.framer.finish(into: &batch)
                break
            }
            self.buffer.withUnsafeBytes { raw in
                self.framer.append(UnsafeRawBufferPointer(rebasing: raw[0..<count]), into: &batch)
            }
        }
        return batch.count > 0
    }
}

/// A file could not be opened or read.
public struct FileReadError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var errno: Int32

    public init(path: String, errno: Int32) {
        self.path = path
        self.errno = errno
    }

    public var description: String {
        let reason = String(cString: strerror(self.errno))
        return "\(self.path): \(reason)"
    }
}
