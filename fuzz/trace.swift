// libFuzzer target: the kprobe trace parser through its file entry point,
// then the counts, latencies and table built from it. Built and run by
// scripts/fuzz.
import Glibc
@testable import Enumerator
@testable import BootProfiler

let input = InputFile("trace")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let path = input.holding(data, size)
    guard let (accesses, parser) = try? TraceFile.parse(path) else { return 0 }
    let present = parser.present ?? TraceCounts.inferredPresent(accesses)
    let counts = TraceCounts.counts(accesses, present: present, base: .type1, extended: .ecam, source: "fuzz")
    let latencies = TraceCounts.latencies(accesses, source: "fuzz")
    _ = TraceRenderer.render(window: parser.window ?? "fuzz", counts: counts, latencies: latencies, parser: parser, skipped: [])
    return 0
}
