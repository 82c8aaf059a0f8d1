import Enumerator

/// Plain-text report: phases, device windows, drivers, initcalls, the cost
/// model. Every number says where it came from.
public enum TableRenderer {
    /// `view`: how the device windows and driver probes were filtered or sorted (said in their headings).
    public static func render(source: String, profile p: BootProfile, cost: CostReport?, counts: AccessCounts?,
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
            var d = [["device", "id", "type", "class", "start ms", "window ms", "share", "resources", "accesses"]]
            for w in p.devices {
                let acc = counts?.device(w.address).map { "\($0.total) (\(counts!.provenance.kind.rawValue))" } ?? "-"
                d.append([w.address.description, hex(w.vendor, 4) + ":" + hex(w.device, 4), hex(w.headerType, 2), hex(w.classCode, 6),
                          Format.logMilliseconds(w.start), Format.logMilliseconds(w.duration) + (w.closedByScanEnd ? "*" : ""), p.share(w.duration).map(Format.percent) ?? "-",
                          String(w.resources.count), acc])
            }
            out += TextTable.render(d, rightAligned: [4, 5, 6, 7], indent: "  ", gap: " ")
            if p.devices.contains(where: \.closedByScanEnd) { out += "  * closed by the end of the scan: includes the scan's tail work\n" }
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
            var d = [["initcall", "start ms", "ms", "PCI"]]
            var seen = Set<String>()
            for call in (ic.longest.prefix(10) + ic.pci.sorted { $0.microseconds > $1.microseconds }.prefix(10)) where seen.insert(call.name).inserted {
                d.append([call.name + (call.module.map { " [\($0)]" } ?? ""), call.start.map(Format.logMilliseconds) ?? "-", Format.logMilliseconds(call.microseconds),
                          BootProfileBuilder.isPCIRelated(call.name) ? "yes" : ""])
            }
            out += TextTable.render(d, rightAligned: [1, 2], indent: "  ", gap: " ")
        }
        if let c = cost, let counts = counts {
            out += "\nCost model\n" + "  " + c.headline + ".\n"
            out += "  Accesses: \(counts.total) (\(counts.provenance))\n"
            out += "    to present functions: \(counts.deviceTotal + (counts.unattributed ?? 0)), of them \(counts.extendedTotal) at offsets >= 256"
                + (counts.unattributed.map { " (\($0) not placed on one device)" } ?? "") + "\n"
            for e in counts.empty {
                let range = e.firstBus == e.lastBus ? "bus \(hex(e.firstBus, 2))" : "buses \(hex(e.firstBus, 2))-\(hex(e.lastBus, 2))"
                out += "    \(e.kind.rawValue) probes, \(range): \(e.accesses)\n"
            }
            for a in c.actual {
                out += "  \(a.accesses) through \(a.mechanism.rawValue) at \(Format.us(a.latency.nanoseconds)) us (\(a.latency.provenance)) = \(Format.ms(a.microseconds)) ms\n"
            }
            for a in c.alternatives {
                out += "  would be: through \(a.mechanism.rawValue) at \(Format.us(a.latency.nanoseconds)) us (\(a.latency.provenance)) = \(Format.ms(a.microseconds)) ms\n"
            }
            if c.emptyAccesses > 0 {
                out += "  Empty probes: \(c.emptyAccesses) accesses found nothing"
                if c.missingBusAccesses > 0 { out += ", \(c.missingBusAccesses) of them on buses that do not exist (pcibios_fixup_peer_bridges up to pcibios_last_bus)" }
                out += c.emptyCost.first.map { " = \(Format.ms($0.microseconds)) ms at \(Format.us($0.latency.nanoseconds)) us (\($0.latency.provenance.kind.rawValue))" } ?? ""
                out += "\n"
            } else {
                out += "  Empty probes: none beyond the bus walk's empty slots; no bus probed that does not exist\n"
            }
            for s in c.savings {
                out += "  Saving: \(s.change) would remove \(s.accessesSaved) accesses" + (s.microsecondsSaved.map { " = \(Format.ms($0)) ms (modelled from \(s.latency!.provenance.kind.rawValue) latency)" } ?? "") + "\n"
            }
            if let i = c.impliedPerAccess {
                out += "  Implied per access: \(Format.us(i.value)) us (\(i.provenance))\n"
            }
            for n in c.notes { out += "  Note: \(n)\n" }
        }
        if let t = tracing { out += "\nKernel tracing: \(t)\n" }
        return out
    }

    static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 3)) + "..." }
}

