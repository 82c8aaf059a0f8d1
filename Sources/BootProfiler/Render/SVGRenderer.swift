import Enumerator

/// A standalone SVG timeline in the spirit of the kernel's
/// scripts/bootgraph.pl: one row per phase, device window, driver and long
/// initcall on a shared time axis, marks as dashed vertical lines.
package enum SVGRenderer {
    struct Row {
        var label: String
        var start: UInt64
        /// Never before `start`: a log whose timestamps go backwards can
        /// close a window before it opened.
        var end: UInt64
        var color: String
        init(label: String, start: UInt64, end: UInt64, color: String) {
            self.label = label
            self.start = start
            self.end = max(end, start)
            self.color = color
        }
    }

    package static func render(_ p: BootProfile, title: String, census: CensusReport? = nil) -> String {
        let counted = Dictionary(uniqueKeysWithValues: (census?.census.devices ?? []).map { ($0.bdf, $0.reads + $0.writes) })
        var rows: [Row] = []
        var marks: [(String, UInt64)] = []
        for ph in p.phases {
            if let e = ph.end, ph.kind != .kernel {
                rows.append(Row(label: ph.name, start: ph.start, end: e, color: color(ph.kind)))
            } else if ph.end == nil {
                marks.append((ph.name, ph.start))
            }
        }
        for w in p.devices {
            let n = counted[w.address.description].map { ", \($0) accesses (census)" } ?? ""
            rows.append(Row(label: "\(w.address.short) [\(hex(w.vendor, 4)):\(hex(w.device, 4))]\(n)", start: w.start, end: w.end, color: "#4c9be8"))
        }
        var seen = Set<String>()
        for call in (p.initcalls.longest.prefix(15) + p.initcalls.pci.prefix(15)) where seen.insert(call.name).inserted {
            let start = call.start ?? (call.end >= call.microseconds ? call.end - call.microseconds : 0)
            rows.append(Row(label: call.name, start: start, end: start.addingReportingOverflow(call.microseconds).overflow ? .max : start + call.microseconds, color: "#b07cd8"))
        }
        rows.sort { $0.start < $1.start }
        let t0 = p.kernelStart ?? p.firstTime ?? 0
        let t1 = max(p.kernelBoot.map { t0.addingReportingOverflow($0).overflow ? .max : t0 + $0 } ?? 0, rows.map(\.end).max() ?? 0, marks.map(\.1).max() ?? 0, t0 == .max ? t0 : t0 + 1)
        let left = 20.0, width = 1400.0, rowHeight = 16.0
        let plot = width - left * 2
        func x(_ t: UInt64) -> Double { left + Double(t - min(t, t0)) / Double(t1 - t0) * plot }
        // Mark labels in lanes above the plot, so neighbours never overlap.
        let lanes = markLanes(marks.map { x($0.1) }, marks.map(\.0), right: width - left)
        let top = 48.0 + Double((lanes.map(\.lane).max() ?? -1) + 1) * 11 + 6
        let band = census == nil ? 0.0 : 60.0
        let legendRows = legend(census: census != nil)
        let height = top + Double(rows.count) * rowHeight + 40 + band + 22

        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(left)\" y=\"18\" font-size=\"14\" font-weight=\"bold\">\(SVGDocument.escape(title))</text>\n"
        let bootText = p.kernelBoot.map { "kernel boot to init \(Format.logMilliseconds($0)) ms" } ?? "kernel boot length unknown"
        s += "<text x=\(q(left)) y=\"34\">\(SVGDocument.escape(bootText + "; PCI scan \(Format.logMilliseconds(p.enumerationMicroseconds)) ms over \(p.bootDevices.count) devices (measured: kernel log timestamps)"))</text>\n"
        // Axis: about ten ticks at a round step.
        let span = Double(t1 - t0)
        let step = tickStep(span)
        var tick = 0.0
        while tick <= span {
            let tx = x(t0 + UInt64(tick))
            s += "<line x1=\(q(tx)) y1=\(q(top - 8)) x2=\(q(tx)) y2=\(q(height - 52)) stroke=\"#ddd\"/>"
            let anchor = tx < left + 20 ? "start" : tx > width - left - 20 ? "end" : "middle"
            s += "<text x=\(q(tx)) y=\(q(height - 38)) text-anchor=\"\(anchor)\" fill=\"#555\">\(fixed(tick / 1000, step < 1000 ? 1 : 0)) ms</text>\n"
            tick += step
        }
        for (i, r) in rows.enumerated() {
            let y = top + Double(i) * rowHeight
            let x0 = x(r.start), w = max(1.0, x(r.end) - x0)
            s += "<rect x=\(q(x0)) y=\(q(y)) width=\(q(w)) height=\(q(rowHeight - 3)) fill=\"\(r.color)\"><title>\(SVGDocument.escape(r.label)): \(Format.logMilliseconds(r.start)) ms + \(Format.logMilliseconds(r.end - r.start)) ms</title></rect>"
            let label = "\(r.label) \(Format.logMilliseconds(r.end - r.start)) ms"
            // Right of the bar; left of it near the right edge; else over the
            // bar, kept inside the canvas.
            let lw = textWidth(label, size: 11)
            let (lx, anchor) = x0 + w + 4 + lw <= width - 4 ? (x0 + w + 4, "start")
                : x0 - 4 - lw >= 4 ? (x0 - 4, "end") : (max(4, width - 4 - lw), "start")
            s += "<text x=\(q(lx)) y=\(q(y + rowHeight - 5)) text-anchor=\"\(anchor)\">\(SVGDocument.escape(label))</text>\n"
        }
        for ((name, t), lane) in zip(marks, lanes) {
            let mx = x(t)
            let ly = 48 + Double(lane.lane) * 11 + 8
            s += "<line x1=\(q(mx)) y1=\(q(ly + 2)) x2=\(q(mx)) y2=\(q(height - 52)) stroke=\"#c33\" stroke-dasharray=\"3,3\"/>"
            s += "<text x=\(q(lane.x)) y=\(q(ly)) fill=\"#c33\" font-size=\"9\">\(SVGDocument.escape(name))</text>\n"
        }
        if let c = census, let peak = c.perMillisecond.map({ $0.type1 + $0.ecam }).max(), peak > 0 {
            // Accesses per millisecond: type 1 stacked under ECAM.
            let base = height - 62
            s += "<text x=\(q(left)) y=\(q(base - band + 12))>\(SVGDocument.escape("config accesses per ms (census, measured; peak \(peak)): type 1 grey, ECAM orange"))</text>\n"
            let scale = (band - 20) / Double(peak)
            for b in c.perMillisecond {
                let bx = x(b.ms * 1000), bw = max(1.0, x(b.ms * 1000 + 1000) - bx)
                let h1 = Double(b.type1) * scale, h2 = Double(b.ecam) * scale
                if b.type1 > 0 { s += "<rect x=\(q(bx)) y=\(q(base - h1)) width=\(q(bw)) height=\(q(h1)) fill=\"#777\"/>" }
                if b.ecam > 0 { s += "<rect x=\(q(bx)) y=\(q(base - h1 - h2)) width=\(q(bw)) height=\(q(h2)) fill=\"#e8a33c\"/>" }
            }
            s += "\n"
        }
        // Legend: one swatch per kind of row, under the axis.
        var lx = left
        for (name, color, dashed) in legendRows {
            let swatch = dashed ? "<line x1=\(q(lx)) y1=\(q(height - 14)) x2=\(q(lx + 12)) y2=\(q(height - 14)) stroke=\"\(color)\" stroke-dasharray=\"3,3\"/>"
                : "<rect x=\(q(lx)) y=\(q(height - 19)) width=\"12\" height=\"10\" fill=\"\(color)\"/>"
            s += swatch + "<text x=\(q(lx + 16)) y=\(q(height - 10))>\(SVGDocument.escape(name))</text>\n"
            lx += 16 + textWidth(name, size: 11) + 14
        }
        s += "</svg>\n"
        return s
    }

    /// The legend's entries: name, colour, dashed line (a mark) or swatch.
    static func legend(census: Bool) -> [(String, String, Bool)] {
        var rows: [(String, String, Bool)] = [
            ("PCI scan", color(.scan), false), ("resource assignment", color(.resources), false), ("driver probes", color(.driver), false),
            ("other phase", color(.kernel), false), ("init end", color(.initEnd), false), ("device window", "#4c9be8", false), ("initcall (initcall_debug)", "#b07cd8", false),
            ("mark (a single log line)", "#c33", true),
        ]
        if census { rows += [("type 1 accesses/ms", "#777", false), ("ECAM accesses/ms", "#e8a33c", false)] }
        return rows
    }

    /// A generous estimate of a text's width in sans-serif at `size` px
    /// (DejaVu Sans averages about 0.6 em for this text); used only to keep
    /// labels apart and inside the canvas.
    static func textWidth(_ text: String, size: Double) -> Double { Double(text.count) * size * 0.62 }

    /// Mark labels placed left to right in the first lane where they do not
    /// touch the previous label; each starts at its mark, or ends at the
    /// right edge when it would run past it.
    static func markLanes(_ xs: [Double], _ names: [String], right: Double) -> [(x: Double, lane: Int)] {
        var laneEnds: [Double] = []
        var out = [(x: Double, lane: Int)](repeating: (0, 0), count: xs.count)
        for i in xs.indices.sorted(by: { xs[$0] < xs[$1] }) {
            let w = textWidth(names[i], size: 9)
            let x = min(xs[i] + 2, right - w)
            let lane = laneEnds.firstIndex { $0 + 6 <= x } ?? laneEnds.count
            if lane == laneEnds.count { laneEnds.append(0) }
            laneEnds[lane] = x + w
            out[i] = (x, lane)
        }
        return out
    }

    /// The smallest of 1, 2, 5 x 10^n microseconds giving at most 12 ticks.
    static func tickStep(_ span: Double) -> Double {
        var decade = 1.0
        while true {
            for m in [1.0, 2.0, 5.0] where span / (m * decade) <= 12 { return m * decade }
            decade *= 10
        }
    }

    static func color(_ k: Phase.Kind) -> String {
        switch k {
        case .scan: return "#2a7ab9"
        case .resources: return "#e8a33c"
        case .driver: return "#5cb85c"
        case .initEnd: return "#999999"
        default: return "#777777"
        }
    }

    /// A quoted attribute value.
    static func q(_ v: Double) -> String { "\"" + SVGDocument.number(v) + "\"" }
}
