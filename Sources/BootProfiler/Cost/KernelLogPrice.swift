import Enumerator

/// What one probe of a bus that does not exist cost the kernel itself, from
/// the timestamps of an untraced boot's log: the window that holds
/// pcibios_fixup_peer_bridges (`BootProfile.peerProbeWindow`) over the
/// probes it made. User space times only the trap; the kernel's loop adds
/// its own code to each (under TCG a third of the price), which this sees.
/// The window also holds the IRQ set-up, so the price is an upper bound.
enum KernelLogPrice {
    /// From this boot's log when no tracer ran in it, else from the untraced
    /// `--baseline` boots' (the median window); nil without either.
    static func estimate(profile p: BootProfile, counts: AccessCounts, baselines: [Baseline]) -> LatencyEstimate? {
        let probes = counts.missingBusTotal
        guard probes > 0 else { return nil }
        let windows: [Double]
        let whose: String
        if !p.traced, let w = p.peerProbeWindow?.duration {
            windows = [Double(w)]
            whose = "this untraced boot's log"
        } else {
            windows = baselines.filter { !$0.traced }.compactMap(\.peerProbeWindowUs)
            whose = "the logs of \(windows.count) untraced --baseline boot\(windows.count == 1 ? "" : "s") (the median)"
        }
        guard let window = Spread(windows)?.median, window > 0 else { return nil }
        return LatencyEstimate(mechanism: counts.baseMechanism, nanoseconds: window * 1000 / Double(probes),
                               provenance: .measured("\(whose): \(Format.ms(window)) ms from 'PCI: Using ACPI for IRQ routing' to 'PCI: pci_cache_line_size set', which holds pcibios_fixup_peer_bridges and the IRQ set-up (an upper bound), over the \(probes) probes of buses that do not exist (\(counts.provenance.kind.rawValue))"),
                               source: .kernelLog, probe: .absentBus, samples: probes)
    }
}
