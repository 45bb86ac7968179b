// swift-tools-version:6.2
import PackageDescription

// Our own targets are strict: Swift 6 mode (the tools version), warnings as errors, and the
// upcoming features the design card asks for.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

// Linux-first: the detector calls Glibc directly (file descriptors, flock, fdatasync, pread) and the
// package is built and tested on Linux (Debian) only. `platforms` only states the minimum macOS the
// dependencies ask for; a macOS build is not attempted.
let package = Package(
    name: "tfdriftctl",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tfdriftctl", targets: ["tfdriftctl"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // zlib, for CloudTrail's .json.gz files (gzip detected by magic bytes, not by name).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // The structural scan of JSON (string and bracket boundaries many bytes at a time), for replay's
        // record splitting and for skipping the parts of a record nobody reads.
        .target(name: "CJSONScan", path: "Sources/CJSONScan"),
        // Config model and loader, errors, redaction, the maintenance-window calendar, JSON.
        .target(
            name: "TfdriftCore",
            dependencies: [
                "CJSONScan",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The pure detection domain: decoding, state index, event catalog, evaluation. No networking.
        .target(
            name: "Detector",
            dependencies: [
                "TfdriftCore", "CZlib",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            // The event catalog (Resources/catalog) is compiled in: see Plugins/EmbedResources.
            exclude: ["Resources", "embedded-resources.txt"],
            swiftSettings: strict,
            plugins: ["EmbedResources"]
        ),
        // The AsyncHTTPClient-backed HTTPTransport: private CAs, client certificates, deadlines.
        .target(
            name: "HTTPTransportAHC",
            dependencies: [
                "TfdriftCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // SigV4, credentials, S3, SQS, STS: small, tested against the official vectors and moto.
        .target(
            name: "AWSClient",
            dependencies: [
                "TfdriftCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Grafana/Loki/Alertmanager provisioning: desired state, normalise, plan, apply.
        .target(
            name: "GrafanaProvision",
            dependencies: [
                "TfdriftCore",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            // The default alert profiles (alerts/) and dashboards (dashboards/) are compiled in.
            exclude: ["embedded-resources.txt"],
            swiftSettings: strict,
            plugins: ["EmbedResources"]
        ),
        // The running detector: HTTP ingest, reload, health, metrics; sinks and pollers as Services.
        .target(
            name: "DetectorServer",
            dependencies: [
                "TfdriftCore", "Detector",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        // Not shipped: simulators (Grafana, Loki) validated against the official specs, fixtures.
        .target(
            name: "TestSupport",
            dependencies: [
                "TfdriftCore", "Detector",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // `tfdriftctl doctor`: the production-readiness checklist (SPEC §8), read-only probes.
        .target(
            name: "Doctor",
            dependencies: [
                "TfdriftCore", "Detector", "GrafanaProvision", "AWSClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            // The sample run's CloudTrail, state and expectations are compiled in.
            exclude: ["Resources", "embedded-resources.txt"],
            swiftSettings: strict,
            plugins: ["EmbedResources"]
        ),
        // The application layer: builds sources, states, sinks and services from the config (what `run`,
        // `replay`, `silence`, `doctor` need), so the executable only parses, calls one method and renders.
        .target(
            name: "TfdriftApp",
            dependencies: [
                "TfdriftCore", "Detector", "DetectorServer", "GrafanaProvision", "AWSClient", "HTTPTransportAHC", "Doctor",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Data files compiled into the modules that use them, so the binary ships alone (no bundle).
        .plugin(name: "EmbedResources", capability: .buildTool(), dependencies: ["EmbedResourcesTool"]),
        .executableTarget(name: "EmbedResourcesTool", swiftSettings: strict),
        // Thin command line: parse, call the application layer, render, exit codes.
        .executableTarget(
            name: "tfdriftctl",
            dependencies: [
                "TfdriftCore", "Detector", "DetectorServer", "GrafanaProvision", "AWSClient", "Doctor", "TfdriftApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "TfdriftCoreTests", dependencies: ["TfdriftCore"], swiftSettings: strict),
        // Every scan kernel held to the byte-at-a-time reference; Detector for its gunzip of the real trails.
        .testTarget(name: "CJSONScanTests", dependencies: ["CJSONScan", "Detector", "TfdriftCore"], swiftSettings: strict),
        .testTarget(
            name: "TfdriftAppTests", dependencies: ["TfdriftApp", "AWSClient"], swiftSettings: strict),
        .testTarget(
            name: "DetectorTests",
            dependencies: ["Detector", "TfdriftCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AWSClientTests",
            dependencies: [
                "AWSClient", "HTTPTransportAHC", "TfdriftCore", "TestSupport",
                // The ECS agent and IMDSv2 stand-ins for the container and instance-profile providers.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GrafanaProvisionTests",
            dependencies: ["GrafanaProvision", "TestSupport", "HTTPTransportAHC", "TfdriftCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DetectorServerTests",
            dependencies: [
                "DetectorServer", "Detector", "TestSupport", "HTTPTransportAHC", "TfdriftCore",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "DoctorTests",
            dependencies: [
                "Doctor", "TestSupport", "HTTPTransportAHC", "TfdriftCore", "GrafanaProvision", "Detector", "DetectorServer",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            // Golden reports are read from the source tree by path, not bundled.
            exclude: ["Golden"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["tfdriftctl", "HTTPTransportAHC", "TfdriftCore", "AWSClient", "Detector", "TestSupport"],
            swiftSettings: strict
        ),
    ]
)
