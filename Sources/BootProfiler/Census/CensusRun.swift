import Enumerator

/// Everything `pcitime boot` gets from boot traces: the census (function
/// tracer, or function_graph when that is all there is), the in-kernel
/// latency (function_graph), the census priced per device and the what-if
/// table.
public struct CensusRun: Sendable {
    public var census: BootCensus
    public var latency: BootLatency?
    /// Where the latency trace came from.
    public var latencySource: String?
    public var pricing: CensusPricing?
    public var whatIf: WhatIf?
    /// Accesses per millisecond of the log's clock, per mechanism (the
    /// timeline's counter track), up to init.
    public var perMillisecond: [(ms: UInt64, type1: Int, ecam: Int)] = []

    /// Loads the traces: FILES when given, else ROOT's captured tracefs
    /// files, else (live) this kernel's. Nil when there is no boot trace.
    public static func load(files: [String], root: String, live: Bool, profile: BootProfile) throws -> CensusRun? {
        var loaded: [(calls: [FtraceCall], parser: FtraceParser, description: String, name: String)] = []
        if !files.isEmpty {
            for f in files {
                if let r = try TraceSource.file(f).load() { loaded.append((r.calls, r.parser, r.description, f)) }
            }
        } else if root != "/" {
            if let r = try TraceSource.root(root).load() { loaded.append((r.calls, r.parser, r.description, root)) }
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
        var run = CensusRun(census: census)
        let initAt = profile.runInit.map { $0.start * 1000 } ?? .max
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
            let attribution = MarkerAttribution(calls: g.calls, markers: g.parser.markers, profile: profile)
            let placed = g.calls.contains { $0.target != nil } || attribution.usedMarkers || sameBoot
            run.latency = BootLatency(calls: g.calls, parser: g.parser) { i, c in
                c.target?.address ?? (placed ? attribution.owners[i] : nil)
            }
            let how = g.calls.contains { $0.target != nil } ? "exact"
                : attribution.usedMarkers ? MarkerAttribution.label : sameBoot ? MarkerAttribution.windowLabel : "per mechanism only"
            run.latencySource = g.description + (placed ? "" : " (another boot than the log's, without marker functions: per mechanism only)")
            run.latency?.attribution = how
        }
        return run
    }

    /// The function_graph trace's per-mechanism medians; empty without one.
    public var latencyEstimates: [LatencyEstimate] { latency?.estimates(source: latencySource ?? "function_graph") ?? [] }

    /// Prices the census and builds the what-if table with per-mechanism
    /// latencies (the trace's, else `fallback`'s), per-device ones when the
    /// latency trace gave them.
    public mutating func price(profile: BootProfile, fallback: [LatencyEstimate]) {
        var mech: [Mechanism: Double] = [:]
        var source = "per-access latency: "
        var kind = Provenance.Kind.measured
        if let l = latency {
            for e in latencyEstimates { mech[e.mechanism] = e.nanoseconds }
            source += "function_graph medians (\(l.method))"
        }
        for e in fallback where mech[e.mechanism] == nil {
            mech[e.mechanism] = e.nanoseconds
            source += "; \(e.mechanism.rawValue) from \(e.provenance)"
            // The least certain input decides: modelled over given over measured.
            if e.provenance.kind == .modelled || (e.provenance.kind == .given && kind == .measured) { kind = e.provenance.kind }
        }
        var device: [String: Double] = [:]
        for (a, h) in latency?.byDevice ?? [:] where h.totalCount > 0 { device[a.description] = Double(h.valueAtPercentile(50)) }
        pricing = CensusPricing.price(census, mechanism: mech, device: device, bootUs: profile.kernelBoot, basis: Provenance(kind, source))
        if let t1 = mech[.type1] ?? mech[.ecam] {
            let ec = mech[.ecam]
            let highest = profile.bootDevices.map(\.address.bus).max() ?? 0
            whatIf = WhatIf.table(census, type1: t1, ecam: ec, bootUs: profile.kernelBoot, highestBus: highest,
                                  ecamEndBus: profile.ecam.first(where: \.used)?.endBus)
        }
    }

    /// The census as the cost model's access counts (measured), so every
    /// other line of the report uses it.
    public var counts: AccessCounts {
        var devices: [DeviceAccesses] = []
        for d in census.devices {
            guard let a = PCIAddress(d.bdf) else { continue }
            var x = DeviceAccesses(address: a)
            x.reads = d.reads
            x.writes = d.writes
            // On x86 the kernel uses ECAM only where type 1 cannot reach.
            x.extended = d.ecam
            x.byMechanism = [Mechanism.type1.rawValue: d.type1, Mechanism.ecam.rawValue: d.ecam].filter { $0.value > 0 }
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
