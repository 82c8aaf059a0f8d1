import Enumerator

/// `boot --baseline` as text: what changed from the earlier boots, and each
/// enacted change's prediction against its measurement.
package enum BaselineTable {
    package static func render(_ b: BaselineComparison) -> String {
        var out = "\nAgainst \(b.baselines) baseline boot\(b.baselines == 1 ? "" : "s") (--baseline; times from the \(b.baselines - b.tracedBaselines) untraced, from the logs' timestamps)\n"
        if b.rows.isEmpty {
            out += "  nothing to compare\n"
        } else {
            // The totals always; the rest where this boot is outside the baselines' range.
            let shown = b.rows.filter { BaselineComparison.headlines.contains($0.what) || $0.now < $0.baseline.min || $0.now > $0.baseline.max }
            var rows = [["", "baseline median", "min", "max", "now", "change", ""]]
            for r in shown {
                let f: (Double) -> String = r.unit == "us" ? { Format.ms($0) } : { String(Int($0.rounded())) }
                let unit = r.unit == "us" ? "ms" : ""
                rows.append([r.what, f(r.baseline.median), f(r.baseline.min), f(r.baseline.max), f(r.now),
                             (r.delta >= 0 ? "+" : "-") + f(abs(r.delta)) + (r.ratio.map { " (\(Format.signedPercent($0)))" } ?? ""), unit])
            }
            out += TextTable.render(rows, rightAligned: [1, 2, 3, 4, 5], indent: "  ")
            if shown.count < b.rows.count {
                out += "  \(b.rows.count - shown.count) more within the baselines' range (initcalls, reasons, functions): --json has every row\n"
            }
        }
        if !b.enacted.isEmpty {
            out += "\n  Enacted here: predicted against measured\n"
            var rows = [["parameter", "predicted ms", "measured ms", "error"]]
            for e in b.enacted {
                rows.append([e.parameter, Format.ms(e.predictedUs), Format.ms(e.measuredUs), Format.signedPercent(e.error)])
            }
            out += TextTable.render(rows, rightAligned: [1, 2, 3], indent: "    ")
            for e in b.enacted {
                out += "    \(e.parameter): predicted from \(e.predictedBasis); measured from \(e.measuredFrom)\n"
            }
        }
        for n in b.notes { out += "  Note: \(n)\n" }
        return out
    }
}
