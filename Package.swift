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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "MemcgEngine",
            // The engine is single-threaded behind the service's lock; dynamic
            // exclusivity checks on its hot paths cost more than the work.
            swiftSettings: checks + [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .target(
            name: "MemcgWorkload",
            dependencies: ["MemcgEngine"],
            // The driver mutates its tables in place on every page; dynamic
            // exclusivity checks would cost more than the work (as in the engine).
            swiftSettings: checks + [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .target(
            name: "MemcgHTTP",
            dependencies: [
                "MemcgEngine", "CMicroHTTPD",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // Per-request code touches class storage (JSON writer buffer,
            // metric tables) many times; dynamic exclusivity checks were 15%
            // of the server's CPU. Shared state is guarded by locks.
            swiftSettings: checks + [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .executableTarget(
            name: "memcgd",
            dependencies: [
                "MemcgHTTP", "MemcgEngine", "MemcgWorkload",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(name: "MemcgBench", dependencies: ["MemcgEngine", "MemcgHTTP"], path: "Sources/MemcgBench"),
        .testTarget(name: "MemcgEngineTests", dependencies: ["MemcgEngine"], swiftSettings: checks),
        .testTarget(name: "MemcgWorkloadTests", dependencies: ["MemcgWorkload", "MemcgEngine"], swiftSettings: checks),
        .testTarget(
            name: "MemcgHTTPTests",
            dependencies: ["MemcgHTTP", "MemcgEngine", .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: checks
        ),
    ]
)
