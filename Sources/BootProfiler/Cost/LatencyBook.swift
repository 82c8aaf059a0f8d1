import Enumerator

/// One price per mechanism and probe class, chosen from every latency the
/// run has in the order of `LatencySource` (given, kernel log, live, live
/// through the kernel, modelled; a boot trace's durations, which carry the
/// tracer's cost, never). A lower-ranked figure that disagrees with the
/// chosen one beyond the noise (a quarter) is a note, never a second price.
package struct LatencyBook: Sendable {
    package private(set) var chosen: [LatencyEstimate] = []
    package private(set) var notes: [String] = []

    /// A read that does not trap (an ECAM mapped read-only): an uncached
    /// load from the guest's view, modelled; nothing here can measure it.
    package static let memoryLoad = LatencyEstimate(mechanism: .ecam, nanoseconds: 100,
                                                   provenance: .modelled("an uncached memory load (assumed 0.1 us: a read the VMM does not trap)"),
                                                   source: .modelled)

    /// Beyond this ratio two figures of the same thing disagree.
    static let noise = 1.25

    package init(_ estimates: [LatencyEstimate]) {
        for m in Mechanism.allCases {
            for probe in ProbeClass.allCases {
                let all = estimates.filter { $0.mechanism == m && $0.probe == probe }.sorted { $0.source < $1.source }
                // A boot trace's durations carry the tracer's own cost (a
                // function_graph call costs more than the access it times):
                // shown, never a price.
                guard let best = all.first(where: { $0.source != .bootTrace }) else {
                    if let t = all.first {
                        notes.append("\(m.rawValue) \(probe.accesses): the boot trace's \(Format.us(t.nanoseconds)) us includes the tracer's own cost: not a price (give --latency FILE, or run pcitime boot on that machine)")
                    }
                    continue
                }
                chosen.append(best)
                for other in all where other != best && other.source != .bootTrace && max(other.nanoseconds, best.nanoseconds) > Self.noise * min(other.nanoseconds, best.nanoseconds) {
                    notes.append("\(m.rawValue) \(probe.accesses): \(Format.us(other.nanoseconds)) us from the \(other.source.name) (\(other.provenance.source)) disagrees with the \(Format.us(best.nanoseconds)) us used, from the \(best.source.name): the \(best.source.name) ranks first")
                }
            }
        }
    }

    /// The price of an access through `m` of class `probe`; nil when none
    /// was measured or given (an empty probe is never priced as a present read).
    package func latency(_ m: Mechanism, _ probe: ProbeClass = .present) -> LatencyEstimate? {
        chosen.first { $0.mechanism == m && $0.probe == probe }
    }
}
