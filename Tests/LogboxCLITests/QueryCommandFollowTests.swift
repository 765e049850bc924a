import Foundation
import Glibc
import LogboxStore
import LogboxTestSupport
import Synchronization
import Testing

/// `logbox query --follow` as a child process while this test writes to the store.
@Suite("logbox query --follow")
struct QueryCommandFollowTests {
    static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("logbox")
    }

    /// The child's standard output, collected as it arrives.
    final class Collected: Sendable {
        private let bytes = Mutex<[UInt8]>([])

        func append(_ data: Data) { self.bytes.withLock { $0.append(contentsOf: data) } }

        /// The complete lines so far, as JSON objects' `seq` and `msg`.
        var events: [(sequence: Int, message: String)] {
            let text = self.bytes.withLock { String(decoding: $0, as: UTF8.self) }
            return text.split(separator: "\n").compactMap { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let sequence = object["seq"] as? Int, let message = object["message"] as? String
                else { return nil }
                return (sequence, message)
            }
        }
    }

    @Test("appending N matching events while following prints each exactly once, through flushes and merges")
    func follow() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: Self.binary.path),
            "no logbox binary at \(Self.binary.path)"
        )
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let data = "\(directory.path)/data"
        var options = StoreOptions()
        options.mergeFactor = 2
        let writer = try StoreWriter(directory: data, options: options)
        let start = StoreWriter.now()
        var sequence = 0
        func lines(_ count: Int, matching: Bool) -> [String] {
            (0..<count).map { _ in
                sequence += 1
                return jsonLine(
                    time: start + Int64(sequence) * 1_000_000,
                    level: matching ? "error" : "info",
                    message: matching ? "follow failure \(sequence)" : "follow noise \(sequence)",
                    sequence: sequence
                )
            }
        }
        // Before the child starts: 3 matching events it prints as the tail of the window.
        try appendJSONLines(lines(3, matching: true) + lines(2, matching: false), to: writer)
        try writer.flush()

        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["query", "level:error", "--follow", "--format", "json", "--data-dir", data]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        let collected = Collected()
        output.fileHandleForReading.readabilityHandler = { handle in collected.append(handle.availableData) }
        try process.run()
        defer {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            output.fileHandleForReading.readabilityHandler = nil
        }
        #expect(await OffPool.wait(seconds: 20) { collected.events.count >= 3 }, "the initial tail never came")
        #expect(collected.events.map(\.sequence) == [1, 2, 3])

        // N matching events in 12 flushes, mixed with noise; merges run in the background meanwhile.
        var expected: [Int] = [1, 2, 3]
        for round in 0..<12 {
            let matching = lines(5, matching: true)
            expected += matching.map { line in
                Int(line.split(separator: ":").last!.dropLast())!
            }
            try appendJSONLines(matching + lines(3, matching: false), to: writer)
            try writer.flush()
            if round == 6 { await OffPool.block { writer.waitForMerges() } }
            try await Task.sleep(for: .milliseconds(50 + round * 20))
        }
        // Compaction rewrites everything into one segment: nothing may print twice.
        await OffPool.block { writer.waitForMerges() }
        #expect(writer.completedMerges > 0)
        try writer.compact()
        let last = lines(4, matching: true)
        expected += last.map { Int($0.split(separator: ":").last!.dropLast())! }
        try appendJSONLines(last, to: writer)
        try writer.flush()

        let expectedCount = expected.count
        #expect(
            await OffPool.wait(seconds: 30) { collected.events.count >= expectedCount },
            "printed \(collected.events.count) of \(expected.count)"
        )
        // A little longer, to see that nothing comes twice late.
        try await Task.sleep(for: .seconds(1))
        let printed = collected.events
        #expect(printed.map(\.sequence) == expected)
        #expect(printed.allSatisfy { $0.message.hasPrefix("follow failure") })

        kill(process.processIdentifier, SIGINT)
        await OffPool.exit(of: process)
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 130)
        try writer.close()
    }
}
