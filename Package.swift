// swift-tools-version:6.2
import PackageDescription

let checks: [SwiftSetting] = [
    .define("MEMCG_INTERNAL_CHECKS", .when(configuration: .debug)),
]

let package = Package(
    name: "memcgd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "memcgd", targets: ["memcgd"]),
        .library(name: "MemcgEngine", targets: ["MemcgEngine"]),
        .library(name: "MemcgWorkload", targets: ["MemcgWorkload"]),
        .library(name: "MemcgStore", targets: ["MemcgStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // Dynamic exclusivity checks on the engine's hot stored properties
        // cost more than the work (3x on the charge path); the few measured
        // ones carry `@exclusivity(unchecked)` instead of a target-wide flag,
        // so the library can be used as a package dependency.
        .target(name: "MemcgEngine", swiftSettings: checks),
        // Yams reads workload specs written in YAML (workloads.md section 6).
        .target(name: "MemcgWorkload", dependencies: ["MemcgEngine", .product(name: "Yams", package: "Yams")], swiftSettings: checks),
        // Journal, snapshots and recovery; uses the engine only.
        .target(name: "MemcgStore", dependencies: ["MemcgEngine"], swiftSettings: checks),
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .target(
            name: "MemcgHTTP",
            dependencies: [
                "MemcgEngine", "MemcgWorkload", "MemcgStore", "CMicroHTTPD",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The JSON writer's buffer carries `@exclusivity(unchecked)`
            // (dynamic exclusivity checks on it were 15% of the server's CPU).
            swiftSettings: checks
        ),
        .executableTarget(
            name: "memcgd",
            dependencies: [
                "MemcgHTTP", "MemcgEngine", "MemcgWorkload", "MemcgStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(name: "MemcgBench", dependencies: ["MemcgEngine", "MemcgHTTP", "MemcgStore"], path: "Sources/MemcgBench"),
        .testTarget(name: "MemcgEngineTests", dependencies: ["MemcgEngine"], swiftSettings: checks),
        .testTarget(name: "MemcgStoreTests", dependencies: ["MemcgStore", "MemcgEngine"], swiftSettings: checks),
        .testTarget(name: "MemcgWorkloadTests", dependencies: ["MemcgWorkload", "MemcgEngine"], swiftSettings: checks),
        .testTarget(
            name: "MemcgHTTPTests",
            dependencies: ["MemcgHTTP", "MemcgEngine", "MemcgWorkload", "MemcgStore", .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: checks
        ),
    ]
)
