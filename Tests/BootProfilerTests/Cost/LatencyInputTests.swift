import Foundation
import Testing
@testable import BootProfiler
import Enumerator

/// `pcitime boot --latency FILE` reads what scan and compare print.
@Suite struct LatencyInputTests {
    static let tree = Fixtures.root + "/fixtures/sysfs/firecracker"

    @Test func compareJSONPricesTheKernelsTwoMechanisms() throws {
        let report = try Comparison.run(CompareRequest(methods: ["sysfs-base", "sysfs-ext"], samples: 3, warmup: 0, resamples: 10),
                                        options: MethodOptions(root: Self.tree))
        let path = Fixtures.temporary("compare.json")
        try CompareJSON(report).encoded().write(toFile: path, atomically: true, encoding: .utf8)
        let estimates = try LatencyInput.load(path: path)
        // 3 rounds of the 16 header dwords of 00:00.0, the one 4096-byte config file.
        #expect(estimates.map(\.mechanism) == [.type1, .ecam])
        #expect(estimates.allSatisfy { $0.provenance.kind == .measured })
        #expect(estimates[0].provenance.source.contains("median of 48 sysfs-base reads by pcitime compare"))
    }

    @Test func scanJSONIsReadWithItsSnakeCaseKeys() throws {
        let report = try Scanner.scan(method: "sysfs", options: MethodOptions(root: Self.tree))
        let path = Fixtures.temporary("scan.json")
        try ScanJSON(report, names: Names(numeric: true)).encoded().write(toFile: path, atomically: true, encoding: .utf8)
        let estimates = try LatencyInput.load(path: path)
        #expect(estimates.map(\.mechanism) == [.sysfs])
        #expect(estimates[0].provenance.source.contains("per-function medians of 127 accesses"))
    }

    @Test func anythingElseIsAOneLineError() throws {
        let path = Fixtures.temporary("other.json")
        try "{\"x\": 1}".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: PCITimeError.input(path, "neither pcitime scan --json nor pcitime compare --json output nor {\"latencies\":[...]}")) {
            try LatencyInput.load(path: path)
        }
    }
}
