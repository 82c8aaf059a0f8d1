import Enumerator

/// A number with its unit and where it came from: in JSON two keys, as
/// every figure there, `<name>_<unit>` and `<name>_basis`.
package struct Figure: Sendable, Equatable {
    package var value: Double
    package var unit: String
    package var provenance: Provenance

    package init(value: Double, unit: String, provenance: Provenance) {
        self.value = value
        self.unit = unit
        self.provenance = provenance
    }
}

/// What one class of the boot's accesses cost: present functions through a
/// mechanism, or probes that found nothing.
package struct AccessCost: Codable, Sendable, Equatable {
    /// "present functions", "empty slots", "absent functions", "buses that do not exist".
    package var what: String
    package var mechanism: Mechanism
    package var probe: ProbeClass
    package var accesses: Int
    /// nil: nothing prices this class (said in `Prices.unpriced`).
    package var latency: LatencyEstimate?
    package var costUs: Double?
}

/// One function's accesses priced at its mechanisms' prices.
package struct DeviceCost: Codable, Sendable, Equatable {
    package var bdf: String
    package var accesses: Int
    package var costUs: Double?
}

/// A change to the VMM or the kernel command line and what it would save:
/// every output prints this one list.
package struct Saving: Codable, Sendable, Equatable {
    /// Stable short name (metric label `change`): last_bus, smaller_mcfg,
    /// all_ecam, read_only_ecam, skip_known_answer_writes, combined.
    package var id: String
    package var change: String
    /// The kernel parameter that enacts it, when one does (a boot with it is
    /// the check: `pcitime boot --baseline`).
    package var parameter: String?
    /// The initcall whose time it saves (where a baseline comparison looks).
    package var initcall: String?
    package var accesses: Int
    /// Whether `accesses` were counted (a census, a trace) or modelled.
    package var accessesBasis: Provenance.Kind = .modelled
    /// nil when a latency it needs is missing (said in `how`).
    package var savedUs: Double?
    package var basis: Provenance
    package var how: String
}

/// Everything pcitime prints about cost, from one engine: the counts (census,
/// kprobe trace or model) priced with one `LatencyBook`, the boot's share,
/// and the savings of each change. Text, --summary, JSON, OpenMetrics and SVG
/// all render this value, so they cannot disagree.
package struct Prices: Sendable, Equatable {
    package var enumeration: Figure?
    package var kernelBoot: Figure?
    /// Of `shareBoot`: the priced accesses' share of an untraced boot when
    /// a baseline gives one, else of this one (with the tracer's estimated
    /// inflation in `bootNote`).
    package var share: Double?
    package var shareBoot: Figure?
    package var bootNote: String?
    package var devices: Int
    package var accesses: Int
    package var accessProvenance: Provenance
    package var latencies: [LatencyEstimate]
    package var costs: [AccessCost]
    /// The sum of the priced `costs` (those in `unpriced` are not in it);
    /// nil when nothing is priced.
    package var totalUs: Double?
    package var unpriced: [String]
    package var deviceCosts: [DeviceCost]
    package var savings: [Saving]
    package var notes: [String]

    /// PCI enumeration's share of the kernel boot, both from the kernel log.
    package var enumerationShare: Double? {
        enumeration.flatMap { e in kernelBoot.flatMap { $0.value > 0 ? e.value / $0.value : nil } }
    }
}

/// What pricing needs besides the counts.
package struct PricingInput: Sendable {
    package var profile: BootProfile
    package var counts: AccessCounts
    package var book: LatencyBook
    /// Writes a VMM that pre-initialises config space answers itself (BAR
    /// sizing, bridge windows): the census's reasons; nil without a census.
    package var knownAnswerWrites: Int?
    /// An untraced boot of the same machine (`--baseline`): the boot share's base.
    package var untracedBoot: Figure?
    /// This boot was traced: (calls the tracer recorded, what each cost it, how that was found).
    package var tracer: (calls: Int, perCallNs: Double, how: String)?

    package init(profile: BootProfile, counts: AccessCounts, book: LatencyBook) {
        self.profile = profile
        self.counts = counts
        self.book = book
    }
}

package enum Pricing {
    package static func price(_ input: PricingInput) -> Prices {
        let p = input.profile, counts = input.counts, book = input.book
        let log = Provenance.measured("kernel log timestamps")
        let enumUS = p.enumerationMicroseconds
        var notes = book.notes
        if p.startLost { notes.append("the log's start is lost (wrapped ring buffer): the kernel boot's length and shares are unknown") }

        // The counts by class and mechanism.
        let base = counts.baseMechanism
        let ext = counts.extendedMechanism ?? base
        let extended = counts.extendedApart ? counts.extendedTotal : 0
        let present = counts.presentTotal
        var costs: [AccessCost] = []
        func line(_ what: String, _ m: Mechanism, _ probe: ProbeClass, _ n: Int) {
            guard n > 0 else { return }
            let l = book.latency(m, probe)
            costs.append(AccessCost(what: what, mechanism: m, probe: probe, accesses: n, latency: l, costUs: l.map { Double(n) * $0.nanoseconds / 1000 }))
        }
        line("present functions", base, .present, present - extended)
        line("present functions, offsets 0x100 and up", ext, .present, extended)
        for kind in [EmptyProbes.Kind.emptySlot, .absentFunction, .missingBus] {
            line(kind.plural, base, kind.probeClass, counts.empty.filter { $0.kind == kind }.reduce(0) { $0 + $1.accesses })
        }
        var unpriced: [String] = []
        for c in costs where c.latency == nil {
            unpriced.append("\(c.accesses) accesses to \(c.what) through \(c.mechanism.rawValue)\(c.probe == .present ? "" : " (priced only at the latency of \(c.probe.accesses))"): no latency")
        }
        let total = costs.contains { $0.costUs != nil } ? costs.reduce(0) { $0 + ($1.costUs ?? 0) } : nil
        if !unpriced.isEmpty {
            notes.append("not priced: " + unpriced.joined(separator: "; ") + ". Give --latency FILE ('pcitime scan --method pio|ecam --json --repeat 20' run on that machine) or run pcitime boot there")
        }
        if counts.missingBusTotal > 0, let a = book.latency(base, .absentBus), a.source > .kernelLog {
            notes.append("the probes of absent buses are priced at what user space measures (\(a.source.name)): the trap alone; the kernel's loop adds its own code to each (the guest suite measured its pci=lastbus savings 9-45% above such prices under TCG). An untraced boot's log prices them as the kernel paid: give its 'pcitime boot --json' with --baseline")
        }
        let deviceCosts = counts.devices.map { d -> DeviceCost in
            let b = book.latency(base).map { Double(d.total - (counts.extendedApart ? d.extended : 0)) * $0.nanoseconds }
            let e = !counts.extendedApart || d.extended == 0 ? 0 : book.latency(ext).map { Double(d.extended) * $0.nanoseconds }
            return DeviceCost(bdf: d.address.description, accesses: d.total, costUs: b.flatMap { x in e.map { (x + $0) / 1000 } })
        }

        // The boot the share is of: untraced when a baseline gives one.
        let boot = p.kernelBoot.map { Figure(value: Double($0), unit: "us", provenance: log) }
        var shareBoot = input.untracedBoot ?? boot
        var bootNote: String?
        if input.untracedBoot != nil {
            bootNote = "share of the untraced baseline boots' kernel boot (--baseline), not of this traced one"
        } else if let t = input.tracer, let b = boot {
            let inflation = Double(t.calls) * t.perCallNs / 1000
            bootNote = "this boot was traced: the tracer added about \(Format.ms(inflation)) ms (\(t.calls) traced calls at \(Format.us(t.perCallNs)) us each, \(t.how)); shares are of the boot less that estimate (give an untraced boot's JSON with --baseline for a measured base)"
            shareBoot = Figure(value: max(1, b.value - inflation), unit: "us", provenance: .modelled("the traced boot less the tracer's estimated cost"))
        } else if p.traced {
            bootNote = "this boot was traced (its command line starts a tracer): shares are of the traced boot, longer than an untraced one (give an untraced boot's JSON with --baseline for a measured base)"
        }
        let share = total.flatMap { t in shareBoot.flatMap { $0.value > 0 ? t / $0.value : nil } }

        let savings = Self.savings(counts: counts, book: book, knownAnswerWrites: input.knownAnswerWrites, highestBus: counts.devices.map(\.address.bus).max() ?? 0,
                                   ecamEndBus: p.ecam.first(where: \.used)?.endBus)
        return Prices(enumeration: p.scans.isEmpty ? nil : Figure(value: Double(enumUS), unit: "us", provenance: log),
                            kernelBoot: boot, share: share, shareBoot: shareBoot, bootNote: bootNote, devices: p.bootDevices.count,
                            accesses: counts.total, accessProvenance: counts.provenance, latencies: book.chosen, costs: costs,
                            totalUs: total, unpriced: unpriced, deviceCosts: deviceCosts, savings: savings, notes: notes)
    }

    /// Every change and what it saves, each class of access priced at the
    /// latency measured for that class (an empty probe at an empty probe's, a
    /// probe of an absent bus at such a probe's); a class with no price is
    /// left out of a change and the change says so.
    static func savings(counts: AccessCounts, book: LatencyBook, knownAnswerWrites: Int?, highestBus: UInt8, ecamEndBus: UInt8?) -> [Saving] {
        let base = counts.baseMechanism
        var out: [Saving] = []
        func ns(_ m: Mechanism, _ c: ProbeClass) -> Double? { book.latency(m, c)?.nanoseconds }
        func basis(_ parts: [LatencyEstimate?]) -> Provenance {
            let known = parts.compactMap { $0 }
            let kinds = [counts.provenance.kind] + known.map(\.provenance.kind)
            let kind: Provenance.Kind = kinds.contains(.modelled) ? .modelled : kinds.contains(.given) ? .given : .measured
            return Provenance(kind, "counts \(counts.provenance.kind.rawValue); " + (known.isEmpty ? "no latency" : known.map { "\($0.mechanism.rawValue) \($0.probe.rawValue) \(Format.us($0.nanoseconds)) us (\($0.source.name))" }.joined(separator: ", ")))
        }
        // The base mechanism's accesses by class, and reads and writes of present functions.
        let peer = counts.missingBusTotal
        let emptyN = counts.emptyTotal - peer
        let presentBase = counts.presentTotal - (counts.extendedApart ? counts.extendedTotal : 0)
        let presentReads = counts.devices.reduce(0) { $0 + $1.reads } + (counts.unattributed ?? 0)
        let writes = counts.devices.reduce(0) { $0 + $1.writes }
        let classes: [(ProbeClass, Int)] = [(.empty, emptyN), (.absentBus, peer)].filter { $0.1 > 0 }
        func leftOut(_ n: Int, _ c: ProbeClass) -> String { "; \(n) \(c.accesses) left out (no latency for them)" }

        if peer > 0 {
            let l = book.latency(base, .absentBus)
            let us = l.map { Double(peer) * $0.nanoseconds / 1000 }
            let how = "the \(peer) probes of buses that do not exist (pcibios_fixup_peer_bridges up to pcibios_last_bus) at \(base.rawValue)'s price for a probe of an absent bus" + (l == nil ? ", which nothing here measures" : "")
            out.append(Saving(id: "last_bus", change: "pci=lastbus=\(highestBus) on the kernel command line", parameter: "pci=lastbus=\(highestBus)",
                              initcall: "pci_subsys_init", accesses: peer, savedUs: us, basis: basis([l]), how: how))
            let window = ecamEndBus.map { "buses 00-\(hex(highestBus, 2)) instead of 00-\(hex($0, 2))" } ?? "buses 00-\(hex(highestBus, 2))"
            out.append(Saving(id: "smaller_mcfg", change: "a smaller MCFG window: \(window)", parameter: nil, initcall: "pci_subsys_init", accesses: peer,
                              savedUs: us, basis: basis([l]), how: "the kernel probes peer buses up to the MCFG's last bus: the same probes (instead of pci=lastbus, not in addition)"))
        }
        // Every base access through ECAM instead, each class at ECAM's price for it.
        if base == .type1, let t1 = ns(.type1, .present), let ec = ns(.ecam, .present) {
            var us = Double(presentBase) * (t1 - ec) / 1000, n = presentBase, how = "\(presentBase) present reads and writes at ECAM's price instead of type 1's"
            var used = [book.latency(.type1), book.latency(.ecam)]
            for (c, k) in classes {
                if let a = ns(.type1, c), let b = ns(.ecam, c) {
                    us += Double(k) * (a - b) / 1000; n += k; how += ", \(k) \(c.accesses) at ECAM's price for them"
                    used += [book.latency(.type1, c), book.latency(.ecam, c)]
                } else {
                    how += leftOut(k, c)
                }
            }
            out.append(Saving(id: "all_ecam", change: "every access through ECAM (no type 1)", parameter: nil, initcall: nil, accesses: n, savedUs: us, basis: basis(used), how: how))
        }
        // ECAM mapped read-only: reads do not trap; writes still do (through ECAM).
        let load = LatencyBook.memoryLoad.nanoseconds
        if let ec = ns(.ecam, .present), let now = ns(base, .present) {
            var us = (Double(presentReads) * (now - load) + Double(writes) * (now - ec)) / 1000, reads = presentReads
            var how = "reads at a memory load (\(Format.us(load)) us, modelled) instead of their price now: \(presentReads) of present functions"
            var used = [book.latency(base), book.latency(.ecam), LatencyBook.memoryLoad]
            for (c, k) in classes {
                if let a = ns(base, c) { us += Double(k) * (a - load) / 1000; reads += k; how += ", \(k) \(c.accesses)"; used.append(book.latency(base, c)) }
                else { how += leftOut(k, c) }
            }
            how += "; \(writes) writes through ECAM"
            out.append(Saving(id: "read_only_ecam", change: "ECAM mapped read-only: reads do not trap, writes still do", parameter: nil, initcall: nil, accesses: reads,
                              savedUs: us, basis: basis(used), how: how))
        }
        if let w = knownAnswerWrites, w > 0 {
            let l = book.latency(base)
            out.append(Saving(id: "skip_known_answer_writes", change: "config space pre-initialised: skip BAR-sizing and bridge-window writes", parameter: nil, initcall: nil,
                              accesses: w, savedUs: l.map { Double(w) * $0.nanoseconds / 1000 }, basis: basis([l]),
                              how: "\(w) writes whose answer the VMM knows (census, by caller) at \(base.rawValue)'s price"))
        }
        // Together: the peer probes gone, the known answers skipped, every
        // other read a load from a read-only ECAM window and every other write
        // through ECAM; priced from scratch so no access counts twice, and
        // only when every class is priced.
        let parts = out.filter { ["last_bus", "read_only_ecam", "skip_known_answer_writes"].contains($0.id) && $0.savedUs != nil }
        if parts.count > 1, let p = ns(base, .present), classes.allSatisfy({ ns(base, $0.0) != nil }) {
            let known = knownAnswerWrites ?? 0
            let readOnly = parts.contains { $0.id == "read_only_ecam" }
            let lastBus = parts.contains { $0.id == "last_bus" }
            let now = Double(presentReads + writes) * p + classes.reduce(0) { $0 + Double($1.1) * ns(base, $1.0)! }
            let peerAfter = lastBus ? 0 : peer
            let after: Double
            if readOnly, let ec = ns(.ecam, .present) {
                after = Double(presentReads + emptyN + peerAfter) * load + Double(writes - known) * ec
            } else {
                after = Double(presentReads + writes - known) * p + Double(emptyN) * (ns(base, .empty) ?? 0) + Double(peerAfter) * (ns(base, .absentBus) ?? 0)
            }
            out.append(Saving(id: "combined", change: "all of these together (" + parts.map(\.id).joined(separator: ", ") + ")", parameter: nil, initcall: nil,
                              accesses: (lastBus ? peer : 0) + known + (readOnly ? presentReads + emptyN : 0), savedUs: (now - after) / 1000,
                              basis: basis([book.latency(base), book.latency(base, .empty), book.latency(base, .absentBus), book.latency(.ecam)] + (readOnly ? [LatencyBook.memoryLoad] : [])),
                              how: "each access counted once: " + parts.map(\.id).joined(separator: ", ")))
        }
        for i in out.indices { out[i].accessesBasis = counts.provenance.kind }
        return out
    }
}

extension Prices {
    /// The one sentence the table and JSON open with.
    package var headline: String {
        var s = ""
        if let e = enumeration {
            s += "PCI enumeration took \(Format.ms(e.value)) ms"
            if let b = kernelBoot, let share = enumerationShare {
                s += " of a \(Format.ms(b.value)) ms kernel boot (\(Format.percent(share)))"
            }
            s += " over \(devices) device\(devices == 1 ? "" : "s") (measured from the kernel log)"
        } else {
            s += "the kernel log shows no PCI scan"
        }
        // The accesses are the whole boot's to init (the scan, resource
        // assignment, driver probes), so they are not set against the scan's window.
        s += "; \(accesses) config accesses to init (\(accessProvenance.kind.rawValue))"
        if let t = totalUs {
            s += " cost \(Format.ms(t)) ms at the prices below"
            if let share { s += " (\(Format.percent(share)) of the kernel boot)" }
        }
        return s
    }
}
