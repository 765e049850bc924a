import Glibc
import LogboxCore
import LogboxPipeline
import LogboxStore
import LogboxTestSupport
import Testing

/// Copytruncate as a running daemon meets it: the file is emptied and written again between two
/// scans (the daemon scans every few hundred milliseconds but reads far more often).
@Suite("Tail: copytruncate between scans")
struct TailCopyTruncateTests {
    static func options(_ path: String) throws -> TailOptions {
        var options = try TailFiles.options(path)
        options.scanInterval = .seconds(3600)  // no scan between the polls below
        return options
    }

    @Test("truncated and rewritten past the old offset before the next scan: the new content once, from its start")
    func rewrittenPastOldOffset() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, TailFiles.lines("first", 1...100))
        var harness = try TailHarness(try Self.options(path))
        #expect(harness.drain().map(\.text) == TailFiles.texts("first", 1...100))
        TailFiles.copy(path, "\(directory.path)/app.log.1")
        TailFiles.truncate(path)
        TailFiles.append(path, TailFiles.lines("second", 1...300))
        let lines = harness.drain()
        #expect(lines.map(\.text) == TailFiles.texts("second", 1...300))
        #expect(lines.first?.lineNumber == 1 && lines.first?.sourceOffset == 0)
        #expect(harness.tailer.statistics.truncations == 1)
        // And it goes on from there.
        TailFiles.append(path, TailFiles.lines("second", 301...310))
        #expect(harness.drain().map(\.text) == TailFiles.texts("second", 301...310))
        #expect(harness.stored.count == 1)
        #expect(harness.stored.first?.nextLine == 311)
    }

    @Test("growing normally between scans: no restart, every line once")
    func plainGrowth() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, TailFiles.lines("line", 1...10))
        var harness = try TailHarness(try Self.options(path))
        var lines = harness.drain()
        for round in 0..<20 {
            TailFiles.append(path, TailFiles.lines("line", (11 + round * 10)...(20 + round * 10)))
            lines += harness.drain()
        }
        #expect(lines.map(\.text) == TailFiles.texts("line", 1...210))
        #expect(harness.tailer.statistics.truncations == 0)
    }
}
