import Enumerator

/// What one probe of a bus that does not exist cost the kernel itself, from
/// the timestamps of an untraced boot's log: the window that holds
/// pcibios_fixup_peer_bridges (`BootProfile.peerProbeWindow`) over the
/// probes it made. User space times only the trap; the kernel's loop adds
/// its own code to each (under TCG a third of the price), which this sees.
/// The window also holds the IRQ set-up and the console's copy of its first
/// line (0.2-0.4 ms under TCG, a tenth of q35's window): with the census
/// boot's trace that part is measured and taken out, else the price is an
/// upper bound.
enum KernelLogPrice {
    /// From this boot's log when no tracer ran in it, else from the untraced
    /// `--baseline` boots' (the median window) less what this traced boot's
    /// window held outside its probe loop; nil without either.
    static func estimate(profile p: BootProfile, counts: AccessCounts, baselines: [Baseline], census: CensusReport?) -> LatencyEstimate? {
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
        let span = "\(whose): \(Format.ms(window)) ms from 'PCI: Using ACPI for IRQ routing' to 'PCI: pci_cache_line_size set'"
        let over = "over the \(probes) probes of buses that do not exist (\(counts.provenance.kind.rawValue))"
        // Both clocks are the log's (trace_clock=global), so the traced
        // boot's window less its loop's span is the untraced part. It was
        // 0.2-0.4 ms (5-19% of the window) in the suite's census boots; a
        // host stall lands there now and then (3-4 ms with no entry), so
        // more than a quarter of the window is not taken out.
        var unsplit = "no census trace of this boot to take them out"
        if p.traced, let w = p.peerProbeWindow?.duration, let loop = census?.peerLoopSpanNs {
            let outside = Double(w) - Double(loop) / 1000
            let how = "this census boot's window, \(Format.ms(Double(w))) ms, less its probes' span in the trace, \(Format.ms(Double(loop) / 1000)) ms"
            if outside >= 0, outside <= window / 4 {
                return LatencyEstimate(mechanism: counts.baseMechanism, nanoseconds: (window - outside) * 1000 / Double(probes),
                                       provenance: .measured("\(span), less the \(Format.ms(outside)) ms of it outside the probe loop (the IRQ set-up and the console: \(how)), \(over)"),
                                       source: .kernelLog, probe: .absentBus, samples: probes)
            }
            unsplit = "\(how), leaves \(Format.ms(outside)) ms outside the loop, more than a quarter of the window: a stall, not taken out"
        }
        return LatencyEstimate(mechanism: counts.baseMechanism, nanoseconds: window * 1000 / Double(probes),
                               provenance: .measured("\(span), which holds pcibios_fixup_peer_bridges, the IRQ set-up and the console (an upper bound: \(unsplit)), \(over)"),
                               source: .kernelLog, probe: .absentBus, samples: probes)
    }
}
