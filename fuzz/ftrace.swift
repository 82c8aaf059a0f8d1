// libFuzzer target: the boot-census ftrace parser (function and
// function_graph text) through its file entry point, then the census
// against a fixed kernel log, its latency, pricing, what-if table and
// renderers. Built and run by scripts/fuzz.
import Glibc
@testable import Enumerator
@testable import BootProfiler

let input = InputFile("ftrace")
// A small log with a scan, two devices, a driver and init: every census path.
let profile = try! KernelLog.profile(text: """
    [    0.100000] Linux version 6.1.0 (fuzz)
    [    0.500000] PCI: Using configuration type 1 for base access
    [    1.000000] PCI host bridge to bus 0000:00
    [    1.001000] pci 0000:00:00.0: [8086:29c0] type 00 class 0x060000
    [    1.002000] pci 0000:00:05.0: [1b36:000c] type 01 class 0x060400
    [    1.003000] pci 0000:01:00.0: [1af4:1044] type 00 class 0x00ff00
    [    1.004000] pci_bus 0000:00: resource 4 [io  0x0000-0x0cf7 window]
    [    1.500000] virtio-pci 0000:01:00.0: enabling device (0000 -> 0002)
    [    2.000000] Run /init as init process
    """)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let path = input.holding(data, size)
    guard let run = try? CensusRun.load(files: [path], root: "/", live: false, profile: profile) else { return 0 }
    var r = run
    r.price(profile: profile, fallback: [LatencyEstimate(mechanism: .type1, nanoseconds: 1000, provenance: .modelled("fuzz")),
                                          LatencyEstimate(mechanism: .ecam, nanoseconds: 500, provenance: .modelled("fuzz"))])
    _ = CensusTable.render(r)
    _ = PerfettoRenderer.render(profile, counts: r.counts, census: r)
    _ = SVGRenderer.render(profile, title: "fuzz", census: r)
    return 0
}
