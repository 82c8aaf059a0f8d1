import Enumerator

/// What the kernel's boot-time accesses would take at each method's measured
/// median: "N accesses at 13.1 us take X ms; at 9.3 us Y ms: Z ms saved
/// (W% of the kernel boot)". The saving's interval is N times the bootstrap
/// interval of the difference of medians, widened by a modelled count's
/// expected error.
package struct Projection: Sendable, Codable, Equatable {
    package var accesses: Int
    package var accessesBasis: Provenance
    /// What the accesses are ("base-space (offset < 0x100) config accesses").
    package var accessKind: String
    package var from: String
    package var fromMechanism: String
    package var fromNanoseconds: UInt64
    package var to: String
    package var toMechanism: String
    package var toNanoseconds: UInt64
    package var fromMilliseconds: Double
    package var toMilliseconds: Double
    package var savedMilliseconds: Double
    package var savedLow: Double
    package var savedHigh: Double
    package var confidence: Double
    /// The count's own expected error (a modelled count), folded into the
    /// interval: nil for a given or traced count.
    package var countError: Double?
    package var kernelBootMilliseconds: Double?
    package var kernelBootBasis: Provenance?
    /// Saved as a share of the kernel boot, 0...1.
    package var share: Double?

    package init(accesses: Int, accessesBasis: Provenance, accessKind: String,
                from: MethodSamples, to: MethodSamples, comparison c: Bootstrap.MedianComparison, countError: Double? = nil,
                kernelBootMicroseconds: UInt64?, kernelBootBasis: Provenance?) {
        self.init(accesses: accesses, accessesBasis: accessesBasis, accessKind: accessKind,
                  from: (from.label, from.mechanism), to: (to.label, to.mechanism), comparison: c, countError: countError,
                  kernelBootMicroseconds: kernelBootMicroseconds, kernelBootBasis: kernelBootBasis)
    }

    /// The arithmetic, on plain values (tests call this).
    package init(accesses n: Int, accessesBasis: Provenance, accessKind: String,
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
