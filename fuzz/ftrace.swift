// libFuzzer entry point for FuzzTarget.ftrace: the boot census's ftrace parser, the census, its pricing and renderers.
// The body is in Tests/BootProfilerTests/Fuzz/FuzzTargets.swift, which the
// tests compile and replay fuzz/regressions/ftrace/ through. scripts/fuzz builds it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzTarget.ftrace.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
