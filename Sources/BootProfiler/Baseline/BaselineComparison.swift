import Enumerator

/// This boot against earlier ones (`pcitime boot --baseline`): each figure
/// beside the baselines' spread, and each change a baseline predicted that
/// this boot's command line enacts, predicted against measured.
package struct BaselineComparison: Codable, Sendable, Equatable {
    package struct Row: Codable, Sendable, Equatable {
        /// "kernel boot", "PCI enumeration", "initcall pci_subsys_init",
        /// "accesses", "accesses through type 1", "accesses: peer-bus probes", "0000:00:05.0".
        package var what: String
        package var unit: String
        package var baseline: Spread
        package var now: Double
        /// now - the baselines' median.
        package var delta: Double
        /// delta / median; nil when the median is 0.
        package var ratio: Double?
    }
    /// A change enacted here that a baseline priced.
    package struct Enacted: Codable, Sendable, Equatable {
        package var change: String
        package var parameter: String
        package var initcall: String
        /// The prediction's median over the baselines that made one (from
        /// counted accesses where any baseline counted them).
        package var predictedUs: Double
        package var predictedBasis: Provenance
        package var predictions: Int
        /// The untraced baselines' median duration of the initcall less this boot's.
        package var measuredUs: Double
        package var measuredFrom: String
        /// measured / predicted - 1.
        package var error: Double
    }
    package var baselines: Int
    /// Baselines left out of the timing rows because a tracer ran in them.
    package var tracedBaselines: Int
    package var rows: [Row]
    package var enacted: [Enacted]
    package var notes: [String]

    /// A boot that ran a tracer is compared too, its times said to be inflated.
    package static func compare(profile p: BootProfile, counts: AccessCounts, census: BootCensus?, with list: [Baseline]) -> BaselineComparison {
        var rows: [Row] = []
        var notes: [String] = []
        let untraced = list.filter { !$0.traced }
        func row(_ what: String, _ unit: String, _ values: [Double], _ now: Double?) {
            guard let now, let s = Spread(values) else { return }
            rows.append(Row(what: what, unit: unit, baseline: s, now: now, delta: now - s.median, ratio: s.median == 0 ? nil : (now - s.median) / s.median))
        }
        // Times: from untraced baselines only.
        row("kernel boot", "us", untraced.compactMap(\.kernelBootUs), p.kernelBoot.map { Double($0) })
        row("PCI enumeration", "us", untraced.compactMap(\.enumerationUs), p.scans.isEmpty ? nil : Double(p.enumerationMicroseconds))
        let calls = Dictionary(p.initcalls.pci.map { ($0.name, Double($0.duration)) }, uniquingKeysWith: { a, _ in a })
        for name in calls.keys.sorted() { row("initcall \(name)", "us", untraced.compactMap { $0.initcalls[name] }, calls[name]) }
        // Counts: from every baseline (a tracer does not change them).
        row("accesses", "accesses", list.map { Double($0.accesses) }, Double(counts.total))
        if let c = census {
            row("accesses through type 1", "accesses", list.compactMap { $0.byMechanism[Mechanism.type1.rawValue].map { Double($0) } }, Double(c.byMechanism.type1.total))
            row("accesses through ECAM", "accesses", list.compactMap { $0.byMechanism[Mechanism.ecam.rawValue].map { Double($0) } }, Double(c.byMechanism.ecam.total))
            for r in c.byReason { row("accesses: \(r.reason)", "accesses", list.compactMap { $0.byReason[r.reason].map { Double($0) } }, Double(r.reads + r.writes)) }
        }
        for d in counts.devices { row(d.address.description, "accesses", list.compactMap { $0.byDevice[d.address.description].map { Double($0) } }, Double(d.total)) }

        // Changes enacted here: a parameter on this command line that a
        // baseline's was without, and that a baseline priced.
        let here = p.parameters
        var enacted: [Enacted] = []
        let predicted = Dictionary(grouping: list.flatMap { b in
            b.savings.filter { s in s.savedUs != nil && s.parameter.map { !b.parameters.contains($0) } ?? false }
        }, by: { $0.parameter! })
        for (parameter, predictions) in predicted.sorted(by: { $0.key < $1.key }) where here.contains(parameter) {
            guard let initcall = predictions[0].initcall, let mine = calls[initcall] else {
                notes.append("\(parameter): enacted here, but this log has no initcall_debug timing for \(predictions[0].initcall ?? "its initcall") (boot with initcall_debug to measure it)")
                continue
            }
            let before = untraced.filter { !$0.parameters.contains(parameter) }.compactMap { $0.initcalls[initcall] }
            // The predictions from counted accesses (a census) where any
            // baseline has them; a model's only where none does.
            let counted = predictions.filter { $0.accessesBasis == .measured }
            let used = counted.isEmpty ? predictions : counted
            if counted.isEmpty { notes.append("\(parameter): predicted from modelled counts only (no baseline has a boot census)") }
            guard let base = Spread(before), let prediction = Spread(used.map { $0.savedUs! }) else {
                notes.append("\(parameter): no untraced baseline without it times \(initcall)")
                continue
            }
            let measured = base.median - mine
            enacted.append(Enacted(change: used[0].change, parameter: parameter, initcall: initcall, predictedUs: prediction.median,
                                   predictedBasis: used[0].basis, predictions: used.count, measuredUs: measured,
                                   measuredFrom: "\(initcall): median of \(base.count) untraced baseline boots (\(Format.ms(base.median)) ms) less this boot's (\(Format.ms(mine)) ms), from the logs' timestamps",
                                   error: prediction.median > 0 ? measured / prediction.median - 1 : 0))
        }
        let kinds = Set(list.map(\.accessesBasis))
        if kinds != [counts.provenance.kind] {
            notes.append("this boot's accesses are \(counts.provenance.kind.rawValue), the baselines' \(kinds.map(\.rawValue).sorted().joined(separator: " and ")): the access rows compare a count with a model")
        }
        if p.traced { notes.append("this boot ran a tracer: its times are inflated against untraced baselines (its counts are not)") }
        if list.count > untraced.count { notes.append("\(list.count - untraced.count) traced baseline(s) left out of the time rows (their counts and predictions are used)") }
        return BaselineComparison(baselines: list.count, tracedBaselines: list.count - untraced.count, rows: rows, enacted: enacted, notes: notes)
    }

    /// The totals every report shows.
    package static let headlines: Set<String> = ["kernel boot", "PCI enumeration", "accesses"]

    /// The rows a `--fail-above` threshold holds: PCI enumeration time and accesses.
    package func exceeding(_ limit: Double) -> [Row] {
        rows.filter { ["PCI enumeration", "accesses"].contains($0.what) && ($0.ratio ?? 0) > limit }
    }
}
