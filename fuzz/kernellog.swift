// libFuzzer target: the kernel-log parser through its file entry point
// (LineReader's streaming, every log form, timestamps), then the cost model
// and every renderer over the profile. Built and run by scripts/fuzz.
import Glibc
@testable import Enumerator
@testable import BootProfiler

/// One file, rewritten per input and read back through /proc/self/fd.
let fd: Int32 = {
    let path = "/dev/shm/pcitime-fuzz-kernellog-\(getpid())"
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    unlink(path)
    return fd
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    precondition(fd >= 0 && ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == size)
    guard let p = try? KernelLog.profile(path: "/proc/self/fd/\(fd)") else { return 0 }
    let counts = AccessCounts(provenance: .modelled("fuzz"), devices: [], empty: [], baseMechanism: .type1, extendedMechanism: .ecam)
    let latencies = [LatencyEstimate(mechanism: .type1, nanoseconds: 1000, provenance: .modelled("fuzz")),
                     LatencyEstimate(mechanism: .ecam, nanoseconds: 500, provenance: .modelled("fuzz"))]
    let cost = CostModel.report(profile: p, counts: counts, latencies: latencies)
    _ = TableRenderer.render(source: "fuzz", profile: p, cost: cost, counts: counts, tracing: nil)
    _ = PerfettoRenderer.render(p, counts: counts)
    _ = SVGRenderer.render(p, title: "fuzz")
    return 0
}
