import Glibc
import LogboxCore
import LogboxPipeline
import LogboxStore
import LogboxTestSupport
import Testing

@Suite("Tail: multiline records")
struct TailMultilineTests {
    static let trace = """
        2026-11-29 10:00:00 ERROR boom
        java.lang.IllegalStateException: bad
            at a.b(C.java:1)
            at d.e(F.java:2)
        2026-11-29 10:00:01 INFO fine
        2026-11-29 10:00:02 ERROR again
            at g.h(I.java:3)

        """

    static func options(_ path: String, _ rule: MultilineRule) throws -> TailOptions {
        var options = try TailFiles.options(path)
        options.multiline = rule
        return options
    }

    @Test("start pattern: lines up to the next start join one record; the last waits")
    func startPattern() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, Self.trace)
        let rule = MultilineRule(.startPattern, pattern: #"^\d{4}-\d\d-\d\d "#, timeout: .seconds(2))
        var harness = try TailHarness(try Self.options(path, rule))
        let first = harness.drain()
        #expect(
            first.map(\.text) == [
                "2026-11-29 10:00:00 ERROR boom\njava.lang.IllegalStateException: bad\n    at a.b(C.java:1)\n    at d.e(F.java:2)",
                "2026-11-29 10:00:01 INFO fine",
            ]
        )
        #expect(first.map(\.lineNumber) == [1, 5])
        let fine = "2026-11-29 10:00:01 INFO fine\n2026-11-29 10:00:02 ERROR again\n    at g.h(I.java:3)\n"
        #expect(first.map(\.sourceOffset) == [0, Int64(Self.trace.utf8.count - fine.utf8.count)])
        // The pending record is not covered by the checkpoint: a crash now re-reads it.
        let pending = "2026-11-29 10:00:02 ERROR again\n    at g.h(I.java:3)\n"
        let pendingOffset = Int64(Self.trace.utf8.count - pending.utf8.count)
        #expect(harness.stored.map(\.offset) == [pendingOffset])
        #expect(harness.stored.map(\.nextLine) == [6])
        TailFiles.append(path, "2026-11-29 10:00:03 INFO next\n")
        let second = harness.drain()
        #expect(second.map(\.text) == ["2026-11-29 10:00:02 ERROR again\n    at g.h(I.java:3)"])
        #expect(second.map(\.lineNumber) == [6])
        harness.advance(seconds: 3)
        let third = harness.drain()
        #expect(third.map(\.text) == ["2026-11-29 10:00:03 INFO next"])
        #expect(harness.stored.map(\.offset) == [Int64(Self.trace.utf8.count + 30)])
    }

    @Test("continuation pattern: matching lines join the previous one")
    func continuationPattern() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, "one\n  two\n  three\nfour\n\tfive\nsix\n")
        let rule = MultilineRule(.continuationPattern, pattern: #"^\s"#, timeout: .seconds(1))
        var harness = try TailHarness(try Self.options(path, rule))
        #expect(harness.drain().map(\.text) == ["one\n  two\n  three", "four\n\tfive"])
        harness.advance(seconds: 1)
        #expect(harness.drain().map(\.text) == ["six"])
        #expect(harness.tailer.statistics.lines == 3)
    }

    @Test("timeout: a pending record is delivered once its file was quiet for the timeout")
    func timeoutFlush() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, "START a\n more\n")
        let rule = MultilineRule(.startPattern, pattern: "^START", timeout: .seconds(10))
        var harness = try TailHarness(try Self.options(path, rule))
        #expect(harness.drain().isEmpty)
        harness.advance(seconds: 6)
        TailFiles.append(path, " still more\n")
        #expect(harness.drain().isEmpty)
        // New bytes restarted the wait.
        harness.advance(seconds: 6)
        #expect(harness.drain().isEmpty)
        harness.advance(seconds: 4)
        let lines = harness.drain()
        #expect(lines.map(\.text) == ["START a\n more\n still more"])
        #expect(lines.map(\.lineNumber) == [1])
        #expect(harness.stored.map(\.offset) == [Int64("START a\n more\n still more\n".utf8.count)])
        #expect(harness.stored.map(\.nextLine) == [4])
    }

    @Test("records are bounded by the maximum line length and line count")
    func bounded() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, "S 1\n" + String(repeating: " xxxxxxxx\n", count: 10) + "S 2\n a\n b\n c\nS 3\n")
        var rule = MultilineRule(.startPattern, pattern: "^S", timeout: .seconds(1))
        rule.maxLines = 3
        var options = try Self.options(path, rule)
        options.maxLineLength = 20
        var harness = try TailHarness(options)
        let lines = harness.drain()
        // "S 1" + 2 continuation lines (3 lines), cut to 20 bytes.
        #expect(lines.first?.text == "S 1\n xxxxxxxx\n xxxxx")
        #expect(lines.first?.truncatedBytes == 3)
        #expect(lines.map(\.text).contains("S 2\n a\n b"))
        #expect(lines.map(\.text).last == " c")
        #expect(harness.tailer.statistics.truncatedLines == 3)
    }

    @Test("a rotated file's pending record is delivered when the file is finished")
    func pendingRecordAtEndOfDeletedFile() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = "\(directory.path)/app.log"
        TailFiles.append(path, "START a\n more\nSTART b\n tail")
        let rule = MultilineRule(.startPattern, pattern: "^START", timeout: .seconds(60))
        var harness = try TailHarness(try Self.options(path, rule))
        #expect(harness.drain().map(\.text) == ["START a\n more"])
        unlink(path)
        #expect(harness.drain().map(\.text) == ["START b\n tail"])
        #expect(!TailFiles.isOpenInThisProcess(path))
    }
}
