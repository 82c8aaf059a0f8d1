import Enumerator

/// Reads and writes, the pair every census line counts.
package struct ReadWrite: Codable, Sendable, Equatable {
    package var reads = 0
    package var writes = 0
    package init(reads: Int = 0, writes: Int = 0) { self.reads = reads; self.writes = writes }
    package var total: Int { reads + writes }
    mutating func add(write: Bool) { if write { writes += 1 } else { reads += 1 } }
}

/// Every config access the kernel made from the tracer's start to "Run ...
/// as init process", counted by mechanism, reason, boot phase and device,
/// plus the early-quirks reads before the tracer (modelled).
package struct BootCensus: Codable, Sendable, Equatable {
    package struct ByMechanism: Codable, Sendable, Equatable {
        package var type1 = ReadWrite()
        package var ecam = ReadWrite()
    }
    package struct ReasonCount: Codable, Sendable, Equatable {
        package var reason: String
        package var reads: Int
        package var writes: Int
        /// How many of these the caller's name gave (the rest: the boot phase).
        package var fromCaller: Int
    }
    package struct PhaseCount: Codable, Sendable, Equatable {
        package var phase: String
        package var reads: Int
        package var writes: Int
    }
    package struct Device: Codable, Sendable, Equatable {
        package var bdf: String
        /// Traced accesses placed on this function.
        package var reads: Int
        package var writes: Int
        /// "exact" (the trace's arguments), "by marker functions"
        /// (`MarkerAttribution`) or "by time window" (a trace without markers).
        package var attribution: String
        package var type1: Int
        package var ecam: Int
        /// early-quirks' reads of it before the tracer started (modelled,
        /// `BootCensus.beforeTracing`): with `reads`, its whole boot.
        package var beforeTracingReads = 0
    }
    package struct Early: Codable, Sendable, Equatable {
        package var reads: Int
        package var writes: Int
        /// Always modelled: the tracer was not running yet.
        package var basis: Provenance
    }

    /// Which tracer and where its text came from.
    package var source: String
    package var tracer: String
    /// Whether the trace carried function arguments (exact per-device counts).
    package var arguments: Bool
    package var tracedReads = 0
    package var tracedWrites = 0
    /// Traced accesses to functions that exist (the measured part).
    package var presentReads = 0
    package var presentWrites = 0
    /// Reads that found nothing: empty slots, absent functions, peer buses.
    package var emptyReads = 0
    /// How the empty-slot part of `emptyReads` was found.
    package var emptyReadsBasis: Provenance
    package var peerBusProbes = 0
    /// Counted from the callers, or (function_graph names none) modelled.
    package var peerBusProbesBasis = Provenance.measured("calls from pcibios_scan_specific_bus")
    /// Entries the tracer dropped (LOST markers) or overwrote (header).
    package var lost = 0
    /// Calls after "Run ... as init process" (not boot), left out.
    package var afterInit = 0
    package var beforeTracing: Early
    /// present + beforeTracing: what QEMU's trace of the boot sees.
    package var totalPresentReads = 0
    package var totalPresentWrites = 0
    package var byMechanism = ByMechanism()
    package var byReason: [ReasonCount] = []
    package var byPhase: [PhaseCount] = []
    package var devices: [Device] = []
    /// Present-function accesses no device window held (time-window mode).
    package var unattributed = ReadWrite()
    package var firstCallUs: UInt64?
    package var lastCallUs: UInt64?
    package var notes: [String] = []
}

extension BootCensus {
    /// Builds the census from parsed calls and the same boot's kernel log.
    /// Throws when the trace cannot be this boot's.
    package static func build(calls: [FtraceCall], parser: FtraceParser, profile: BootProfile, source: String, name: String) throws -> BootCensus {
        guard !calls.isEmpty else {
            throw PCITimeError.input(name, parser.malformed + parser.foreign > 0
                ? "no call of \(KernelParams.configFunctions.joined(separator: ",")) in \(parser.malformed + parser.foreign + parser.graphLines + parser.functionLines) trace lines"
                : "no trace entries (was the kernel booted with `pcitime boot --kernel-params`?)")
        }
        let windows = BootPhaseIndex(profile)
        let attribution = MarkerAttribution(calls: calls, markers: parser.markers, profile: profile, windows: windows)
        let present = Set(profile.bootDevices.map(\.address))
        let exact = calls.contains { $0.target != nil }
        let initAt = profile.runInit.map { $0.start * 1000 }
        let lastLog = (profile.lastTime ?? 0) * 1000
        let timed = calls.compactMap(\.time)
        // Times beyond the log's last line (a second of slack for the
        // snapshot's swap) mean another boot's trace.
        if let first = timed.min(), lastLog > 0, first > lastLog + 1_000_000_000 {
            throw PCITimeError.input(name, "trace starts at \(Format.ms(Double(first) / 1000)) ms, after the kernel log ends (\(Format.ms(Double(lastLog) / 1000)) ms): not this boot's trace")
        }
        try TraceFit.check(calls: calls, profile: profile, name: name)
        var c = BootCensus(source: source, tracer: (parser.tracer ?? .function).rawValue, arguments: exact,
                           emptyReadsBasis: .measured(""), beforeTracing: Early(reads: 0, writes: 0, basis: .modelled("")))
        c.lost = parser.lost
        var reasons: [AccessReason: (ReadWrite, Int)] = [:]
        var phases: [String: ReadWrite] = [:]
        var phaseOrder: [String] = []
        var devices: [PCIAddress: (ReadWrite, Int, Int)] = [:]
        for (n, call) in calls.enumerated() {
            if let t = call.time, let i = initAt, t > i { c.afterInit += 1; continue }
            let w = call.function.isWrite
            if w { c.tracedWrites += 1 } else { c.tracedReads += 1 }
            if call.function.mechanism == .type1 { c.byMechanism.type1.add(write: w) } else { c.byMechanism.ecam.add(write: w) }
            let ph = call.time.map { windows.phase(atMicroseconds: $0 / 1000) } ?? BootPhase(kind: .other, device: nil, name: "unknown time (no abstime)")
            if phases[ph.kind.rawValue] == nil { phaseOrder.append(ph.kind.rawValue) }
            phases[ph.kind.rawValue, default: ReadWrite()].add(write: w)
            var (reason, fromCaller) = AccessReason.of(caller: call.caller, phase: ph.kind)
            if reason == .peerBus { c.peerBusProbes += 1 }
            let owner: PCIAddress?
            if let t = call.target {
                if reason != .peerBus && !present.contains(t.address) && !w { reason = .emptySlot }
                owner = present.contains(t.address) ? t.address : nil
            } else {
                owner = reason != .peerBus ? attribution.owners[n] : nil
            }
            if let a = owner {
                var d = devices[a] ?? (ReadWrite(), 0, 0)
                d.0.add(write: w)
                if call.function.mechanism == .type1 { d.1 += 1 } else { d.2 += 1 }
                devices[a] = d
            }
            if reason == .emptySlot { fromCaller = true }
            var r = reasons[reason] ?? (ReadWrite(), 0)
            r.0.add(write: w)
            if fromCaller { r.1 += 1 }
            reasons[reason] = r
        }
        c.firstCallUs = timed.min().map { $0 / 1000 }
        c.lastCallUs = timed.filter { initAt == nil || $0 <= initAt! }.max().map { $0 / 1000 }

        // function_graph names no callers: the peer-bus probes are modelled as
        // pcibios_fixup_peer_bridges makes them, 32 vendor reads for each bus
        // up to pcibios_last_bus (the MCFG's last bus, or pci=lastbus) that
        // the scan did not create (firmware numbers buses 0 to the highest).
        let named = calls.contains { $0.caller != nil }
        if !named && !exact && c.byMechanism.type1.total > 0 {
            let last = profile.lastBusParameter ?? profile.ecam.first(where: \.used).map { Int($0.endBus) } ?? -1
            let highest = Int(profile.bootDevices.map(\.address.bus).max() ?? 0)
            c.peerBusProbes = max(0, last - highest) * 32
            c.peerBusProbesBasis = .modelled("32 reads per bus from \(highest + 1) to pcibios_last_bus \(last) (the trace names no callers)")
            if c.peerBusProbes > 0 {
                var other = reasons[.other] ?? (ReadWrite(), 0)
                other.0.reads = max(0, other.0.reads - c.peerBusProbes)
                reasons[.other] = other
                reasons[.peerBus] = (ReadWrite(reads: c.peerBusProbes), 0)
            }
        }

        // Present vs empty.
        let emptySlots: Int
        if exact {
            emptySlots = reasons[.emptySlot]?.0.reads ?? 0
            c.emptyReadsBasis = .measured("reads of functions the log does not list (the trace's arguments)")
        } else {
            let mmcfgProbes = calls.filter { $0.caller?.hasPrefix("pci_mmcfg_early_init") ?? false }.count
            emptySlots = EmptySlotModel.reads(devices: profile.bootDevices, hotplugSlots: profile.hotplugSlots,
                                              hostBridgeProbes: mmcfgProbes >= 5 || (!named && c.byMechanism.type1.total > 0))
            c.emptyReadsBasis = .modelled("one vendor-ID read per empty slot and absent function of each scanned bus (pci_scan_slot), per ACPI hotplug slot with no device (acpiphp), and the MCFG host-bridge probes of 00:18.0 and 01:18.0, from the log's devices")
        }
        c.emptyReads = emptySlots + c.peerBusProbes
        c.presentReads = max(0, c.tracedReads - c.emptyReads)
        c.presentWrites = c.tracedWrites
        if exact {
            c.presentWrites = devices.values.reduce(0) { $0 + $1.0.writes }
        }
        // What the devices do not account for: the present accesses (traced
        // minus the empty probes) that no rule placed on one device.
        let placed = devices.values.reduce(ReadWrite()) { ReadWrite(reads: $0.reads + $1.0.reads, writes: $0.writes + $1.0.writes) }
        c.unattributed = ReadWrite(reads: max(0, c.presentReads - placed.reads), writes: max(0, c.presentWrites - placed.writes))
        // No pci_conf1 call at all (microvm with pcie=on: "No config space
        // access function found"): port 0xCF8 reaches nothing, nor did early-quirks.
        let typeOne = c.byMechanism.type1.total > 0
        let early = EarlyQuirksModel.counts(devices: profile.bootDevices, typeOneAvailable: typeOne)
        c.beforeTracing = Early(reads: early.reads, writes: early.writes, basis: .modelled(early.method))
        for a in early.byDevice.keys where devices[a] == nil { devices[a] = (ReadWrite(), 0, 0) }
        c.totalPresentReads = c.presentReads + early.reads
        c.totalPresentWrites = c.presentWrites + early.writes
        c.byReason = AccessReason.allCases.compactMap { r in
            reasons[r].map { ReasonCount(reason: r.rawValue, reads: $0.0.reads, writes: $0.0.writes, fromCaller: $0.1) }
        }
        c.byPhase = phaseOrder.map { PhaseCount(phase: $0, reads: phases[$0]!.reads, writes: phases[$0]!.writes) }
        let how = exact ? "exact" : parser.hasMarkers ? MarkerAttribution.label : MarkerAttribution.windowLabel
        c.devices = devices.sorted { $0.key < $1.key }.map { a, d in
            Device(bdf: a.description, reads: d.0.reads, writes: d.0.writes, attribution: how, type1: d.1, ecam: d.2,
                   beforeTracingReads: early.byDevice[a] ?? 0)
        }
        if c.lost > 0 { c.notes.append("the tracer lost \(c.lost) entries (LOST markers or an overwritten buffer): the census is short by up to that many; boot with a larger trace_buf_size") }
        if parser.mixed { c.notes.append("the file mixes function and function_graph lines (\(parser.functionLines) and \(parser.graphLines)): counted together") }
        if parser.malformed > 0 { c.notes.append("\(parser.malformed) unreadable trace lines skipped (cut or garbled)") }
        if parser.unmatched > 0 { c.notes.append("\(parser.unmatched) function_graph calls without their other half (buffer start or end)") }
        if c.afterInit > 0 { c.notes.append("\(c.afterInit) calls after \"Run ... as init process\" are not boot and were left out") }
        if initAt == nil { c.notes.append("the log has no \"Run ... as init process\" line: every traced call counted") }
        if !exact && parser.hasMarkers {
            c.notes.append("per-device counts by marker functions: each access goes to the device of the discovery step its task was in (scan, bus add, resource assignment, driver probe), named by the log line the step prints, the runtime-PM event that follows it or the log's device tree; a device's link and parent-bridge accesses made while another is set up count for that one (Linux 6.15+ with `pcitime boot --kernel-params --arguments` gives exact counts)")
        } else if !exact {
            c.notes.append("per-device counts by time window only: this trace has no marker functions (boot with what `pcitime boot --kernel-params` prints now for counts that hold on every kernel)")
        }
        return c
    }
}

/// The reads of empty slots a bus scan makes, from the log's devices, for a
/// trace without arguments.
package enum EmptySlotModel {
    /// PCIe ports (QEMU's root port, ioh3420, xio3130 downstream): their
    /// secondary bus holds one device, so the kernel probes only slot 0.
    static let ports: Set<UInt32> = [0x1b36_000c, 0x8086_3420, 0x104c_8233]

    /// `hotplugSlots`: the log's acpiphp slot numbers; each one no bus has a
    /// device at gets one vendor-ID read (acpiphp's get_slot_status).
    /// `hostBridgeProbes`: pci_mmcfg_check_hostbridge ran (its 5 reads in the
    /// trace): 2 of them probe 00:18.0 and 01:18.0, AMD's northbridge.
    package static func reads(devices: [DeviceWindow], hotplugSlots: [UInt8] = [], hostBridgeProbes: Bool = false) -> Int {
        var byBus: [UInt8: [DeviceWindow]] = [:]
        for d in devices { byBus[d.address.bus, default: []].append(d) }
        let bridges = devices.filter { $0.headerType & 0x7f == 1 }
        let portBridges = bridges.filter { ports.contains(UInt32($0.vendor) << 16 | UInt32($0.device)) || $0.kind.containsText("Port") }
        var reads = 0
        // Buses behind PCIe ports (only_one_child): slot 0 only.
        let behindPorts = max(0, min(portBridges.count, byBus.keys.filter { $0 != 0 }.count))
        for (bus, list) in byBus {
            let slots = Set(list.map(\.address.device))
            let onlyOne = bus != 0 && behindPorts > 0 && slots == [0]
            if !onlyOne { reads += 32 - slots.count }
            for s in slots {
                let fns = list.filter { $0.address.device == s }.count
                if fns > 1 { reads += 8 - fns }
            }
        }
        // Ports with nothing behind them: one read of slot 0 each; other
        // empty bridges: a whole bus.
        let emptyBuses = max(0, bridges.count - byBus.keys.filter { $0 != 0 }.count)
        let emptyPorts = min(emptyBuses, max(0, portBridges.count - behindPorts))
        reads += emptyPorts + (emptyBuses - emptyPorts) * 32
        let slotsInUse = Set(devices.map(\.address.device))
        reads += hotplugSlots.filter { !slotsInUse.contains($0) }.count
        if hostBridgeProbes {
            reads += [PCIAddress(segment: 0, bus: 0, device: 0x18, function: 0), PCIAddress(segment: 0, bus: 1, device: 0x18, function: 0)]
                .filter { a in !devices.contains { $0.address == a } }.count
        }
        return reads
    }
}
