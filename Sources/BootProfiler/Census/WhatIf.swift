import Enumerator

/// What each change to the VMM or the command line would save, from the
/// census and the measured latencies. Every row says how it is computed.
public struct WhatIf: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        /// Stable short name (metric label `change`): all_ecam, read_only_ecam,
        /// skip_bar_sizing_writes, skip_bridges_writes, last_bus, smaller_mcfg, combined.
        public var id: String
        public var change: String
        public var accessesAffected: Int
        public var savedUs: Double
        public var shareOfBoot: Double?
        public var how: String
    }
    public var baselineUs: Double
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
        let reads = c.tracedReads + c.beforeTracing.reads
        let writes = c.tracedWrites + c.beforeTracing.writes
        let t1 = c.byMechanism.type1, ec = c.byMechanism.ecam
        // No ECAM latency (no MCFG, as on QEMU's pc): only the rows that
        // remove accesses; ECAM's price stands in at type 1's for the rest.
        let ecam = ecamLatency ?? type1
        let early = c.beforeTracing.reads + c.beforeTracing.writes
        let baseline = (Double(t1.total + early) * type1 + Double(ec.total) * ecam) / 1000
        var rows: [Row] = []
        // The mechanism the base accesses went through, for the rows that
        // remove accesses.
        let (base, baseName) = t1.total + early > 0 ? (type1, "type 1") : (ecam, "ECAM")
        let allECAM = Double(reads + writes) * ecam / 1000
        if t1.total + early > 0 && ecamLatency != nil { rows.append(Row(id: "all_ecam", change: "every access through ECAM (no type 1)", accessesAffected: t1.total + early,
                        savedUs: baseline - allECAM, shareOfBoot: share(baseline - allECAM),
                        how: "\(t1.total + early) type 1 accesses at the ECAM median (\(Format.us(ecam)) us) instead of type 1's (\(Format.us(type1)) us)")) }
        let readOnly = (Double(reads) * memoryLoadNs + Double(writes) * ecam) / 1000
        if ecamLatency != nil { rows.append(Row(id: "read_only_ecam", change: "ECAM mapped read-only: reads do not trap, writes still do", accessesAffected: reads,
                        savedUs: baseline - readOnly, shareOfBoot: share(baseline - readOnly),
                        how: "\(reads) reads at a memory load (\(Format.us(memoryLoadNs)) us, modelled), \(writes) writes at the ECAM median")) }
        var skipped = 0
        for reason in knownAnswerReasons {
            guard let r = c.byReason.first(where: { $0.reason == reason.rawValue }), r.writes > 0 else { continue }
            skipped += r.writes
            let us = Double(r.writes) * base / 1000
            rows.append(Row(id: "skip_\(reason.id)_writes", change: "config space pre-initialised: skip \(reason.rawValue) writes", accessesAffected: r.writes,
                            savedUs: us, shareOfBoot: share(us), how: "\(r.writes) writes (census, by caller) at the \(baseName) median"))
        }
        let peer = Double(c.peerBusProbes) * base / 1000
        if c.peerBusProbes > 0 {
            rows.append(Row(id: "last_bus", change: "pci=lastbus=\(highestBus) on the kernel command line", accessesAffected: c.peerBusProbes,
                            savedUs: peer, shareOfBoot: share(peer),
                            how: "the \(c.peerBusProbes) peer-bus probes (pcibios_scan_specific_bus) of buses above \(hex(highestBus, 2)) at the \(baseName) median"))
            let window = ecamEndBus.map { "buses 00-\(hex(highestBus, 2)) instead of 00-\(hex($0, 2))" } ?? "buses 00-\(hex(highestBus, 2))"
            rows.append(Row(id: "smaller_mcfg", change: "a smaller MCFG window: \(window)", accessesAffected: c.peerBusProbes,
                            savedUs: peer, shareOfBoot: share(peer),
                            how: "the kernel probes peer buses up to the MCFG's last bus; the same \(c.peerBusProbes) probes (an alternative to pci=lastbus, not in addition)"))
        }
        // Together: no peer-bus probes, no known-answer writes, reads from a
        // read-only ECAM mapping, the remaining writes trapping on ECAM.
        let leftReads = reads - c.peerBusProbes
        let leftWrites = writes - skipped
        let combined = ecamLatency == nil ? (Double(leftReads + leftWrites) * type1) / 1000
            : (Double(leftReads) * memoryLoadNs + Double(leftWrites) * ecam) / 1000
        rows.append(Row(id: "combined", change: "all of these together (" + (ecamLatency == nil ? "" : "read-only ECAM, ") + "pre-initialised config space" + (c.peerBusProbes > 0 ? ", pci=lastbus)" : ")"),
                        accessesAffected: (ecamLatency == nil ? 0 : reads) + skipped + (ecamLatency == nil ? c.peerBusProbes : 0),
                        savedUs: baseline - combined, shareOfBoot: share(baseline - combined),
                        how: ecamLatency == nil ? "\(leftReads) reads and \(leftWrites) writes left at the type 1 median; peer-bus probes and known-answer writes gone"
                            : "\(leftReads) reads at a memory load, \(leftWrites) writes at the ECAM median; peer-bus probes and known-answer writes gone"))
        return WhatIf(baselineUs: baseline, rows: rows,
                      notes: ["baseline: the census (\(reads) reads, \(writes) writes, early-quirks part modelled) at the mechanisms' measured medians (the per-device pricing prices each device at its own): type 1 \(Format.us(type1)) us, ECAM \(ecamLatency.map { Format.us($0) + " us" } ?? "not used (no ECAM latency)")",
                              "a memory load is modelled at \(Format.us(memoryLoadNs)) us; every other latency is measured"])
    }
}
