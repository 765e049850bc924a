import Foundation
import Glibc
import LogboxStore
import LogboxTestSupport
import Testing

@testable import logbox

/// `logbox import` writes no WAL for regular files (a crash re-reads them from the checkpoint), and
/// keeps it for inputs that cannot be read again: a FIFO, a pipe, a device.
@Suite("logbox import: which inputs need the WAL")
struct ImportInputKindTests {
    @Test("only regular files count as readable again")
    func kinds() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        directory.write("a.log", "line\n")
        let fifo = "\(directory.path)/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(ImportCommand.inputsCanBeReadAgain(["\(directory.path)/a.log"]))
        #expect(!ImportCommand.inputsCanBeReadAgain([fifo]))
        #expect(!ImportCommand.inputsCanBeReadAgain(["/dev/null"]))
        #expect(!ImportCommand.inputsCanBeReadAgain(["\(directory.path)/a.log", fifo]))
        #expect(!ImportCommand.inputsCanBeReadAgain(["\(directory.path)/missing.log"]))
    }

    @Test("a FIFO is imported through the WAL: every line once")
    func fifo() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let fifo = "\(directory.path)/auth.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let lines = ImportConfigTests.authLog
        // Opening a FIFO for writing blocks until the import opens it for reading.
        let writer = Thread {
            guard let handle = FileHandle(forWritingAtPath: fifo) else { return }
            handle.write(Data(lines.utf8))
            try? handle.close()
        }
        writer.start()
        let data = "\(directory.path)/data"
        let result = try runCaptured(["import", "--data-dir", data, "--parser", "rfc3164", fifo])
        #expect(result.status == 0, "\(result.errors)")
        let snapshot = try StoreSnapshot(directory: data)
        var stored: [String] = []
        for segment in snapshot.segments {
            try segment.docs.events(in: 0..<UInt32(segment.docCount)) { _, event in
                stored.append(String(decoding: event.line, as: UTF8.self))
            }
        }
        #expect(stored == lines.split(separator: "\n").map(String.init))
        // The events went through the WAL: its first file was rolled over at the flush and deleted
        // once the segment was out. An import of regular files leaves that first file untouched.
        #expect(try FileManager.default.contentsOfDirectory(atPath: StoreWriter.walDirectory(data)) != ["000001.wal"])
    }

    @Test("a regular file is imported without the WAL")
    func regularFile() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        directory.write("auth.log", ImportConfigTests.authLog)
        let data = "\(directory.path)/data"
        let result = try runCaptured([
            "import", "--data-dir", data, "--parser", "rfc3164", "\(directory.path)/auth.log",
        ])
        #expect(result.status == 0, "\(result.errors)")
        #expect(try StoreSnapshot(directory: data).segments.map(\.docCount) == [4])
        #expect(try FileManager.default.contentsOfDirectory(atPath: StoreWriter.walDirectory(data)) == ["000001.wal"])
        // The summary names the store's size; one segment leaves no merge pending.
        let store = result.errors.split(separator: "\n").first { $0.hasPrefix("store ") }.map(String.init)
        #expect(store?.hasPrefix("store \(data): 1 segments, 4 events, ") == true, "\(result.errors)")
        #expect(store?.hasSuffix(" kB") == true, "\(result.errors)")
        #expect(!result.errors.contains("merges pending"))
    }
}
