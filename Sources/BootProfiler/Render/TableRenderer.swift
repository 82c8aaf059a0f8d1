import Enumerator

/// Plain-text report: phases, device windows, drivers, initcalls and the
/// prices. Every number says where it came from.
package enum TableRenderer {
    /// `view`: how the device windows and driver probes were filtered or sorted (said in their headings).
    package static func render(source: String, profile p: BootProfile, prices: Prices?, counts: AccessCounts?,
                              tracing: String?, view: String? = nil) -> String {
        let shown = view.map { "; \($0)" } ?? ""
        var out = ""
        out += "Kernel log: \(source) (\(p.format?.rawValue ?? "unknown form"), \(p.lines) lines"
        if p.untimestampedLines > 0 { out += ", \(p.untimestampedLines) without a timestamp (skipped)" }
        if p.continuationLines > 0 { out += ", \(p.continuationLines) /dev/kmsg dictionary lines (skipped)" }
        if p.overlongLines > 0 { out += ", \(p.overlongLines) cut at 64 KiB" }
        if p.backwardSteps > 0, let s = p.largestBackwardStep {
            out += ", \(p.backwardSteps) stamped earlier than the line before (at most \(Format.logMilliseconds(s.from - s.to)) ms; durations across them are short)"
        }
        out += ")\n"
        if p.boots > 1 { out += "The log holds \(p.boots) boots; this is the last.\n" }
        if p.startLost {
            out += "The log's start is lost (wrapped ring buffer, first line at \(Format.logMilliseconds(p.firstTime ?? 0)) ms): durations from boot and shares are unknown.\n"
        }
        if let v = p.kernelVersion { out += "Kernel \(v)" + (p.kernelBoot.map { ", boot to init \(Format.logMilliseconds($0)) ms (measured)" } ?? "") + "\n" }
        if let m = p.mechanism {
            out += "Config access: base through \(m.base.rawValue)" + (m.extended.map { ", extended through \($0.rawValue)" } ?? ", no extended access") + " (kernel log)\n"
        }
        for e in p.ecam {
            out += "ECAM: segment \(hex(e.segment, 4)) buses \(hex(e.startBus, 2))-\(hex(e.endBus, 2))" + (e.base.map { " at 0x" + hex($0, 8) } ?? "") + (e.used ? "" : " (not used)") + "\n"
        }
        out += "\nPhases (measured: kernel log timestamps)\n"
        var rows = [["phase", "start ms", "duration ms", "share", "from"]]
        for ph in p.phases {
            rows.append([ph.name, Format.logMilliseconds(ph.start), ph.duration.map(Format.logMilliseconds) ?? "-", ph.duration.flatMap { p.share($0) }.map(Format.percent) ?? "-", clip(ph.detail, 60)])
        }
        out += TextTable.render(rows, rightAligned: [1, 2, 3], indent: "  ", gap: " ")
        if !p.devices.isEmpty {
            out += "\nDevice enumeration windows (measured: from each device's line to the next device line or the scan's end\(shown))\n"
            var d = [["device", "id", "type", "class", "start ms", "window ms", "share", "resources", "boot accesses"]]
            for w in p.devices {
                let acc = counts?.device(w.address).map { "\($0.total) (\(counts!.provenance.kind.rawValue))" } ?? "-"
                d.append([w.address.description, hex(w.vendor, 4) + ":" + hex(w.device, 4), hex(w.headerType, 2), hex(w.classCode, 6),
                          Format.logMilliseconds(w.start), Format.logMilliseconds(w.duration) + (w.closedByScanEnd ? "*" : ""), p.share(w.duration).map(Format.percent) ?? "-",
                          String(w.resources.count), acc])
            }
            out += TextTable.render(d, rightAligned: [4, 5, 6, 7], indent: "  ", gap: " ")
            if p.devices.contains(where: \.closedByScanEnd) { out += "  * closed by the end of the scan: includes the scan's tail work\n" }
            if counts != nil { out += "  boot accesses: the function's accesses over the whole boot to init, not only within its window\n" }
        }
        if !p.drivers.isEmpty {
            out += "\nDriver probes (measured: first line to the line after the driver's last, before init\(shown))\n"
            var d = [["driver", "start ms", "span ms", "reported", "devices"]]
            for dr in p.drivers {
                d.append([dr.driver, Format.logMilliseconds(dr.start), Format.logMilliseconds(dr.duration), dr.reportedMicroseconds.map { Format.logMilliseconds($0) + " ms (initcall_debug)" } ?? "-",
                          clip(dr.devices.joined(separator: " "), 60)])
            }
            out += TextTable.render(d, rightAligned: [1, 2], indent: "  ", gap: " ")
        }
        if p.initcalls.count > 0 {
            let ic = p.initcalls
            out += "\nInitcalls (measured: initcall_debug): \(ic.count) calls, \(Format.logMilliseconds(ic.totalMicroseconds)) ms reported in all"
            out += ic.unpaired > 0 ? ", \(ic.unpaired) without a matching calling line\n" : "\n"
            if let q = ic.quantum {
                out += "  The reported durations come in \(Format.logMilliseconds(q)) ms steps here (the early clock): ms is from the log's timestamps, reported beside it\n"
            }
            var d = [["initcall", "start ms", "ms", "reported ms", "PCI"]]
            var seen = Set<String>()
            let calls = (ic.longest.prefix(10) + ic.pci.sorted { $0.duration > $1.duration }.prefix(10)).filter { seen.insert($0.name).inserted }
            for call in calls {
                d.append([call.name + (call.module.map { " [\($0)]" } ?? ""), call.start.map(Format.logMilliseconds) ?? "-",
                          Format.logMilliseconds(call.duration) + (call.timestampMicroseconds == nil ? "*" : ""), Format.logMilliseconds(call.microseconds),
                          BootProfileBuilder.isPCIRelated(call.name) ? "yes" : ""])
            }
            out += TextTable.render(d, rightAligned: [1, 2, 3], indent: "  ", gap: " ")
            if calls.contains(where: { $0.timestampMicroseconds == nil }) {
                out += "  * no calling line: the reported duration\n"
            }
        }
        if let c = prices, let counts { out += PricesTable.render(c, counts: counts) }
        if let t = tracing { out += "\nKernel tracing: \(t)\n" }
        return out
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 3)) + "..." }
}

