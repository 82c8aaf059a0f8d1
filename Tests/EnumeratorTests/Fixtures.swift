import Foundation
import Testing
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
        var template = Array((NSTemporaryDirectory() + "pcitime-test-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else {
            Issue.record("cannot create a scratch directory: \(String(cString: strerror(errno)))")
            return "/nonexistent/pcitime-test"
        }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(path, 0o755)
        return path
    }

    /// Scans a captured tree through sysfs.
    static func scan(_ name: String, method: String = "sysfs") throws -> ScanReport {
        try Scanner.scan(method: method, options: MethodOptions(root: tree(name)))
    }
}
