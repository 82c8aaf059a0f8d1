import Enumerator

/// `pcitime trace --json` (schema pcitime-trace/2,
/// docs/schema/pcitime-trace-2.json): snake_case keys, functions under
/// `bdf`, mechanisms as values ("type 1", "ECAM"), every duration's unit in
/// its key.
public struct TraceJSON: Encodable {
    public struct MechanismCount: Encodable {
        public var mechanism: String
        public var accesses: Int
    }

    public struct Device: Encodable {
        public var bdf: String
        public var reads: Int
        public var writes: Int
        /// Accesses at offsets 0x100 and above.
        public var extended: Int
        /// The mechanism that served them ("unknown" when the trace could not tell).
        public var accessesByMechanism: [MechanismCount]
        /// Mean in-kernel latency per access, from entry/return pairs.
        public var meanLatencyNs: Double?
    }

    public struct Empty: Encodable {
        /// "empty slot", "absent function" or "bus that does not exist".
        public var kind: String
        public var firstBus: String
        public var lastBus: String
        public var accesses: Int
        public var busCount: Int
    }

    public struct Counts: Encodable {
        public var basis: Provenance
        public var baseMechanism: String
        public var extendedMechanism: String?
        public var devices: [Device]
        public var empty: [Empty]
        public var total: Int
    }

    public struct Latency: Encodable {
        public var mechanism: String
        public var latencyNs: Double
        public var latencyBasis: Provenance
    }

    public var schema = "pcitime-trace/2"
    public var window: String
    public var counts: Counts
    public var latencies: [Latency]
    public var malformedLines: Int
    public var lostEvents: Int
    public var unreturned: Int
    public var skippedProbes: [String]

    public init(_ t: TraceRun) {
        window = t.window
        let c = t.counts
        counts = Counts(
            basis: c.provenance, baseMechanism: c.baseMechanism.rawValue, extendedMechanism: c.extendedMechanism?.rawValue,
            devices: c.devices.map { d in
                Device(bdf: d.address.description, reads: d.reads, writes: d.writes, extended: d.extended,
                       accessesByMechanism: d.byMechanism.keys.sorted().map { MechanismCount(mechanism: $0, accesses: d.byMechanism[$0]!) },
                       meanLatencyNs: d.meanNanoseconds)
            },
            empty: c.empty.map { Empty(kind: $0.kind.rawValue, firstBus: hex($0.firstBus, 2), lastBus: hex($0.lastBus, 2), accesses: $0.accesses, busCount: $0.busCount) },
            total: c.total)
        latencies = t.latencies.map { Latency(mechanism: $0.mechanism.rawValue, latencyNs: $0.nanoseconds, latencyBasis: $0.provenance) }
        malformedLines = t.parser.malformed
        lostEvents = t.parser.lostEvents
        unreturned = t.parser.unreturned
        skippedProbes = t.skipped.map { "\($0.probe): \($0.why)" }
    }

    public func encoded() throws -> String {
        try JSONOutput.encode(self, keys: .snakeCase)
    }
}
