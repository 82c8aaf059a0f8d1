/// `pcitime mcfg`: the windows pcitime would use, where they came from, and
/// whether `/proc/iomem` and the kernel log agree.
public struct MCFGReport {
    public var discovery: ECAMDiscovery
    public var iomemWindows: [ECAMWindow]?
    public var iomemFile: String
    public var logWindows: [ECAMWindow]?

    public init(options: MethodOptions) throws {
        discovery = try ECAMDiscovery.discover(root: options.root, mcfgPath: options.mcfgPath, override: options.ecamOverride)
        let tree = options.tree
        iomemFile = tree.path(MachineRoot.iomem)
        let iomem = try IOMem(root: tree)
        iomemWindows = iomem.flatMap { $0.showsAddresses ? $0.ecamWindows : nil }
        logWindows = try ecamWindows(inKernelLogOf: tree)
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

/// `pcitime mcfg --json` (schema pcitime-mcfg/1, docs/schema/pcitime-mcfg-1.json).
/// Segments and buses as lspci prints them (hex), addresses as 0x hex
/// strings (a 64-bit address can exceed 2^53).
public struct MCFGJSON: Encodable {
    public struct Table: Encodable {
        public var revision: Int
        public var oemId: String
        public var oemTableId: String
        public var checksumValid: Bool
        public var entries: Int
    }

    public struct Window: Encodable {
        public var segment: String
        public var startBus: String
        public var endBus: String
        public var base: String
        public var firstAddress: String
        public var lastAddress: String
        public var sizeBytes: Int
        /// "agrees", "differs: ...", "absent" or "unreadable".
        public var iomem: String
        public var kernelLog: String
    }

    public var schema = "pcitime-mcfg/1"
    /// Where the windows came from: "--ecam", "ACPI MCFG", "/proc/iomem" or "kernel log".
    public var source: String
    public var file: String
    public var mcfg: Table?
    public var iomemFile: String
    public var windows: [Window]

    public init(_ r: MCFGReport) {
        source = r.discovery.source.rawValue
        file = r.discovery.file
        mcfg = r.discovery.mcfg.map { Table(revision: Int($0.revision), oemId: $0.oemID, oemTableId: $0.oemTableID, checksumValid: $0.checksumValid, entries: $0.windows.count) }
        iomemFile = r.iomemFile
        windows = r.discovery.windows.map { w in
            Window(segment: hex(w.segment, 4), startBus: hex(w.startBus, 2), endBus: hex(w.endBus, 2), base: hexAddress(w.base),
                   firstAddress: hexAddress(w.firstAddress), lastAddress: hexAddress(w.lastAddress), sizeBytes: Int(w.size),
                   iomem: r.agreement(w, r.iomemWindows), kernelLog: r.agreement(w, r.logWindows))
        }
    }

    public func encoded() throws -> String {
        try JSONOutput.encode(self, keys: .snakeCase)
    }
}
