import Enumerator

/// The device of each call of a trace without function arguments: each
/// `MarkerFunction` and device event opens a step of discovery on its task,
/// and the accesses after it on that task are that step's device (the
/// rules are on `MarkerFunction`). A few callers name their device outright
/// (the MMCONFIG host-bridge check, ACPI's config-space regions); calls
/// before any marker on their task fall back to the log's time windows.
package struct MarkerAttribution: Sendable {
    package static let label = "by marker functions"
    package static let windowLabel = "by time window"

    /// One entry per call: the device, or nil (empty slot, peer bus, none).
    package let owners: [PCIAddress?]

    /// Where each step's device comes from, per task.
    enum Context: Equatable {
        case none
        /// A slot probe: its reads (the task's `pending`) belong to the
        /// function it finds, if any.
        case probing
        case device(PCIAddress?)
    }

    /// `windows`: the same log's `BootPhaseIndex`, for calls before any marker.
    package init(calls: [FtraceCall], markers: [TraceMarker], profile: BootProfile, windows: BootPhaseIndex) {
        let log = LogFacts(profile)
        var owners = [PCIAddress?](repeating: nil, count: calls.count)
        var context: [Int: Context] = [:]
        /// The calls of each task's slot probe so far, appended in place.
        var pending: [Int: [Int]] = [:]
        var previous: [Int: MarkerFunction] = [:]
        var busStack: [PCIAddress?] = []
        var lastBridge: PCIAddress?
        var unenabled: [PCIAddress] = []
        var probing: [Int: PCIAddress] = [:]
        var setups = 0, busAdds = 0, allocations = 0, finals = 0, assignments = 0, bridgeLines = 0
        var m = 0

        /// The next of `lines` at or after `time` (a line is printed after
        /// its marker's entry; a millisecond of slack for the two clocks).
        func next(_ lines: [DeviceMention], from index: inout Int, at time: UInt64?) -> PCIAddress? {
            if let t = time { while index < lines.count, lines[index].time * 1000 + 1_000_000 < t { index += 1 } }
            defer { index += 1 }
            return index < lines.count ? lines[index].address : nil
        }

        for i in 0...calls.count {
            while m < markers.count, markers[m].position == i {
                let mk = markers[m]
                m += 1
                let task = mk.task ?? -1
                switch mk.kind {
                case .resumed(let a):
                    context[task] = .device(a)
                    if log.secondary[a] != nil { lastBridge = a }
                    // The first device resumed after a probe's entry is the probed one.
                    if previous[task] == .probe && probing[task] == nil {
                        probing[task] = a
                        // Bridge drivers (pcieport) enable in their probe or decline;
                        // an endpoint's driver may enable later, from a work item.
                        if !log.bridges.contains(a) { unenabled.append(a) }
                    }
                case .function(let f):
                    defer { previous[task] = f }
                    switch f {
                    case .scanSlot, .scanSingleDevice:
                        pending[task] = []
                        context[task] = .probing
                    case .setupDevice:
                        let d = setups < log.devices.count ? log.devices[setups] : nil
                        setups += 1
                        // The slot probe's reads were this function's.
                        if context[task] == .probing { for j in pending[task] ?? [] { owners[j] = d } }
                        context[task] = .device(d)
                    case .scanChildBus:
                        busStack.append(mk.caller == MarkerFunction.scanBridge.rawValue ? lastBridge : nil)
                    case .fixupBus:
                        context[task] = .device(busStack.popLast() ?? nil)
                    case .busAddDevice:
                        context[task] = .device(busAdds < log.busAddOrder.count ? log.busAddOrder[busAdds] : nil)
                        busAdds += 1
                    case .allocateDevResources:
                        // Two passes over every device: an even split.
                        context[task] = .device(log.devices.isEmpty ? nil : log.devices[allocations % log.devices.count])
                        allocations += 1
                    case .fixupDevice:
                        // pci_apply_final_quirks: one call per device (function_graph
                        // shows no caller, only that no marker encloses it).
                        guard mk.caller == nil || mk.caller == "pci_apply_final_quirks" else { break }
                        context[task] = .device(log.devices.isEmpty ? nil : log.devices[finals % log.devices.count])
                        finals += 1
                    case .assignResource:
                        context[task] = .device(next(log.assignments, from: &assignments, at: mk.time))
                    case .setupBridge, .setupBridgeInner:
                        if f == .setupBridgeInner && (previous[task] == .setupBridge || mk.caller == MarkerFunction.setupBridge.rawValue) { break }
                        context[task] = .device(next(log.bridgeLines, from: &bridgeLines, at: mk.time))
                    case .enableDevice:
                        // A bridge enabled for the device below it, not a driver's enable.
                        if mk.caller?.hasPrefix("pci_enable_bridge") == true || mk.caller == MarkerFunction.enableDevice.rawValue { break }
                        if let d = probing[task] {
                            // The probe on this task enables its own device.
                            unenabled.removeAll { $0 == d }
                            probing[task] = nil
                            context[task] = .device(d)
                        } else if !unenabled.isEmpty {
                            // A work item the probe queued (nvme's reset work to 6.1):
                            // drivers enable in the order they probed.
                            context[task] = .device(unenabled.removeFirst())
                        }
                    case .peerBus:
                        context[task] = .device(nil)
                    case .probe:
                        probing[task] = nil
                    case .scanBridge, .acpiRead, .acpiWrite:
                        break
                    }
                }
            }
            guard i < calls.count else { break }
            let c = calls[i]
            let task = c.task ?? -1
            if let caller = c.caller, let d = log.owner(caller: caller) {
                owners[i] = d
                continue
            }
            switch context[task] ?? Context.none {
            case .probing:
                pending[task, default: []].append(i)
            case .device(let d):
                owners[i] = d
            case .none:
                owners[i] = c.time.flatMap { windows.phase(atMicroseconds: $0 / 1000).device }
            }
        }
        self.owners = owners
    }

    /// What the census needs from the log, in the forms the rules ask.
    struct LogFacts {
        /// The functions the scan found, in the log's (the scan's) order.
        let devices: [PCIAddress]
        /// Each bridge's secondary bus, from its first "PCI bridge to" line.
        let secondary: [PCIAddress: UInt8]
        /// pci_bus_add_devices' walk: a bus's devices, then behind each bridge.
        let busAddOrder: [PCIAddress]
        let bridgeLines: [DeviceMention]
        let assignments: [DeviceMention]
        let hostBridge: PCIAddress?
        let isaBridge: PCIAddress?
        /// Header type 1 functions.
        let bridges: Set<PCIAddress>

        init(_ p: BootProfile) {
            let boot = p.bootDevices
            devices = boot.map(\.address)
            var secondary: [PCIAddress: UInt8] = [:]
            for m in p.mentions { if let b = m.secondary, secondary[m.address] == nil { secondary[m.address] = b } }
            self.secondary = secondary
            var byBus: [UInt8: [PCIAddress]] = [:]
            for a in devices { byBus[a.bus, default: []].append(a) }
            var order: [PCIAddress] = []
            var seen: Set<UInt8> = []
            func walk(_ bus: UInt8) {
                guard seen.insert(bus).inserted else { return }
                order += byBus[bus] ?? []
                for a in byBus[bus] ?? [] { if let b = secondary[a] { walk(b) } }
            }
            for bus in byBus.keys.sorted() { walk(bus) }
            busAddOrder = order
            bridgeLines = p.mentions.filter { $0.secondary != nil }
            assignments = p.assignments
            hostBridge = boot.first { $0.address.bus == 0 && $0.address.device == 0 && $0.address.function == 0 }?.address
            let isa = boot.filter { $0.classCode >> 8 == 0x0601 }
            isaBridge = isa.count == 1 ? isa[0].address : nil
            bridges = Set(boot.filter { $0.headerType & 0x7f == 1 }.map(\.address))
        }

        /// Callers that name their device whatever the step: the MMCONFIG
        /// and type-1 checks read 00:00.0 (and absent functions, which the
        /// empty-slot model counts), ACPI's AML config regions are the
        /// ISA/LPC bridge's interrupt routing registers. Peer-bus probes
        /// belong to no device.
        func owner(caller: String) -> PCIAddress?? {
            if caller.hasPrefix("pcibios_scan_specific_bus") || caller.hasPrefix("pcibios_fixup_peer_bridges") { return .some(nil) }
            if ["pci_mmcfg_", "pci_sanity_check", "pci_check_type", "pci_direct_probe", "pci_arch_init"].contains(where: caller.hasPrefix) { return .some(hostBridge) }
            if caller.hasPrefix("acpi_os_") { return .some(isaBridge) }
            return nil
        }
    }
}
