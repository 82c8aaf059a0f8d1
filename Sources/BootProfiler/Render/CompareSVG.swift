import Enumerator
import Glibc

/// `pcitime compare --svg FILE`: the distributions on the same shared log axis
/// as the terminal histograms, one filled step curve per method, its p50 as a
/// dashed line, and every outlier as a tick under the axis (kept, shown).
package enum CompareSVG {
    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    package static func render(_ r: CompareReport, width: Int = 900, height: Int = 500) -> String {
        // The plotted range ends a little past the largest p99, so the body
        // of each distribution is readable; slower samples are not dropped:
        // they go to an overflow band on the right, one tick each.
        let sorted = r.runs.map { $0.samples.sorted() }
        let globalMin = sorted.map { $0.first ?? 1 }.min() ?? 1
        let globalMax = sorted.map { $0.last ?? 1 }.max() ?? 1
        let p99 = sorted.map { Bootstrap.nearestRank($0, 99) }.max() ?? globalMax
        let mainMax = Swift.min(globalMax, Swift.max(p99 + p99 / 4, globalMin + 1))
        // Finer bins than the terminal's: about 80 across the plotted range.
        let decades = Swift.max(log10(Double(mainMax) / Double(Swift.max(globalMin, 1))), 0.05)
        let axis = LogAxis(min: globalMin, max: mainMax, perDecade: Swift.min(Swift.max(Int(80 / decades), 40), 400))
        let overflow = globalMax > mainMax
        // The legend sits between the subtitle and the plot, never over the data.
        let legendTop = 52.0
        let left = 70.0, right = 24.0, top = legendTop + Double(r.runs.count) * 18 + 28
        let band = overflow ? 80.0 : 0.0
        let rugRows = Double(r.runs.count) * 8
        let bottom = 60.0 + rugRows
        let w = Double(width) - left - right - band, h = Double(height) - top - bottom
        // Half a bin of air on each side of the data.
        let lo = log10(axis.edge(0)) - 0.5 / Double(axis.perDecade)
        let hi = log10(axis.edge(axis.bins)) + 0.5 / Double(axis.perDecade)
        func x(_ ns: Double) -> Double { left + (log10(Swift.max(ns, 1)) - lo) / (hi - lo) * w }
        let bandLeft = left + w + 12, bandWidth = band - 12
        func xOver(_ ns: Double) -> Double {
            let a = log10(Double(mainMax)), b = log10(Double(globalMax))
            return bandLeft + (b > a ? (log10(ns) - a) / (b - a) : 1) * bandWidth
        }
        let fractions = r.runs.map { run -> [Double] in
            var c = [Int](repeating: 0, count: axis.bins)
            for v in run.samples where v <= mainMax { c[axis.bin(of: v)] += 1 }
            return c.map { Double($0) / Double(run.samples.count) }
        }
        let step = niceStep((fractions.flatMap { $0 }.max() ?? 1) / 4)
        let peak = Swift.max(step * 4, (fractions.flatMap { $0 }.max() ?? 1) * 1.05)
        func y(_ f: Double) -> Double { top + h - f / peak * h }

        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        let title = "pcitime compare \(r.runs.map(\.label).joined(separator: " vs ")): per-access latency (measured)"
        s += "<text x=\"\(left)\" y=\"22\" font-size=\"15\" font-weight=\"bold\">\(SVGDocument.escape(title))</text>\n"
        var sub = "\(r.functions.count) function\(r.functions.count == 1 ? "" : "s"), \(r.samplesPerRegister) interleaved rounds, \(r.width.rawValue)-byte reads, timer cost subtracted"
        if let c = r.comparisons.first, r.runs.count >= 2 {
            sub += "; p50 ratio \(r.runs[1].requested)/\(r.runs[0].requested) \(fixed(c.ratio, 3)) (\(format0(c.confidence * 100))% CI \(fixed(c.ratioLow, 3))-\(fixed(c.ratioHigh, 3)))"
        }
        s += "<text x=\"\(left)\" y=\"40\" fill=\"#444\">\(SVGDocument.escape(sub))</text>\n"

        // Grid, x ticks at 1, 2, 5 x 10^k ns, y ticks at a round step.
        let ticks = tickValues(from: pow(10, lo), to: pow(10, hi))
        s += "<g stroke=\"#e4e4e4\" stroke-width=\"1\">\n"
        for t in ticks { s += "<line x1=\"\(SVGDocument.number(x(t)))\" y1=\"\(SVGDocument.number(top))\" x2=\"\(SVGDocument.number(x(t)))\" y2=\"\(SVGDocument.number(top + h))\"/>\n" }
        var fy = step
        while fy <= peak {
            s += "<line x1=\"\(SVGDocument.number(left))\" y1=\"\(SVGDocument.number(y(fy)))\" x2=\"\(SVGDocument.number(left + w))\" y2=\"\(SVGDocument.number(y(fy)))\"/>\n"
            fy += step
        }
        s += "</g>\n"
        fy = 0
        while fy <= peak {
            s += "<text x=\"\(SVGDocument.number(left - 6))\" y=\"\(SVGDocument.number(y(fy) + 4))\" text-anchor=\"end\" fill=\"#444\">\(format0(fy * 100))%</text>\n"
            fy += step
        }
        for t in ticks {
            s += "<text x=\"\(SVGDocument.number(x(t)))\" y=\"\(SVGDocument.number(top + h + rugRows + 18))\" text-anchor=\"middle\" fill=\"#444\">\(SVGDocument.escape(Format.latency(t)))</text>\n"
        }
        s += "<text x=\"\(SVGDocument.number(left + w / 2))\" y=\"\(SVGDocument.number(Double(height) - 12))\" text-anchor=\"middle\">latency per access (log scale, \(axis.perDecade) bins per decade)</text>\n"
        s += "<text transform=\"translate(16 \(SVGDocument.number(top + h / 2))) rotate(-90)\" text-anchor=\"middle\">share of the method's samples</text>\n"

        for (k, run) in r.runs.enumerated() {
            let color = colors[k % colors.count]
            var points = "\(SVGDocument.number(x(axis.edge(0)))),\(SVGDocument.number(y(0)))"
            for i in 0..<axis.bins {
                let v = fractions[k][i]
                points += " \(SVGDocument.number(x(axis.edge(i)))),\(SVGDocument.number(y(v))) \(SVGDocument.number(x(axis.edge(i + 1)))),\(SVGDocument.number(y(v)))"
            }
            points += " \(SVGDocument.number(x(axis.edge(axis.bins)))),\(SVGDocument.number(y(0)))"
            s += "<polygon points=\"\(points)\" fill=\"\(color)\" fill-opacity=\"0.25\" stroke=\"\(color)\" stroke-width=\"1.5\"/>\n"
            let p50 = x(Double(run.stats.p50))
            s += "<line x1=\"\(SVGDocument.number(p50))\" y1=\"\(SVGDocument.number(top))\" x2=\"\(SVGDocument.number(p50))\" y2=\"\(SVGDocument.number(top + h))\" stroke=\"\(color)\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>\n"
            // Outliers: a tick each (one per pixel) in the method's row under the axis.
            let rowY = top + h + 4 + Double(k) * 8
            var seen = Set<Int>()
            for v in run.samples where v > run.stats.outlierFence {
                let px = Int((v <= mainMax ? x(Double(v)) : xOver(Double(v))).rounded())
                guard seen.insert(px).inserted else { continue }
                s += "<line x1=\"\(px)\" y1=\"\(SVGDocument.number(rowY))\" x2=\"\(px)\" y2=\"\(SVGDocument.number(rowY + 6))\" stroke=\"\(color)\"/>\n"
            }
        }
        s += "<rect x=\"\(SVGDocument.number(left))\" y=\"\(SVGDocument.number(top))\" width=\"\(SVGDocument.number(w))\" height=\"\(SVGDocument.number(h))\" fill=\"none\" stroke=\"#888\"/>\n"
        if overflow {
            s += "<rect x=\"\(SVGDocument.number(bandLeft))\" y=\"\(SVGDocument.number(top))\" width=\"\(SVGDocument.number(bandWidth))\" height=\"\(SVGDocument.number(h))\" fill=\"#f4f4f4\" stroke=\"#888\" stroke-dasharray=\"3 3\"/>\n"
            s += "<text x=\"\(SVGDocument.number(bandLeft + bandWidth / 2))\" y=\"\(SVGDocument.number(top + 14))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#444\">above</text>\n"
            s += "<text x=\"\(SVGDocument.number(bandLeft + bandWidth / 2))\" y=\"\(SVGDocument.number(top + 28))\" text-anchor=\"middle\" font-size=\"11\" fill=\"#444\">\(SVGDocument.escape(Format.latency(Double(mainMax))))</text>\n"
            for (k, run) in r.runs.enumerated() {
                let n = run.samples.reduce(0) { $0 + ($1 > mainMax ? 1 : 0) }
                s += "<text x=\"\(SVGDocument.number(bandLeft + bandWidth / 2))\" y=\"\(SVGDocument.number(top + 50 + Double(k) * 14))\" text-anchor=\"middle\" font-size=\"11\" fill=\"\(colors[k % colors.count])\">\(n)</text>\n"
            }
            s += "<text x=\"\(SVGDocument.number(bandLeft + bandWidth))\" y=\"\(SVGDocument.number(top + h + rugRows + 18))\" text-anchor=\"end\" fill=\"#444\">\(SVGDocument.escape(Format.latency(Double(globalMax))))</text>\n"
        }

        // Legend: one line per method, then what the marks mean.
        let legend = r.runs.map { "\($0.label): p50 \(Format.latency(Double($0.stats.p50))), p99 \(Format.latency(Double($0.stats.p99))), \($0.stats.outliers) outliers" }
        for (k, text) in legend.enumerated() {
            let ly = legendTop + 12 + Double(k) * 18
            let color = colors[k % colors.count]
            s += "<rect x=\"\(SVGDocument.number(left))\" y=\"\(SVGDocument.number(ly - 10))\" width=\"14\" height=\"10\" fill=\"\(color)\" fill-opacity=\"0.5\" stroke=\"\(color)\"/>\n"
            s += "<text x=\"\(SVGDocument.number(left + 20))\" y=\"\(SVGDocument.number(ly))\">\(SVGDocument.escape(text))</text>\n"
        }
        s += "<text x=\"\(SVGDocument.number(left))\" y=\"\(SVGDocument.number(legendTop + 12 + Double(r.runs.count) * 18))\" fill=\"#666\" font-size=\"11\">dashed: p50; ticks under the axis: outliers (&gt; Q3 + 3 IQR)</text>\n"
        s += "</svg>\n"
        return s
    }

    /// 1, 2, 2.5 or 5 times a power of ten, at least `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0 else { return 0.25 }
        let p = pow(10, floor(log10(raw)))
        for m in [1.0, 2.0, 2.5, 5.0, 10.0] where m * p >= raw { return m * p }
        return 10 * p
    }

    static func tickValues(from lo: Double, to hi: Double) -> [Double] {
        var out: [Double] = []
        var decade = pow(10, floor(log10(lo)))
        let multiples = hi / lo < 30 ? [1.0, 1.5, 2.0, 3.0, 5.0, 7.0] : [1.0, 2.0, 5.0]
        while decade <= hi {
            for m in multiples where decade * m >= lo && decade * m <= hi { out.append(decade * m) }
            decade *= 10
        }
        return out
    }
}
