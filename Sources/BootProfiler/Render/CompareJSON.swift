import Enumerator
import Histogram

/// `pcitime compare --json` (schema pcitime-compare/3,
/// docs/schema/pcitime-compare-3.json): the report with each method's raw
/// histogram (every recorded HdrHistogram bucket: its value range and count)
/// and, with `rawSamples`, every sample in the order taken. Every duration's
/// key names its unit; the seed is a hex string (it exceeds 2^53).
public struct CompareJSON: Encodable {
    public struct Bucket: Encodable {
        /// The bucket's range: every sample in it is within [low, high].
        public var lowNs: UInt64
        public var highNs: UInt64
        public var count: UInt64
    }

    public struct RawHistogram: Encodable {
        public var significantDigits: Int
        public var totalCount: UInt64
        public var buckets: [Bucket]
    }

    /// Order statistics of the raw samples, ns; `samples` and `outliers` are counts.
    public struct Latency: Encodable {
        public var samples: Int
        public var min: UInt64, p50: UInt64, p90: UInt64, p99: UInt64, max: UInt64
        public var mean: Double
        public var outlierFence: UInt64
        public var outliers: Int

        init(_ s: LatencySummary) {
            samples = s.count
            (min, p50, p90, p99, max, mean) = (s.min, s.p50, s.p90, s.p99, s.max, s.mean)
            outlierFence = s.outlierFence
            outliers = s.outliers
        }
    }

    public struct Outlier: Encodable {
        public var bdf: String
        public var offset: String
        /// Measured round, from 0.
        public var round: Int
        public var latencyNs: UInt64
    }

    public struct Run: Encodable {
        public var requested: String
        public var method: String
        /// Present when `requested` could not run here and the kernel's path
        /// to the same mechanism (`method`) was timed instead.
        public var kernelMediated: KernelMediated?
        public var measures: String
        public var mechanism: String
        /// Register offsets as lspci -x prints them: "3c", "100".
        public var offsets: [String]
        public var functions: [PCIAddress]
        public var latencyNs: Latency
        public var perFunctionLatencyNs: [String: Latency]
        public var outliersSlowest: [Outlier]
        public var failures: Int
        public var valueChanges: Int
        public var histogram: RawHistogram
        public var samplesNs: [UInt64]?
        /// A sysfs run's median less the sysfs path's (`sysfs_path`): one trap.
        public var trapNs: Double?
    }

    public struct KernelMediated: Encodable {
        public var mechanism: String
        public var why: String
        public var kernelSplit: String
    }

    public struct Comparison: Encodable {
        public var baseline: String
        public var other: String
        public var baselineP50Ns: UInt64
        public var otherP50Ns: UInt64
        /// other / baseline at the median, and its percentile-bootstrap interval.
        public var ratio: Double
        public var ratioLow: Double
        public var ratioHigh: Double
        /// baseline - other at the median (positive: the other is faster).
        public var differenceNs: Double
        public var differenceLowNs: Double
        public var differenceHighNs: Double
        public var confidence: Double
        public var resamples: Int
        public var seed: String

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

    public struct Projection: Encodable {
        public var accesses: Int
        public var accessesBasis: Provenance
        public var accessKind: String
        public var from: String
        public var fromMechanism: String
        public var fromP50Ns: UInt64
        public var to: String
        public var toMechanism: String
        public var toP50Ns: UInt64
        public var fromMs: Double
        public var toMs: Double
        public var savedMs: Double
        public var savedLowMs: Double
        public var savedHighMs: Double
        public var confidence: Double
        /// A modelled count's expected error (fraction), folded into the interval.
        public var countError: Double?
        public var kernelBootMs: Double?
        public var kernelBootBasis: Provenance?
        /// Saved as a share of the kernel boot, 0...1.
        public var share: Double?
    }

    /// One function's medians per method and its ratios against the baseline.
    public struct FunctionRow: Encodable {
        public var bdf: PCIAddress
        public var mediansNs: [String: UInt64]
        public var comparisons: [Comparison]
    }

    public struct Unavailable: Encodable {
        public var method: String
        public var reason: String
    }

    public struct Excluded: Encodable {
        public var bdf: String
        public var method: String
        public var reason: String
    }

    /// The kernel's split as the log states it; mechanisms by name.
    public struct KernelSplit: Encodable {
        public var base: String
        public var extended: String?
        public var evidence: String
    }

    /// The same system call on a sysfs attribute that makes no config access.
    public struct SysfsPath: Encodable {
        public var measures: String
        public var latencyNs: Latency
    }

    public struct Timer: Encodable {
        public var source: String
        public var ticksPerSecond: Double
        public var overheadNs: Double
    }

    public var schema = "pcitime-compare/3"
    public var basis = "measured: per-access latency in ns, timer back-to-back cost subtracted; projection numbers carry their own basis"
    public var root: String
    public var width: Int
    public var samplesPerRegister: Int
    public var warmupRounds: Int
    public var interleaving = "round k runs the methods in the given order when k is even, reversed when odd"
    public var pinnedCpu: Int?
    /// Wall time of the warm-up and measured rounds.
    public var wallS: Double
    public var timer: Timer
    public var kernelSplit: KernelSplit?
    public var sysfsPath: SysfsPath?
    public var functions: [PCIAddress]
    public var runs: [Run]
    public var unavailable: [Unavailable]
    public var excluded: [Excluded]
    public var comparisons: [Comparison]
    /// Beside the pooled numbers when several functions are compared.
    public var perFunctionMedians: [FunctionRow]
    public var poolChecks: [PoolCheck]
    public var projections: [Projection]
    public var weightedProjections: [WeightedProjection]
    public var projectionNote: String?
    public var notes: [String]

    public init(_ r: CompareReport, rawSamples: Bool = false) {
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

    public func encoded() throws -> String {
        try JSONOutput.encode(self, keys: .snakeCase)
    }
}
