import Benchmark
import ParseBenchmarkSupport

/// Holds one benchmark's workload between its setup and teardown, and which batch comes next.
private final class WorkloadState {
    var workload: (any Workload)?
    var nextBatch = 0

    /// The batch for this iteration; iterations cycle through the file's batches in order.
    func takeBatch(count: Int) -> Int {
        let batch = self.nextBatch
        self.nextBatch = batch + 1 == count ? 0 : batch + 1
        return batch
    }
}

/// Parsing throughput and allocations over the generated corpus, next to `memchr` and `LineFramer`.
///
/// One iteration is one `LineBatch` of 10,000 lines, so `Malloc (total)` reads as allocations per
/// batch and throughput as batches per second. Setup loads the file, frames it and runs one full
/// pass outside the measurement, so the event batch and the interned names have reached their steady
/// state before the first measured iteration.
let benchmarks: @Sendable () -> Void = {
    // Without a corpus, no benchmark can run: say how to make one and fail the run.
    _ = Corpus.directoryOrExit(program: "ParseBenchmarks")
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 5_000
    )
    for benchmarkCase in BenchmarkCase.all {
        let state = WorkloadState()
        Benchmark(
            benchmarkCase.benchmarkName,
            configuration: configuration,
            closure: { benchmark in
                guard let workload = state.workload else { return }
                let batches = workload.file.batches.count
                for _ in benchmark.scaledIterations {
                    blackHole(workload.run(batch: state.takeBatch(count: batches)))
                }
            },
            setup: {
                let file = try Corpus.load(benchmarkCase.fileName)
                let workload = benchmarkCase.makeWorkload(file: file)
                blackHole(workload.runAll())
                state.workload = workload
                state.nextBatch = 0
            },
            teardown: {
                state.workload = nil
            }
        )
    }
}
