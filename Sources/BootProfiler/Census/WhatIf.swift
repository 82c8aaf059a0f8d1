import Enumerator

/// What each change to the VMM or the command line would save, from the
/// census and the measured latencies. Every row says how it is computed.
public struct WhatIf: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var change: String
        public var accesses_affected: Int
        public var saved_us: Double
        public var share_of_boot: Double?
        public var how: String
    }
    public var baseline_us: Double
    public var rows: [Row]
    public var notes: [String]

    /// A read that does not trap: an uncached load from the guest's view,
    /// modelled (no measurement of it on this machine).
    public static let memoryLoadNs = 100.0

    /// Writes whose result the VMM knows in advance when it pre-initialises
    /// config space: BAR sizing (all-ones and restore), bridge-window probing.
    static let knownAnswerReasons: [AccessReason] = [.barSizing, .bridges]

    public static func table(_ c: BootCensus, type1: Double, ecam ecamLatency: Double?, bootUs: UInt64?, highestBus: UInt8, ecamEndBus: UInt8?) -> WhatIf {
        func share(_ us: Double) -> Double? { bootUs.flatMap { $0 > 0 ? us / Double($0) : nil } }
        let reads = c.traced_reads + c.before_tracing.reads
        let writes = c.traced_writes + c.before_tracing.writes
        let t1 = c.by_mechanism.type1, ec = c.by_mechanism.ecam
        // No ECAM latency (no MCFG, as on QEMU's pc): only the rows that
        // remove accesses; ECAM's price stands in at type 1's for the rest.
        let ecam = ecamLatency ?? type1
        let early = c.before_tracing.reads + c.before_tracing.writes
        let baseline = (Double(t1.total + early) * type1 + Double(ec.total) * ecam) / 1000
        var rows: [Row] = []
        // The mechanism the base accesses went through, for the rows that
        // remove accesses.
        let (base, baseName) = t1.total + early > 0 ? (type1, "type 1") : (ecam, "ECAM")
        let allECAM = Double(reads + writes) * ecam / 1000
        if t1.total + early > 0 && ecamLatency != nil { rows.append(Row(change: "every access through ECAM (no type 1)", accesses_affected: t1.total + early,
                        saved_us: baseline - allECAM, share_of_boot: share(baseline - allECAM),
                        how: "\(t1.total + early) type 1 accesses at the ECAM median (\(Format.us(ecam)) us) instead of type 1's (\(Format.us(type1)) us)")) }
        let readOnly = (Double(reads) * memoryLoadNs + Double(writes) * ecam) / 1000
        if ecamLatency != nil { rows.append(Row(change: "ECAM mapped read-only: reads do not trap, writes still do", accesses_affected: reads,
                        saved_us: baseline - readOnly, share_of_boot: share(baseline - readOnly),
                        how: "\(reads) reads at a memory load (\(Format.us(memoryLoadNs)) us, modelled), \(writes) writes at the ECAM median")) }
        var skipped = 0
        for reason in knownAnswerReasons {
            guard let r = c.by_reason.first(where: { $0.reason == reason.rawValue }), r.writes > 0 else { continue }
            skipped += r.writes
            let us = Double(r.writes) * base / 1000
            rows.append(Row(change: "config space pre-initialised: skip \(reason.rawValue) writes", accesses_affected: r.writes,
                            saved_us: us, share_of_boot: share(us), how: "\(r.writes) writes (census, by caller) at the \(baseName) median"))
        }
        let peer = Double(c.peer_bus_probes) * base / 1000
        if c.peer_bus_probes > 0 {
            rows.append(Row(change: "pci=lastbus=\(highestBus) on the kernel command line", accesses_affected: c.peer_bus_probes,
                            saved_us: peer, share_of_boot: share(peer),
                            how: "the \(c.peer_bus_probes) peer-bus probes (pcibios_scan_specific_bus) of buses above \(hex(highestBus, 2)) at the \(baseName) median"))
            let window = ecamEndBus.map { "buses 00-\(hex(highestBus, 2)) instead of 00-\(hex($0, 2))" } ?? "buses 00-\(hex(highestBus, 2))"
            rows.append(Row(change: "a smaller MCFG window: \(window)", accesses_affected: c.peer_bus_probes,
                            saved_us: peer, share_of_boot: share(peer),
                            how: "the kernel probes peer buses up to the MCFG's last bus; the same \(c.peer_bus_probes) probes (an alternative to pci=lastbus, not in addition)"))
        }
        // Together: no peer-bus probes, no known-answer writes, reads from a
        // read-only ECAM mapping, the remaining writes trapping on ECAM.
        let leftReads = reads - c.peer_bus_probes
        let leftWrites = writes - skipped
        let combined = ecamLatency == nil ? (Double(leftReads + leftWrites) * type1) / 1000
            : (Double(leftReads) * memoryLoadNs + Double(leftWrites) * ecam) / 1000
        rows.append(Row(change: "all of these together (" + (ecamLatency == nil ? "" : "read-only ECAM, ") + "pre-initialised config space" + (c.peer_bus_probes > 0 ? ", pci=lastbus)" : ")"),
                        accesses_affected: (ecamLatency == nil ? 0 : reads) + skipped + (ecamLatency == nil ? c.peer_bus_probes : 0),
                        saved_us: baseline - combined, share_of_boot: share(baseline - combined),
                        how: ecamLatency == nil ? "\(leftReads) reads and \(leftWrites) writes left at the type 1 median; peer-bus probes and known-answer writes gone"
                            : "\(leftReads) reads at a memory load, \(leftWrites) writes at the ECAM median; peer-bus probes and known-answer writes gone"))
        return WhatIf(baseline_us: baseline, rows: rows,
                      notes: ["baseline: the census (\(reads) reads, \(writes) writes, early-quirks part modelled) at the measured medians: type 1 \(Format.us(type1)) us, ECAM \(ecamLatency.map { Format.us($0) + " us" } ?? "not used (no ECAM latency)")",
                              "a memory load is modelled at \(Format.us(memoryLoadNs)) us; every other latency is measured"])
    }
}
