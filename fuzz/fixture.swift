// libFuzzer entry point for FuzzTarget.fixture: a captured tree from an archive, scanned and read as --root reads it.
// The body is in Tests/BootProfilerTests/Fuzz/FuzzTargets.swift, which the
// tests compile and replay fuzz/regressions/fixture/ through. scripts/fuzz builds it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzTarget.fixture.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
