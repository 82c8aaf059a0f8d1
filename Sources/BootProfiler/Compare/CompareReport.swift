import Enumerator
import Histogram

/// One register of one function, read by one method.
package struct CompareRegister: Hashable, Sendable, Codable {
    package var address: PCIAddress
    package var offset: Int
}

/// Order statistics of one set of samples (nanoseconds, timer cost
/// subtracted), from the raw samples by nearest rank, not from histogram
/// buckets. Outliers are counted with Tukey's far-out fence (Q3 + 3 IQR)
/// and kept in every statistic.
package struct LatencySummary: Sendable, Codable, Equatable {
    package var count: Int
    package var min: UInt64
    package var p50: UInt64
    package var p90: UInt64
    package var p99: UInt64
    package var max: UInt64
    package var mean: Double
    package var outlierFence: UInt64
    package var outliers: Int

    package init(sorted s: [UInt64]) {
        precondition(!s.isEmpty)
        count = s.count
        min = s[0]
        max = s[s.count - 1]
        p50 = Bootstrap.nearestRank(s, 50)
        p90 = Bootstrap.nearestRank(s, 90)
        p99 = Bootstrap.nearestRank(s, 99)
        mean = Double(s.reduce(0.0) { $0 + Double($1) }) / Double(s.count)
        let q1 = Bootstrap.nearestRank(s, 25), q3 = Bootstrap.nearestRank(s, 75)
        outlierFence = q3 + 3 * (q3 - q1)
        let fence = outlierFence
        // Sorted: everything after the last value at or below the fence.
        var lo = 0, hi = s.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if s[mid] <= fence { lo = mid + 1 } else { hi = mid }
        }
        outliers = s.count - lo
    }
}

/// One sample above the outlier fence, with where and when it happened.
package struct OutlierSample: Sendable, Codable, Equatable {
    package var register: CompareRegister
    /// Measured round, from 0 (warm-up rounds not counted).
    package var round: Int
    package var nanoseconds: UInt64
}

/// One method's part of a comparison: what it measures and every sample.
package struct MethodSamples: Sendable {
    /// As given on the command line (`mmio`), and the method's own name (`ecam`).
    package var requested: String
    package var name: String
    package var summary: String
    /// What one timed access of this method is, in words, for the report.
    package var measures: String
    /// The mechanism that reaches the device, for the projection ("type 1 via sysfs").
    package var mechanism: String
    /// Offsets read on each function (the same list on each).
    package var offsets: [Int]
    package var registers: [CompareRegister]
    /// Samples in the order taken (round by round, register by register).
    package var samples: [UInt64]
    /// For each sample, its register index and measured round.
    package var sampleRegister: [Int]
    package var sampleRound: [Int]
    /// Three significant digits: 1 ns resolution below 2 us, 8 ns at 10 us.
    package var histogram: Histogram<UInt64>
    package var stats: LatencySummary
    /// Per compared function, in address order.
    package var perFunction: [(address: PCIAddress, stats: LatencySummary)]
    /// The slowest samples above the fence (at most 5), slowest first.
    package var worst: [OutlierSample]
    package var failures: Int
    package var firstFailure: String?
    /// The first value read at each register, and how many later reads differed.
    package var firstValues: [UInt32]
    package var valueChanges: Int
    /// Reads through AccessLayer in the measured rounds, and in warm-up.
    package var measuredReads: Int
    package var warmupReads: Int
    /// Set when the requested method could not run here and the kernel's
    /// path to the same mechanism was timed in its place.
    package var kernelPath: KernelPath? = nil

    /// The name in tables and ratios: "pio via sysfs-base" when kernel-mediated.
    package var label: String { kernelPath.map { "\(requested) via \($0.method)" } ?? requested }
}

/// The kernel-mediated stand-in for a direct method: where the kernel splits
/// config space between type 1 (below 0x100) and ECAM (0x100 and above),
/// sysfs-base reaches type 1 and sysfs-ext reaches ECAM through the kernel.
package struct KernelPath: Sendable, Equatable {
    package var requested: String
    /// sysfs-base or sysfs-ext.
    package var method: String
    /// The mechanism the kernel uses for it ("type 1", "ECAM").
    package var mechanism: String
    /// Why the direct method does not run here.
    package var direct: String
    /// The kernel log's statement of the split.
    package var evidence: String

    /// nil unless `requested` is pio or ecam and the kernel's log says it
    /// uses that mechanism for the matching half of config space.
    package init?(for requested: String, split: MechanismChoice?, evidence: String?, direct: String) {
        switch Methods.canonical(requested) {
        case "pio" where split?.base == .type1: (method, mechanism) = ("sysfs-base", Mechanism.type1.rawValue)
        case "ecam" where split?.extended == .ecam: (method, mechanism) = ("sysfs-ext", Mechanism.ecam.rawValue)
        default: return nil
        }
        self.requested = requested
        self.direct = direct
        self.evidence = evidence ?? split?.detail ?? ""
    }
}

/// A method that could not take part, and why.
package struct MethodUnavailable: Sendable {
    package var requested: String
    /// One line naming the method: "mmio (ecam): /dev/mem: does not exist...".
    package var reason: String
    package var error: PCITimeError

    package init(requested: String, error: PCITimeError) {
        self.requested = requested
        self.error = error
        let canonical = Methods.canonical(requested)
        let text = error.description
        if text.hasPrefix(requested + ":") || text.hasPrefix(canonical + ":") {
            reason = canonical == requested ? text : "\(requested) (\(canonical))" + text.dropFirst(canonical.count)
        } else {
            reason = (canonical == requested ? requested : "\(requested) (\(canonical))") + ": " + text
        }
    }
}

/// A function left out of the comparison, and why.
package struct ExcludedFunction: Sendable, Equatable {
    package var address: PCIAddress
    package var method: String
    package var reason: String
}

/// Everything `pcitime compare` measured; renderers read this.
package struct CompareReport: Sendable {
    package var runs: [MethodSamples]
    package var unavailable: [MethodUnavailable]
    /// The functions every compared method read.
    package var functions: [PCIAddress]
    package var excluded: [ExcludedFunction]
    package var width: AccessWidth
    package var samplesPerRegister: Int
    package var warmupRounds: Int
    package var timer: AccessTimer
    package var pinnedCPU: Int?
    package var cpuAtStart: Int?
    package var cpuAtEnd: Int?
    package var root: String
    /// The kernel's split as its log states it (base offsets through one
    /// mechanism, extended through another), and the lines that say so.
    package var kernelSplit: MechanismChoice?
    package var kernelEvidence: String?
    /// Each run after the first against the first (the baseline).
    package var comparisons: [Bootstrap.MedianComparison]
    /// Per-function medians and ratios, and whether each pool mixes
    /// latencies (empty with one function).
    package var perFunction: [FunctionMedians] = []
    package var poolChecks: [PoolCheck] = []
    package var projections: [Projection] = []
    /// The projections with each function's accesses at its own median.
    package var weightedProjections: [WeightedProjection] = []
    /// Why there is no projection, when there is none.
    package var projectionNote: String?
    package var notes: [String]
    /// Wall time of the measured and warm-up rounds.
    package var seconds: Double
    /// Beside sysfs runs: the same system call on each function's `vendor`
    /// attribute, which makes no config access (`SysfsPathProbe`), timed in
    /// the same rounds; nil without a sysfs run.
    package var sysfsPath: LatencySummary?

    package var baseline: MethodSamples { runs[0] }

    /// One trap through sysfs: a run's median less the path's; nil for runs
    /// that are not sysfs.
    package func trapNanoseconds(_ run: MethodSamples) -> Double? {
        guard run.name.hasPrefix("sysfs"), let path = sysfsPath else { return nil }
        return max(0, Double(run.stats.p50) - Double(path.p50))
    }

    package static let sysfsPathMeasures = "pread(2) of the function's sysfs vendor attribute: the system call and sysfs path a config read pays, without the config access (the kernel answers from its copy)"

    /// True when the methods read different offsets (sysfs-base vs sysfs-ext).
    package var registersDiffer: Bool { Set(runs.map(\.offsets)).count > 1 }
}
