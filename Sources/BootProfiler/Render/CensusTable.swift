import Enumerator

/// The census and its in-kernel latency as text; its prices are in the
/// report's one Prices section (`PricesTable`).
package enum CensusTable {
    /// Where there is no boot trace: how to get one.
    package static let absent = "\nBoot census: none. " + KernelParams.howTo + ".\n"

    /// `prices`: each device's cost column; `view`: -s/-d and --sort cost,
    /// as the device windows take them.
    /// `profile`: the log, whose device lines give -d its IDs.
    package static func render(_ run: CensusReport, prices: Prices?, profile: BootProfile, view: BootView = BootView()) -> String {
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
        let cost = Dictionary((prices?.deviceCosts ?? []).map { ($0.bdf, $0.costUs) }, uniquingKeysWith: { a, _ in a })
        var devices = c.devices
        if let f = view.filter {
            let ids = Dictionary(profile.devices.map { ($0.address, ($0.vendor, $0.device)) }, uniquingKeysWith: { a, _ in a })
            devices = devices.filter { d in
                guard let a = PCIAddress(d.bdf), let id = ids[a] else { return false }
                return f.matches(a, vendor: id.0, device: id.1)
            }
        }
        if view.order == .cost {
            let key = BootView.costKey(prices)
            devices.sort { (key($0.bdf, $0.reads + $0.writes), $0.reads + $0.writes) > (key($1.bdf, $1.reads + $1.writes), $1.reads + $1.writes) }
        }
        out += "\n  Per device (\(c.devices.first?.attribution ?? "none")\(view.caption.map { "; " + $0 } ?? ""))\n"
        var rows = [["device", "reads", "writes", "type 1", "ECAM", "early reads", "cost ms"]]
        for d in devices {
            rows.append([d.bdf, String(d.reads), String(d.writes), String(d.type1), String(d.ecam), String(d.beforeTracingReads),
                         (cost[d.bdf] ?? nil).map(Format.ms) ?? "-"])
        }
        if c.unattributed.total > 0 && view.filter == nil { rows.append(["unattributed", String(c.unattributed.reads), String(c.unattributed.writes), "", "", "", ""]) }
        out += TextTable.render(rows, rightAligned: [1, 2, 3, 4, 5, 6], indent: "    ")
        out += "    early reads: early-quirks before the tracer started (modelled); with the traced accesses, each function's whole boot; cost: at the Prices section's latencies\n"
        if let l = run.latency {
            out += "\n  In-kernel latency at boot (measured: \(run.latencySource ?? "function_graph"))\n"
            out += "    \(l.method)\n"
            var r = [["", "accesses", "p50 us", "p90 us", "p99 us", "max us"]]
            for d in l.mechanisms + l.devices {
                r.append([d.name, String(d.count), Format.us(Double(d.p50Ns)), Format.us(Double(d.p90Ns)), Format.us(Double(d.p99Ns)), Format.us(Double(d.maxNs))])
            }
            out += TextTable.render(r, rightAligned: [1, 2, 3, 4, 5], indent: "    ")
        }
        for n in c.notes { out += "  Note: \(n)\n" }
        return out
    }
}
