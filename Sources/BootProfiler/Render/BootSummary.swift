import Enumerator

/// `boot --summary`: one line, as `systemd-analyze time` gives one.
package enum BootSummary {
    /// The largest single change's saving is named (the one the table,
    /// JSON and OpenMetrics give for it).
    package static func line(profile p: BootProfile, prices c: Prices?, counts: AccessCounts?) -> String {
        var parts: [String] = []
        if let boot = p.kernelBoot, !p.startLost {
            parts.append("Kernel boot \(Format.ms(Double(boot))) ms (to init)")
        } else {
            parts.append("Kernel boot unknown (\(p.startLost ? "the log's start is lost" : "no init line in the log"))")
        }
        guard let c, let e = c.enumeration else { return (parts + ["no PCI scan in the log"]).joined(separator: "; ") + "\n" }
        parts.append("PCI enumeration \(Format.ms(e.value)) ms" + (c.enumerationShare.map { " (\(Format.percent($0)))" } ?? "")
                     + " over \(c.devices) device\(c.devices == 1 ? "" : "s")")
        parts.append("\(c.accesses) config accesses (\(c.accessProvenance.kind.rawValue)\(counts?.trust.map { " " + $0 } ?? ""))")
        if let s = largest(c.savings) {
            parts.append("saving available: \(Format.ms(s.savedUs!)) ms (\(s.basis.kind.rawValue)) with \(s.parameter ?? s.change)")
        } else if let s = c.savings.filter({ $0.id != "combined" && $0.savedUs == nil }).max(by: { $0.accesses < $1.accesses }) {
            parts.append("saving available: \(s.accesses) accesses with \(s.parameter ?? s.change) (not priced: no latency)")
        } else {
            parts.append("no saving found")
        }
        return parts.joined(separator: "; ") + "\n"
    }

    /// The largest priced single change (not the combination).
    static func largest(_ savings: [Saving]) -> Saving? {
        savings.filter { $0.id != "combined" && ($0.savedUs ?? 0) > 0 }.max { $0.savedUs! < $1.savedUs! }
    }
}
