import Foundation
import LogboxParse
import LogboxStore
import LogboxTestSupport
import Testing

/// `logbox import` killed with SIGKILL at random moments, again and again, then run to the end:
/// every line must be stored exactly once and `verify` must be clean.
@Suite("Import crash safety")
struct ImportCrashTests {
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("logbox")
    }

    @Test("50 SIGKILLs during import, flushes and merges: every line once, verify clean")
    func sigkill() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.binary.path),
            "no logbox binary at \(Self.binary.path)"
        )
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let files = SampleLogGenerator(
            options: .init(
                seed: 11,
                authLines: 6000,
                nginxLines: 8000,
                jsonLines: 4000,
                rfc5424Lines: 2000,
                logfmtLines: 2000
            )
        ).generate()
        var paths: [String] = []
        var expected: [String] = []
        for file in files {
            paths.append(directory.write(file.name, file.bytes))
            expected += file.bytes.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }
        }
        let data = "\(directory.path)/data"
        let arguments = ["import", "--data-dir", data, "--flush-events", "1500", "--merge-factor", "2"] + paths

        // The kills run on a thread of their own (`OffPool`): 50 imports with sleeps in between
        // would hold a cooperative thread for half a minute.
        let (killed, started) = await OffPool.run { () -> (Int, Result<Void, any Error>) in
            var random = SeededRandom(seed: 2026)
            var killed = 0
            for _ in 0..<50 {
                let process: Process
                do { process = try Self.start(arguments) } catch { return (killed, .failure(error)) }
                // A random moment: from just after start (opening, replaying) to well into the import.
                usleep(UInt32(20_000 + random.next(below: 600_000)))
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    killed += 1
                }
                process.waitUntilExit()
            }
            return (killed, .success(()))
        }
        try started.get()
        #expect(killed >= 40, "only \(killed) runs were killed mid-way; the corpus imports too fast to test")

        let final = try Self.start(arguments)
        await OffPool.exit(of: final)
        #expect(final.terminationStatus == 0)

        let snapshot = try StoreSnapshot(directory: data)
        var stored: [String] = []
        for segment in snapshot.segments {
            try segment.docs.events(in: 0..<UInt32(segment.docCount)) { _, event in
                stored.append(String(decoding: event.line, as: UTF8.self))
            }
        }
        #expect(stored.count == expected.count)
        #expect(stored.sorted() == expected.sorted())
        let verify = try StoreVerifier.verify(directory: data)
        #expect(verify.isClean, "\(verify.problems)")
    }

    @Test("Ctrl-C stops an import cleanly: what it stored is durable and the same command finishes the job")
    func interrupt() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.binary.path),
            "no logbox binary at \(Self.binary.path)"
        )
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let file = SampleLogGenerator(
            options: .init(seed: 5, authLines: 300_000, nginxLines: 0, jsonLines: 0, rfc5424Lines: 0, logfmtLines: 0)
        )
        .generate()[0]
        let path = directory.write(file.name, file.bytes)
        let data = "\(directory.path)/data"
        let arguments = ["import", "--data-dir", data, "--flush-events", "5000", path]
        let process = try Self.start(arguments)
        // A second into the import, on a thread of its own: a cooperative thread may come back
        // to this test much later, after the import has finished.
        let interrupted = await OffPool.run { () -> Bool in
            usleep(1_000_000)
            guard process.isRunning else { return false }
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
            return true
        }
        try #require(interrupted, "the import finished before it could be interrupted")
        #expect(process.terminationStatus == 130)
        let stored = try StoreSnapshot(directory: data).eventCount
        #expect(stored > 0 && stored < 300_000)
        #expect(try StoreVerifier.verify(directory: data).isClean)
        let rerun = try Self.start(arguments)
        await OffPool.exit(of: rerun)
        #expect(rerun.terminationStatus == 0)
        #expect(try StoreSnapshot(directory: data).eventCount == 300_000)
    }

    static func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }
}
