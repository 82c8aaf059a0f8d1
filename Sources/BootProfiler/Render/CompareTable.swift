import Enumerator

/// The text report of `pcitime compare`: how it was measured, the side-by-side
/// table, the ratio with its interval, outliers, histograms, the projection.
/// Every number says whether it is measured, modelled or given.
package enum CompareTable {
    package static func render(_ r: CompareReport, histogramWidth: Int = 40) -> String {
        let names = r.runs.map(\.label)
        var out = "compare \(names.joined(separator: " vs ")): \(r.functions.count) function\(r.functions.count == 1 ? "" : "s") (\(r.functions.map(\.short).joined(separator: " "))), \(r.width.rawValue)-byte reads\n"
        for run in r.runs {
            if let k = run.kernelPath {
                out += "  \(run.label): kernel-mediated (\(k.direct)); the kernel reaches \(k.mechanism) for it: \(run.measures)\n"
            } else {
                out += "  \(run.requested)\(run.requested == run.name ? "" : " (\(run.name))"): \(run.measures)\n"
            }
        }
        if let s = r.kernelSplit {
            out += "kernel: base offsets through \(s.base.rawValue), extended through \(s.extended?.rawValue ?? "nothing (no extended access)") (\(r.kernelEvidence ?? ""))\n"
        }
        for u in r.unavailable { out += "not compared: \(u.reason)\n" }
        // Functions some method could not read, grouped by why.
        var why: [(String, [PCIAddress])] = []
        for e in r.excluded where e.reason != Comparison.notCommon {
            let key = "\(e.method): \(e.reason)"
            if let i = why.firstIndex(where: { $0.0 == key }) { why[i].1.append(e.address) } else { why.append((key, [e.address])) }
        }
        for (reason, addresses) in why { out += "left out: \(addresses.map(\.short).joined(separator: " ")) (\(reason))\n" }
        out += "registers: " + r.runs.map { run in
            "\(run.label) \(Comparison.offsetRange(run.offsets, r.width)) (\(run.offsets.count) per function)"
        }.joined(separator: ", ") + "\n"
        let samples = r.runs.map { "\($0.stats.count)" }
        out += "method: \(r.warmupRounds) warm-up round\(r.warmupRounds == 1 ? "" : "s") discarded, then \(r.samplesPerRegister) interleaved rounds (order alternates \(names.joined(separator: " ")), then reversed), one sample per register per method per round: \(Set(samples).count == 1 ? samples[0] : samples.joined(separator: "/")) samples per method; \(r.pinnedCPU.map { "pinned to CPU \($0)" } ?? "not pinned"); \(format1(r.seconds)) s\n"
        out += "timer: \(ScanTable.timerLine(r.timer))\n\n"

        out += "measured per access (raw samples, nearest rank; outliers kept)\n"
        let header = ["method", "samples", "min", "p50", "p90", "p99", "max", "mean", "outliers"]
        var rows: [[String]] = []
        for run in r.runs {
            let s = run.stats
            rows.append([run.label, String(s.count), us(s.min), us(s.p50), us(s.p90), us(s.p99), us(s.max),
                         Format.latency(s.mean), "\(s.outliers) (\(TextHistogram.percent(Double(s.outliers) / Double(s.count))))"])
        }
        out += TextTable.render(header: header, rows: rows, rightAligned: 1...7)

        if !r.perFunction.isEmpty { out += perFunctionTable(r) }

        out += "\n"
        for (run, c) in zip(r.runs.dropFirst(), r.comparisons) {
            out += ratioLine(baseline: r.baseline.label, other: run.label, c) + "\n"
        }
        if r.registersDiffer { out += "  (different registers by necessity: see registers above)\n" }

        out += "\noutliers (above Q3 + 3 IQR of each method; kept in every statistic above)\n"
        for run in r.runs {
            let s = run.stats
            if s.outliers == 0 {
                out += "  \(run.label): none above \(us(s.outlierFence))\n"
            } else {
                let list = run.worst.map { "\(us($0.nanoseconds)) at \($0.register.address.short) 0x\(hex($0.register.offset, 2)) round \($0.round)" }
                out += "  \(run.label): \(s.outliers) above \(us(s.outlierFence)); slowest \(list.joined(separator: ", "))\n"
            }
        }

        out += "\nhistograms (measured)\n"
        let axis = sharedAxis(r)
        out += TextHistogram.render(r.runs.map { ($0.label, $0.samples) }, axis: axis, width: histogramWidth)

        out += "\nprojection\n"
        if r.projections.isEmpty {
            out += "  \(r.projectionNote ?? "none: give --accesses N (the kernel's config accesses at boot, e.g. from 'pcitime trace')")\n"
        }
        for p in r.projections { out += projectionText(p) }
        for w in r.weightedProjections { out += weightedText(w) }

        if !r.notes.isEmpty {
            out += "\nnotes\n"
            for n in r.notes { out += "  - \(n)\n" }
        }
        return out
    }

    package static func sharedAxis(_ r: CompareReport) -> LogAxis {
        LogAxis(min: r.runs.map(\.stats.min).min() ?? 1, max: r.runs.map(\.stats.max).max() ?? 1)
    }

    static func us(_ ns: UInt64) -> String { Format.latency(Double(ns)) }

    /// "p50 ratio sysfs-ext / sysfs-base: 0.712 (95% CI 0.709-0.716, ...)".
    package static func ratioLine(baseline: String, other: String, _ c: Bootstrap.MedianComparison) -> String {
        let pct = format0(c.confidence * 100)
        var s = "p50 ratio \(other) / \(baseline) (measured): \(fixed(c.ratio, 3)) (\(pct)% CI \(fixed(c.ratioLow, 3))-\(fixed(c.ratioHigh, 3)); percentile bootstrap, \(c.resamples) resamples, seed 0x\(String(c.seed, radix: 16)))\n"
        let d = c.difference, lo = c.differenceLow, hi = c.differenceHigh
        if lo > 0 {
            s += "  \(other) is \(Format.latency(d)) faster per access at the median (\(pct)% CI \(Format.latency(lo))-\(Format.latency(hi)))"
        } else if hi < 0 {
            s += "  \(other) is \(Format.latency(-d)) slower per access at the median (\(pct)% CI \(Format.latency(-hi))-\(Format.latency(-lo)))"
        } else {
            s += "  no difference resolved: the \(pct)% CI of \(baseline) - \(other) at the median, \(Format.signedLatency(lo))-\(Format.signedLatency(hi)), includes 0"
        }
        return s
    }


    /// p50 per function and per method, each function's ratio against the
    /// baseline, then the pooled row; a warning under a multimodal pool.
    static func perFunctionTable(_ r: CompareReport) -> String {
        let names = r.runs.map(\.requested)
        let ratioNames = names.dropFirst().map { "\($0) / \(names[0])" }
        var rows = r.perFunction.map { f in
            [f.function.short] + f.mediansNs.map { us($0) } + f.comparisons.map(ratioCell)
        }
        rows.append(["pooled"] + r.runs.map { us($0.stats.p50) } + r.comparisons.map(ratioCell))
        var out = "\np50 per function and pooled (measured; ratios with their 95% bootstrap interval)\n"
        out += TextTable.render(header: ["BDF"] + names + ratioNames, rows: rows, rightAligned: 1...(names.count + ratioNames.count))
        for c in r.poolChecks where c.multimodal { out += "warning: \(c.warning)\n" }
        return out
    }

    static func ratioCell(_ c: Bootstrap.MedianComparison) -> String {
        "\(fixed(c.ratio, 3)) (\(fixed(c.ratioLow, 3))-\(fixed(c.ratioHigh, 3)))"
    }

    /// The projection weighted by each function's count.
    package static func weightedText(_ w: WeightedProjection) -> String {
        var s = "  weighted by function: the same \(w.accesses) accesses, each function's at its own p50: \(w.from) \(Format.milliseconds(w.fromMs)), \(w.to) \(Format.milliseconds(w.toMs)): "
        s += saving(w.savedMs, low: w.savedLowMs, high: w.savedHighMs, interval: "95% CI", note: ", conservative")
        s += w.share.map { ", \(format1(abs($0) * 100))% of the kernel boot\n" } ?? "\n"
        let parts = w.parts.map { p in
            "\(p.bdf?.short ?? "other") \(p.accesses) x \(Format.latency(Double(p.fromNs)))/\(Format.latency(Double(p.toNs)))"
        }
        s += "    per function (accesses x p50 \(w.from)/\(w.to)): \(parts.joined(separator: ", ")); \"other\": accesses to functions not compared, at the pooled p50\n"
        return s
    }

    /// "2.10 ms saved (95% CI 1.90 ms-2.30 ms)"; a negative saving reads
    /// "more", its interval turned round.
    static func saving(_ ms: Double, low: Double, high: Double, interval: String, note: String = "") -> String {
        ms >= 0 ? "\(Format.milliseconds(ms)) saved (\(interval) \(Format.milliseconds(low))-\(Format.milliseconds(high))\(note))"
            : "\(Format.milliseconds(-ms)) more (\(interval) \(Format.milliseconds(-high))-\(Format.milliseconds(-low))\(note))"
    }

    /// The issue's sentence, then where each number came from.
    package static func projectionText(_ p: Projection) -> String {
        let pct = format0(p.confidence * 100)
        var s = "  the kernel's \(p.accesses) \(p.accessKind) at \(Format.latency(Double(p.fromNanoseconds))) (\(p.fromMechanism)) take \(Format.milliseconds(p.fromMilliseconds)); at \(Format.latency(Double(p.toNanoseconds))) (\(p.toMechanism)) \(Format.milliseconds(p.toMilliseconds)): "
        s += saving(p.savedMilliseconds, low: p.savedLow, high: p.savedHigh, interval: "\(pct)% CI",
                    note: p.countError.map { ", with the count's expected error of \(Format.percent($0))" } ?? "")
        if let share = p.share, let boot = p.kernelBootMilliseconds {
            s += ", \(Format.percent(abs(share))) of the kernel boot (\(Format.milliseconds(boot)))\n"
        } else {
            s += "; the kernel boot's length is unknown, so no share\n"
        }
        s += "    accesses: \(p.accessesBasis)\n"
        s += "    per access: measured p50 of \(p.from) and of \(p.to) above\n"
        if let b = p.kernelBootBasis { s += "    kernel boot: \(b)\n" }
        return s
    }

}
