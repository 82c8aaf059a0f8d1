import Enumerator
import Glibc

/// A logarithmic latency axis shared by every method of a comparison: bin i
/// covers [low * 10^(i/perDecade), low * 10^((i+1)/perDecade)) nanoseconds,
/// with edges on a grid anchored at powers of ten, so two runs over
/// overlapping ranges share their edges.
package struct LogAxis: Sendable, Equatable, Codable {
    package var perDecade: Int
    /// Index of the first bin on the global grid (bin 0 starts at 1 ns).
    package var firstBin: Int
    package var bins: Int

    /// An axis from the smallest to the largest value (0 counts as 1 ns).
    package init(min: UInt64, max: UInt64, perDecade: Int = 40) {
        precondition(perDecade >= 1)
        self.perDecade = perDecade
        firstBin = LogAxis.gridIndex(Swift.max(min, 1), perDecade)
        bins = LogAxis.gridIndex(Swift.max(max, 1), perDecade) - firstBin + 1
    }

    static func gridIndex(_ v: UInt64, _ perDecade: Int) -> Int {
        var i = Int((log10(Double(v)) * Double(perDecade)).rounded(.down))
        // Floating point at exact edges: keep 10^(i/perDecade) <= v.
        if pow(10, Double(i) / Double(perDecade)) > Double(v) * (1 + 1e-12) { i -= 1 }
        if pow(10, Double(i + 1) / Double(perDecade)) <= Double(v) * (1 - 1e-12) { i += 1 }
        return i
    }

    /// The lower edge of bin `i`, in ns.
    package func edge(_ i: Int) -> Double { pow(10, Double(firstBin + i) / Double(perDecade)) }

    package func bin(of value: UInt64) -> Int {
        Swift.min(Swift.max(LogAxis.gridIndex(Swift.max(value, 1), perDecade) - firstBin, 0), bins - 1)
    }

    /// Counts per bin of a set of samples.
    package func counts(_ samples: [UInt64]) -> [Int] {
        var c = [Int](repeating: 0, count: bins)
        for s in samples { c[bin(of: s)] += 1 }
        return c
    }
}

/// Terminal histograms: one block per method on one shared log axis, bars of
/// Unicode eighth blocks scaled to the largest bin of any method, runs of
/// bins empty for every method folded into one line.
package enum TextHistogram {
    static let eighths = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]

    /// A bar of `fraction` (0...1) of `width` cells, to the nearest eighth.
    package static func bar(_ fraction: Double, width: Int) -> String {
        let eighthsTotal = Int((Swift.max(0, Swift.min(1, fraction)) * Double(width * 8)).rounded())
        var s = String(repeating: "█", count: eighthsTotal / 8) + eighths[eighthsTotal % 8]
        if eighthsTotal == 0 && fraction > 0 { s = "▏" }  // never hide a non-empty bin
        return s
    }

    /// Bins holding at least `minShare` of some method's samples get a row
    /// each; runs of smaller bins fold into one row per method that gives
    /// their total (the tail stays visible, its count exact).
    package static func render(_ series: [(name: String, samples: [UInt64])], axis: LogAxis, width: Int = 40,
                              minShare: Double = 0.005) -> String {
        let counts = series.map { axis.counts($0.samples) }
        let fractions = zip(series, counts).map { s, c in c.map { s.samples.isEmpty ? 0 : Double($0) / Double(s.samples.count) } }
        let top = fractions.flatMap { $0 }.max() ?? 1
        let major = (0..<axis.bins).map { i in fractions.contains { $0[i] >= minShare } }
        // Rows: a major bin alone, or a run of minor bins folded.
        var rows: [Range<Int>] = []
        var i = 0
        while i < axis.bins {
            var j = i + 1
            if !major[i] { while j < axis.bins && !major[j] { j += 1 } }
            rows.append(i..<j)
            i = j
        }
        let labels = rows.map { "\(Format.latency(axis.edge($0.lowerBound)))-\(Format.latency(axis.edge($0.upperBound)))" }
        let labelWidth = labels.map(\.count).max() ?? 0
        let spread = format1((pow(10, 1 / Double(axis.perDecade)) - 1) * 100)
        var out = "shared log axis, \(axis.perDecade) bins per decade (each \(spread)% wide); a bar is the share of the method's samples in the bin, scaled to the largest bin of any method; ┆ rows fold bins under \(format1(minShare * 100))% for every method and give their total\n"
        for (k, s) in series.enumerated() {
            out += "\n\(s.name) (\(s.samples.count) samples)\n"
            for (n, row) in rows.enumerated() {
                let label = String(repeating: " ", count: labelWidth - labels[n].count) + labels[n]
                let c = row.reduce(0) { $0 + counts[k][$1] }
                let share = s.samples.isEmpty ? 0 : Double(c) / Double(s.samples.count)
                if major[row.lowerBound] {
                    let b = bar(fractions[k][row.lowerBound] / top, width: width)
                    out += "  \(label) ┤\(b)\(String(repeating: " ", count: Swift.max(0, width - b.count))) \(pad(String(c), 7)) \(pad(percent(share), 6))\n"
                } else {
                    let note = "(\(row.count) bin\(row.count == 1 ? "" : "s") folded)"
                    out += "  \(label) ┆\(note)\(String(repeating: " ", count: Swift.max(0, width - note.count))) \(pad(String(c), 7)) \(pad(percent(share), 6))\n"
                }
            }
        }
        return out
    }

    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }

    static func percent(_ f: Double) -> String { f == 0 ? "0%" : (f < 0.001 ? "<0.1%" : format1(f * 100) + "%") }
}
