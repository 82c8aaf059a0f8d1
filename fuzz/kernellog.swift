// libFuzzer target: the kernel-log parser through its file entry point
// (LineReader's streaming, every log form, timestamps), then the cost model
// and every renderer over the profile. Built and run by scripts/fuzz.
import Glibc
@testable import Enumerator
@testable import BootProfiler

let input = InputFile("kernellog")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let path = input.holding(data, size)
    guard let p = try? KernelLog.profile(path: path) else { return 0 }
    let counts = AccessCounts(provenance: .modelled("fuzz"), devices: [], empty: [], baseMechanism: .type1, extendedMechanism: .ecam)
    let latencies = [LatencyEstimate(mechanism: .type1, nanoseconds: 1000, provenance: .modelled("fuzz")),
                     LatencyEstimate(mechanism: .ecam, nanoseconds: 500, provenance: .modelled("fuzz"))]
    let cost = CostModel.report(profile: p, counts: counts, latencies: latencies)
    _ = TableRenderer.render(source: "fuzz", profile: p, cost: cost, counts: counts, tracing: nil)
    _ = PerfettoRenderer.render(p, counts: counts)
    _ = SVGRenderer.render(p, title: "fuzz")
    return 0
}
