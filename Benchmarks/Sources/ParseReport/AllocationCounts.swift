import Foundation

/// Allocation counts per benchmark, read from the benchmark tool's `metricP90AbsoluteThresholds` export.
///
/// The tool writes one `ParseBenchmarks.<name>.p90.json` per benchmark (spaces and slashes in the
/// name become `_`), mapping each metric to its 90th percentile. One iteration is one batch, so
/// `mallocCountTotal` is the p90 of allocations per 10,000-line batch.
struct AllocationCounts {
    let directory: String?

    init(directory: String?) {
        self.directory = directory
    }

    var isAvailable: Bool { self.directory != nil }

    func perBatch(_ benchmarkName: String) -> Int? {
        guard let directory = self.directory else { return nil }
        let fileName = "ParseBenchmarks.\(benchmarkName).p90.json"
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: " ", with: "_")
        guard let data = FileManager.default.contents(atPath: directory + "/" + fileName),
            let metrics = try? JSONDecoder().decode([String: Int].self, from: data)
        else { return nil }
        return metrics["mallocCountTotal"]
    }
}
