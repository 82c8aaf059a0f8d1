import Enumerator
import Histogram

/// `pcitime compare --json` (schema pcitime-compare/3,
/// docs/schema/pcitime-compare-3.json): the report with each method's raw
/// histogram (every recorded HdrHistogram bucket: its value range and count)
/// and, with `rawSamples`, every sample in the order taken. Every duration's
/// key names its unit; the seed is a hex string (it exceeds 2^53).
package struct CompareJSON: Encodable {
    package struct Bucket: Encodable {
        /// The bucket's range: every sample in it is within [low, high].
        package var lowNs: UInt64
        package var highNs: UInt64
        package var count: UInt64
    }

    package struct RawHistogram: Encodable {
        package var significantDigits: Int
        package var totalCount: UInt64
        package var buckets: [Bucket]
    }

    /// Order statistics of the raw samples, ns; `samples` and `outliers` are counts.
    package struct Latency: Encodable {
        package var samples: Int
        package var min: UInt64, p50: UInt64, p90: UInt64, p99: UInt64, max: UInt64
        package var mean: Double
        package var outlierFence: UInt64
        package var outliers: Int

        init(_ s: LatencySummary) {
            samples = s.count
            (min, p50, p90, p99, max, mean) = (s.min, s.p50, s.p90, s.p99, s.max, s.mean)
            outlierFence = s.outlierFence
            outliers = s.outliers
        }
    }

    package struct Outlier: Encodable {
        package var bdf: String
        package var offset: String
        /// Measured round, from 0.
        package var round: Int
        package var latencyNs: UInt64
    }

    package struct Run: Encodable {
        package var requested: String
        package var method: String
        /// Present when `requested` could not run here and the kernel's path
        /// to the same mechanism (`method`) was timed instead.
        package var kernelMediated: KernelMediated?
        package var measures: String
        package var mechanism: String
        /// Register offsets as lspci -x prints them: "3c", "100".
        package var offsets: [String]
        package var functions: [PCIAddress]
        package var latencyNs: Latency
        package var perFunctionLatencyNs: [String: Latency]
        package var outliersSlowest: [Outlier]
        package var failures: Int
        package var valueChanges: Int
        package var histogram: RawHistogram
        package var samplesNs: [UInt64]?
        /// A sysfs run's median less the sysfs path's (`sysfs_path`): one trap.
        package var trapNs: Double?
    }

    package struct KernelMediated: Encodable {
        package var mechanism: String
        package var why: String
        package var kernelSplit: String
    }

    package struct Comparison: Encodable {
        package var baseline: String
        package var other: String
        package var baselineP50Ns: UInt64
        package var otherP50Ns: UInt64
        /// other / baseline at the median, and its percentile-bootstrap interval.
        package var ratio: Double
        package var ratioLow: Double
        package var ratioHigh: Double
        /// baseline - other at the median (positive: the other is faster).
        package var differenceNs: Double
        package var differenceLowNs: Double
        package var differenceHighNs: Double
        package var confidence: Double
        package var resamples: Int
        package var seed: String

        init(baseline: String, other: String, _ c: Bootstrap.MedianComparison) {
            self.baseline = baseline
            self.other = other
            baselineP50Ns = c.baselineMedian
            otherP50Ns = c.otherMedian
            ratio = c.ratio
            ratioLow = c.ratioLow
            ratioHigh = c.ratioHigh
            differenceNs = c.difference
            differenceLowNs = c.differenceLow
            differenceHighNs = c.differenceHigh
            confidence = c.confidence
            resamples = c.resamples
            seed = "0x" + String(c.seed, radix: 16)
        }
    }

    package struct Projection: Encodable {
        package var accesses: Int
        package var accessesBasis: Provenance
        package var accessKind: String
        package var from: String
        package var fromMechanism: String
        package var fromP50Ns: UInt64
        package var to: String
        package var toMechanism: String
        package var toP50Ns: UInt64
        package var fromMs: Double
        package var toMs: Double
        package var savedMs: Double
        package var savedLowMs: Double
        package var savedHighMs: Double
        package var confidence: Double
        /// A modelled count's expected error (fraction), folded into the interval.
        package var countError: Double?
        package var kernelBootMs: Double?
        package var kernelBootBasis: Provenance?
        /// Saved as a share of the kernel boot, 0...1.
        package var share: Double?
    }

    /// One function's medians per method and its ratios against the baseline.
    package struct FunctionRow: Encodable {
        package var bdf: PCIAddress
        package var mediansNs: [String: UInt64]
        package var comparisons: [Comparison]
    }

    package struct Unavailable: Encodable {
        package var method: String
        package var reason: String
    }

    package struct Excluded: Encodable {
        package var bdf: String
        package var method: String
        package var reason: String
    }

    /// The kernel's split as the log states it; mechanisms by name.
    package struct KernelSplit: Encodable {
        package var base: String
        package var extended: String?
        package var evidence: String
    }

    /// The same system call on a sysfs attribute that makes no config access.
    package struct SysfsPath: Encodable {
        package var measures: String
        package var latencyNs: Latency
    }

    package struct Timer: Encodable {
        package var source: String
        package var ticksPerSecond: Double
        package var overheadNs: Double
    }

    package var schema = "pcitime-compare/3"
    package var basis = "measured: per-access latency in ns, timer back-to-back cost subtracted; projection numbers carry their own basis"
    package var root: String
    package var width: Int
    package var samplesPerRegister: Int
    package var warmupRounds: Int
    package var interleaving = "round k runs the methods in the given order when k is even, reversed when odd"
    package var pinnedCpu: Int?
    /// Wall time of the warm-up and measured rounds.
    package var wallS: Double
    package var timer: Timer
    package var kernelSplit: KernelSplit?
    package var sysfsPath: SysfsPath?
    package var functions: [PCIAddress]
    package var runs: [Run]
    package var unavailable: [Unavailable]
    package var excluded: [Excluded]
    package var comparisons: [Comparison]
    /// Beside the pooled numbers when several functions are compared.
    package var perFunctionMedians: [FunctionRow]
    package var poolChecks: [PoolCheck]
    package var projections: [Projection]
    package var weightedProjections: [WeightedProjection]
    package var projectionNote: String?
    package var notes: [String]

    package init(_ r: CompareReport, rawSamples: Bool = false) {
        root = r.root
        width = r.width.rawValue
        samplesPerRegister = r.samplesPerRegister
        warmupRounds = r.warmupRounds
        pinnedCpu = r.pinnedCPU
        wallS = r.seconds
        timer = Timer(source: r.timer.source.rawValue, ticksPerSecond: r.timer.ticksPerSecond, overheadNs: r.timer.overheadNanoseconds)
        kernelSplit = r.kernelSplit.map { KernelSplit(base: $0.base.rawValue, extended: $0.extended?.rawValue, evidence: r.kernelEvidence ?? "") }
        sysfsPath = r.sysfsPath.map { SysfsPath(measures: CompareReport.sysfsPathMeasures, latencyNs: Latency($0)) }
        functions = r.functions
        runs = r.runs.map { run in
            Run(requested: run.requested, method: run.name,
                kernelMediated: run.kernelPath.map { KernelMediated(mechanism: $0.mechanism, why: $0.direct, kernelSplit: $0.evidence) },
                measures: run.measures, mechanism: run.mechanism,
                offsets: run.offsets.map { hex($0, 2) }, functions: r.functions, latencyNs: Latency(run.stats),
                perFunctionLatencyNs: Dictionary(uniqueKeysWithValues: run.perFunction.map { ($0.address.description, Latency($0.stats)) }),
                outliersSlowest: run.worst.map { Outlier(bdf: $0.register.address.description, offset: hex($0.register.offset, 2), round: $0.round, latencyNs: $0.nanoseconds) },
                failures: run.failures, valueChanges: run.valueChanges,
                histogram: CompareJSON.raw(run.histogram), samplesNs: rawSamples ? run.samples : nil, trapNs: r.trapNanoseconds(run))
        }
        unavailable = r.unavailable.map { Unavailable(method: $0.requested, reason: $0.reason) }
        excluded = r.excluded.map { Excluded(bdf: $0.address.description, method: $0.method, reason: $0.reason) }
        comparisons = zip(r.runs.dropFirst(), r.comparisons).map { Comparison(baseline: r.baseline.requested, other: $0.requested, $1) }
        perFunctionMedians = r.perFunction.map { f in
            FunctionRow(bdf: f.function,
                        mediansNs: Dictionary(uniqueKeysWithValues: zip(r.runs.map(\.requested), f.mediansNs)),
                        comparisons: zip(r.runs.dropFirst(), f.comparisons).map { Comparison(baseline: r.baseline.requested, other: $0.requested, $1) })
        }
        poolChecks = r.poolChecks
        weightedProjections = r.weightedProjections
        projections = r.projections.map { p in
            Projection(accesses: p.accesses, accessesBasis: p.accessesBasis, accessKind: p.accessKind, from: p.from, fromMechanism: p.fromMechanism,
                       fromP50Ns: p.fromNanoseconds, to: p.to, toMechanism: p.toMechanism, toP50Ns: p.toNanoseconds,
                       fromMs: p.fromMilliseconds, toMs: p.toMilliseconds, savedMs: p.savedMilliseconds, savedLowMs: p.savedLow,
                       savedHighMs: p.savedHigh, confidence: p.confidence, countError: p.countError, kernelBootMs: p.kernelBootMilliseconds,
                       kernelBootBasis: p.kernelBootBasis, share: p.share)
        }
        projectionNote = r.projectionNote
        notes = r.notes
    }

    static func raw(_ h: Histogram<UInt64>) -> RawHistogram {
        var buckets: [Bucket] = []
        for v in h.recordedValues() {
            buckets.append(Bucket(lowNs: h.lowestEquivalentForValue(v.value), highNs: h.highestEquivalentForValue(v.value), count: UInt64(v.count)))
        }
        return RawHistogram(significantDigits: Int(h.numberOfSignificantValueDigits.rawValue), totalCount: h.totalCount, buckets: buckets)
    }

    package func encoded() throws -> String {
        try JSONOutput.encode(self, keys: .snakeCase)
    }
}
