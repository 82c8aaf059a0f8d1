import Foundation
@testable import Enumerator

/// Paths into the repository's captured fixtures.
enum Fixtures {
    static let repo: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static func tree(_ name: String) -> String { repo + "/fixtures/sysfs/" + name }

    static func bytes(_ path: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path) ?? Data())
    }

    /// A scratch directory removed by the caller.
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "pcitime-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Scans a captured tree through sysfs.
    static func scan(_ name: String, method: String = "sysfs") throws -> ScanReport {
        try Scanner.scan(method: method, options: MethodOptions(root: tree(name)))
    }
}
