// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "LogboxBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Logbox", path: "../"),
        // Only the MallocInterposer trait: it keeps the allocation counts and leaves out the default
        // traits' Linux runtime interposer.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        // What both executables measure: the corpus, the parsers, the batches.
        .target(
            name: "ParseBenchmarkSupport",
            dependencies: [
                .product(name: "LogboxCore", package: "Logbox"),
                .product(name: "LogboxParse", package: "Logbox"),
            ]
        ),
        .executableTarget(
            name: "ParseBenchmarks",
            dependencies: [
                "ParseBenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LogboxCore", package: "Logbox"),
                .product(name: "LogboxParse", package: "Logbox"),
            ],
            path: "Benchmarks/ParseBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A compact markdown summary: median-of-N timing, allocation counts read from the benchmark run.
        .executableTarget(
            name: "ParseReport",
            dependencies: [
                "ParseBenchmarkSupport",
                .product(name: "LogboxCore", package: "Logbox"),
                .product(name: "LogboxParse", package: "Logbox"),
            ]
        ),
        // In-process query timings on an existing store: the "in process" columns of run-query.sh.
        .executableTarget(
            name: "QueryBench",
            dependencies: [
                .product(name: "LogboxQuery", package: "Logbox"),
                .product(name: "LogboxStore", package: "Logbox"),
            ]
        ),
    ]
)

let strictness: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("NonisolatedNonsendingByDefault"),
    .enableExperimentalFeature("Lifetimes"),
]
for target in package.targets where target.type != .system && target.type != .plugin {
    target.swiftSettings = (target.swiftSettings ?? []) + strictness
}
