import Foundation

/// Paths of the real captures under fixtures/.
enum Fixtures {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()
    static func tree(_ name: String) -> String { root + "/fixtures/sysfs/" + name }
    static func log(_ name: String) -> String { root + "/fixtures/logs/" + name }
    static func text(_ name: String) throws -> String { try String(contentsOfFile: log(name), encoding: .utf8) }

    static func temporary(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "pcitime-boot-tests-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/" + name
    }
}

extension Fixtures {
    static func trace(_ name: String) -> String { root + "/fixtures/traces/" + name }
}
