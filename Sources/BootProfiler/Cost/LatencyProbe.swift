import Enumerator

/// Short measurements of this machine for the mechanisms no `--latency` file
/// priced: pio and ecam directly (20 scan passes each: present functions
/// and, apart, the empty slots the walk probes; then 5 rounds over up to 32
/// buses that do not exist, as the kernel's peer-bus probes); where user space cannot
/// reach them and the kernel's log says it splits config space between them,
/// the kernel's own path through sysfs (sysfs-base reaches type 1, sysfs-ext
/// ECAM), less the same system call on an attribute that makes no config
/// access: one trap.
package enum LatencyProbe {
    static let passes = 20

    package static func measure(options: MethodOptions, split: MechanismChoice?, have: [LatencyEstimate], notes: inout [String]) -> [LatencyEstimate] {
        var out: [LatencyEstimate] = []
        var fallbacks: [(method: String, mechanism: Mechanism)] = []
        for (method, fallback, m) in [("pio", "sysfs-base", Mechanism.type1), ("ecam", "sysfs-ext", Mechanism.ecam)]
        where !have.contains(where: { $0.mechanism == m && $0.source < .live }) {
            do {
                let r = try Scanner.scan(method: method, options: options, passes: passes, kernelView: false)
                out += LatencyInput.estimates(scan: r, source: "this machine", as: .live)
                let absent = try AbsentBusProbe.measure(after: r).latency
                if absent.totalCount > 0 {
                    out.append(LatencyEstimate(mechanism: m, nanoseconds: Double(absent.valueAtPercentile(50)),
                                               provenance: .measured("this machine: median of \(absent.totalCount) probes of buses that do not exist (the vendor ID of each device of up to 32 buses above the walk's, as Linux's peer-bus probes) by pcitime's \(method)"),
                                               source: .live, probe: .absentBus, samples: Int(absent.totalCount)))
                }
            } catch {
                let kernelReaches = m == .type1 ? split?.base == .type1 : split?.extended == .ecam
                if kernelReaches {
                    notes.append("could not time \(m.rawValue) directly here (\(error)); timed through the kernel instead: \(fallback), which it serves through \(m.rawValue), less the system call")
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
            guard let run = report.runs.first(where: { $0.name == f.method }), run.stats.count > 0, let path = report.sysfsPath,
                  let trap = report.trapNanoseconds(run) else { continue }
            out.append(LatencyEstimate(mechanism: f.mechanism, nanoseconds: trap,
                                       provenance: .measured("this machine, through the kernel: median of \(run.stats.count) \(f.method) reads (\(Format.us(Double(run.stats.p50))) us, which the kernel serves through \(f.mechanism.rawValue)) less the same pread on a sysfs attribute that makes no config access (\(Format.us(Double(path.p50))) us): one trap"),
                                       source: .liveTrap, samples: run.stats.count))
        }
        notes.append("no empty-probe latency through the kernel (sysfs reads only functions that exist): empty probes and probes of absent buses stay unpriced unless a --latency file ('pcitime boot --json' or 'pcitime scan --method pio --json' run where pio or ecam works) gives them")
        return out
    }
}
