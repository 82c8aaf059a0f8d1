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
        // This machine cannot scan with pio or ecam (no ioperm, no /dev/mem):
        // the sysfs scan's real numbers, relabelled, stand for a pio scan.
        var scan = ScanJSON(try Scanner.scan(method: "sysfs", options: MethodOptions(root: Self.tree)), names: Names(numeric: true))
        scan.method = "pio"
        let path = Fixtures.temporary("scan.json")
        try scan.encoded().write(toFile: path, atomically: true, encoding: .utf8)
        let estimates = try LatencyInput.load(path: path)
        #expect(estimates.map(\.mechanism) == [.type1])
        #expect(estimates[0].provenance.source.contains("per-function medians of 127 accesses by pcitime scan --method pio"))
    }

    /// The help promised scan output; a sysfs scan was accepted and then
    /// ignored. It prices no mechanism, so it is refused with a line.
    @Test func aSysfsScanIsRefused() throws {
        let report = try Scanner.scan(method: "sysfs", options: MethodOptions(root: Self.tree))
        let path = Fixtures.temporary("sysfs-scan.json")
        try ScanJSON(report, names: Names(numeric: true)).encoded().write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: PCITimeError.input(path, "a 'sysfs' scan prices no config mechanism: give a scan with --method pio or --method ecam, or 'pcitime compare --json' output")) {
            try LatencyInput.load(path: path)
        }
    }

    @Test func anythingElseIsAOneLineError() throws {
        let path = Fixtures.temporary("other.json")
        try "{\"x\": 1}".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: PCITimeError.input(path, "neither pcitime scan --json, compare --json nor boot --json output, nor {\"latencies\":[...]}")) {
            try LatencyInput.load(path: path)
        }
    }
}
