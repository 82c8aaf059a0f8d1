// libFuzzer entry point for FuzzTarget.config: the config-space decoder and the lspci views over it.
// The body is in Tests/BootProfilerTests/Fuzz/FuzzTargets.swift, which the
// tests compile and replay fuzz/regressions/config/ through. scripts/fuzz builds it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzTarget.config.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
