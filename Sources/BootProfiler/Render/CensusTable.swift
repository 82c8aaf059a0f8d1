import Enumerator

/// The census, its latency, pricing and what-if table as text.
public enum CensusTable {
    public static func render(_ run: CensusRun) -> String {
        let c = run.census
        var out = "\nBoot census (measured: \(c.source))\n"
        out += "  Traced: \(c.traced_reads) reads, \(c.traced_writes) writes"
        if let f = c.first_call_us, let l = c.last_call_us { out += " from \(Format.logMilliseconds(f)) to \(Format.logMilliseconds(l)) ms" }
        out += "; lost: \(c.lost)\n"
        out += "  Present functions: \(c.present_reads) reads, \(c.present_writes) writes (measured)"
        out += " + \(c.before_tracing.reads) reads, \(c.before_tracing.writes) writes before the tracer (\(c.before_tracing.method))"
        out += " = \(c.total_present_reads) reads, \(c.total_present_writes) writes\n"
        out += "  Found nothing: \(c.empty_reads) reads, \(c.peer_bus_probes) of them peer-bus probes (pcibios_scan_specific_bus; measured); empty slots \(c.empty_method)\n"
        out += "\n  By mechanism\n"
        out += TextTable.render([["mechanism", "reads", "writes"],
                                 ["type 1", String(c.by_mechanism.type1.reads), String(c.by_mechanism.type1.writes)],
                                 ["ECAM", String(c.by_mechanism.ecam.reads), String(c.by_mechanism.ecam.writes)]],
                                rightAligned: [1, 2], indent: "    ")
        out += "\n  By reason (from the caller; the boot phase where the caller is a generic accessor)\n"
        out += TextTable.render([["reason", "reads", "writes", "by caller"]] + c.by_reason.map { [$0.reason, String($0.reads), String($0.writes), String($0.from_caller)] },
                                rightAligned: [1, 2, 3], indent: "    ")
        out += "\n  By boot phase (kernel log)\n"
        out += TextTable.render([["phase", "reads", "writes"]] + c.by_phase.map { [$0.phase, String($0.reads), String($0.writes)] }, rightAligned: [1, 2], indent: "    ")
        let cost = Dictionary(uniqueKeysWithValues: (run.pricing?.devices ?? []).map { ($0.bdf, $0) })
        out += "\n  Per device (\(c.devices.first?.attribution ?? "none"))\n"
        var rows = [["device", "reads", "writes", "type 1", "ECAM", "latency us", "from", "cost ms"]]
        for d in c.devices {
            let p = cost[d.bdf]
            rows.append([d.bdf, String(d.reads), String(d.writes), String(d.type1), String(d.ecam),
                         p.map { Format.us($0.latency_ns) } ?? "-", p?.latency_from ?? "-", p.map { Format.ms($0.cost_us) } ?? "-"])
        }
        if c.unattributed.total > 0 { rows.append(["unattributed", String(c.unattributed.reads), String(c.unattributed.writes), "", "", "", "", ""]) }
        out += TextTable.render(rows, rightAligned: [1, 2, 3, 4, 5, 7], indent: "    ")
        if let l = run.latency {
            out += "\n  In-kernel latency at boot (measured: \(run.latencySource ?? "function_graph"))\n"
            out += "    \(l.method)\n"
            var r = [["", "accesses", "p50 us", "p90 us", "p99 us", "max us"]]
            for d in l.mechanisms + l.devices {
                r.append([d.name, String(d.count), Format.us(Double(d.p50_ns)), Format.us(Double(d.p90_ns)), Format.us(Double(d.p99_ns)), Format.us(Double(d.max_ns))])
            }
            out += TextTable.render(r, rightAligned: [1, 2, 3, 4, 5], indent: "    ")
        }
        if let p = run.pricing {
            out += "\n  Priced: \(Format.ms(p.total_us)) ms" + (p.share_of_boot.map { " (\(Format.percent($0)) of the kernel's boot)" } ?? "")
            out += " = devices + empty probes \(Format.ms(p.empty_us)) ms + unattributed \(Format.ms(p.unattributed_us)) ms + before the tracer \(Format.ms(p.before_tracing_us)) ms (modelled count)\n"
            out += "    \(p.provenance)\n"
        }
        if let w = run.whatIf {
            out += "\n  What if (from the census and the measured latencies; baseline \(Format.ms(w.baseline_us)) ms)\n"
            var r = [["change", "accesses", "saved ms", "of boot", "how"]]
            for row in w.rows {
                r.append([row.change, String(row.accesses_affected), Format.ms(row.saved_us), row.share_of_boot.map(Format.percent) ?? "-", row.how])
            }
            out += TextTable.render(r, rightAligned: [1, 2, 3], indent: "    ")
            for n in w.notes { out += "    Note: \(n)\n" }
        }
        for n in c.notes { out += "  Note: \(n)\n" }
        return out
    }
}
