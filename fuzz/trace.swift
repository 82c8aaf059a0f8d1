// libFuzzer target: the kprobe trace parser through its file entry point,
// then the counts, latencies and table built from it. Built and run by
// scripts/fuzz.
import Glibc
@testable import Enumerator
@testable import BootProfiler

/// One file, rewritten per input and read back through /proc/self/fd.
let fd: Int32 = {
    let path = "/dev/shm/pcitime-fuzz-trace-\(getpid())"
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    unlink(path)
    return fd
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    precondition(fd >= 0 && ftruncate(fd, 0) == 0 && pwrite(fd, data, size, 0) == size)
    guard let (accesses, parser) = try? TraceFile.parse("/proc/self/fd/\(fd)") else { return 0 }
    let present = parser.present ?? TraceCounts.inferredPresent(accesses)
    let counts = TraceCounts.counts(accesses, present: present, base: .type1, extended: .ecam, source: "fuzz")
    let latencies = TraceCounts.latencies(accesses, source: "fuzz")
    _ = TraceRenderer.render(window: parser.window ?? "fuzz", counts: counts, latencies: latencies, parser: parser, skipped: [])
    return 0
}
