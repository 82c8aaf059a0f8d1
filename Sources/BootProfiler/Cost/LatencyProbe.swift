import Enumerator

/// Short measurements of this machine for the mechanisms no `--latency` file
/// priced: pio and ecam directly (3 scan passes each); where that is
/// impossible and the kernel's log says it splits config space between them,
/// the kernel's own path through sysfs, interleaved as `pcitime compare pio
/// mmio` does then (sysfs-base reaches type 1, sysfs-ext ECAM), which adds a
/// system call: an upper bound.
public enum LatencyProbe {
    public static func measure(options: MethodOptions, split: MechanismChoice?, have: [LatencyEstimate], notes: inout [String]) -> [LatencyEstimate] {
        var out: [LatencyEstimate] = []
        var fallbacks: [(method: String, mechanism: Mechanism)] = []
        for (method, fallback, m) in [("pio", "sysfs-base", Mechanism.type1), ("ecam", "sysfs-ext", Mechanism.ecam)]
        where !have.contains(where: { $0.mechanism == m }) {
            do {
                let r = try Scanner.scan(method: method, options: options, passes: 3, kernelView: false)
                if let e = LatencyInput.estimate(scan: r, source: "this machine") { out.append(e) }
            } catch {
                let kernelReaches = m == .type1 ? split?.base == .type1 : split?.extended == .ecam
                if kernelReaches {
                    notes.append("could not time \(m.rawValue) directly here (\(error)); timed kernel-mediated instead: \(fallback), which the kernel serves through \(m.rawValue)")
                    fallbacks.append((fallback, m))
                } else {
                    notes.append("could not time \(m.rawValue) directly here (\(error)), nor through the kernel: its log does not say it uses \(m.rawValue)\(m == .type1 ? " for base access" : " for extended access")")
                }
            }
        }
        guard !fallbacks.isEmpty else { return out }
        // Both sysfs windows are measured together even when only one is
        // needed: compare wants two methods, and interleaving costs nothing.
        let request = CompareRequest(methods: ["sysfs-base", "sysfs-ext"], samples: 200, warmup: 10, resamples: 10)
        guard let report = try? Comparison.run(request, options: options) else { return out }
        for f in fallbacks {
            guard let run = report.runs.first(where: { $0.name == f.method }), run.stats.count > 0 else { continue }
            let other = f.method == "sysfs-base" ? "sysfs-ext" : "sysfs-base"
            out.append(LatencyEstimate(mechanism: f.mechanism, nanoseconds: Double(run.stats.p50),
                                       provenance: .measured("this machine, kernel-mediated: median of \(run.stats.count) \(f.method) reads (interleaved with \(other)), which the kernel serves through \(f.mechanism.rawValue); includes the pread system call, so an upper bound")))
        }
        return out
    }
}
