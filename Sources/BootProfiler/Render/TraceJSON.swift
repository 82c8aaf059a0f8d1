import Enumerator

/// `pcitime trace --json` (schema pcitime-trace/2,
/// docs/schema/pcitime-trace-2.json): snake_case keys, functions under
/// `bdf`, mechanisms as values ("type 1", "ECAM"), every duration's unit in
/// its key.
package struct TraceJSON: Encodable {
    package struct MechanismCount: Encodable {
        package var mechanism: String
        package var accesses: Int
    }

    package struct Device: Encodable {
        package var bdf: String
        package var reads: Int
        package var writes: Int
        /// Accesses at offsets 0x100 and above.
        package var extended: Int
        /// The mechanism that served them ("unknown" when the trace could not tell).
        package var accessesByMechanism: [MechanismCount]
        /// Mean in-kernel latency per access, from entry/return pairs.
        package var meanLatencyNs: Double?
    }

    package struct Empty: Encodable {
        /// "empty slot", "absent function" or "bus that does not exist".
        package var kind: String
        package var firstBus: String
        package var lastBus: String
        package var accesses: Int
        package var busCount: Int
    }

    package struct Counts: Encodable {
        package var basis: Provenance
        package var baseMechanism: String
        package var extendedMechanism: String?
        package var devices: [Device]
        package var empty: [Empty]
        package var total: Int
    }

    package struct Latency: Encodable {
        package var mechanism: String
        package var latencyNs: Double
        package var latencyBasis: Provenance
    }

    package var schema = "pcitime-trace/2"
    package var window: String
    package var counts: Counts
    package var latencies: [Latency]
    package var malformedLines: Int
    package var lostEvents: Int
    package var unreturned: Int
    package var skippedProbes: [String]

    package init(_ t: TraceReport) {
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

    package func encoded() throws -> String {
        try JSONOutput.encode(self, keys: .snakeCase)
    }
}
