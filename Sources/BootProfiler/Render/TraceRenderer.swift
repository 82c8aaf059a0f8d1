import Enumerator

/// The table `pcitime trace` prints.
package enum TraceRenderer {
    package static func render(window: String, counts: AccessCounts, latencies: [LatencyEstimate], parser: KprobeTraceParser,
                              skipped: [(probe: String, why: String)]) -> String {
        var out = "Kernel config accesses during \(window) (measured: kprobes on pci_conf1_read/write and pci_mmcfg_read/write)\n"
        var rows = [["device", "reads", "writes", ">=256", "mechanisms", "mean in-kernel us"]]
        for d in counts.devices {
            let mech = d.byMechanism.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            rows.append([d.address.description, String(d.reads), String(d.writes), String(d.extended), mech, d.meanNanoseconds.map { Format.us($0) } ?? "-"])
        }
        out += TextTable.render(rows, rightAligned: [1, 2, 3, 5], indent: "  ", gap: " ")
        out += "  to present functions: \(counts.deviceTotal); total: \(counts.total)\n"
        for e in counts.empty {
            let range = e.firstBus == e.lastBus ? "bus \(hex(e.firstBus, 2))" : "buses \(hex(e.firstBus, 2))-\(hex(e.lastBus, 2))"
            out += "  \(e.kind.rawValue) probes, \(range): \(e.accesses)\n"
        }
        for l in latencies { out += "  \(l.mechanism.rawValue): \(Format.us(l.nanoseconds)) us per access (\(l.provenance))\n" }
        if parser.malformed > 0 { out += "  \(parser.malformed) lines unreadable (cut or foreign), skipped\n" }
        if parser.lostEvents > 0 { out += "  warning: the kernel dropped \(parser.lostEvents) events (buffer full): counts are low\n" }
        if parser.unreturned > 0 { out += "  \(parser.unreturned) accesses without a return event (no latency)\n" }
        for s in skipped { out += "  probe \(s.probe) not placed (\(s.why)): accesses it would see are not counted\n" }
        return out
    }
}
