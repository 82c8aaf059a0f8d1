import Enumerator
import Histogram

/// `pcitime compare --json`: the report with each method's raw histogram
/// (every recorded HdrHistogram bucket: its value range and count) and,
/// with `rawSamples`, every sample in the order taken.
public struct CompareJSON: Encodable {
    public struct Bucket: Encodable {
        /// The bucket's range in ns: every sample in it is within [low, high].
        public var low: UInt64
        public var high: UInt64
        public var count: UInt64
    }

    public struct RawHistogram: Encodable {
        public var significantDigits: Int
        public var totalCount: UInt64
        public var buckets: [Bucket]
    }

    public struct Run: Encodable {
        public var requested: String
        public var method: String
        public var measures: String
        public var mechanism: String
        public var offsets: [String]
        public var functions: [PCIAddress]
        public var stats: LatencySummary
        public var perFunction: [String: LatencySummary]
        public var outliersSlowest: [OutlierSample]
        public var failures: Int
        public var valueChanges: Int
        public var histogram: RawHistogram
        public var samples: [UInt64]?
    }

    public struct Comparison: Encodable {
        public var baseline: String
        public var other: String
        public var result: Bootstrap.MedianComparison
    }

    /// One function's medians per method and its ratios against the baseline.
    public struct FunctionRow: Encodable {
        public var function: PCIAddress
        public var mediansNs: [String: UInt64]
        public var comparisons: [Comparison]
    }

    public struct Unavailable: Encodable {
        public var method: String
        public var reason: String
    }

    /// The kernel's split as the log states it; mechanisms by name.
    public struct KernelSplit: Encodable {
        public var base: String
        public var extended: String?
        public var evidence: String
    }

    public struct Timer: Encodable {
        public var source: String
        public var ticksPerSecond: Double
        public var overheadNanoseconds: Double
    }

    public var schema = "pcitime-compare/1"
    public var basis = "measured: per-access latency in ns, timer back-to-back cost subtracted; projection numbers carry their own basis"
    public var root: String
    public var width: Int
    public var samplesPerRegister: Int
    public var warmupRounds: Int
    public var interleaving = "round k runs the methods in the given order when k is even, reversed when odd"
    public var pinnedCPU: Int?
    public var seconds: Double
    public var timer: Timer
    public var kernelSplit: KernelSplit?
    public var functions: [PCIAddress]
    public var runs: [Run]
    public var unavailable: [Unavailable]
    public var excluded: [[String: String]]
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
        pinnedCPU = r.pinnedCPU
        seconds = r.seconds
        timer = Timer(source: r.timer.source.rawValue, ticksPerSecond: r.timer.ticksPerSecond, overheadNanoseconds: r.timer.overheadNanoseconds)
        kernelSplit = r.kernelSplit.map { KernelSplit(base: $0.base.rawValue, extended: $0.extended?.rawValue, evidence: r.kernelEvidence ?? "") }
        functions = r.functions
        runs = r.runs.map { run in
            Run(requested: run.requested, method: run.name, measures: run.measures, mechanism: run.mechanism,
                offsets: run.offsets.map { "0x" + hex($0, 3) }, functions: r.functions, stats: run.stats,
                perFunction: Dictionary(uniqueKeysWithValues: run.perFunction.map { ($0.address.description, $0.stats) }),
                outliersSlowest: run.worst, failures: run.failures, valueChanges: run.valueChanges,
                histogram: CompareJSON.raw(run.histogram), samples: rawSamples ? run.samples : nil)
        }
        unavailable = r.unavailable.map { Unavailable(method: $0.requested, reason: $0.reason) }
        excluded = r.excluded.map { ["function": $0.address.description, "method": $0.method, "reason": $0.reason] }
        comparisons = zip(r.runs.dropFirst(), r.comparisons).map { Comparison(baseline: r.baseline.requested, other: $0.requested, result: $1) }
        perFunctionMedians = r.perFunction.map { f in
            FunctionRow(function: f.function,
                        mediansNs: Dictionary(uniqueKeysWithValues: zip(r.runs.map(\.requested), f.mediansNs).map { ($0, $1) }),
                        comparisons: zip(r.runs.dropFirst(), f.comparisons).map { Comparison(baseline: r.baseline.requested, other: $0.requested, result: $1) })
        }
        poolChecks = r.poolChecks
        projections = r.projections
        weightedProjections = r.weightedProjections
        projectionNote = r.projectionNote
        notes = r.notes
    }

    static func raw(_ h: Histogram<UInt64>) -> RawHistogram {
        var buckets: [Bucket] = []
        for v in h.recordedValues() {
            buckets.append(Bucket(low: h.lowestEquivalentForValue(v.value), high: h.highestEquivalentForValue(v.value), count: UInt64(v.count)))
        }
        return RawHistogram(significantDigits: Int(h.numberOfSignificantValueDigits.rawValue), totalCount: h.totalCount, buckets: buckets)
    }

    public func encoded() throws -> String {
        try JSONOutput.encode(self, keys: .snakeCase)
    }
}
