import BootProfiler
import Enumerator
import Foundation
import Testing

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

/// One boot census fixture: fixtures/ftrace/KERNEL/TOPOLOGY/VARIANT (see
/// scripts/census-fixtures): the trace, the same boot's log, and two counts
/// made outside pcitime: QEMU's of the boot, and the raw trace's.
struct CensusFixture: CustomTestStringConvertible, Sendable {
    var kernel: String
    var topology: String
    var variant: String
    var dir: String { Fixtures.root + "/fixtures/ftrace/\(kernel)/\(topology)/\(variant)/" }
    /// `snapshot`, or `trace` for kernels before 6.0 (no boot snapshot).
    var trace: String { dir + (FileManager.default.fileExists(atPath: dir + "snapshot") ? "snapshot" : "trace") }
    var dmesg: String { dir + "dmesg.txt" }
    var arguments: Bool { variant.hasSuffix("-args") }
    var testDescription: String { "\(kernel)/\(topology)/\(variant)" }

    init(_ kernel: String, _ topology: String, _ variant: String = "function") {
        self.kernel = kernel
        self.topology = topology
        self.variant = variant
    }

    /// Every fixture in the tree.
    static let all: [CensusFixture] = {
        let base = Fixtures.root + "/fixtures/ftrace"
        let fm = FileManager.default
        var out: [CensusFixture] = []
        for k in ((try? fm.contentsOfDirectory(atPath: base)) ?? []).sorted() {
            for t in ((try? fm.contentsOfDirectory(atPath: base + "/" + k)) ?? []).sorted() {
                for v in ((try? fm.contentsOfDirectory(atPath: base + "/" + k + "/" + t)) ?? []).sorted() { out.append(CensusFixture(k, t, v)) }
            }
        }
        return out
    }()

    func census() throws -> BootCensus {
        let p = try KernelLog.profile(path: dmesg)
        let (calls, parser) = try TraceSource.parse(path: trace)
        return try BootCensus.build(calls: calls, parser: parser, profile: p, source: testDescription, name: testDescription)
    }

    struct QEMUCount: Decodable {
        struct Device: Decodable { var bdf: String; var reads: Int; var writes: Int; var past_0xff: Int }
        struct Early: Decodable { var reads: Int; var writes: Int; var devices: [String: ReadWrite] }
        var reads: Int
        var writes: Int
        var devices: [Device]
        var before_tracer: Early
    }
    struct RawCount: Decodable {
        struct Device: Decodable { var reads: Int; var writes: Int; var past_0xff: Int }
        var calls: Int
        var by_function: [String: Int]
        var peer_bus_probes: Int
        var lost: Int
        var by_device: [String: Device]
    }
    /// scripts/qemu-boot-count of the boot's QEMU trace.
    func qemu() throws -> QEMUCount { try JSONDecoder().decode(QEMUCount.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "qemu-boot-count.json"))) }
    /// scripts/ftrace-count of the trace up to "Run /init".
    func raw() throws -> RawCount { try JSONDecoder().decode(RawCount.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "ftrace-count.json"))) }
}
