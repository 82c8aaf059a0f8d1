import Enumerator

/// One compared function on its own: its median through every method and
/// its ratio against the baseline, beside the pooled ones. Pooling samples
/// of functions with different latencies (a GPU at 21 us, a host bridge at
/// 10 us) gives a median that belongs to neither.
package struct FunctionMedians: Sendable, Codable, Equatable {
    package var function: PCIAddress
    /// p50 of this function's samples per run, in run order (ns, nearest rank).
    package var mediansNs: [UInt64]
    /// Each run after the baseline against the baseline, on this function's
    /// samples only (percentile bootstrap, same resamples and seed).
    package var comparisons: [Bootstrap.MedianComparison]
}

/// Whether one run's pooled distribution mixes functions of different
/// latency. The test: the slowest and the fastest function by median are
/// compared by the percentile bootstrap of the ratio of their medians; the
/// pool is called multimodal when the whole 95% interval lies above
/// `threshold`, i.e. the two medians differ by more than their bootstrap
/// uncertainty and by more than a quarter. Nothing is assumed about shape.
package struct PoolCheck: Sendable, Codable, Equatable {
    package static let threshold = 1.25
    package var method: String
    package var fastest: PCIAddress
    package var slowest: PCIAddress
    package var fastestP50Ns: UInt64
    package var slowestP50Ns: UInt64
    /// slowest / fastest median and its interval.
    package var ratio: Double
    package var ratioLow: Double
    package var ratioHigh: Double
    package var multimodal: Bool
    package var test = "percentile-bootstrap 95% interval of slowest/fastest per-function median ratio entirely above 1.25"

    package init(method: String, fastest: PCIAddress, slowest: PCIAddress, comparison c: Bootstrap.MedianComparison) {
        self.method = method
        self.fastest = fastest
        self.slowest = slowest
        fastestP50Ns = c.baselineMedian
        slowestP50Ns = c.otherMedian
        ratio = c.ratio
        ratioLow = c.ratioLow
        ratioHigh = c.ratioHigh
        multimodal = c.ratioLow > Self.threshold
    }

    /// The warning a user reads.
    package var warning: String {
        "\(method): the pooled distribution is multimodal: \(slowest.short) p50 \(Format.latency(Double(slowestP50Ns))) against \(fastest.short) \(Format.latency(Double(fastestP50Ns))), ratio \(fixed(ratio, 2)) (95% CI \(fixed(ratioLow, 2))-\(fixed(ratioHigh, 2)), above \(fixed(Self.threshold, 2))); its pooled median and ratio describe no single function: read the per-function rows and the weighted projection"
    }
}

extension MethodSamples {
    /// This run's samples of one function.
    package func samples(of a: PCIAddress) -> [UInt64] {
        var out: [UInt64] = []
        for (i, s) in samples.enumerated() where registers[sampleRegister[i]].address == a { out.append(s) }
        return out
    }
}

extension Comparison {
    /// Per-function medians and ratios, and the pool checks; empty with one function.
    static func perFunction(_ runs: [MethodSamples], functions: [PCIAddress], resamples: Int, seed: UInt64) -> ([FunctionMedians], [PoolCheck]) {
        guard functions.count > 1, !runs.isEmpty else { return ([], []) }
        var rows: [FunctionMedians] = []
        // Each kept function's samples per run, split once for the rows and the pool checks.
        var split: [PCIAddress: [[UInt64]]] = [:]
        for a in functions {
            let samples = runs.map { $0.samples(of: a) }
            guard samples.allSatisfy({ !$0.isEmpty }) else { continue }
            let medians = samples.map { Bootstrap.nearestRank($0.sorted(), 50) }
            let comparisons = samples.dropFirst().map {
                Bootstrap.compareMedians(baseline: samples[0], other: $0, resamples: resamples, seed: seed)
            }
            rows.append(FunctionMedians(function: a, mediansNs: medians, comparisons: comparisons))
            split[a] = samples
        }
        var checks: [PoolCheck] = []
        for (k, run) in runs.enumerated() where rows.count > 1 {
            let fast = rows.min { ($0.mediansNs[k], $0.function) < ($1.mediansNs[k], $1.function) }!
            let slow = rows.max { ($0.mediansNs[k], $0.function) < ($1.mediansNs[k], $1.function) }!
            guard fast.function != slow.function else { continue }
            let c = Bootstrap.compareMedians(baseline: split[fast.function]![k], other: split[slow.function]![k],
                                             resamples: resamples, seed: seed)
            checks.append(PoolCheck(method: run.requested, fastest: fast.function, slowest: slow.function, comparison: c))
        }
        return (rows, checks)
    }
}

/// The projection with each function's accesses at that function's own
/// median: sum over the compared functions of (its accesses x its p50),
/// plus the accesses to functions not compared (empty probes, functions a
/// method could not read) at the pooled p50. Its interval adds the
/// per-part 95% intervals, which is conservative (wider than a joint one).
package struct WeightedProjection: Sendable, Codable, Equatable {
    package struct Part: Sendable, Codable, Equatable {
        /// nil: the accesses to functions not compared, at the pooled medians.
        package var bdf: PCIAddress?
        package var accesses: Int
        package var fromNs: UInt64
        package var toNs: UInt64
    }
    package var from: String
    package var to: String
    package var accesses: Int
    package var accessesBasis: Provenance
    package var parts: [Part]
    package var fromMs: Double
    package var toMs: Double
    package var savedMs: Double
    package var savedLowMs: Double
    package var savedHighMs: Double
    package var share: Double?
    package var method = "each compared function's accesses at its own p50, the rest at the pooled p50; interval: sum of the parts' 95% bootstrap intervals (conservative)"

    /// The arithmetic on plain values (tests call this): `parts` pairs each
    /// function's access count with its comparison; `rest` accesses go at `pooled`.
    package init(from: String, to: String, accessesBasis: Provenance,
                parts: [(function: PCIAddress, accesses: Int, comparison: Bootstrap.MedianComparison)],
                rest: Int, pooled: Bootstrap.MedianComparison, kernelBootMicroseconds: UInt64?) {
        self.from = from
        self.to = to
        self.accessesBasis = accessesBasis
        var all = parts.map { (Optional($0.function), $0.accesses, $0.comparison) }
        if rest > 0 { all.append((nil, rest, pooled)) }
        self.parts = all.map { Part(bdf: $0.0, accesses: $0.1, fromNs: $0.2.baselineMedian, toNs: $0.2.otherMedian) }
        accesses = all.reduce(0) { $0 + $1.1 }
        fromMs = all.reduce(0) { $0 + Double($1.1) * Double($1.2.baselineMedian) } / 1e6
        toMs = all.reduce(0) { $0 + Double($1.1) * Double($1.2.otherMedian) } / 1e6
        savedMs = fromMs - toMs
        savedLowMs = all.reduce(0) { $0 + Double($1.1) * $1.2.differenceLow } / 1e6
        savedHighMs = all.reduce(0) { $0 + Double($1.1) * $1.2.differenceHigh } / 1e6
        share = kernelBootMicroseconds.flatMap { $0 > 0 ? savedMs / (Double($0) / 1000) : nil }
    }
}
