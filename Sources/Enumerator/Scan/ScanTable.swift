import Histogram

/// `lspci`-like text: one line per function with its reads and latency, a totals line, and a header saying how it was measured.
package enum ScanTable {
    /// The method, what `auto` passed over and the clock: said before every text view but `-q`.
    package static func preamble(_ r: ScanReport) -> String {
        var out = "method: \(r.method): \(r.methodSummary)\n"
        for p in r.passedOver { out += "  passed over \(p.name): \(p.reason)\n" }
        out += "timer: \(timerLine(r.timer)); \(r.passes) pass\(r.passes == 1 ? "" : "es")\(r.brute ? ", brute-force over every bus" : "")\n\n"
        return out
    }

    package static func render(_ r: ScanReport, text: LspciText, preamble shown: Bool = true) -> String {
        var out = shown ? preamble(r) : ""
        let header = ["BDF", "reads", "min", "p50", "p99", "device"]
        var rows: [[String]] = []
        let wide = r.walk.functions.contains { $0.address.segment != 0 }
        for f in r.walk.functions {
            let s = r.stats[f.address] ?? AccessStats()
            let p = s.latency.valuesAtPercentiles([50, 99])
            rows.append([text.slot(f.address, wide: wide), String(s.reads),
                         Format.scanLatency(s.latency.totalCount == 0 ? 0 : s.latency.min),
                         Format.scanLatency(p[0]), Format.scanLatency(p[1]),
                         text.describe(f)])
        }
        func totalsRow(_ label: String, _ t: AccessStats, _ what: String) -> [String] {
            let p = t.latency.valuesAtPercentiles([50, 99])
            return [label, String(t.reads), Format.scanLatency(t.latency.totalCount == 0 ? 0 : t.latency.min),
                    Format.scanLatency(p[0]), Format.scanLatency(p[1]), what]
        }
        if let whole = r.wholeWalk {
            rows.append(totalsRow("total", r.totals, "\(r.walk.functions.count) of \(whole.functions) functions shown; \(r.deviceReads) reads"))
            rows.append(totalsRow("walk", whole.totals, "the whole walk: \(whole.functions) functions; \(whole.deviceReads) reads of present functions, \(whole.emptyProbeReads) of empty slots"))
        } else {
            rows.append(totalsRow("total", r.totals, "\(r.walk.functions.count) functions; \(r.deviceReads) reads of present functions, \(r.walk.emptyProbes) of empty slots"))
        }
        out += TextTable.render(header: header, rows: rows, rightAligned: 1...4)
        return out
    }

    /// The walk's warnings and the functions that failed, one line each, for
    /// standard error (beside every view but JSON, which holds them).
    package static func diagnostics(_ r: ScanReport, text: LspciText) -> [String] {
        var out: [String] = []
        for f in r.walk.functions {
            for w in f.warnings { out.append("warning: \(text.slot(f.address)): \(w)") }
        }
        for w in r.walk.warnings { out.append("warning: \(w)") }
        for e in r.walk.failures { out.append("error: \(text.slot(e.address)): \(e.message)") }
        return out
    }

    /// The hex dumps' reads (`-x` at `level` 1, `-xxx` at 3...), for a line
    /// beside the dumps so that they stay lspci's, byte for byte: the shown
    /// functions' dumps and reads alone (lspci -s/-d keeps part of the walk).
    package static func dumpReadsLine(_ r: ScanReport, level: Int) -> String {
        let shown = r.walk.functions.map(\.address)
        let dumps = shown.compactMap { r.dumps[$0] }
        let reads = shown.reduce(0) { $0 + (r.dumpReads[$1] ?? 0) }
        return "-\(String(repeating: "x", count: level)): \(reads) config reads of 4 bytes for \(dumps.count) dump\(dumps.count == 1 ? "" : "s") (\(dumps.reduce(0) { $0 + $1.count }) bytes), each timed and counted in its function's reads"
    }

    package static func timerLine(_ t: AccessTimer) -> String {
        let clock = t.source == .tsc ? "invariant TSC at \(format2(t.ticksPerSecond / 1e9)) GHz (rate: \(t.rateSource))" : "clock_gettime(CLOCK_MONOTONIC)"
        return "\(clock), back-to-back cost \(format1(t.overheadNanoseconds)) ns subtracted from every sample"
    }
}
