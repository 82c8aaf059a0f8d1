// libFuzzer entry point for FuzzTarget.tree: reading inside a captured tree with links in and out of it (MachineRoot).
// The body is in Tests/BootProfilerTests/Fuzz/FuzzTargets.swift, which the
// tests compile and replay fuzz/regressions/tree/ through. scripts/fuzz builds it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzTarget.tree.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
