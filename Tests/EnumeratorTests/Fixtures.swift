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
    static func log(_ name: String) -> String { repo + "/fixtures/logs/" + name }
    static func trace(_ name: String) -> String { repo + "/fixtures/traces/" + name }
    /// A boot census fixture's folder (ending in /): fixtures/ftrace/KERNEL/TOPOLOGY/VARIANT/.
    static func census(_ kernel: String, _ topology: String, _ variant: String = "function") -> String {
        repo + "/fixtures/ftrace/\(kernel)/\(topology)/\(variant)/"
    }

    static func bytes(_ path: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: path) ?? Data())
    }

    /// A scratch directory (0755) the caller removes with `remove`.
    static func scratch() -> String {
        var template = Array((NSTemporaryDirectory() + "pcitime-test-XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else {
            Issue.record("cannot create a scratch directory: \(String(cString: strerror(errno)))")
            return "/nonexistent/pcitime-test"
        }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        chmod(path, 0o755)
        return path
    }

    /// rm -r: links, FIFOs and files unlinked, folders emptied then removed.
    static func remove(_ path: String) {
        var st = stat()
        if lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR {
            for name in (FileContents.names(inDirectory: path) ?? []).sorted() { remove(path + "/" + name) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    /// Scans a captured tree through sysfs.
    static func scan(_ name: String, method: String = "sysfs") throws -> ScanReport {
        try Scanner.scan(method: method, options: MethodOptions(root: tree(name)))
    }
}
