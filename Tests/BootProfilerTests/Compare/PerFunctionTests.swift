@testable import BootProfiler
@testable import Enumerator
import Foundation
import Testing

/// Per-function medians, the pool's multimodality check and the weighted
/// projection: structure on the Firecracker capture, arithmetic on fixed
/// inputs. No timing decides a result.
@Suite struct PerFunctionTests {
    static func comparison(_ from: UInt64, _ to: UInt64, low: Double, high: Double) -> Bootstrap.MedianComparison {
        Bootstrap.MedianComparison(baselineMedian: from, otherMedian: to, ratio: Double(to) / Double(from), ratioLow: 0, ratioHigh: 0,
                                   difference: Double(from) - Double(to), differenceLow: low, differenceHigh: high,
                                   confidence: 0.95, resamples: 1000, seed: 1)
    }

    /// The H200 guest's shape: a GPU at 21.4 -> 19.2 us and a host bridge at
    /// 10.3 -> 7.19 us, 100 and 50 accesses, 10 more at the pooled medians.
    @Test func weightedProjectionArithmetic() {
        let gpu = PCIAddress(bus: 0, device: 2, function: 0), host = PCIAddress(bus: 0, device: 0, function: 0)
        let w = WeightedProjection(from: "sysfs", to: "ecam", accessesBasis: Provenance(.given, "test"),
                                   parts: [(gpu, 100, Self.comparison(21400, 19200, low: 2100, high: 2300)),
                                           (host, 50, Self.comparison(10300, 7190, low: 3000, high: 3200))],
                                   rest: 10, pooled: Self.comparison(18000, 15000, low: 2900, high: 3100), kernelBootMicroseconds: 500_000)
        #expect(w.accesses == 160)
        #expect(w.parts.map(\.bdf) == [gpu, host, nil])
        #expect(w.parts.map(\.accesses) == [100, 50, 10])
        // 100 x 21.4 + 50 x 10.3 + 10 x 18.0 us = 2.14 + 0.515 + 0.18 ms
        #expect(abs(w.fromMs - 2.835) < 1e-12)
        // 100 x 19.2 + 50 x 7.19 + 10 x 15.0 us = 1.92 + 0.3595 + 0.15 ms
        #expect(abs(w.toMs - 2.4295) < 1e-12)
        // 2.835 - 2.4295 ms; each part's interval: 100 x 2.1-2.3, 50 x 3.0-3.2, 10 x 2.9-3.1 us
        #expect(abs(w.savedMs - 0.4055) < 1e-12)
        #expect(abs(w.savedLowMs - 0.389) < 1e-12)
        #expect(abs(w.savedHighMs - 0.421) < 1e-12)
        // 0.4055 ms of a 500 ms kernel boot
        #expect(abs(w.share! - 0.000811) < 1e-12)
        // The pooled projection of the same 160 accesses prices them all at 18.0 -> 15.0 us.
        let pooled = Projection(accesses: 160, accessesBasis: Provenance(.given, "test"), accessKind: "accesses", from: ("sysfs", "x"),
                                to: ("ecam", "y"), comparison: Self.comparison(18000, 15000, low: 2900, high: 3100),
                                kernelBootMicroseconds: nil, kernelBootBasis: nil)
        #expect(abs(pooled.savedMilliseconds - 0.48) < 1e-12)
        let text = CompareTable.weightedText(w)
        #expect(text.hasPrefix("  weighted by function: the same 160 accesses, each function's at its own p50: sysfs 2.84 ms, ecam 2.43 ms: 0.41 ms saved"))
        #expect(text.contains("00:02.0 100 x 21.4us/19.2us, 00:00.0 50 x 10.3us/7.19us, other 10 x 18.0us/15.0us"))
    }

    /// Two clusters far apart are multimodal; one function's samples against
    /// a copy of themselves are not.
    @Test func poolCheckOnFixedSamples() {
        let host = (0..<200).map { UInt64(10_000 + $0 % 7 * 50) }
        let gpu = (0..<200).map { UInt64(21_000 + $0 % 5 * 100) }
        let c = Bootstrap.compareMedians(baseline: host, other: gpu, resamples: 200, seed: 7)
        let a = PCIAddress(bus: 0, device: 0, function: 0), b = PCIAddress(bus: 0, device: 2, function: 0)
        let mixed = PoolCheck(method: "sysfs", fastest: a, slowest: b, comparison: c)
        #expect(mixed.multimodal && mixed.ratioLow > PoolCheck.threshold)
        #expect(mixed.warning.hasPrefix("sysfs: the pooled distribution is multimodal: 00:02.0 p50 21.2us against 00:00.0 10.2us"))
        let same = PoolCheck(method: "sysfs", fastest: a, slowest: b,
                             comparison: Bootstrap.compareMedians(baseline: host, other: host, resamples: 200, seed: 7))
        #expect(!same.multimodal)
    }

    /// On the capture's six functions: a row per function, a pool check per
    /// method, the table's per-function section, the JSON keys, and a
    /// weighted projection from the model's per-device counts.
    @Test func structureOnTheCapture() throws {
        let options = MethodOptions(root: Fixtures.tree("firecracker"))
        let log = CompareKernelLog(file: nil, root: options.root)
        var r = try Comparison.run(CompareRequest(methods: ["sysfs-base", "sysfs"], samples: 3, warmup: 0, resamples: 20, kernelLog: log.profile),
                                   options: options, timer: AccessTimer(source: .clockMonotonic))
        #expect(r.functions.count == 6)
        #expect(r.perFunction.map(\.function) == r.functions)
        #expect(r.perFunction.allSatisfy { $0.mediansNs.count == 2 && $0.comparisons.count == 1 })
        #expect(r.poolChecks.map(\.method) == ["sysfs-base", "sysfs"])
        #expect(r.poolChecks.allSatisfy { $0.fastest != $0.slowest })
        r.project(.model, options: options, log: log)
        #expect(r.weightedProjections.count == 1)
        let w = r.weightedProjections[0]
        #expect(w.accesses == r.projections[0].accesses)
        #expect(w.parts.compactMap(\.bdf) == r.functions)
        let text = CompareTable.render(r)
        #expect(text.contains("\np50 per function and pooled (measured; ratios with their 95% bootstrap interval)\nBDF "))
        #expect(text.contains("\npooled "))
        #expect(text.contains("  weighted by function: the same \(w.accesses) accesses"))
        let json = try JSONSerialization.jsonObject(with: Data(CompareJSON(r).encoded().utf8)) as! [String: Any]
        let rows = json["per_function_medians"] as! [[String: Any]]
        #expect(rows.count == 6 && (rows[0]["medians_ns"] as! [String: Any]).keys.sorted() == ["sysfs", "sysfs-base"])
        #expect((json["pool_checks"] as! [[String: Any]]).first?.keys.contains("slowest_p50_ns") == true)
        let wp = (json["weighted_projections"] as! [[String: Any]])[0]
        #expect(["from_ms", "to_ms", "saved_ms", "saved_low_ms", "saved_high_ms", "parts"].allSatisfy { wp[$0] != nil })
        #expect(((wp["parts"] as! [[String: Any]])[0]).keys.sorted() == ["accesses", "bdf", "from_ns", "to_ns"])
    }
}
