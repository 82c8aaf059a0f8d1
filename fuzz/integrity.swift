// libFuzzer entry point for FuzzTarget.integrity: trace integrity, then the trace against a real kernel log (TraceFit).
// The body is in Tests/BootProfilerTests/Fuzz/FuzzTargets.swift, which the
// tests compile and replay fuzz/regressions/integrity/ through. scripts/fuzz builds it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzTarget.integrity.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
