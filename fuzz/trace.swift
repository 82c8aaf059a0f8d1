// libFuzzer entry point for FuzzTarget.trace: the kprobe trace parser with its integrity checks, then the counts.
// The body is in Tests/BootProfilerTests/Fuzz/FuzzTargets.swift, which the
// tests compile and replay fuzz/regressions/trace/ through. scripts/fuzz builds it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzTarget.trace.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
