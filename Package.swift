// swift-tools-version:6.2
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode with strict concurrency
/// (the default for this tools version) plus the upcoming-feature checks the
/// model codebases use.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Outbox",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "outbox", targets: ["outbox"]),
        .library(name: "OutboxCore", targets: ["OutboxCore"]),
        .library(name: "OutboxStore", targets: ["OutboxStore"]),
        .library(name: "OutboxTransport", targets: ["OutboxTransport"]),
        .library(name: "OutboxDaemon", targets: ["OutboxDaemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // C shims: typed forwards to variadic libcurl calls; libsystemd headers.
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),
        .target(name: "CSystemd", linkerSettings: [.linkedLibrary("systemd")]),
        .target(name: "CZlib", linkerSettings: [.linkedLibrary("z")]),
        // glibc's resolver: res_ninit/res_nquery and ns_initparse/ns_parserr are macros Swift cannot call.
        .target(name: "CResolv", linkerSettings: [.linkedLibrary("resolv")]),
        .target(name: "CIDN2", linkerSettings: [.linkedLibrary("idn2")]),
        // glibc's mallopt (<malloc.h> is not in Swift's Glibc module).
        .target(name: "CMalloc"),

        .target(
            name: "OutboxCore",
            dependencies: ["CIDN2", .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "OutboxStore",
            dependencies: ["OutboxCore", "CZlib", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        .target(
            name: "OutboxTransport",
            dependencies: ["OutboxCore", "CCurl", "CResolv"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "OutboxDaemon",
            dependencies: [
                "OutboxCore", "OutboxStore", "OutboxTransport", "CSystemd",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The HTTP API, its token check and the /metrics exposition (issue #13).
        .target(
            name: "OutboxHTTP",
            dependencies: [
                "OutboxCore", "OutboxStore", "OutboxDaemon",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The PostgreSQL store (issue #14): a separate target so SQLite builds never pay for postgres-nio.
        .target(
            name: "OutboxPostgres",
            dependencies: [
                "OutboxCore", "OutboxStore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                // Only to recognise the pool's "cannot connect" error (PostgresStore.unreachability(of:)).
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "outbox",
            dependencies: [
                "OutboxCore", "OutboxStore", "OutboxTransport", "OutboxDaemon", "OutboxHTTP", "OutboxPostgres", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strictSettings
        ),

        .executableTarget(name: "TransportBenchmark", dependencies: ["OutboxCore", "OutboxTransport"], path: "Benchmarks/TransportBenchmark", swiftSettings: strictSettings),
        .executableTarget(name: "BounceBenchmark", dependencies: ["OutboxCore"], path: "Benchmarks/BounceBenchmark", swiftSettings: strictSettings),
        .executableTarget(name: "StoreBenchmark", dependencies: ["OutboxCore", "OutboxStore", "OutboxPostgres", "OutboxTestSupport"], path: "Benchmarks/StoreBenchmark", swiftSettings: strictSettings),
        .executableTarget(name: "DKIMBenchmark", dependencies: ["OutboxCore"], path: "Benchmarks/DKIMBenchmark", swiftSettings: strictSettings),

        // Loopback test servers and fixtures shared by the test targets.
        .target(name: "OutboxTestSupport", path: "Tests/OutboxTestSupport", swiftSettings: strictSettings),

        .testTarget(name: "OutboxCoreTests", dependencies: ["OutboxCore", "OutboxTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "OutboxStoreTests",
            dependencies: ["OutboxCore", "OutboxStore", "OutboxTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "OutboxTransportTests",
            dependencies: ["OutboxCore", "OutboxTransport", "OutboxTestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "OutboxDaemonTests", dependencies: ["OutboxDaemon", "OutboxCore", "OutboxStore", "OutboxTestSupport", .product(name: "Logging", package: "swift-log")], swiftSettings: strictSettings),
        .testTarget(name: "OutboxDeliveryTests", dependencies: ["OutboxDaemon", "OutboxStore", "OutboxCore", "OutboxTransport", "OutboxTestSupport", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strictSettings),
        .testTarget(name: "OutboxOAuthTests", dependencies: ["OutboxTransport", "OutboxCore", "OutboxStore", "OutboxDaemon", "OutboxTestSupport"], swiftSettings: strictSettings),
        .testTarget(name: "OutboxBounceTests", dependencies: ["OutboxCore", "OutboxStore", "OutboxTransport", "OutboxTestSupport", .product(name: "GRDB", package: "GRDB.swift")], swiftSettings: strictSettings),
        .testTarget(name: "OutboxHTTPTests", dependencies: ["outbox", "OutboxTestSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "OutboxPostgresTests",
            dependencies: ["outbox", "OutboxPostgres", "OutboxStore", "OutboxCore", "OutboxDaemon", "OutboxTestSupport", .product(name: "PostgresNIO", package: "postgres-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "OutboxCLITests",
            dependencies: ["outbox", "OutboxCore", "OutboxStore", "OutboxDaemon", "OutboxTestSupport"],
            swiftSettings: strictSettings
        ),
    ]
)
