/// `pcitime mcfg`: the windows pcitime would use, where they came from, and
/// whether `/proc/iomem` and the kernel log agree.
package struct MCFGReport {
    package var discovery: ECAMDiscovery
    package var iomemWindows: [ECAMWindow]?
    package var iomemFile: String
    package var logWindows: [ECAMWindow]?

    package init(options: MethodOptions) throws {
        discovery = try ECAMDiscovery.discover(root: options.root, given: options.mcfg, override: options.ecamOverride)
        let tree = options.tree
        iomemFile = tree.path(MachineRoot.iomem)
        let iomem = try IOMem(root: tree)
        iomemWindows = iomem.flatMap { $0.showsAddresses ? $0.ecamWindows : nil }
        logWindows = try ecamWindows(inKernelLogOf: tree)
    }

    package func render() -> String {
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
package struct MCFGJSON: Encodable {
    package struct Table: Encodable {
        package var revision: Int
        package var oemId: String
        package var oemTableId: String
        package var checksumValid: Bool
        package var entries: Int
    }

    package struct Window: Encodable {
        package var segment: String
        package var startBus: String
        package var endBus: String
        package var base: String
        package var firstAddress: String
        package var lastAddress: String
        package var sizeBytes: Int
        /// "agrees", "differs: ...", "absent" or "unreadable".
        package var iomem: String
        package var kernelLog: String
    }

    package var schema = "pcitime-mcfg/1"
    /// Where the windows came from: "--ecam", "ACPI MCFG", "/proc/iomem" or "kernel log".
    package var source: String
    package var file: String
    package var mcfg: Table?
    package var iomemFile: String
    package var windows: [Window]

    package init(_ r: MCFGReport) {
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

    package func encoded() throws -> String {
        try JSONOutput.encode(self, keys: .snakeCase)
    }
}
