import Enumerator

/// Everything `pcitime boot` gets from boot traces: the census (function
/// tracer, or function_graph when that is all there is), the in-kernel
/// latency (function_graph) and what the tracer itself cost the boot.
/// `Pricing` prices it with every other count.
package struct CensusReport: Sendable {
    package var census: BootCensus
    package var latency: BootLatency?
    /// Where the latency trace came from.
    package var latencySource: String?
    /// The mean time between two consecutive peer-bus probes in the
    /// counting trace (one loop iteration: the access and the tracer's cost
    /// of recording it), nanoseconds, and how many gaps; nil without them.
    package var probeIntervalNs: Double?
    package var probeIntervals = 0
    /// The counting trace's peer-bus loop, its first pass to its last probe
    /// of an absent bus, nanoseconds on the log's clock: what `pci=lastbus`
    /// cuts, without what its log window holds around it; nil untimed.
    package var peerLoopSpanNs: UInt64?
    /// Calls and markers the counting trace recorded before init.
    package var tracedEntries = 0
    /// Accesses per millisecond of the log's clock, per mechanism (the
    /// timeline's counter track), up to init.
    package var perMillisecond: [(ms: UInt64, type1: Int, ecam: Int)] = []

    /// Loads the traces: FILES when given, else ROOT's captured tracefs
    /// files, else (live) this kernel's. Nil when there is no boot trace.
    package static func load(files: [String], root: MachineRoot, live: Bool, profile: BootProfile) throws -> CensusReport? {
        var loaded: [(calls: [FtraceCall], parser: FtraceParser, description: String, name: String)] = []
        if !files.isEmpty {
            for f in files {
                if let r = try TraceSource.file(f).load() { loaded.append((r.calls, r.parser, r.description, f)) }
            }
        } else if !root.isLive {
            if let r = try TraceSource.root(root.path).load() { loaded.append((r.calls, r.parser, r.description, root.path)) }
        } else if live {
            if let r = try TraceSource.live.load() { loaded.append((r.calls, r.parser, r.description, "tracefs")) }
        }
        guard !loaded.isEmpty else { return nil }
        // The census from the function tracer (it names callers); latency
        // from function_graph.
        let counting = loaded.first { $0.parser.tracer == .function } ?? loaded[0]
        let timing = loaded.first { $0.parser.tracer == .functionGraph }
        let census = try BootCensus.build(calls: counting.calls, parser: counting.parser, profile: profile,
                                          source: "\(counting.parser.tracer?.rawValue ?? "function") tracer, \(counting.description)", name: counting.name)
        var run = CensusReport(census: census)
        let initAt = profile.runInit.map { $0.start * 1000 } ?? .max
        run.tracedEntries = counting.calls.filter { ($0.time ?? 0) <= initAt }.count + counting.parser.markers.filter { ($0.time ?? 0) <= initAt }.count
        let gaps = Self.probeGaps(counting.calls)
        run.probeIntervalNs = gaps.count >= 32 ? Self.trimmedMean(gaps) : nil
        run.probeIntervals = gaps.count
        // From the loop's first pass (a stall inside it is the loop's) to its last probe.
        let passes = counting.parser.markers.filter { $0.kind == .function(.peerBus) }.compactMap(\.time)
        let probes = counting.calls.lazy.filter { $0.caller == MarkerFunction.peerBus.rawValue }.compactMap(\.time)
        if let first = passes.min() ?? probes.min(), let last = probes.max(), last > first { run.peerLoopSpanNs = last - first }
        var bins: [UInt64: (Int, Int)] = [:]
        for c in counting.calls {
            guard let t = c.time, t <= initAt else { continue }
            if c.function.mechanism == .type1 { bins[t / 1_000_000, default: (0, 0)].0 += 1 } else { bins[t / 1_000_000, default: (0, 0)].1 += 1 }
        }
        run.perMillisecond = bins.sorted { $0.key < $1.key }.map { ($0.key, $0.value.0, $0.value.1) }
        if let g = timing {
            // Per-device latency needs each timed call's device: its
            // arguments, else the graph trace's own markers (another boot of
            // the same machine scans in the same order), else the log's windows.
            let lastLog = (profile.lastTime ?? 0) * 1000
            let sameBoot = g.calls.compactMap(\.time).max().map { $0 <= lastLog + 1_000_000_000 } ?? false
            let attribution = MarkerAttribution(calls: g.calls, markers: g.parser.markers, profile: profile, windows: BootPhaseIndex(profile))
            let placed = g.calls.contains { $0.target != nil } || g.parser.hasMarkers || sameBoot
            let how = g.calls.contains { $0.target != nil } ? "exact"
                : g.parser.hasMarkers ? MarkerAttribution.label : sameBoot ? MarkerAttribution.windowLabel : "per mechanism only"
            run.latency = BootLatency(calls: g.calls, parser: g.parser, attribution: how) { i, c in
                c.target?.address ?? (placed ? attribution.owners[i] : nil)
            }
            run.latencySource = g.description + (placed ? "" : " (another boot than the log's, without marker functions: per mechanism only)")
        }
        return run
    }

    /// The function_graph trace's per-mechanism medians (tracer included:
    /// the lowest in the order of trust); empty without one.
    package var latencyEstimates: [LatencyEstimate] { latency?.estimates(source: latencySource ?? "function_graph") ?? [] }

    /// What the tracer cost the boot: the mean gap between consecutive
    /// peer-bus probes in the trace less what one such probe costs untraced
    /// (`absentBusNs`: the price of a probe of a bus that does not exist),
    /// for every call the tracer recorded.
    package func tracerCost(absentBusNs: Double?) -> (calls: Int, perCallNs: Double, how: String)? {
        guard let gap = probeIntervalNs, let e = absentBusNs, gap > e else { return nil }
        return (tracedEntries, gap - e, "the mean gap between consecutive peer-bus probes in the trace (\(Format.us(gap)) us, over \(probeIntervals)) less one such probe's untraced price (\(Format.us(e)) us)")
    }

    /// The gaps between consecutive peer-bus probes on one task (callers, or
    /// the enclosing marker for function_graph, name them). The trace clock
    /// prints microseconds, so one gap is 0, 1 or 2 us: only their mean tells.
    static func probeGaps(_ calls: [FtraceCall]) -> [UInt64] {
        var gaps: [UInt64] = []
        var previous: FtraceCall?
        for c in calls {
            defer { previous = c }
            guard c.caller == MarkerFunction.peerBus.rawValue, let p = previous, p.caller == c.caller, p.task == c.task,
                  let t0 = p.time, let t1 = c.time, t1 >= t0 else { continue }
            gaps.append(t1 - t0)
        }
        return gaps
    }

    /// The mean without the top 1% (an interrupt or a stall inside a gap).
    static func trimmedMean(_ values: [UInt64]) -> Double {
        let s = values.sorted()
        let kept = s.prefix(max(1, s.count - (s.count + 99) / 100))
        return Double(kept.reduce(0, +)) / Double(kept.count)
    }

    /// Writes a VMM that pre-initialises config space would answer itself;
    /// nil where the trace does not name each access's caller (function_graph
    /// names only the enclosing step, which mixes BAR sizing with other writes).
    package var knownAnswerWrites: Int? {
        guard census.tracer == FtraceParser.Tracer.function.rawValue else { return nil }
        return census.byReason.filter { [AccessReason.barSizing.rawValue, AccessReason.bridges.rawValue].contains($0.reason) }.reduce(0) { $0 + $1.writes }
    }

    /// The census as access counts (measured; early-quirks' reads modelled
    /// and added to their functions), so every other line of the report uses it.
    package var counts: AccessCounts {
        var devices: [DeviceAccesses] = []
        for d in census.devices {
            guard let a = PCIAddress(d.bdf) else { continue }
            var x = DeviceAccesses(address: a)
            x.reads = d.reads + d.beforeTracingReads
            x.writes = d.writes
            // On x86 the kernel uses ECAM only where type 1 cannot reach.
            x.extended = d.ecam
            x.byMechanism = [Mechanism.type1.rawValue: d.type1 + d.beforeTracingReads, Mechanism.ecam.rawValue: d.ecam].filter { $0.value > 0 }
            devices.append(x)
        }
        let peer = census.peerBusProbes
        var empty: [EmptyProbes] = []
        if census.emptyReads > peer { empty.append(EmptyProbes(kind: .emptySlot, firstBus: 0, lastBus: 0xff, accesses: census.emptyReads - peer, busCount: 0)) }
        if peer > 0 { empty.append(EmptyProbes(kind: .missingBus, firstBus: 0, lastBus: 0xff, accesses: peer, busCount: 0)) }
        return AccessCounts(provenance: .measured("boot census: \(census.source)"), devices: devices, empty: empty,
                            baseMechanism: census.byMechanism.type1.total > 0 ? .type1 : .ecam,
                            extendedMechanism: census.byMechanism.ecam.total > 0 ? .ecam : nil,
                            unattributed: census.unattributed.total > 0 ? census.unattributed.total : nil)
    }
}
