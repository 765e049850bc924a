import Foundation
import ParseBenchmarkSupport

/// One measured row and its place in the markdown table.
struct ReportRow {
    var benchmarkCase: BenchmarkCase
    var bytes: Int
    var lines: Int
    var seconds: Double
    /// The `memchr` time over the same file, measured in the same run.
    var baselineSeconds: Double?
    var allocationsPerBatch: Int?
    /// Lines parsed without an issue, for parser rows.
    var parsedShare: Double?

    var megabytesPerSecond: Double { Double(self.bytes) / 1e6 / self.seconds }
    var linesPerSecond: Double { Double(self.lines) / self.seconds }

    /// The throughput target this row is held to, in MB/s (none for framing, logfmt and auto).
    var targetMegabytesPerSecond: Double? {
        switch self.benchmarkCase.kind {
        case .lineSplit: 2_000
        case .framing: nil
        case .parser(let entry):
            switch entry.name {
            case "rfc3164", "rfc5424", "nginx": 400
            case "json": 250
            default: nil
            }
        }
    }

    var cells: [String] {
        let ratio = self.baselineSeconds.map { String(format: "%.2f", $0 / self.seconds) } ?? "–"
        let allocations = self.allocationsPerBatch.map { String($0) } ?? "n/a"
        var targets: [String] = []
        if let target = self.targetMegabytesPerSecond {
            targets.append((self.megabytesPerSecond >= target ? "hit" : "miss") + " ≥ \(Int(target)) MB/s")
        }
        if let allocationsPerBatch {
            targets.append((allocationsPerBatch == 0 ? "hit" : "miss") + " 0 alloc")
        }
        return [
            self.benchmarkCase.label,
            self.benchmarkCase.fileName,
            String(format: "%.0f", self.megabytesPerSecond),
            String(format: "%.2f M", self.linesPerSecond / 1e6),
            allocations,
            ratio,
            self.parsedShare.map { String(format: "%.1f %%", $0 * 100) } ?? "–",
            targets.joined(separator: ", "),
        ]
    }

    static func markdown(_ rows: [ReportRow], repetitions: Int, allocationsRead: Bool) -> String {
        let header = [
            "parser", "file", "MB/s", "lines/s", "allocations per 10k-line batch", "ratio to memchr", "parsed",
            "targets",
        ]
        var lines = [
            "| " + header.joined(separator: " | ") + " |",
            "|" + header.indices.map { $0 < 2 || $0 == 7 ? "---|" : "---:|" }.joined(),
        ]
        for row in rows { lines.append("| " + row.cells.joined(separator: " | ") + " |") }
        lines.append("")
        lines.append(
            "MB/s = 10^6 bytes of the file (newlines included) per second; median of \(repetitions) passes over "
                + "every batch after one untimed pass. Ratio = memchr time / row time over the same bytes, same run."
        )
        lines.append(
            allocationsRead
                ? "Allocations: p90 of mallocCountTotal per 10,000-line batch from the ParseBenchmarks run."
                : "Allocations: n/a (pass --allocations DIR with the benchmark tool's p90 export)."
        )
        if !ParserCatalog.pending.isEmpty {
            lines.append(
                "Not measured (parser not in LogboxParse yet): " + ParserCatalog.pending.joined(separator: ", ") + "."
            )
        }
        return lines.joined(separator: "\n")
    }
}
