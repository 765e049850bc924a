import Glibc
import LogboxCore
import LogboxPipeline
import LogboxStore
import LogboxTestSupport
import Testing

/// One line as a tailer delivered it.
struct TailedLine: Equatable, CustomStringConvertible {
    var path: String
    var text: String
    var lineNumber: Int64
    var sourceOffset: Int64
    var truncatedBytes: Int64

    var description: String { "\(path):\(lineNumber)@\(sourceOffset) \(text)" }
}

/// A tailer under test with a fake clock and a stand-in for the store's checkpoints (the latest
/// position per identity, as `StoreWriter` keeps them).
struct TailHarness: ~Copyable {
    var tailer: FileTailer
    var now: Int64
    var stored: [Checkpoint] = []
    var batch = LineBatch()

    init(_ options: TailOptions, checkpoints: [Checkpoint] = [], now: Int64 = 1_000_000_000_000) throws {
        self.tailer = try FileTailer(options: options, checkpoints: checkpoints, now: now)
        self.now = now
        self.stored = checkpoints
    }

    /// Polls until idle; every batch's checkpoints are "stored" unless `store` is false.
    mutating func drain(maxBytes: Int = 1 << 20, store: Bool = true) -> [TailedLine] {
        var lines: [TailedLine] = []
        for _ in 0..<100_000 {
            let progress = self.tailer.poll(into: &self.batch, maxBytes: maxBytes, now: self.now)
            if progress.isIdle { break }
            lines += Self.lines(of: self.batch, path: progress.path)
            if store { self.store(progress.checkpoints) }
        }
        return lines
    }

    /// One poll, its lines and progress.
    mutating func pollOnce(maxBytes: Int = 1 << 20) -> ([TailedLine], TailProgress) {
        let progress = self.tailer.poll(into: &self.batch, maxBytes: maxBytes, now: self.now)
        return (Self.lines(of: self.batch, path: progress.path), progress)
    }

    mutating func store(_ checkpoints: [Checkpoint]) {
        for checkpoint in checkpoints {
            self.stored.removeAll { $0.sameInput(as: checkpoint) }
            // A tombstone drops the input, as in the store.
            if !checkpoint.isForgetting { self.stored.append(checkpoint) }
        }
    }

    mutating func advance(seconds: Int64) { self.now += seconds * 1_000_000_000 }

    static func lines(of batch: LineBatch, path: String) -> [TailedLine] {
        batch.slots.map { slot in
            TailedLine(
                path: path,
                text: String(decoding: batch.bytes[slot.range], as: UTF8.self),
                lineNumber: slot.lineNumber,
                sourceOffset: slot.sourceOffset,
                truncatedBytes: slot.truncatedBytes
            )
        }
    }
}

enum TailFiles {
    /// `"prefix first\n" ... "prefix last\n"`.
    static func lines(_ prefix: String, _ range: ClosedRange<Int>) -> String {
        range.map { "\(prefix) \($0)\n" }.joined()
    }

    static func texts(_ prefix: String, _ range: ClosedRange<Int>) -> [String] {
        range.map { "\(prefix) \($0)" }
    }

    static func append(_ path: String, _ text: String) {
        self.append(path, Array(text.utf8))
    }

    static func append(_ path: String, _ bytes: [UInt8]) {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        precondition(descriptor >= 0, "cannot open \(path): errno \(errno)")
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                precondition(written > 0, "cannot write \(path): errno \(errno)")
                offset += written
            }
        }
        close(descriptor)
    }

    /// Truncates in place (as copytruncate and `> file` do), keeping the inode.
    static func truncate(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC)
        precondition(descriptor >= 0, "cannot truncate \(path): errno \(errno)")
        close(descriptor)
    }

    static func rename(_ from: String, _ to: String) {
        precondition(Glibc.rename(from, to) == 0, "cannot rename \(from): errno \(errno)")
    }

    static func copy(_ from: String, _ to: String) {
        let descriptor = open(from, O_RDONLY | O_CLOEXEC)
        precondition(descriptor >= 0)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        close(descriptor)
        self.append(to, bytes)
    }

    static func inode(_ path: String) -> UInt64 {
        var info = stat()
        precondition(stat(path, &info) == 0)
        return UInt64(info.st_ino)
    }

    /// Whether this process holds a descriptor on `path` (a deleted file reads `path (deleted)`).
    static func isOpenInThisProcess(_ path: String) -> Bool {
        guard let directory = opendir("/proc/self/fd") else { return false }
        defer { closedir(directory) }
        var buffer = [CChar](repeating: 0, count: 4096)
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            let count = readlink("/proc/self/fd/\(name)", &buffer, buffer.count - 1)
            guard count > 0 else { continue }
            let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if target == path || target == path + " (deleted)" { return true }
        }
        return false
    }

    static func options(_ pattern: String, startAt: FileSourceConfig.StartPosition = .beginning) throws -> TailOptions {
        var options = TailOptions(paths: [try GlobPattern(pattern)])
        options.startAt = startAt
        options.scanInterval = .zero
        options.rotateWait = .seconds(5)
        return options
    }

    /// A gzip member holding `bytes` in stored (uncompressed) deflate blocks of at most
    /// `blockSize` bytes: a valid `.gz` written without a compressor.
    static func gzipStored(_ bytes: [UInt8], blockSize: Int = 4000) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]
        var start = 0
        repeat {
            let end = min(bytes.count, start + blockSize)
            let length = UInt16(end - start)
            out.append(end == bytes.count ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += bytes[start..<end]
            start = end
        } while start < bytes.count
        let crc = CRC32.checksum(bytes)
        let size = UInt32(truncatingIfNeeded: bytes.count)
        for value in [crc, size] {
            out += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
        }
        return out
    }
}

@Suite("Tail: discovery and reading")
struct TailReadingTests {
    @Test("a file that appears later is found by the next scan and read from its start")
    func newFileAppears() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var harness = try TailHarness(try TailFiles.options("\(directory.path)/*.log", startAt: .end))
        #expect(harness.drain().isEmpty)
        let path = "\(directory.path)/a.log"
        TailFiles.append(path, TailFiles.lines("a", 1...3))
        let lines = harness.drain()
        #expect(lines.map(\.text) == TailFiles.texts("a", 1...3))
        #expect(lines.map(\.lineNumber) == [1, 2, 3])
        #expect(lines.allSatisfy { $0.path == path })
        TailFiles.append("\(directory.path)/b.log", TailFiles.lines("b", 1...2))
        TailFiles.append("\(directory.path)/b.txt", "not matched\n")
        #expect(harness.drain().map(\.text) == TailFiles.texts("b", 1...2))
        #expect(harness.tailer.statistics.filesOpened == 2)
    }

    @Test("appended lines are read as they come; a partial last line waits for its newline")
    func append() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, TailFiles.lines("x", 1...5))
        var harness = try TailHarness(try TailFiles.options(path))
        #expect(harness.drain().map(\.text) == TailFiles.texts("x", 1...5))
        TailFiles.append(path, TailFiles.lines("x", 6...10) + "x 1")
        let more = harness.drain()
        #expect(more.map(\.text) == TailFiles.texts("x", 6...10))
        #expect(more.map(\.lineNumber) == Array(6...10))
        #expect(more.first?.sourceOffset == Int64(TailFiles.lines("x", 1...5).utf8.count))
        TailFiles.append(path, "1\n")
        let last = harness.drain()
        #expect(last.map(\.text) == ["x 11"])
        #expect(last.first?.lineNumber == 11)
        let size = Int64((TailFiles.lines("x", 1...11)).utf8.count)
        #expect(harness.stored.map(\.offset) == [size])
        #expect(harness.stored.map(\.nextLine) == [12])
        #expect(harness.tailer.statistics.lines == 11)
        #expect(harness.tailer.checkpoints == harness.stored)
    }

    @Test("lines longer than the maximum are cut and counted")
    func longLinesCut() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        let long = String(repeating: "z", count: 100)
        TailFiles.append(path, "short\n\(long)\nend\n\(long)\r\n")
        var options = try TailFiles.options(path)
        options.maxLineLength = 16
        var harness = try TailHarness(options)
        let lines = harness.drain()
        #expect(lines.map(\.text) == ["short", String(long.prefix(16)), "end", String(long.prefix(16))])
        #expect(lines.map(\.truncatedBytes) == [0, 84, 0, 84])
        #expect(lines.map(\.lineNumber) == [1, 2, 3, 4])
        #expect(harness.tailer.statistics.truncatedLines == 2)
    }

    @Test("start at end skips what files hold at start-up, resuming after the last complete line")
    func startAtEnd() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, TailFiles.lines("old", 1...5) + "half")
        var harness = try TailHarness(try TailFiles.options("\(directory.path)/*.log", startAt: .end))
        let (first, progress) = harness.pollOnce()
        #expect(first.isEmpty)
        // The position is reported without lines, so a restart before any line does not rewind.
        #expect(progress.checkpoints.map(\.offset) == [Int64(TailFiles.lines("old", 1...5).utf8.count)])
        #expect(progress.checkpoints.map(\.nextLine) == [6])
        harness.store(progress.checkpoints)
        TailFiles.append(path, " done\n" + TailFiles.lines("new", 1...2))
        let lines = harness.drain()
        #expect(lines.map(\.text) == ["half done"] + TailFiles.texts("new", 1...2))
        #expect(lines.map(\.lineNumber) == [6, 7, 8])
    }

    @Test("excluded and gzip files (without read_gzip) are not read")
    func excluded() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        TailFiles.append("\(directory.path)/a.log", "a\n")
        TailFiles.append("\(directory.path)/a.log.1", "old\n")
        TailFiles.append("\(directory.path)/a.log.2.gz", TailFiles.gzipStored(Array("gz\n".utf8)))
        var options = try TailFiles.options("\(directory.path)/a.log*")
        options.exclude = [try GlobPattern("\(directory.path)/*.1")]
        var harness = try TailHarness(options)
        #expect(harness.drain().map(\.text) == ["a"])
    }

    @Test("globs with ** find files in subdirectories")
    func recursiveGlob() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        mkdir("\(directory.path)/x", 0o755)
        mkdir("\(directory.path)/x/y", 0o755)
        TailFiles.append("\(directory.path)/top.log", "top\n")
        TailFiles.append("\(directory.path)/x/y/deep.log", "deep\n")
        var harness = try TailHarness(try TailFiles.options("\(directory.path)/**/*.log"))
        #expect(Set(harness.drain().map(\.text)) == ["top", "deep"])
    }
}
