import Foundation
import LogboxParse
import ParseBenchmarkSupport

/// Prints the parse benchmark as one markdown table: MB/s, lines/s, allocations and the ratio to `memchr`.
///
/// Times each row with a median of N full passes over its file (`ContinuousClock`), after one
/// untimed pass that brings the reused buffers to their steady state. Allocation counts are not
/// measured here: they come from the benchmark tool's run (`--allocations DIR`, the directory of its
/// `metricP90AbsoluteThresholds` export), where the malloc interposer counts them per batch.
///
/// Usage: `ParseReport [--repetitions N] [--allocations DIR] [--filter TEXT]`
@main
struct ParseReport {
    static func main() {
        do {
            let options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
            try Self.run(options)
        } catch {
            FileHandle.standardError.write(Data("ParseReport: \(error)\n".utf8))
            exit(2)
        }
    }

    static func run(_ options: Options) throws {
        _ = try Corpus.directory()
        let allocations = AllocationCounts(directory: options.allocationsDirectory)
        var rows: [ReportRow] = []
        for fileName in Corpus.fileNames {
            let cases = BenchmarkCase.all.filter { benchmarkCase in
                benchmarkCase.fileName == fileName
                    && (options.filter.map { benchmarkCase.benchmarkName.contains($0) } ?? true)
            }
            guard !cases.isEmpty else { continue }
            progress("loading \(fileName)")
            let file = try Corpus.load(fileName)
            var baselineSeconds: Double?
            for benchmarkCase in cases {
                progress("timing \(benchmarkCase.benchmarkName)")
                let workload = benchmarkCase.makeWorkload(file: file)
                let seconds = Self.medianSeconds(workload, repetitions: options.repetitions)
                if benchmarkCase.isBaseline { baselineSeconds = seconds }
                var parsedShare: Double?
                if let parsing = workload as? ParsingWorkload, parsing.stats.lines > 0 {
                    parsedShare = Double(parsing.stats.parsed) / Double(parsing.stats.lines)
                }
                rows.append(
                    ReportRow(
                        benchmarkCase: benchmarkCase,
                        bytes: file.bytes.count,
                        lines: file.lineCount,
                        seconds: seconds,
                        baselineSeconds: baselineSeconds,
                        allocationsPerBatch: allocations.perBatch(benchmarkCase.benchmarkName),
                        parsedShare: parsedShare
                    )
                )
            }
        }
        print(ReportRow.markdown(rows, repetitions: options.repetitions, allocationsRead: allocations.isAvailable))
    }

    /// One untimed pass, then the median of `repetitions` timed passes over every batch.
    static func medianSeconds(_ workload: any Workload, repetitions: Int) -> Double {
        Sink.consume(workload.runAll())
        let clock = ContinuousClock()
        var samples: [Double] = []
        for _ in 0..<repetitions {
            let start = clock.now
            Sink.consume(workload.runAll())
            let elapsed = start.duration(to: clock.now)
            samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        samples.sort()
        return samples[samples.count / 2]
    }
}

func progress(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}
