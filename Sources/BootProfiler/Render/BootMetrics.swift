import Enumerator

/// `pcitime boot --openmetrics`: the kernel boot and its PCI enumeration in
/// seconds, the config accesses by mechanism and what they cost, and the
/// savings, for node_exporter's textfile collector (README "Fleets"). Each
/// value carries its basis (measured, modelled, given) as a label; a value
/// the run could not find (no latency for a mechanism) is left out. With a
/// boot census the `pcitime_boot_census_*` families export its counts and
/// the savings come from its what-if table; without one, from the model.
public enum BootMetrics {
    /// "type 1" -> "type1", "ECAM" -> "ecam": label values without spaces.
    static func slug(_ m: Mechanism) -> String {
        String(m.rawValue.lowercased().filter { $0 != " " })
    }

    public static func render(profile: BootProfile, counts: AccessCounts, latencies: [LatencyEstimate], cost: CostReport, census run: CensusRun? = nil) -> String {
        let kernel = ("kernel", profile.kernelVersion ?? "unknown")
        func seconds(_ f: Figure?) -> [OpenMetrics.Sample] {
            guard let f else { return [] }
            let perSecond = f.unit == "ms" ? 1e3 : f.unit == "ns" ? 1e9 : 1e6
            return [.init([kernel, ("basis", f.provenance.kind.rawValue)], f.value / perSecond)]
        }
        var m = OpenMetrics()
        m.family("pcitime_boot_kernel_seconds", .gauge, unit: "seconds",
                 help: "Kernel boot: from the kernel's start to running init, from the kernel log's timestamps.", seconds(cost.kernelBoot))
        m.family("pcitime_boot_pci_enumeration_seconds", .gauge, unit: "seconds",
                 help: "The kernel's PCI scans (root bridges to the scan's end), from the kernel log's timestamps.", seconds(cost.enumeration))
        m.family("pcitime_boot_pci_enumeration_ratio", .gauge,
                 help: "PCI enumeration's share of the kernel boot (0 to 1).",
                 cost.share.map { [.init([kernel, ("basis", "measured")], $0)] } ?? [])
        m.family("pcitime_boot_pci_devices", .gauge, help: "PCI functions the kernel log announces during the boot.",
                 [.init([kernel], Double(cost.devices))])

        // Accesses by the mechanism the kernel used: base offsets through one,
        // extended (0x100 and above) through the other, as the cost model splits them.
        let basis = ("basis", counts.provenance.kind.rawValue)
        var byMechanism: [(Mechanism, Int)] = []
        let ext = counts.extendedMechanism
        if ext == nil || ext == counts.baseMechanism {
            byMechanism = [(counts.baseMechanism, counts.total)]
        } else {
            byMechanism = [(counts.baseMechanism, counts.baseTotal), (ext!, counts.extendedTotal)]
        }
        m.family("pcitime_boot_config_accesses", .gauge, help: "The kernel's config-space accesses during PCI enumeration, by the mechanism that served them.",
                 byMechanism.map { .init([kernel, ("mechanism", slug($0.0)), basis], Double($0.1)) })
        m.family("pcitime_boot_empty_probe_accesses", .gauge, help: "Of those, accesses that found nothing (empty slots, absent functions, buses that do not exist).",
                 [.init([kernel, basis], Double(cost.emptyAccesses))])
        m.family("pcitime_boot_config_access_latency_seconds", .gauge, unit: "seconds",
                 help: "Per-access latency used to price each mechanism, with its basis.",
                 latencies.map { .init([kernel, ("mechanism", slug($0.mechanism)), ("basis", $0.provenance.kind.rawValue)], $0.nanoseconds / 1e9) })
        m.family("pcitime_boot_config_access_cost_seconds", .gauge, unit: "seconds",
                 help: "The accesses each mechanism served times its per-access latency.",
                 cost.actual.map { .init([kernel, ("mechanism", slug($0.mechanism)), basis], $0.microseconds / 1e6) })
        m.family("pcitime_boot_config_access_alternative_seconds", .gauge, unit: "seconds",
                 help: "Every access of the boot through another mechanism the kernel could use, at its per-access latency.",
                 cost.alternatives.map { .init([kernel, ("mechanism", slug($0.mechanism)), basis], $0.microseconds / 1e6) })

        if let run {
            census(run, kernel: kernel, into: &m)
            return m.document
        }
        // Savings: every access through ECAM instead; the probes of buses that
        // do not exist removed (pci=lastbus or a narrower MCFG window).
        let actual = cost.actual.reduce(0) { $0 + $1.microseconds }
        var saved: [OpenMetrics.Sample] = []
        if !cost.actual.isEmpty, let ecam = cost.alternatives.first(where: { $0.mechanism == .ecam }) {
            saved.append(.init([kernel, ("change", "all_ecam"), basis], (actual - ecam.microseconds) / 1e6))
        }
        for s in cost.savings {
            if let us = s.microsecondsSaved { saved.append(.init([kernel, ("change", "last_bus"), basis], us / 1e6)) }
        }
        m.family("pcitime_boot_saving_seconds", .gauge, unit: "seconds",
                 help: "Boot time a change would save: all_ecam (every access through ECAM), last_bus (no probes of buses that do not exist).", saved)
        m.family("pcitime_boot_saving_accesses", .gauge, help: "Config accesses a change would remove: last_bus (no probes of buses that do not exist).",
                 cost.savings.map { .init([kernel, ("change", "last_bus"), basis], Double($0.accessesSaved)) })
        return m.document
    }

    /// The census's counts (measured unless its own basis says modelled) and
    /// the what-if table's savings.
    static func census(_ run: CensusRun, kernel: (String, String), into m: inout OpenMetrics) {
        let c = run.census
        let measured = ("basis", "measured")
        func rw(_ labels: [(String, String)], _ p: ReadWrite, _ basis: (String, String) = measured) -> [OpenMetrics.Sample] {
            [.init([kernel] + labels + [("op", "read"), basis], Double(p.reads)), .init([kernel] + labels + [("op", "write"), basis], Double(p.writes))]
        }
        m.family("pcitime_boot_census_accesses", .gauge,
                 help: "Config accesses the function tracer saw from its start to init, by mechanism and op (read, write).",
                 rw([("mechanism", slug(.type1))], c.byMechanism.type1) + rw([("mechanism", slug(.ecam))], c.byMechanism.ecam))
        m.family("pcitime_boot_census_reason_accesses", .gauge,
                 help: "Traced config accesses by the reason their caller gives (README 'The boot census'), by op.",
                 c.byReason.flatMap { r in rw([("reason", AccessReason(rawValue: r.reason)?.id ?? r.reason)], ReadWrite(reads: r.reads, writes: r.writes)) })
        m.family("pcitime_boot_census_present_accesses", .gauge,
                 help: "Traced accesses to functions that exist, by op.", rw([], ReadWrite(reads: c.presentReads, writes: c.presentWrites)))
        m.family("pcitime_boot_census_empty_reads", .gauge,
                 help: "Traced reads that found nothing: empty slots, absent functions, buses that do not exist.",
                 [.init([kernel, ("basis", c.emptyReadsBasis.kind.rawValue)], Double(c.emptyReads))])
        m.family("pcitime_boot_census_peer_bus_probes", .gauge,
                 help: "Of those, probes of buses that do not exist (pcibios_scan_specific_bus).",
                 [.init([kernel, ("basis", c.peerBusProbesBasis.kind.rawValue)], Double(c.peerBusProbes))])
        m.family("pcitime_boot_census_lost_entries", .gauge,
                 help: "Entries the tracer dropped or overwrote: the census is short by up to that many.", [.init([kernel, measured], Double(c.lost))])
        m.family("pcitime_boot_census_before_tracing_accesses", .gauge,
                 help: "Accesses before the tracer started (early-quirks over bus 0), modelled, by op.",
                 rw([], ReadWrite(reads: c.beforeTracing.reads, writes: c.beforeTracing.writes), ("basis", c.beforeTracing.basis.kind.rawValue)))
        // Not String.replacing: it lives in _StringProcessing and links the regex engine.
        m.family("pcitime_boot_census_device_accesses", .gauge,
                 help: "Traced accesses per present function, by op; attribution exact (the trace's arguments), by_marker_functions (the discovery step each access fell in) or by_time_window (the log's windows).",
                 c.devices.flatMap { d in rw([("bdf", d.bdf), ("attribution", String(d.attribution.map { $0 == " " ? "_" : $0 }))], ReadWrite(reads: d.reads, writes: d.writes)) })
        m.family("pcitime_boot_census_device_before_tracing_reads", .gauge,
                 help: "Reads of each present function before the tracer started (early-quirks over bus 0), modelled: with the traced accesses, its whole boot.",
                 c.devices.map { .init([kernel, ("bdf", $0.bdf), ("basis", c.beforeTracing.basis.kind.rawValue)], Double($0.beforeTracingReads)) })
        // A what-if saving prices census counts at the latencies' basis; the
        // rows that use the modelled memory load are modelled.
        guard let w = run.whatIf else { return }
        let priced = run.pricing?.basis.kind ?? .measured
        func basis(_ r: WhatIf.Row) -> (String, String) {
            ("basis", ["read_only_ecam", "combined"].contains(r.id) ? Provenance.Kind.modelled.rawValue : priced.rawValue)
        }
        m.family("pcitime_boot_saving_seconds", .gauge, unit: "seconds",
                 help: "Boot time a change would save, from the census and the latencies (pcitime boot's what-if table; change: all_ecam, read_only_ecam, skip_bar_sizing_writes, skip_bridges_writes, last_bus, smaller_mcfg, combined).",
                 w.rows.map { .init([kernel, ("change", $0.id), basis($0)], $0.savedUs / 1e6) })
        m.family("pcitime_boot_saving_accesses", .gauge, help: "Config accesses a change affects (removed, or no longer trapping), from the census.",
                 w.rows.map { .init([kernel, ("change", $0.id), measured], Double($0.accessesAffected)) })
    }
}
