// libFuzzer target: the MCFG parser and the other ECAM sources (`/proc/iomem`
// text, the kernel log's ECAM lines, `--ecam` values), and the report built
// from what they yield. Built and run by scripts/fuzz.
@testable import Enumerator

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var windows: [ECAMWindow] = []
    if let m = try? MCFG(bytes: bytes, file: "MCFG") {
        windows += m.windows
        _ = m.lookup(segment: 0, bus: 0)
    }
    // The same bytes as a table whose signature, length and checksum are
    // right, so the fuzzer reaches the entries' checks.
    if bytes.count >= 36 {
        var t = bytes
        t.replaceSubrange(0..<4, with: Array("MCFG".utf8))
        for i in 0..<4 { t[4 + i] = UInt8(truncatingIfNeeded: t.count >> (8 * i)) }
        t[9] = 0
        t[9] = 0 &- t.reduce(0, &+)
        if let m = try? MCFG(bytes: t, file: "MCFG") {
            windows += m.windows
            _ = m.lookup(segment: 0, bus: 255)
        }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    let iomem = IOMem(text: text)
    windows += iomem.ecamWindows
    windows += ecamWindows(inKernelLog: text)
    if let w = try? ECAMDiscovery.parseOverride(text) { windows.append(w) }
    for w in windows {
        // What ECAMAccess and `pcitime mcfg` compute from a window.
        _ = w.firstAddress; _ = w.lastAddress; _ = w.size
        _ = iomem.ram(overlapping: w.firstAddress, w.lastAddress)
        _ = w.address(PCIAddress(segment: w.segment, bus: w.endBus, device: 31, function: 7), offset: 4092)
    }
    return 0
}
