import Enumerator

/// What the kernel's boot-time accesses would take at each method's measured
/// median: "N accesses at 13.1 us take X ms; at 9.3 us Y ms: Z ms saved
/// (W% of the kernel boot)". The saving's interval is N times the bootstrap
/// interval of the difference of medians, widened by a modelled count's
/// expected error.
public struct Projection: Sendable, Codable, Equatable {
    public var accesses: Int
    public var accessesBasis: Provenance
    /// What the accesses are ("base-space (offset < 0x100) config accesses").
    public var accessKind: String
    public var from: String
    public var fromMechanism: String
    public var fromNanoseconds: UInt64
    public var to: String
    public var toMechanism: String
    public var toNanoseconds: UInt64
    public var fromMilliseconds: Double
    public var toMilliseconds: Double
    public var savedMilliseconds: Double
    public var savedLow: Double
    public var savedHigh: Double
    public var confidence: Double
    /// The count's own expected error (a modelled count), folded into the
    /// interval: nil for a given or traced count.
    public var countError: Double?
    public var kernelBootMilliseconds: Double?
    public var kernelBootBasis: Provenance?
    /// Saved as a share of the kernel boot, 0...1.
    public var share: Double?

    public init(accesses: Int, accessesBasis: Provenance, accessKind: String,
                from: MethodRun, to: MethodRun, comparison c: Bootstrap.MedianComparison, countError: Double? = nil,
                kernelBootMicroseconds: UInt64?, kernelBootBasis: Provenance?) {
        self.init(accesses: accesses, accessesBasis: accessesBasis, accessKind: accessKind,
                  from: (from.label, from.mechanism), to: (to.label, to.mechanism), comparison: c, countError: countError,
                  kernelBootMicroseconds: kernelBootMicroseconds, kernelBootBasis: kernelBootBasis)
    }

    /// The arithmetic, on plain values (tests call this).
    public init(accesses n: Int, accessesBasis: Provenance, accessKind: String,
                from: (name: String, mechanism: String), to: (name: String, mechanism: String),
                comparison c: Bootstrap.MedianComparison, countError: Double? = nil, kernelBootMicroseconds: UInt64?, kernelBootBasis: Provenance?) {
        accesses = n
        self.accessesBasis = accessesBasis
        self.accessKind = accessKind
        self.from = from.name
        fromMechanism = from.mechanism
        self.to = to.name
        toMechanism = to.mechanism
        fromNanoseconds = c.baselineMedian
        toNanoseconds = c.otherMedian
        fromMilliseconds = Double(n) * Double(c.baselineMedian) / 1e6
        toMilliseconds = Double(n) * Double(c.otherMedian) / 1e6
        savedMilliseconds = Double(n) * c.difference / 1e6
        // The product's interval: the count anywhere in n(1 - e)...n(1 + e),
        // the difference anywhere in its bootstrap interval.
        let e = countError ?? 0
        let corners = [Double(n) * (1 - e), Double(n) * (1 + e)].flatMap { k in [c.differenceLow, c.differenceHigh].map { k * $0 / 1e6 } }
        savedLow = corners.min()!
        savedHigh = corners.max()!
        confidence = c.confidence
        self.countError = countError
        if let us = kernelBootMicroseconds, us > 0 {
            kernelBootMilliseconds = Double(us) / 1000
            self.kernelBootBasis = kernelBootBasis
            share = savedMilliseconds / (Double(us) / 1000)
        } else {
            kernelBootMilliseconds = nil
            self.kernelBootBasis = nil
            share = nil
        }
    }
}
