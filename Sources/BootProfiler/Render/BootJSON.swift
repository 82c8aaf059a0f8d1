import Enumerator

/// `pcitime boot --json`.
public struct BootJSON: Encodable {
    public var schema = "pcitime-boot/1"
    public var source: String
    public var profile: BootProfile
    public var counts: AccessCounts
    public var latencies: [LatencyEstimate]
    public var cost: CostReport
    public var tracing: String
}


extension BootJSON {
    public init(source: String, profile: BootProfile, counts: AccessCounts, latencies: [LatencyEstimate], cost: CostReport, tracing: String) {
        self.source = source
        self.profile = profile
        self.counts = counts
        self.latencies = latencies
        self.cost = cost
        self.tracing = tracing
    }
}
