import Histogram

/// `lspci`-like text: one line per function with its reads, writes and
/// latency, a totals line, and a header saying how it was measured.
public enum ScanTable {
    /// The description lspci prints after the address.
    public static func describe(_ f: PCIFunction, names: Names) -> String {
        let cls = names.className(f.classCode) ?? "Class \(hex(f.classCode >> 8, 4))"
        let vendor = names.vendor(f.vendor) ?? "Device"
        let device = names.device(f.vendor, f.device) ?? (names.vendor(f.vendor) == nil ? "\(hex(f.vendor, 4)):\(hex(f.device, 4))" : "Device \(hex(f.device, 4))")
        var s: String
        if names.access == nil {
            s = "\(hex(f.classCode >> 8, 4)): \(hex(f.vendor, 4)):\(hex(f.device, 4))"
        } else {
            s = "\(cls): \(vendor == "Device" ? "" : vendor + " ")\(device)"
        }
        if f.revision != 0 { s += " (rev \(hex(f.revision, 2)))" }
        return s
    }

    public static func render(_ r: ScanReport, names: Names) -> String {
        var out = "method: \(r.method): \(r.methodSummary)\n"
        for p in r.passedOver { out += "  passed over \(p.name): \(p.reason)\n" }
        out += "timer: \(timerLine(r.timer)); \(r.passes) pass\(r.passes == 1 ? "" : "es")\(r.brute ? ", brute-force over every bus" : "")\n\n"
        let header = ["BDF", "reads", "writes", "min", "p50", "p99", "device"]
        var rows: [[String]] = []
        let wide = r.walk.functions.contains { $0.address.segment != 0 }
        for f in r.walk.functions {
            let s = r.stats[f.address] ?? AccessStats()
            rows.append([wide ? f.address.description : f.address.short, String(s.reads), String(s.writes),
                         Format.scanLatency(s.latency.totalCount == 0 ? 0 : s.latency.min),
                         Format.scanLatency(s.latency.valueAtPercentile(50)), Format.scanLatency(s.latency.valueAtPercentile(99)),
                         describe(f, names: names)])
        }
        func totalsRow(_ label: String, _ t: AccessStats, _ what: String) -> [String] {
            [label, String(t.reads), String(t.writes), Format.scanLatency(t.latency.totalCount == 0 ? 0 : t.latency.min),
             Format.scanLatency(t.latency.valueAtPercentile(50)), Format.scanLatency(t.latency.valueAtPercentile(99)), what]
        }
        if let whole = r.wholeWalk {
            rows.append(totalsRow("total", r.totals, "\(r.walk.functions.count) of \(whole.functions) functions shown; \(r.deviceReads) reads"))
            rows.append(totalsRow("walk", whole.totals, "the whole walk: \(whole.functions) functions; \(whole.deviceReads) reads of present functions, \(whole.emptyProbeReads) of empty slots"))
        } else {
            rows.append(totalsRow("total", r.totals, "\(r.walk.functions.count) functions; \(r.deviceReads) reads of present functions, \(r.walk.emptyProbes) of empty slots"))
        }
        out += TextTable.render(header: header, rows: rows, rightAligned: 1...5)
        for f in r.walk.functions {
            for w in f.warnings { out += "warning: \(f.address.short): \(w)\n" }
        }
        for w in r.walk.warnings { out += "warning: \(w)\n" }
        for e in r.walk.failures { out += "error: \(e.address.short): \(e.message)\n" }
        return out
    }

    public static func timerLine(_ t: AccessTimer) -> String {
        let clock = t.source == .tsc ? "invariant TSC at \(format2(t.ticksPerSecond / 1e9)) GHz (rate: \(t.rateSource))" : "clock_gettime(CLOCK_MONOTONIC)"
        return "\(clock), back-to-back cost \(format1(t.overheadNanoseconds)) ns subtracted from every sample"
    }
}
