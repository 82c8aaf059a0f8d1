/// The kernel log's line about an ECAM window, in the forms Linux prints:
///   `PCI: ECAM [mem 0xeec00000-0xeecfffff] (base 0xeec00000) for domain 0000 [bus 00-00]` (6.x)
///   `PCI: MMCONFIG for domain 0000 [bus 00-ff] at [mem 0xb0000000-0xbfffffff] (base 0xb0000000)` (older)
///   `acpi PNP0A08:00: MMCONFIG at [mem 0xe0000000-0xefffffff] (base 0xe0000000)` (ACPI `_CBA`, as on
///   QEMU microvm: no domain or buses, so segment 0 and the buses the range spans)
/// The one parser of these lines: `mcfg`'s cross-check and the boot profile both read them here.
package struct ECAMLogLine: Sendable, Equatable {
    package var segment: UInt16
    package var startBus: UInt8
    package var endBus: UInt8
    package var base: UInt64?

    package init?<S: StringProtocol>(_ line: S) {
        let u = Array(line.utf8)
        let base = Self.hex(u, after: "(base 0x")?.value
        if let bus = Self.hex(u, after: "[bus ", maxDigits: 2) {
            startBus = UInt8(bus.value)
            endBus = bus.end < u.count && u[bus.end] == UInt8(ascii: "-")
                ? Self.hex(u, at: bus.end + 1, maxDigits: 2).map { UInt8($0.value) } ?? startBus : startBus
            segment = Self.hex(u, after: "domain ", maxDigits: 4).map { UInt16($0.value) } ?? 0
            self.base = base
        } else if let range = Self.hex(u, after: "MMCONFIG at [mem 0x"), let base,
                  range.end + 3 <= u.count, u[range.end] == UInt8(ascii: "-"),
                  let end = Self.hex(u, at: range.end + 3), u[range.end + 1] == UInt8(ascii: "0"), u[range.end + 2] == UInt8(ascii: "x"),
                  range.value >= base, end.value > range.value, (end.value - base) >> 20 <= 255 {
            segment = 0
            startBus = UInt8((range.value - base) >> 20)
            endBus = UInt8((end.value - base) >> 20)
            self.base = base
        } else {
            return nil
        }
    }

    /// The window, when the line gives a base and a sound bus range.
    package var window: ECAMWindow? {
        guard let base, startBus <= endBus else { return nil }
        let w = ECAMWindow(base: base, segment: segment, startBus: startBus, endBus: endBus)
        return w.fitsAddressSpace ? w : nil
    }

    static func hex(_ u: [UInt8], after marker: String, maxDigits: Int = 16) -> (value: UInt64, end: Int)? {
        let m = Array(marker.utf8)
        guard u.count >= m.count else { return nil }
        for i in 0...(u.count - m.count) where u[i] == m[0] && Array(u[i..<(i + m.count)]) == m {
            return hex(u, at: i + m.count, maxDigits: maxDigits)
        }
        return nil
    }

    static func hex(_ u: [UInt8], at i: Int, maxDigits: Int = 16) -> (value: UInt64, end: Int)? {
        u.withUnsafeBufferPointer { Hex.value($0, at: i, maxDigits: maxDigits) }
    }
}

/// The ECAM windows the kernel log announces (see `ECAMLogLine`), each once.
package func ecamWindows(inKernelLog text: String) -> [ECAMWindow] {
    var found: [ECAMWindow] = []
    var text = text
    text.withUTF8 { all in
        var start = 0
        while start < all.count {
            let end = all[start...].firstIndex(of: UInt8(ascii: "\n")) ?? all.count
            addWindow(UnsafeBufferPointer(rebasing: all[start..<end]), to: &found)
            start = end + 1
        }
    }
    return found
}

/// The ECAM windows a machine's kernel log announces: the live ring buffer
/// (nil when it cannot be read), or a capture's dmesg.txt line by line in
/// constant memory (nil when absent; a FIFO or a binary file is refused).
package func ecamWindows(inKernelLogOf root: MachineRoot) throws -> [ECAMWindow]? {
    if root.isLive { return (try? KernelLogSource.live.text()).map(ecamWindows(inKernelLog:)) }
    var found: [ECAMWindow] = []
    let read = try root.forEachLine(MachineRoot.kernelLog) { p, n in
        addWindow(UnsafeBufferPointer(start: p, count: n), to: &found)
    }
    return read == nil ? nil : found
}

/// Adds the window one kernel log line announces to `found`, once. Only a
/// line that mentions a window becomes a string.
private func addWindow(_ line: UnsafeBufferPointer<UInt8>, to found: inout [ECAMWindow]) {
    guard line.containsText("ECAM [mem") || line.containsText("MMCONFIG"),
          let w = ECAMLogLine(String(decoding: line, as: UTF8.self))?.window,
          !found.contains(w) else { return }
    found.append(w)
}
