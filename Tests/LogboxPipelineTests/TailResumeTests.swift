import Glibc
import LogboxCore
import LogboxPipeline
import LogboxStore
import LogboxTestSupport
import Testing

@Suite("Tail: checkpoints, restarts, gzip")
struct TailResumeTests {
    @Test(
        "rotation while down: the old file is finished from its checkpoint, then the new one read from 0",
        arguments: ["app.log.1", "app.log-20261129", "app.log.old"]
    )
    func rotationWhileDown(rotatedName: String) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        let rotated = "\(directory.path)/\(rotatedName)"
        TailFiles.append(path, TailFiles.lines("old", 1...5))
        var stored: [Checkpoint]
        do {
            var harness = try TailHarness(try TailFiles.options(path))
            #expect(harness.drain().map(\.text) == TailFiles.texts("old", 1...5))
            stored = harness.stored
        }
        // Down: the file gets more lines, is rotated, and the new file gets lines too.
        TailFiles.append(path, TailFiles.lines("old", 6...8))
        TailFiles.rename(path, rotated)
        TailFiles.append(path, TailFiles.lines("new", 1...3))
        var harness = try TailHarness(try TailFiles.options(path, startAt: .end), checkpoints: stored)
        let lines = harness.drain()
        #expect(lines.filter { $0.path == rotated }.map(\.text) == TailFiles.texts("old", 6...8))
        #expect(lines.filter { $0.path == rotated }.map(\.lineNumber) == [6, 7, 8])
        #expect(lines.filter { $0.path == path }.map(\.text) == TailFiles.texts("new", 1...3))
        #expect(lines.count == 6)
        // Old before new: the rotated file comes first.
        #expect(lines.first?.path == rotated)
        harness.advance(seconds: 10)
        #expect(harness.drain().isEmpty)
        #expect(harness.tailer.openPaths == [path])
    }

    @Test("restart without rotation resumes exactly after the last stored line")
    func restartResumes() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, TailFiles.lines("x", 1...3))
        var stored: [Checkpoint]
        do {
            var harness = try TailHarness(try TailFiles.options(path))
            #expect(harness.drain().count == 3)
            stored = harness.stored
        }
        TailFiles.append(path, TailFiles.lines("x", 4...6))
        var harness = try TailHarness(try TailFiles.options(path, startAt: .end), checkpoints: stored)
        let lines = harness.drain()
        #expect(lines.map(\.text) == TailFiles.texts("x", 4...6))
        #expect(lines.map(\.lineNumber) == [4, 5, 6])
    }

    @Test("crash: only lines whose checkpoint was stored count; the rest are delivered again once")
    func crashRedelivers() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let pathA = "\(directory.path)/a.log"
        let pathB = "\(directory.path)/b.log"
        TailFiles.append(pathA, TailFiles.lines("a", 1...300))
        TailFiles.append(pathB, TailFiles.lines("b", 1...300))
        var options = try TailFiles.options("\(directory.path)/*.log")
        options.readChunkSize = 4096
        var harness = try TailHarness(options)
        var delivered: [TailedLine] = []
        var batches = 0
        var persisted: [TailedLine] = []
        // "Write to the WAL" the first three batches whole and the fourth up to its fifth line.
        while true {
            let (lines, progress) = harness.pollOnce(maxBytes: 1000)
            if progress.isIdle { break }
            delivered += lines
            batches += 1
            if batches <= 3 {
                harness.store(progress.checkpoints)
                persisted += lines
            } else if batches == 4 {
                let partial = try #require(progress.checkpoint(throughLine: 4, of: harness.batch))
                harness.store([partial])
                persisted += lines.prefix(5)
            }
        }
        #expect(delivered.filter { $0.path == pathA }.map(\.text) == TailFiles.texts("a", 1...300))
        #expect(delivered.filter { $0.path == pathB }.map(\.text) == TailFiles.texts("b", 1...300))
        let stored = harness.stored
        // Crash: start again from what was stored, with more lines written meanwhile.
        TailFiles.append(pathA, TailFiles.lines("a", 301...310))
        var restarted = try TailHarness(options, checkpoints: stored)
        let again = restarted.drain(maxBytes: 1000)
        for (path, prefix) in [(pathA, "a"), (pathB, "b")] {
            let before = persisted.filter { $0.path == path }.map(\.text)
            let after = again.filter { $0.path == path }.map(\.text)
            let total = path == pathA ? 310 : 300
            #expect(before + after == TailFiles.texts(prefix, 1...total))
        }
    }

    @Test("the checkpoints of a store survive a reopen and resume the tailer")
    func throughTheStore() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let logs = "\(directory.path)/logs"
        mkdir(logs, 0o755)
        let path = "\(logs)/app.log"
        TailFiles.append(path, TailFiles.lines("x", 1...20))
        let data = "\(directory.path)/data"
        do {
            let writer = try StoreWriter(directory: data)
            var harness = try TailHarness(try TailFiles.options(path))
            while true {
                let (_, progress) = harness.pollOnce(maxBytes: 100)
                if progress.isIdle { break }
                try writer.append(
                    EventBatch(),
                    source: "app",
                    file: progress.path,
                    checkpoints: progress.checkpoints,
                    receivedAt: 0
                )
            }
            try writer.close()
        }
        TailFiles.append(path, TailFiles.lines("x", 21...22))
        let writer = try StoreWriter(directory: data)
        var harness = try TailHarness(try TailFiles.options(path), checkpoints: writer.checkpoints)
        #expect(harness.drain().map(\.text) == TailFiles.texts("x", 21...22))
        try writer.close()
    }

    @Test("a gzip file the glob matches is read once, whole, streamed through zlib")
    func gzipReadOnce() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let live = "\(directory.path)/app.log"
        let gzip = "\(directory.path)/app.log.2.gz"
        TailFiles.append(live, TailFiles.lines("live", 1...2))
        // Two members, many blocks, more than one read chunk.
        let text = TailFiles.lines("gz", 1...3000)
        let split = text.utf8.count / 3
        let bytes = Array(text.utf8)
        TailFiles.append(
            gzip,
            TailFiles.gzipStored(Array(bytes[..<split])) + TailFiles.gzipStored(Array(bytes[split...]))
        )
        var options = try TailFiles.options("\(directory.path)/app.log*")
        options.readGzip = true
        options.readChunkSize = 4096
        var harness = try TailHarness(options)
        let lines = harness.drain(maxBytes: 8192)
        #expect(lines.filter { $0.path == gzip }.map(\.text) == TailFiles.texts("gz", 1...3000))
        #expect(lines.filter { $0.path == live }.map(\.text) == TailFiles.texts("live", 1...2))
        #expect(harness.tailer.statistics.gzipFilesRead == 1)
        #expect(!TailFiles.isOpenInThisProcess(gzip))
        // Later scans and a restart do not read it again.
        #expect(harness.drain().isEmpty)
        var restarted = try TailHarness(options, checkpoints: harness.stored)
        #expect(restarted.drain().isEmpty)
    }

    @Test("a gzip file interrupted mid-way resumes at its checkpoint")
    func gzipResumes() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let gzip = "\(directory.path)/app.log.1.gz"
        TailFiles.append(gzip, TailFiles.gzipStored(Array(TailFiles.lines("gz", 1...3000).utf8)))
        var options = try TailFiles.options("\(directory.path)/*.gz")
        options.readGzip = true
        options.readChunkSize = 4096
        var harness = try TailHarness(options)
        let (first, progress) = harness.pollOnce(maxBytes: 1000)
        #expect(first.count > 0 && first.count < 3000)
        harness.store(progress.checkpoints)
        var restarted = try TailHarness(options, checkpoints: harness.stored)
        let rest = restarted.drain()
        #expect((first + rest).map(\.text) == TailFiles.texts("gz", 1...3000))
        #expect(rest.first?.lineNumber == Int64(first.count + 1))
    }

    @Test("a damaged gzip file is reported and skipped while other files go on")
    func gzipDamaged() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        TailFiles.append("\(directory.path)/bad.gz", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 0xFF, 0xFF, 0xFF, 0xFF])
        TailFiles.append("\(directory.path)/good.log", "fine\n")
        var options = try TailFiles.options("\(directory.path)/*")
        options.readGzip = true
        var harness = try TailHarness(options)
        #expect(harness.drain().map(\.text) == ["fine"])
        #expect(harness.tailer.takeErrors().count == 1)
        // Not tried again on later scans while it stays as it is.
        #expect(harness.drain().isEmpty)
        #expect(harness.tailer.takeErrors().isEmpty)
        #expect(harness.tailer.statistics.errors == 1)
    }

    /// `deflated 1` ... `deflated 200`, compressed by gzip at level 9 (Huffman-coded, not stored).
    static let deflatedGzip: [UInt8] = {
        let hex = [
            "1f8b08000000000002ff55d6bb71c3301045d1dc55b8043cfc518e6724470eddff38f2f020dbec2e25f200aff7f7cfd7effb",
            "f5998fd7ff589fb13d637fc6f18cf319d733ee673ccf98c24c2f0443312443334443356443b7d2ad3e27dd4ab7d2ad742bdd",
            "4ab7d2ad741bdd46b7f903d36d741bdd46b7d16d741bdd4eb7d3ed74bbff2cdd4eb7d3ed743bdd4e77d01d7407dd4177f84a",
            "d11d7407dd4177d09d7427dd4977d29d74a7ef32dd4977d29d7417dd4577d15d7417dd4577f911d15d7417dd4d77d3dd7437",
            "dd4d77d3dd74b75f2fdd4df7d03d740fdd43f7d03d740fdd43f7c8c6e5867014e528d251b4a38847518f221f453f8a801437",
            "b8e972830baf4baf8bafcbaf0bb04bb08b300d8b88a55e7aba818e45c8a26491b26859c42c6a16398b9ea55d80bb81a445d3",
            "226a51b5c85a742dc216658bb4a55f67881ba85be42dfa16818bc245e2a27111b9a85cc6758cb981d045e92275d1ba885dd4",
            "2e7217bd8be0655e27a91b685e442faa17d98bee45f8a27c91be685fd67598bb81fc45ff228051c0486034302218158c0c66",
            "5ff7093750c24861b4306218358c1c460f238851c49ceb4a73dd69cac71fd06e67c7bc090000",
        ].joined()
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }()

    @Test("a gzip file compressed with deflate inflates to its lines")
    func gzipDeflated() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        TailFiles.append("\(directory.path)/app.log.1.gz", Self.deflatedGzip)
        var options = try TailFiles.options("\(directory.path)/*.gz")
        options.readGzip = true
        var harness = try TailHarness(options)
        let lines = harness.drain()
        #expect(lines.map(\.text) == TailFiles.texts("deflated", 1...200))
        #expect(lines.map(\.lineNumber) == Array(1...200))
        #expect(harness.tailer.statistics.gzipFilesRead == 1)
        // A single member: its trailer's size tells a restart it was read, without inflating it again.
        var restarted = try TailHarness(options, checkpoints: harness.stored)
        #expect(restarted.drain().isEmpty)
        #expect(restarted.tailer.statistics.filesOpened == 0)
        #expect(restarted.tailer.statistics.bytes == 0)
    }

    @Test("a file keeps one identity while it grows, so the store keeps one entry for it")
    func identityStable() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, TailFiles.lines("x", 1...2))
        var harness = try TailHarness(try TailFiles.options(path))
        #expect(harness.drain().count == 2)
        TailFiles.append(path, TailFiles.lines("x", 3...400))
        #expect(harness.drain().count == 398)
        #expect(harness.stored.count == 1)
        #expect(harness.stored.first?.fingerprintLength == 4)
        TailFiles.append(path, TailFiles.lines("x", 401...402))
        var restarted = try TailHarness(try TailFiles.options(path), checkpoints: harness.stored)
        #expect(restarted.drain().map(\.text) == TailFiles.texts("x", 401...402))
    }

    @Test("a file first seen empty gets its identity from its first line before any checkpoint")
    func firstSeenEmpty() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, "")
        var options = try TailFiles.options(path)
        options.scanInterval = .seconds(3600)
        var harness = try TailHarness(options)
        #expect(harness.drain().isEmpty)
        TailFiles.append(path, "partial")
        #expect(harness.drain().isEmpty)
        TailFiles.append(path, " line\n" + TailFiles.lines("x", 2...3))
        #expect(harness.drain().map(\.text) == ["partial line"] + TailFiles.texts("x", 2...3))
        #expect(harness.stored.map(\.fingerprintLength) == [13])
        TailFiles.append(path, TailFiles.lines("x", 4...4))
        var restarted = try TailHarness(options, checkpoints: harness.stored)
        #expect(restarted.drain().map(\.text) == ["x 4"])
    }

    @Test("a multiline record pending at a crash is delivered after the restart, once")
    func multilinePendingAtCrash() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, "START 1\n a\nSTART 2\n b\n")
        var options = try TailFiles.options(path)
        options.multiline = MultilineRule(.startPattern, pattern: "^START", timeout: .seconds(5))
        var harness = try TailHarness(options)
        #expect(harness.drain().map(\.text) == ["START 1\n a"])
        var restarted = try TailHarness(options, checkpoints: harness.stored)
        #expect(restarted.drain().isEmpty)
        restarted.advance(seconds: 5)
        let lines = restarted.drain()
        #expect(lines.map(\.text) == ["START 2\n b"])
        #expect(lines.map(\.lineNumber) == [3])
    }
}
