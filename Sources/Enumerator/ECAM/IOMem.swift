/// `/proc/iomem`: the kernel's map of physical memory. pcitime uses it to find
/// ECAM windows the kernel reserved and to refuse windows that overlap RAM.
package struct IOMem: Sendable {
    package struct Region: Sendable, Equatable {
        package var start: UInt64
        package var end: UInt64
        package var name: String
        package var depth: Int
    }
    package var regions: [Region]

    /// Walks the text as UTF-8 (the file is ASCII): splitting into Characters
    /// was 0.7 M instructions of every `pcitime scan`, whose `auto` looks at
    /// ECAM first.
    package init(text: String) {
        regions = text.utf8.split(separator: UInt8(ascii: "\n")).compactMap { bytes in
            let line = Substring(bytes)
            let spaces = line.utf8.prefix { $0 == UInt8(ascii: " ") }.count
            let body = line[line.utf8.index(line.startIndex, offsetBy: spaces)...]
            guard let colon = body.range(ofText: " : "),
                  let dash = body.utf8[..<colon.lowerBound].firstIndex(of: UInt8(ascii: "-")),
                  let start = UInt64(body[..<dash], radix: 16),
                  let end = UInt64(body[body.utf8.index(after: dash)..<colon.lowerBound], radix: 16)
            else { return nil }
            return Region(start: start, end: end, name: String(body[colon.upperBound...]), depth: spaces / 2)
        }
    }

    /// The live `/proc/iomem`; nil when it cannot be read. Addresses read
    /// as zeros for non-root.
    package init?(path: String) {
        guard let text = FileContents.text(path) else { return nil }
        self.init(text: text)
    }

    /// A machine's `/proc/iomem` (inside a captured tree, bounded); nil when absent.
    package init?(root: MachineRoot) throws {
        guard let bytes = try root.bytes(MachineRoot.iomem, limit: MachineRoot.iomemLimit, what: "/proc/iomem") else { return nil }
        self.init(text: String(decoding: bytes, as: UTF8.self))
    }

    /// False when every address is zero: the kernel hides them from non-root.
    package var showsAddresses: Bool { regions.contains { $0.start != 0 || $0.end != 0 } }

    /// "PCI ECAM 0000 [bus 00-ff]" (Linux 6.x) or "PCI MMCONFIG 0000 [bus 00-ff]".
    package var ecamWindows: [ECAMWindow] {
        regions.compactMap { r in
            guard let (seg, first, last) = IOMem.ecamRegion(r.name), first <= last, r.start >= UInt64(first) << 20
            else { return nil }
            let w = ECAMWindow(base: r.start - UInt64(first) << 20, segment: seg, startBus: first, endBus: last)
            return w.fitsAddressSpace ? w : nil
        }
    }

    /// Segment and buses of a name holding "PCI ECAM SSSS [bus BB-BB]" or
    /// "PCI MMCONFIG SSSS [bus BB-BB]" (hex, exactly that many digits).
    static func ecamRegion(_ name: String) -> (UInt16, UInt8, UInt8)? {
        guard let r = name.range(ofText: "PCI ECAM ") ?? name.range(ofText: "PCI MMCONFIG ") else { return nil }
        let rest = Array(name[r.upperBound...].utf8)
        let shape = Array("0000 [bus 00-00]".utf8)
        guard Hex.matches(rest, shape: shape),
              let seg = UInt16(String(decoding: rest[0..<4], as: UTF8.self), radix: 16),
              let first = UInt8(String(decoding: rest[10..<12], as: UTF8.self), radix: 16),
              let last = UInt8(String(decoding: rest[13..<15], as: UTF8.self), radix: 16)
        else { return nil }
        return (seg, first, last)
    }

    /// The first System RAM region overlapping [start, end], if any.
    package func ram(overlapping start: UInt64, _ end: UInt64) -> Region? {
        regions.first { $0.name == "System RAM" && $0.start <= end && start <= $0.end }
    }
}
