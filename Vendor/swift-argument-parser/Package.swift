// swift-tools-version:6.0
// swift-argument-parser 1.8.2 (tag 1.8.2, 436bde4bb9489201ca6662f5cf94ec45fa8e244e),
// its two library targets only, with the four patches PATCHES.md describes.
import PackageDescription

let package = Package(
  name: "swift-argument-parser",
  products: [
    .library(name: "ArgumentParser", targets: ["ArgumentParser"])
  ],
  targets: [
    // Upstream's own deprecation warnings are upstream's to fix: a remote
    // dependency's warnings are not shown, so a local copy's are not either.
    .target(
      name: "ArgumentParser", dependencies: ["ArgumentParserToolInfo"],
      swiftSettings: [.unsafeFlags(["-suppress-warnings"])]),
    .target(
      name: "ArgumentParserToolInfo",
      swiftSettings: [.unsafeFlags(["-suppress-warnings"])]),
  ]
)
