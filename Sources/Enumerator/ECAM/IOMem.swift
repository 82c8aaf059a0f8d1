/// `/proc/iomem`: the kernel's map of physical memory. pcitime uses it to find
/// ECAM windows the kernel reserved and to refuse windows that overlap RAM.
public struct IOMem: Sendable {
    public struct Region: Sendable, Equatable {
        public var start: UInt64
        public var end: UInt64
        public var name: String
        public var depth: Int
    }
    public var regions: [Region]

    public init(text: String) {
        regions = text.split(separator: "\n").compactMap { line in
            let depth = line.prefix { $0 == " " }.count / 2
            let body = line.drop { $0 == " " }
            guard let colon = body.firstRange(of: " : "),
                  let dash = body[..<colon.lowerBound].firstIndex(of: "-"),
                  let start = UInt64(body[..<dash], radix: 16),
                  let end = UInt64(body[body.index(after: dash)..<colon.lowerBound], radix: 16)
            else { return nil }
            return Region(start: start, end: end, name: String(body[colon.upperBound...]), depth: depth)
        }
    }

    /// Nil when the file is missing; addresses read as zeros for non-root.
    public init?(path: String) {
        guard let text = FileContents.text(path) else { return nil }
        self.init(text: text)
    }

    /// False when every address is zero: the kernel hides them from non-root.
    public var showsAddresses: Bool { regions.contains { $0.start != 0 || $0.end != 0 } }

    /// "PCI ECAM 0000 [bus 00-ff]" (Linux 6.x) or "PCI MMCONFIG 0000 [bus 00-ff]".
    public var ecamWindows: [ECAMWindow] {
        regions.compactMap { r in
            guard let m = r.name.firstMatch(of: /PCI (?:ECAM|MMCONFIG) ([0-9a-fA-F]{4}) \[bus ([0-9a-fA-F]{2})-([0-9a-fA-F]{2})\]/),
                  let seg = UInt16(m.1, radix: 16), let first = UInt8(m.2, radix: 16), let last = UInt8(m.3, radix: 16),
                  first <= last, r.start >= UInt64(first) << 20
            else { return nil }
            let w = ECAMWindow(base: r.start - UInt64(first) << 20, segment: seg, startBus: first, endBus: last)
            return w.fitsAddressSpace ? w : nil
        }
    }

    /// The first System RAM region overlapping [start, end], if any.
    public func ram(overlapping start: UInt64, _ end: UInt64) -> Region? {
        regions.first { $0.name == "System RAM" && $0.start <= end && start <= $0.end }
    }
}
