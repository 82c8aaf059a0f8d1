import Enumerator

/// The report's cost section: `Prices` as text, the same numbers JSON,
/// OpenMetrics and --summary give.
package enum PricesTable {
    package static func render(_ c: Prices, counts: AccessCounts) -> String {
        var out = "\nPrices\n  " + c.headline + ".\n"
        out += "  Accesses: \(counts.total) (\(counts.provenance)\(counts.trust.map { "; " + $0 } ?? ""))\n"
        out += "    to present functions: \(counts.presentTotal), of them \(counts.extendedTotal) at offsets >= 256"
            + (counts.unattributed.map { " (\($0) not placed on one device)" } ?? "") + "\n"
        for e in counts.empty {
            let range = e.firstBus == e.lastBus ? "bus \(hex(e.firstBus, 2))" : "buses \(hex(e.firstBus, 2))-\(hex(e.lastBus, 2))"
            out += "    probes of \(e.kind.plural), \(range): \(e.accesses)\n"
        }
        if counts.missingBusTotal == 0 { out += "    no probe of a bus that does not exist\n" }

        var rows = [["accesses to", "through", "count", "latency us", "source", "cost ms"]]
        for a in c.costs {
            rows.append([a.what, a.mechanism.rawValue, String(a.accesses), a.latency.map { Format.us($0.nanoseconds) } ?? "-",
                         a.latency?.source.name ?? "none", a.costUs.map(Format.ms) ?? "-"])
        }
        out += "\n  What they cost (count x the latency of their mechanism and class)\n"
        out += TextTable.render(rows, rightAligned: [2, 3, 5], indent: "    ")
        if let t = c.totalUs {
            let left = c.costs.filter { $0.costUs == nil }.reduce(0) { $0 + $1.accesses }
            out += "    total \(Format.ms(t)) ms" + (left > 0 ? " (without the \(left) unpriced accesses)" : "")
            if let s = c.share, let b = c.shareBoot { out += ", \(Format.percent(s)) of a \(Format.ms(b.value)) ms kernel boot (\(b.provenance))" }
            out += "\n"
        }
        if let n = c.bootNote { out += "    \(n)\n" }
        if !c.latencies.isEmpty {
            out += "\n  Latencies (one per mechanism and class, the first of: given, kernel log, live, live through the kernel, modelled; a boot trace's, never)\n"
            for l in c.latencies {
                out += "    \(l.mechanism.rawValue) \(l.probe.access) \(Format.us(l.nanoseconds)) us, \(l.source.name): \(l.provenance.source)\n"
            }
        }

        out += "\n  Savings (one price per change; each row names its basis)\n"
        if c.savings.isEmpty {
            out += "    none found: no probe of a bus that does not exist, and no other mechanism priced\n"
        } else {
            var s = [["change", "accesses", "saved ms", "of boot", "basis", "enact"]]
            for v in c.savings {
                s.append([v.id, String(v.accesses), v.savedUs.map(Format.ms) ?? "-", v.savedUs.flatMap { us in c.shareBoot.map { Format.percent(us / $0.value) } } ?? "-",
                          v.basis.kind.rawValue, v.parameter ?? "(the VMM)"])
            }
            out += TextTable.render(s, rightAligned: [1, 2, 3], indent: "    ")
            for v in c.savings { out += "    \(v.id): \(v.change); \(v.how)\n" }
        }
        for n in c.notes { out += "  Note: \(n)\n" }
        return out
    }
}
