// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "pcitime",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "pcitime", targets: ["pcitime"]),
        .library(name: "Enumerator", targets: ["Enumerator"]),
        .library(name: "BootProfiler", targets: ["BootProfiler"]),
    ],
    dependencies: [
        // A patched copy of swift-argument-parser 1.8.2 that links no Foundation (Vendor/swift-argument-parser/PATCHES.md).
        .package(path: "Vendor/swift-argument-parser"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.1.0"),
    ],
    targets: [
        // C: libpci (pkg-config libpci = -lpci) plus what Swift cannot express:
        // variadic-call wrappers, port I/O, a serialising TSC read, volatile MMIO loads.
        .target(
            name: "CLibPCI",
            linkerSettings: [.linkedLibrary("pci")]
        ),
        .target(
            name: "Enumerator",
            dependencies: [
                "CLibPCI",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ]
        ),
        .target(
            name: "BootProfiler",
            dependencies: [
                "Enumerator",
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            // The census, cost model and renderers: size over speed in release
            // (0.19 MB of the binary; scan never runs this code). scripts/build-release.
            swiftSettings: [.unsafeFlags(["-Osize"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "pcitime",
            dependencies: [
                "Enumerator",
                "BootProfiler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["VersionStamp"]
        ),
        // `pcitime --version`: the git revision the binary is built from.
        .plugin(name: "VersionStamp", capability: .buildTool()),
        .testTarget(
            name: "EnumeratorTests",
            dependencies: ["Enumerator", .product(name: "Histogram", package: "hdrhistogram-swift")],
            path: "Tests/EnumeratorTests"
        ),
        .testTarget(
            name: "BootProfilerTests",
            dependencies: ["BootProfiler", "Enumerator"],
            path: "Tests/BootProfilerTests"
        ),
    ]
)
