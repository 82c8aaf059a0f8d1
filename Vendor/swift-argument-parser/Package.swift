// swift-tools-version:6.0
// swift-argument-parser 1.8.2 (tag 1.8.2, 436bde4bb9489201ca6662f5cf94ec45fa8e244e),
// its two library targets with the four patches PATCHES.md describes, and its
// generate-manual plugin and tool as they are upstream (scripts/man runs them).
import PackageDescription

let package = Package(
  name: "swift-argument-parser",
  products: [
    .library(name: "ArgumentParser", targets: ["ArgumentParser"]),
    .plugin(name: "GenerateManual", targets: ["GenerateManual"]),
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
    // `swift package generate-manual` (scripts/man): a tool of its own, built
    // only when the plugin runs; it may use Foundation, pcitime never links it.
    .plugin(
      name: "GenerateManual",
      capability: .command(
        intent: .custom(
          verb: "generate-manual",
          description: "Generate a manual entry for a specified target.")),
      dependencies: ["generate-manual"]),
    .executableTarget(
      name: "generate-manual",
      dependencies: ["ArgumentParser", "ArgumentParserToolInfo"],
      path: "Tools/generate-manual",
      swiftSettings: [.unsafeFlags(["-suppress-warnings"])]),
  ]
)
