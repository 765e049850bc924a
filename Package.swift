// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Logbox",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "logbox", targets: ["logbox"]),
        .library(name: "LogboxCore", targets: ["LogboxCore"]),
        .library(name: "LogboxParse", targets: ["LogboxParse"]),
        .library(name: "LogboxStore", targets: ["LogboxStore"]),
        .library(name: "LogboxQuery", targets: ["LogboxQuery"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // C libraries from Debian's -dev packages, found through pkg-config.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CPCRE2", pkgConfig: "libpcre2-8", providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // glibc's <malloc.h> (part of libc6-dev), for the daemon's allocator settings.
        .systemLibrary(name: "CMalloc"),

        .target(name: "LogboxCore"),
        .target(name: "LogboxParse", dependencies: ["LogboxCore", "CPCRE2"]),
        .target(name: "LogboxStore", dependencies: ["LogboxCore", "CZlib", "CLZ4", "CZstd"]),
        .target(name: "LogboxQuery", dependencies: ["LogboxCore", "LogboxParse", "LogboxStore"]),
        .target(name: "LogboxMetrics", dependencies: ["LogboxCore", "LogboxQuery"]),
        .target(name: "LogboxAlerts", dependencies: ["LogboxCore", "LogboxQuery"]),
        .target(
            name: "LogboxPipeline",
            dependencies: [
                "LogboxCore", "LogboxParse", "LogboxStore", "LogboxQuery", "LogboxMetrics", "LogboxAlerts", "CZlib",
                .target(name: "CMalloc", condition: .when(platforms: [.linux])),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(name: "LogboxServer", dependencies: ["LogboxPipeline"]),
        .executableTarget(
            name: "logbox",
            dependencies: [
                "LogboxCore", "LogboxParse", "LogboxStore", "LogboxQuery", "LogboxPipeline",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "LogboxTestSupport", dependencies: ["LogboxCore"]),

        .testTarget(name: "LogboxCoreTests", dependencies: ["LogboxCore", "LogboxTestSupport"]),
        .testTarget(name: "LogboxStoreTests", dependencies: ["LogboxStore", "LogboxCore", "LogboxParse", "LogboxTestSupport"]),
        .testTarget(
            name: "LogboxParseTests",
            dependencies: ["LogboxCore", "LogboxParse", "LogboxTestSupport"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LogboxQueryTests",
            dependencies: ["LogboxQuery", "LogboxStore", "LogboxParse", "LogboxCore", "LogboxTestSupport"]
        ),
        .testTarget(
            name: "LogboxPipelineTests",
            dependencies: ["LogboxPipeline", "LogboxStore", "LogboxParse", "LogboxCore", "LogboxTestSupport"]
        ),
        .testTarget(
            name: "LogboxCLITests",
            dependencies: [
                "logbox", "LogboxCore", "LogboxParse", "LogboxStore", "LogboxQuery", "LogboxTestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + strictness
}
