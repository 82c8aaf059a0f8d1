import Enumerator

/// The census, its latency, pricing and what-if table as text.
public enum CensusTable {
    /// Where there is no boot trace: how to get one.
    public static let absent = "\nBoot census: none. " + KernelParams.howTo + ".\n"

    public static func render(_ run: CensusRun) -> String {
        let c = run.census
        var out = "\nBoot census (measured: \(c.source))\n"
        out += "  Traced: \(c.tracedReads) reads, \(c.tracedWrites) writes"
        if let f = c.firstCallUs, let l = c.lastCallUs { out += " from \(Format.logMilliseconds(f)) to \(Format.logMilliseconds(l)) ms" }
        out += "; lost: \(c.lost)\n"
        out += "  Present functions: \(c.presentReads) reads, \(c.presentWrites) writes (measured)"
        out += " + \(c.beforeTracing.reads) reads, \(c.beforeTracing.writes) writes before the tracer (\(c.beforeTracing.basis))"
        out += " = \(c.totalPresentReads) reads, \(c.totalPresentWrites) writes\n"
        out += "  Found nothing: \(c.emptyReads) reads, \(c.peerBusProbes) of them peer-bus probes (\(c.peerBusProbesBasis)); empty slots \(c.emptyReadsBasis)\n"
        out += "\n  By mechanism\n"
        out += TextTable.render([["mechanism", "reads", "writes"],
                                 ["type 1", String(c.byMechanism.type1.reads), String(c.byMechanism.type1.writes)],
                                 ["ECAM", String(c.byMechanism.ecam.reads), String(c.byMechanism.ecam.writes)]],
                                rightAligned: [1, 2], indent: "    ")
        out += "\n  By reason (from the caller; the boot phase where the caller is a generic accessor)\n"
        out += TextTable.render([["reason", "reads", "writes", "by caller"]] + c.byReason.map { [$0.reason, String($0.reads), String($0.writes), String($0.fromCaller)] },
                                rightAligned: [1, 2, 3], indent: "    ")
        out += "\n  By boot phase (kernel log)\n"
        out += TextTable.render([["phase", "reads", "writes"]] + c.byPhase.map { [$0.phase, String($0.reads), String($0.writes)] }, rightAligned: [1, 2], indent: "    ")
        let cost = Dictionary(uniqueKeysWithValues: (run.pricing?.devices ?? []).map { ($0.bdf, $0) })
        out += "\n  Per device (\(c.devices.first?.attribution ?? "none"))\n"
        var rows = [["device", "reads", "writes", "type 1", "ECAM", "early reads", "latency us", "from", "cost ms"]]
        for d in c.devices {
            let p = cost[d.bdf]
            rows.append([d.bdf, String(d.reads), String(d.writes), String(d.type1), String(d.ecam), String(d.beforeTracingReads),
                         p.map { Format.us($0.latencyNs) } ?? "-", p?.latencyFrom ?? "-", p.map { Format.ms($0.costUs) } ?? "-"])
        }
        if c.unattributed.total > 0 { rows.append(["unattributed", String(c.unattributed.reads), String(c.unattributed.writes), "", "", "", "", "", ""]) }
        out += TextTable.render(rows, rightAligned: [1, 2, 3, 4, 5, 6, 8], indent: "    ")
        out += "    early reads: early-quirks before the tracer started (modelled); with the traced accesses, each function's whole boot\n"
        if let l = run.latency {
            out += "\n  In-kernel latency at boot (measured: \(run.latencySource ?? "function_graph"))\n"
            out += "    \(l.method)\n"
            var r = [["", "accesses", "p50 us", "p90 us", "p99 us", "max us"]]
            for d in l.mechanisms + l.devices {
                r.append([d.name, String(d.count), Format.us(Double(d.p50Ns)), Format.us(Double(d.p90Ns)), Format.us(Double(d.p99Ns)), Format.us(Double(d.maxNs))])
            }
            out += TextTable.render(r, rightAligned: [1, 2, 3, 4, 5], indent: "    ")
        }
        if let p = run.pricing {
            out += "\n  Priced: \(Format.ms(p.totalUs)) ms" + (p.shareOfBoot.map { " (\(Format.percent($0)) of the kernel's boot)" } ?? "")
            out += " = devices + empty probes \(Format.ms(p.emptyUs)) ms + unattributed \(Format.ms(p.unattributedUs)) ms + before the tracer \(Format.ms(p.beforeTracingUs)) ms (modelled count)\n"
            out += "    \(p.basis)\n"
        }
        if run.pricing == nil && run.whatIf == nil {
            out += "\n  Priced: not here: no per-access latency for this boot. Add a function_graph trace of it (--ftrace; boot with 'pcitime boot --kernel-params --timed'), or --latency FILE ('pcitime scan --json --method pio' or 'ecam', or 'pcitime compare --json', run in that guest); the what-if table needs them too\n"
        }
        if let w = run.whatIf {
            out += "\n  What if (from the census and the measured latencies; baseline \(Format.ms(w.baselineUs)) ms)\n"
            var r = [["change", "accesses", "saved ms", "of boot", "how"]]
            for row in w.rows {
                r.append([row.change, String(row.accessesAffected), Format.ms(row.savedUs), row.shareOfBoot.map(Format.percent) ?? "-", row.how])
            }
            out += TextTable.render(r, rightAligned: [1, 2, 3], indent: "    ")
            for n in w.notes { out += "    Note: \(n)\n" }
        }
        for n in c.notes { out += "  Note: \(n)\n" }
        return out
    }
}
