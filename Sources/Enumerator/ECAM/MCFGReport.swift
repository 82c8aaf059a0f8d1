/// `pcitime mcfg`: the windows pcitime would use, where they came from, and
/// whether `/proc/iomem` and the kernel log agree.
public struct MCFGReport {
    public var discovery: ECAMDiscovery
    public var iomemWindows: [ECAMWindow]?
    public var iomemFile: String
    public var logWindows: [ECAMWindow]?

    public init(options: MethodOptions) throws {
        discovery = try ECAMDiscovery.discover(root: options.root, mcfgPath: options.mcfgPath, override: options.ecamOverride)
        iomemFile = options.root.appendingPath("proc/iomem")
        let iomem = IOMem(path: iomemFile)
        iomemWindows = iomem.flatMap { $0.showsAddresses ? $0.ecamWindows : nil }
        let log: KernelLogSource = options.isLive ? .live : .fixture(root: options.root)
        logWindows = (try? log.text()).map(ecamWindows(inKernelLog:))
    }

    public func render() -> String {
        var out = "source: \(discovery.source.rawValue) (\(discovery.file))\n"
        if let m = discovery.mcfg {
            out += "MCFG: revision \(m.revision), OEM \"\(m.oemID)\" table \"\(m.oemTableID)\", checksum \(m.checksumValid ? "valid" : "INVALID"), \(m.windows.count) entr\(m.windows.count == 1 ? "y" : "ies")\n"
        }
        out += "\n"
        var rows: [[String]] = []
        for w in discovery.windows {
            rows.append([hex(w.segment, 4), "\(hex(w.startBus, 2))-\(hex(w.endBus, 2))", hexAddress(w.base),
                         "\(hexAddress(w.firstAddress))-\(hexAddress(w.lastAddress))", "\(w.size >> 20) MiB",
                         agreement(w, iomemWindows), agreement(w, logWindows)])
        }
        out += TextTable.render(header: ["segment", "buses", "base", "window", "size", "/proc/iomem", "kernel log"], rows: rows, rightAligned: 4...4)
        return out
    }

    func agreement(_ w: ECAMWindow, _ others: [ECAMWindow]?) -> String {
        guard let others else { return "unreadable" }
        if others.contains(w) { return "agrees" }
        if let o = others.first(where: { $0.segment == w.segment }) {
            return "differs: \(hexAddress(o.firstAddress)) buses \(hex(o.startBus, 2))-\(hex(o.endBus, 2))"
        }
        return "absent"
    }
}
