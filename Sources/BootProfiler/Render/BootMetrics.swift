import Enumerator

/// `pcitime boot --openmetrics`: the kernel boot and its PCI enumeration in
/// seconds, the config accesses by mechanism and what they cost, and the
/// savings, for node_exporter's textfile collector (README "Fleets"). Each
/// value carries its basis (measured, modelled, given) as a label; a value
/// the run could not find (no latency for a mechanism) is left out. With a
/// boot census the `pcitime_boot_census_*` families export its counts and
/// the savings are `Prices`' one list, as every output gives them.
package enum BootMetrics {
    /// "type 1" -> "type1", "ECAM" -> "ecam": label values without spaces.
    static func slug(_ m: Mechanism) -> String {
        String(m.rawValue.lowercased().filter { $0 != " " })
    }

    package static func render(profile: BootProfile, counts: AccessCounts, prices c: Prices, census run: CensusReport? = nil,
                              baseline: BaselineComparison? = nil) -> String {
        let kernel = ("kernel", profile.kernelVersion ?? "unknown")
        func seconds(_ f: Figure?) -> [OpenMetrics.Sample] {
            guard let f else { return [] }
            let perSecond = f.unit == "ms" ? 1e3 : f.unit == "ns" ? 1e9 : 1e6
            return [.init([kernel, ("basis", f.provenance.kind.rawValue)], f.value / perSecond)]
        }
        var m = OpenMetrics()
        m.family("pcitime_boot_kernel_seconds", .gauge, unit: "seconds",
                 help: "Kernel boot: from the kernel's start to running init, from the kernel log's timestamps.", seconds(c.kernelBoot))
        m.family("pcitime_boot_pci_enumeration_seconds", .gauge, unit: "seconds",
                 help: "The kernel's PCI scans (root bridges to the scan's end), from the kernel log's timestamps.", seconds(c.enumeration))
        m.family("pcitime_boot_pci_enumeration_ratio", .gauge,
                 help: "PCI enumeration's share of the kernel boot (0 to 1), both from the kernel log.",
                 c.enumerationShare.map { [.init([kernel, ("basis", "measured")], $0)] } ?? [])
        m.family("pcitime_boot_pci_devices", .gauge, help: "PCI functions the kernel log announces during the boot.",
                 [.init([kernel], Double(c.devices))])

        // Accesses by the mechanism the kernel used: base offsets through one,
        // extended (0x100 and above) through the other.
        let basis = ("basis", counts.provenance.kind.rawValue)
        let byMechanism: [(Mechanism, Int)] = counts.extendedApart
            ? [(counts.baseMechanism, counts.baseTotal), (counts.extendedMechanism!, counts.extendedTotal)]
            : [(counts.baseMechanism, counts.total)]
        m.family("pcitime_boot_config_accesses", .gauge, help: "The kernel's config-space accesses from its start to init (the scan, resource assignment, driver probes), by the mechanism that served them.",
                 byMechanism.map { .init([kernel, ("mechanism", slug($0.0)), basis], Double($0.1)) })
        m.family("pcitime_boot_empty_probe_accesses", .gauge, help: "Of those, accesses that found nothing (empty slots, absent functions, buses that do not exist).",
                 [.init([kernel, basis], Double(counts.emptyTotal))])
        m.family("pcitime_boot_config_access_latency_seconds", .gauge, unit: "seconds",
                 help: "Per-access latency each mechanism and class (probe: present, empty, absent_bus) is priced at, with its source (given, kernel_log, live, live_through_the_kernel, modelled) and basis.",
                 c.latencies.map { .init([kernel, ("mechanism", slug($0.mechanism)), ("probe", label($0.probe.rawValue)), ("source", label($0.source.name)), ("basis", $0.provenance.kind.rawValue)], $0.nanoseconds / 1e9) })
        m.family("pcitime_boot_config_access_cost_seconds", .gauge, unit: "seconds",
                 help: "The accesses of each mechanism and probe class times their latency.",
                 c.costs.compactMap { a in a.costUs.map { .init([kernel, ("mechanism", slug(a.mechanism)), ("probe", label(a.probe.rawValue)), ("class", label(a.what)), basis], $0 / 1e6) } })
        m.family("pcitime_boot_config_access_cost_boot_ratio", .gauge,
                 help: "The priced accesses' share of the kernel boot (0 to 1); basis modelled where the base is a traced boot less the tracer's estimated cost.",
                 c.share.map { [.init([kernel, ("basis", c.shareBoot?.provenance.kind.rawValue ?? "measured")], $0)] } ?? [])
        // One list of savings, the one every output prints.
        m.family("pcitime_boot_saving_seconds", .gauge, unit: "seconds",
                 help: "Boot time a change would save (change: last_bus, smaller_mcfg, all_ecam, read_only_ecam, skip_known_answer_writes, combined), with its basis.",
                 c.savings.compactMap { s in s.savedUs.map { .init([kernel, ("change", s.id), ("basis", s.basis.kind.rawValue)], $0 / 1e6) } })
        m.family("pcitime_boot_saving_accesses", .gauge, help: "Config accesses a change affects (removed, or no longer trapping).",
                 c.savings.map { .init([kernel, ("change", $0.id), basis], Double($0.accesses)) })
        if let run { census(run, kernel: kernel, into: &m) }
        if let baseline { self.baseline(baseline, kernel: kernel, into: &m) }
        return m.document
    }

    /// Label values without spaces or commas: "live, through the kernel" -> "live_through_the_kernel".
    /// (Not String.replacing: it lives in _StringProcessing and links the regex engine.)
    static func label(_ s: String) -> String {
        String(s.filter { $0 != "," }.map { $0 == " " ? "_" : $0 })
    }

    /// The census's counts (measured unless its own basis says modelled).
    static func census(_ run: CensusReport, kernel: (String, String), into m: inout OpenMetrics) {
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
        m.family("pcitime_boot_census_device_accesses", .gauge,
                 help: "Traced accesses per present function, by op; attribution exact (the trace's arguments), by_marker_functions (the discovery step each access fell in) or by_time_window (the log's windows).",
                 c.devices.flatMap { d in rw([("bdf", d.bdf), ("attribution", label(d.attribution))], ReadWrite(reads: d.reads, writes: d.writes)) })
        m.family("pcitime_boot_census_device_before_tracing_reads", .gauge,
                 help: "Reads of each present function before the tracer started (early-quirks over bus 0), modelled: with the traced accesses, its whole boot.",
                 c.devices.map { .init([kernel, ("bdf", $0.bdf), ("basis", c.beforeTracing.basis.kind.rawValue)], Double($0.beforeTracingReads)) })
    }

    /// `--baseline`: each figure against the baselines' median, and each
    /// enacted change's prediction beside its measurement.
    static func baseline(_ b: BaselineComparison, kernel: (String, String), into m: inout OpenMetrics) {
        m.family("pcitime_boot_baseline_change_ratio", .gauge,
                 help: "This boot's figure against the median of the --baseline boots, as (now - median) / median; what: kernel boot, PCI enumeration, initcall NAME, accesses, a reason or a function.",
                 b.rows.compactMap { r in r.ratio.map { .init([kernel, ("what", r.what), ("unit", r.unit)], $0) } })
        m.family("pcitime_boot_enacted_saving_seconds", .gauge, unit: "seconds",
                 help: "A change this boot's command line enacts: the baselines' predicted saving and the measured one (the untraced baselines' median initcall time less this boot's).",
                 b.enacted.flatMap { e in [OpenMetrics.Sample([kernel, ("change", e.parameter), ("kind", "predicted"), ("basis", e.predictedBasis.kind.rawValue)], e.predictedUs / 1e6),
                                           OpenMetrics.Sample([kernel, ("change", e.parameter), ("kind", "measured"), ("basis", "measured")], e.measuredUs / 1e6)] })
    }
}
