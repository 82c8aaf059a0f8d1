import Enumerator

/// `boot --summary`: one line, as `systemd-analyze time` gives one.
public enum BootSummary {
    /// `whatIf`: the census's priced changes; the largest saving is named when there is one.
    public static func line(profile p: BootProfile, cost: CostReport?, counts: AccessCounts?, whatIf: WhatIf? = nil) -> String {
        var parts: [String] = []
        if let boot = p.kernelBoot, !p.startLost {
            parts.append("Kernel boot \(Format.ms(Double(boot))) ms (to init)")
        } else {
            parts.append("Kernel boot unknown (\(p.startLost ? "the log's start is lost" : "no init line in the log"))")
        }
        guard let c = cost, let e = c.enumeration else { return (parts + ["no PCI scan in the log"]).joined(separator: "; ") + "\n" }
        parts.append("PCI enumeration \(Format.ms(e.value)) ms" + (c.share.map { " (\(Format.percent($0)))" } ?? "")
                     + " over \(c.devices) device\(c.devices == 1 ? "" : "s")")
        parts.append("\(c.accesses) config accesses (\(c.accessProvenance.kind.rawValue)\(counts?.trust.map { " " + $0 } ?? ""))")
        if let w = whatIf?.rows.max(by: { $0.savedUs < $1.savedUs }), w.savedUs > 0 {
            parts.append("saving available: \(Format.ms(w.savedUs)) ms (census what-if) with \(w.change)")
        } else if let s = c.savings.max(by: { $0.accessesSaved < $1.accessesSaved }) {
            parts.append("saving available: \(s.accessesSaved) accesses" + (s.microsecondsSaved.map { " = \(Format.ms($0)) ms" } ?? "")
                         + " with \(s.change.split(separator: " ").first ?? "")")
        } else {
            parts.append("no saving found")
        }
        return parts.joined(separator: "; ") + "\n"
    }
}
