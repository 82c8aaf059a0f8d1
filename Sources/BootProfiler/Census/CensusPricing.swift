import Enumerator

/// The census priced: each device's accesses at that device's own measured
/// latency (its median in the function_graph trace) when there is one, else
/// at its mechanism's; empty probes and unattributed accesses at the
/// mechanism's.
public struct CensusPricing: Codable, Sendable, Equatable {
    public struct DeviceCost: Codable, Sendable, Equatable {
        public var bdf: String
        public var accesses: Int
        public var latencyNs: Double
        /// "device median" or "mechanism median".
        public var latencyFrom: String
        public var costUs: Double
    }
    public var devices: [DeviceCost]
    public var emptyUs: Double
    public var unattributedUs: Double
    public var beforeTracingUs: Double
    public var totalUs: Double
    public var shareOfBoot: Double?
    /// The latencies' basis: measured unless a fallback latency was modelled or given.
    public var basis: Provenance

    /// nil when a mechanism the census used has no latency.
    public static func price(_ c: BootCensus, mechanism: [Mechanism: Double], device: [String: Double], bootUs: UInt64?, basis: Provenance) -> CensusPricing? {
        guard let t1 = mechanism[.type1] ?? (c.byMechanism.type1.total == 0 ? 0 : nil),
              let ec = mechanism[.ecam] ?? (c.byMechanism.ecam.total == 0 ? 0 : nil) else { return nil }
        // A device's accesses through each mechanism at the mechanism's price,
        // or all of them at its own median.
        var list: [DeviceCost] = []
        for d in c.devices {
            let n = d.reads + d.writes
            if let own = device[d.bdf] {
                list.append(DeviceCost(bdf: d.bdf, accesses: n, latencyNs: own, latencyFrom: "device median", costUs: Double(n) * own / 1000))
            } else {
                let ns = Double(d.type1) * t1 + Double(d.ecam) * ec
                list.append(DeviceCost(bdf: d.bdf, accesses: n, latencyNs: n > 0 ? ns / Double(n) : 0, latencyFrom: "mechanism median", costUs: ns / 1000))
            }
        }
        // The base mechanism serves empty probes (vendor-ID reads at offset 0).
        let base = c.byMechanism.type1.total > 0 ? t1 : ec
        let empty = Double(c.emptyReads) * base / 1000
        let unattributed = Double(c.unattributed.total) * base / 1000
        let early = Double(c.beforeTracing.reads + c.beforeTracing.writes) * t1 / 1000
        let total = list.reduce(0) { $0 + $1.costUs } + empty + unattributed + early
        return CensusPricing(devices: list, emptyUs: empty, unattributedUs: unattributed, beforeTracingUs: early, totalUs: total,
                             shareOfBoot: bootUs.flatMap { $0 > 0 ? total / Double($0) : nil }, basis: basis)
    }
}
