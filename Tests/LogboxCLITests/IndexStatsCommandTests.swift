import ArgumentParser
import LogboxStore
import LogboxTestSupport
import Testing

@testable import logbox

@Suite("logbox index stats")
struct IndexStatsCommandTests {
    private func run(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        try runCaptured(arguments)
    }

    @Test("--fields: a row per indexed field whose postings add up to the store's split")
    func fieldTable() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var lines = ""
        for index in 0..<300 {
            let minute = index / 60 < 10 ? "0\(index / 60)" : "\(index / 60)"
            let second = index % 60 < 10 ? "0\(index % 60)" : "\(index % 60)"
            lines +=
                "Nov  1 00:\(minute):\(second) web-0\(index % 3) sshd[\(1000 + index)]: Failed password for user\(index % 7) from 10.0.0.\(index % 250) port \(40000 + index) ssh2\n"
        }
        directory.write("auth.log", lines)
        let data = directory.path + "/data"
        let imported = try self.run(["import", "--data-dir", data, directory.path + "/auth.log"])
        #expect(imported.status == 0, "\(imported.errors)")

        let stats = try self.run(["index", "stats", "--data-dir", data, "--fields"])
        #expect(stats.status == 0, "\(stats.errors)")
        let rows = stats.output.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        let byName = Dictionary(rows.compactMap { row in row.first.map { (String($0), row) } }) { first, _ in first }
        for field in ["message", "host", "program", "pid", "timestamp", "source"] {
            #expect(byName[field] != nil, "no row for \(field) in:\n\(stats.output)")
        }
        // The message row has positions; host's has none; timestamp is a column only.
        #expect(byName["message"].map { $0[7] != "0" } == true)
        #expect(byName["host"]?[7] == "0", "\(byName["host"] ?? [])")
        #expect(byName["timestamp"]?[1] == "0")

        // Per list splits add up to the whole body's (less its header).
        let snapshot = try StoreSnapshot(directory: data)
        for segment in snapshot.segments {
            var addresses: [PostingsAddress] = []
            for field in segment.terms.fields {
                try segment.terms.enumerate(field: field) { _, address in
                    addresses.append(address)
                    return true
                }
            }
            var sum = PostingsBreakdown()
            try segment.postings.forEachListBreakdown(addresses) { _, list in sum = sum + list }
            let whole = try segment.postings.breakdown(addresses)
            #expect(sum.docBytes == whole.docBytes)
            #expect(sum.positionBytes == whole.positionBytes)
            #expect(sum.skipBytes == whole.skipBytes)
            #expect(
                whole.total == UInt64(segment.meta.fileSizes.first { $0.name == "postings" }!.bytes)
                    - UInt64(FileFooter.size)
            )
        }
    }
}
