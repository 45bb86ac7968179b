// swift-tools-version:6.2
import PackageDescription

// Our own targets are strict: Swift 6 mode (the tools version), warnings as errors, and the
// upcoming features the design card asks for.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

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
    ],
    targets: [
        // zlib, for CloudTrail's .json.gz files (gzip detected by magic bytes, not by name).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // Config model and loader, errors, redaction, the maintenance-window calendar.
        .target(
            name: "TfdriftCore",
            dependencies: [
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
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("Resources/catalog")],
            swiftSettings: strict
        ),
        // Thin command line: parse, wire, render, exit codes.
        .executableTarget(
            name: "tfdriftctl",
            dependencies: [
                "TfdriftCore", "Detector",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(name: "TfdriftCoreTests", dependencies: ["TfdriftCore"], swiftSettings: strict),
        .testTarget(
            name: "DetectorTests",
            dependencies: ["Detector", "TfdriftCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["tfdriftctl"],
            swiftSettings: strict
        ),
    ]
)
