// libFuzzer entry point for FuzzTarget.kernellog: the kernel-log parser, the cost model and every renderer.
// The body is in Tests/BootProfilerTests/Fuzz/FuzzTargets.swift, which the
// tests compile and replay fuzz/regressions/kernellog/ through. scripts/fuzz builds it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzTarget.kernellog.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
