import Enumerator

/// Chrome trace-event JSON (the "JSON Array/Object Format" that
/// ui.perfetto.dev and chrome://tracing load): phases, device windows,
/// drivers and initcalls as complete ("X") slices on their own tracks,
/// instants ("i") for marks. Times are microseconds, as the format expects.
package enum PerfettoRenderer {
    /// One trace event; written by `json` in the format's own key order.
    struct Event {
        var name: String
        var cat: String
        var ph: String
        var ts: UInt64
        var dur: UInt64?
        var pid: Int
        var tid: Int
        var s: String?
        var args: [String: String]
        /// Numeric args (counter events).
        var counters: [String: Int] = [:]
    }

    enum Track: Int, CaseIterable {
        case phases = 1, devices, drivers, initcalls
        var name: String {
            switch self {
            case .phases: return "kernel phases"
            case .devices: return "PCI device enumeration"
            case .drivers: return "driver probes"
            case .initcalls: return "initcalls"
            }
        }
    }

    package static func render(_ p: BootProfile, counts: AccessCounts? = nil, census: CensusReport? = nil) -> String {
        var events: [Event] = []
        for t in Track.allCases {
            events.append(Event(name: "thread_name", cat: "__metadata", ph: "M", ts: 0, dur: nil, pid: 1, tid: t.rawValue, s: nil, args: ["name": t.name]))
        }
        events.append(Event(name: "process_name", cat: "__metadata", ph: "M", ts: 0, dur: nil, pid: 1, tid: 1, s: nil,
                            args: ["name": "kernel boot " + (p.kernelVersion ?? "")]))
        for ph in p.phases {
            if let d = ph.duration {
                events.append(Event(name: ph.name, cat: ph.kind.rawValue, ph: "X", ts: ph.start, dur: d, pid: 1, tid: Track.phases.rawValue, s: nil,
                                    args: ["line": ph.detail, "source": "measured: kernel log timestamps"]))
            } else {
                events.append(Event(name: ph.name, cat: ph.kind.rawValue, ph: "i", ts: ph.start, dur: nil, pid: 1, tid: Track.phases.rawValue, s: "g",
                                    args: ["line": ph.detail]))
            }
        }
        for w in p.devices {
            var args = ["id": hex(w.vendor, 4) + ":" + hex(w.device, 4), "class": hex(w.classCode, 6), "kind": w.kind,
                        "resources": w.resources.joined(separator: "; "), "source": "measured: kernel log timestamps"]
            if let d = census?.census.devices.first(where: { $0.bdf == w.address.description }) {
                args["census reads"] = String(d.reads)
                args["census writes"] = String(d.writes)
                args["census attribution"] = d.attribution
            }
            if let c = counts?.device(w.address) {
                args["accesses"] = String(c.total)
                args["accesses source"] = c.total == 0 ? "" : counts!.provenance.description
            }
            events.append(Event(name: w.address.description, cat: "device", ph: "X", ts: w.start, dur: w.duration, pid: 1,
                                tid: Track.devices.rawValue, s: nil, args: args))
        }
        for d in p.drivers {
            events.append(Event(name: d.driver, cat: "driver", ph: "X", ts: d.start, dur: d.duration, pid: 1, tid: Track.drivers.rawValue,
                                s: nil, args: ["devices": d.devices.joined(separator: " ")]))
        }
        for slice in initcallSlices(p.initcalls) {
            var args = ["returned": String(slice.call.result), "source": "measured: initcall_debug"]
            if slice.duration < slice.call.microseconds {
                args["reported_us"] = String(slice.call.microseconds)
                args["clipped"] = "the reported \(slice.call.microseconds) us run past the next initcall's start; shown up to it (the kernel times initcalls with ktime, the log with the printk clock, which disagree under TCG)"
            }
            events.append(Event(name: slice.call.name, cat: "initcall", ph: "X", ts: slice.start, dur: slice.duration, pid: 1,
                                tid: Track.initcalls.rawValue, s: nil, args: args))
        }
        if let c = census {
            // A counter track: accesses in each millisecond, per mechanism;
            // a zero closes every run so gaps read as gaps.
            var last: UInt64?
            for b in c.perMillisecond {
                if let l = last, b.ms > l + 1 {
                    events.append(Event(name: "config accesses per ms", cat: "census", ph: "C", ts: (l + 1) * 1000, dur: nil, pid: 1, tid: 0, s: nil,
                                        args: [:], counters: ["type 1": 0, "ECAM": 0]))
                }
                events.append(Event(name: "config accesses per ms", cat: "census", ph: "C", ts: b.ms * 1000, dur: nil, pid: 1, tid: 0, s: nil,
                                    args: [:], counters: ["type 1": b.type1, "ECAM": b.ecam]))
                last = b.ms
            }
        }
        var out = "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n"
        out += events.map(json).joined(separator: ",\n")
        out += "\n]}\n"
        return out
    }

    /// The initcalls shown (longest and PCI ones), in start order, each cut
    /// at the next one's start: initcalls run one after another, and slices
    /// on one track must nest for Perfetto.
    static func initcallSlices(_ summary: InitcallSummary) -> [(call: Initcall, start: UInt64, duration: UInt64)] {
        var seen = Set<String>()
        var calls: [(call: Initcall, start: UInt64, duration: UInt64)] = []
        for call in summary.longest + summary.pci where seen.insert(call.name).inserted {
            calls.append((call, call.start ?? (call.end >= call.microseconds ? call.end - call.microseconds : 0), call.microseconds))
        }
        calls.sort { ($0.start, $0.call.name) < ($1.start, $1.call.name) }
        for i in calls.indices.dropLast() {
            let end = calls[i].start.addingReportingOverflow(calls[i].duration)
            if end.overflow || end.partialValue > calls[i + 1].start { calls[i].duration = calls[i + 1].start - calls[i].start }
        }
        return calls
    }

    static func json(_ e: Event) -> String {
        var s = "{\"name\":\(quote(e.name)),\"cat\":\(quote(e.cat)),\"ph\":\(quote(e.ph)),\"ts\":\(e.ts)"
        if let d = e.dur { s += ",\"dur\":\(d)" }
        s += ",\"pid\":\(e.pid),\"tid\":\(e.tid)"
        if let sc = e.s { s += ",\"s\":\(quote(sc))" }
        let values = e.args.sorted { $0.key < $1.key }.map { quote($0.key) + ":" + quote($0.value) }
            + e.counters.sorted { $0.key < $1.key }.map { quote($0.key) + ":" + String($0.value) }
        s += ",\"args\":{" + values.joined(separator: ",") + "}}"
        return s
    }

    /// A JSON string literal.
    static func quote(_ s: String) -> String { JSONWriter.quoted(s) }
}
