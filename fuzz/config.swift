// libFuzzer target: the config-space decoder (header, BARs, capability and
// extended capability lists) on an image of any size, and the renderers
// over what it decodes. Built and run by scripts/fuzz.
@testable import Enumerator

let names = Names(numeric: true)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let a = PCIAddress(segment: 0, bus: 0, device: 3, function: 0)
    guard let f = try? ConfigDecoder.decode(a, BytesSource(bytes)) else { return 0 }
    _ = ScanTable.describe(f, names: names)
    _ = ScanTree.render([f])
    return 0
}
