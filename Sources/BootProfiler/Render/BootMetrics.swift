import Enumerator

/// `pcitime boot --openmetrics`: the kernel boot and its PCI enumeration in
/// seconds, the config accesses by mechanism and what they cost, and the
/// savings, for node_exporter's textfile collector (README "Fleets"). Each
/// value carries its basis (measured, modelled, given) as a label; a value
/// the run could not find (no latency for a mechanism) is left out.
public enum BootMetrics {
    /// "type 1" -> "type1", "ECAM" -> "ecam": label values without spaces.
    static func slug(_ m: Mechanism) -> String {
        String(m.rawValue.lowercased().filter { $0 != " " })
    }

    public static func render(profile: BootProfile, counts: AccessCounts, latencies: [LatencyEstimate], cost: CostReport) -> String {
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
}
