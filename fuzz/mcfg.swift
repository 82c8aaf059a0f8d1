// libFuzzer entry point for FuzzTarget.mcfg: the MCFG parser and the other ECAM sources.
// The body is in Tests/BootProfilerTests/Fuzz/FuzzTargets.swift, which the
// tests compile and replay fuzz/regressions/mcfg/ through. scripts/fuzz builds it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzTarget.mcfg.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
