// libFuzzer entry point for FuzzTarget.baseline: the JSON files boot reads
// back (--baseline, --latency). The body is in
// Tests/BootProfilerTests/Fuzz/FuzzTargets.swift, which the tests compile and
// replay fuzz/regressions/baseline/ and fuzz/corpus/baseline/ through.
// scripts/fuzz builds it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    FuzzTarget.baseline.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
