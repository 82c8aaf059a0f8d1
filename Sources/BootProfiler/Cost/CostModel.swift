import Enumerator

/// A per-access latency for one mechanism and where it came from.
public struct LatencyEstimate: Codable, Sendable, Equatable {
    public var mechanism: Mechanism
    public var nanoseconds: Double
    public var provenance: Provenance
    public init(mechanism: Mechanism, nanoseconds: Double, provenance: Provenance) {
        self.mechanism = mechanism
        self.nanoseconds = nanoseconds
        self.provenance = provenance
    }
}

/// A number with its unit and where it came from. In JSON (boot/2) it is
/// two keys, as every figure there: `<name>_<unit>` and `<name>_basis`.
public struct Figure: Sendable, Equatable {
    public var value: Double
    public var unit: String
    public var provenance: Provenance
}

/// Keys built at run time: a figure's name with its unit.
struct JSONKey: CodingKey {
    var stringValue: String
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

extension KeyedEncodingContainer where K == JSONKey {
    /// `<name>_<unit>` and `<name>_basis`; nothing when the figure is absent.
    mutating func encode(_ f: Figure?, as name: String) throws {
        guard let f else { return }
        try encode(f.value, forKey: JSONKey("\(name)_\(f.unit)"))
        try encode(f.provenance, forKey: JSONKey("\(name)_basis"))
    }
    /// A latency as `latency_ns` and `latency_basis` (its mechanism is the row's).
    mutating func encode(latency l: LatencyEstimate?) throws {
        try encode(l.map { Figure(value: $0.nanoseconds, unit: "ns", provenance: $0.provenance) }, as: "latency")
    }
}

/// What the accesses cost through one mechanism.
public struct MechanismCost: Encodable, Sendable, Equatable {
    public var mechanism: Mechanism
    public var accesses: Int
    public var latency: LatencyEstimate
    public var microseconds: Double

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(mechanism, forKey: JSONKey("mechanism"))
        try c.encode(accesses, forKey: JSONKey("accesses"))
        try c.encode(latency: latency)
        try c.encode(microseconds, forKey: JSONKey("cost_us"))
    }
}

/// What a smaller bus range would save.
public struct BusRangeSaving: Encodable, Sendable, Equatable {
    /// e.g. "pci=lastbus=0 or an MCFG window of buses 00-00".
    public var change: String
    public var accessesSaved: Int
    public var microsecondsSaved: Double?
    public var latency: LatencyEstimate?

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(change, forKey: JSONKey("change"))
        try c.encode(accessesSaved, forKey: JSONKey("accesses_saved"))
        try c.encodeIfPresent(microsecondsSaved, forKey: JSONKey("saved_us"))
        try c.encode(latency: latency)
    }
}

/// The joined answer of `pcitime boot`.
public struct CostReport: Encodable, Sendable, Equatable {
    public var enumeration: Figure?
    public var kernelBoot: Figure?
    public var share: Double?
    public var devices: Int
    public var accesses: Int
    public var accessProvenance: Provenance
    /// The kernel's own mechanisms (base, extended) applied to the counts.
    public var actual: [MechanismCost]
    /// The same accesses through each other mechanism with a known latency.
    public var alternatives: [MechanismCost]
    public var emptyAccesses: Int
    public var missingBusAccesses: Int
    public var emptyCost: [MechanismCost]
    public var savings: [BusRangeSaving]
    /// Enumeration time divided by the accesses: an upper bound on the
    /// per-access cost as the log sees it (it includes printk and allocation).
    public var impliedPerAccess: Figure?
    public var headline: String
    public var notes: [String]

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(enumeration, as: "enumeration")
        try c.encode(kernelBoot, as: "kernel_boot")
        try c.encodeIfPresent(share, forKey: JSONKey("share"))
        try c.encode(devices, forKey: JSONKey("devices"))
        try c.encode(accesses, forKey: JSONKey("accesses"))
        try c.encode(accessProvenance, forKey: JSONKey("accesses_basis"))
        try c.encode(actual, forKey: JSONKey("actual"))
        try c.encode(alternatives, forKey: JSONKey("alternatives"))
        try c.encode(emptyAccesses, forKey: JSONKey("empty_accesses"))
        try c.encode(missingBusAccesses, forKey: JSONKey("missing_bus_accesses"))
        try c.encode(emptyCost, forKey: JSONKey("empty_cost"))
        try c.encode(savings, forKey: JSONKey("savings"))
        try c.encode(impliedPerAccess, as: "implied_per_access")
        try c.encode(headline, forKey: JSONKey("headline"))
        try c.encode(notes, forKey: JSONKey("notes"))
    }
}

/// Joins the log's phases, the access counts and per-mechanism latencies.
public enum CostModel {
    public static func report(profile: BootProfile, counts: AccessCounts, latencies: [LatencyEstimate]) -> CostReport {
        var notes: [String] = []
        let log = Provenance.measured("kernel log timestamps")
        let enumUS = profile.enumerationMicroseconds
        let enumeration = profile.scans.isEmpty ? nil : Figure(value: Double(enumUS), unit: "us", provenance: log)
        let boot = profile.kernelBoot.map { Figure(value: Double($0), unit: "us", provenance: log) }
        if profile.startLost { notes.append("the log's start is lost (wrapped ring buffer): the kernel boot's length and shares are unknown") }
        let latency = { (m: Mechanism) in latencies.first { $0.mechanism == m } }

        func cost(_ m: Mechanism, _ n: Int) -> MechanismCost? {
            guard n > 0, let l = latency(m) else { return nil }
            return MechanismCost(mechanism: m, accesses: n, latency: l, microseconds: Double(n) * l.nanoseconds / 1000)
        }
        var actual: [MechanismCost] = []
        let ext = counts.extendedMechanism
        var baseN = counts.baseTotal
        var extN = counts.extendedTotal
        if ext == counts.baseMechanism || ext == nil { baseN += extN; extN = 0 }
        for (m, n) in [(counts.baseMechanism, baseN), (ext ?? counts.baseMechanism, extN)] where n > 0 {
            if let c = cost(m, n) { actual.append(c) } else {
                notes.append("no per-access latency for \(m.rawValue): pass --latency FILE (from `pcitime scan --method pio|ecam --json` or `pcitime compare --json`) to price its \(n) accesses")
            }
        }
        // The alternative to the kernel's choice: every access through another
        // mechanism (on x86 with type 1 for base offsets: all through ECAM).
        var alternatives: [MechanismCost] = []
        for l in latencies where l.mechanism != counts.baseMechanism && [.type1, .ecam].contains(l.mechanism) {
            // Only what the kernel itself could use is an alternative.
            // Type 1 cannot serve extended offsets; ECAM and the OS paths can.
            if l.mechanism == .type1 && counts.extendedTotal > 0 && counts.extendedMechanism != .type1 { continue }
            if let c = cost(l.mechanism, counts.total) { alternatives.append(c) }
        }
        let emptyCost = [cost(counts.baseMechanism, counts.emptyTotal)].compactMap { $0 }
        let savings = busSavings(profile: profile, counts: counts, latency: latency(counts.baseMechanism))
        let implied = counts.total > 0 && enumUS > 0
            ? Figure(value: Double(enumUS) * 1000 / Double(counts.total), unit: "ns",
                     provenance: .modelled("enumeration time (measured from the log) / accesses (\(counts.provenance.kind.rawValue)); an upper bound including printk and allocation"))
            : nil
        var report = CostReport(enumeration: enumeration, kernelBoot: boot,
                                share: profile.share(enumUS), devices: profile.bootDevices.count,
                                accesses: counts.total, accessProvenance: counts.provenance, actual: actual,
                                alternatives: alternatives, emptyAccesses: counts.emptyTotal,
                                missingBusAccesses: counts.missingBusTotal, emptyCost: emptyCost,
                                savings: savings, impliedPerAccess: implied, headline: "", notes: notes)
        report.headline = headline(report, counts: counts)
        return report
    }

    /// `pcibios_fixup_peer_bridges` probes every bus up to pcibios_last_bus
    /// that the scan did not create; a last bus at the highest bus in use
    /// removes all of them.
    static func busSavings(profile: BootProfile, counts: AccessCounts, latency: LatencyEstimate?) -> [BusRangeSaving] {
        let missing = counts.missingBusTotal
        guard missing > 0 else { return [] }
        let highest = counts.devices.map(\.address.bus).max() ?? 0
        let h = hex(highest, 2)
        let change = "pci=lastbus=\(highest) on the kernel command line, or an MCFG window of buses 00-\(h)"
        return [BusRangeSaving(change: change, accessesSaved: missing,
                               microsecondsSaved: latency.map { Double(missing) * $0.nanoseconds / 1000 }, latency: latency)]
    }

    static func headline(_ r: CostReport, counts: AccessCounts) -> String {
        var s = ""
        if let e = r.enumeration {
            s += "PCI enumeration took \(Format.ms(e.value)) ms"
            if let b = r.kernelBoot, let share = r.share {
                s += " of a \(Format.ms(b.value)) ms kernel boot (\(Format.percent(share)))"
            }
            s += " over \(r.devices) device\(r.devices == 1 ? "" : "s") (measured from the kernel log)"
        } else {
            s += "the kernel log shows no PCI scan"
        }
        s += "; about \(r.accesses) config accesses (\(counts.provenance.kind.rawValue))"
        if !r.actual.isEmpty {
            let parts = r.actual.map { "\($0.accesses) through \($0.mechanism.rawValue) at \(Format.us($0.latency.nanoseconds)) us (\($0.latency.provenance.kind.rawValue))" }
            let total = r.actual.reduce(0) { $0 + $1.microseconds }
            s += ": " + parts.joined(separator: " and ") + " explain \(Format.ms(total)) ms"
        }
        for a in r.alternatives {
            s += "; through \(a.mechanism.rawValue) at \(Format.us(a.latency.nanoseconds)) us (\(a.latency.provenance.kind.rawValue)) they would take \(Format.ms(a.microseconds)) ms"
        }
        if r.missingBusAccesses > 0 {
            s += "; \(r.missingBusAccesses) of them probe buses that do not exist"
        }
        return s
    }
}

