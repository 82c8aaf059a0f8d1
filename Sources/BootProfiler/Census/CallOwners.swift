import Enumerator

/// The device of each call of a trace without function arguments: the
/// callers' shape during enumeration (`CallOwners`), else the log's windows,
/// driver probes and lines naming a function (`BootPhaseIndex`).
public struct CallAttribution: Sendable {
    public static let label = "by time window"
    let owners: [Int: PCIAddress?]
    let index: BootPhaseIndex

    public init(calls: [FtraceCall], profile: BootProfile) {
        let named = calls.contains { $0.caller != nil }
        owners = named ? CallOwners.owners(calls: calls, devices: profile.bootDevices, mentions: profile.mentions,
                                           driversFrom: profile.drivers.map(\.start).min()) : [:]
        index = BootPhaseIndex(profile, mentions: named)
    }

    /// The boot phase of a call's time.
    public func phase(_ call: FtraceCall) -> BootPhase {
        call.time.map { index.phase(atMicroseconds: $0 / 1000) } ?? BootPhase(kind: .other, device: nil, name: "unknown time (no abstime)")
    }

    /// The device of call `n`; nil for a peer-bus or empty-slot probe or an
    /// access no window holds.
    public func device(_ n: Int, _ call: FtraceCall) -> PCIAddress? {
        if let t = call.target { return t.address }
        if AccessReason.of(caller: call.caller, phase: .other).reason == .peerBus { return nil }
        if let o = owners[n] { return o }
        return phase(call).device
    }
}

/// Moves the start of each device's time window back from its log line to
/// its vendor-ID read, for traces without function arguments.
///
/// The kernel (drivers/pci/probe.c) reads a function's vendor ID
/// (pci_bus_read_dev_vendor_id: one dword at 0x0), then its header type
/// (pci_setup_device: one byte at 0x0e), capabilities and class, and only
/// then prints "pci BDF: [vvvv:dddd] type ..": those reads come before the
/// line, inside the previous device's window. The function tracer names the
/// accessor that called the mechanism, so the last dword read followed at
/// once by a byte read before a device's line is that device's vendor-ID
/// read. The dword reads right before it are pci_scan_slot's probes of the
/// absent functions and empty slots between the two devices (as many as the
/// log's addresses leave out): they belong to no device.
enum CallOwners {
    /// Call index -> owner: a device, or nil for an empty-slot probe. Calls
    /// not in the map keep the time window's owner.
    static func owners(calls: [FtraceCall], devices: [DeviceWindow], mentions: [DeviceMention], driversFrom: UInt64?) -> [Int: PCIAddress?] {
        var owners: [Int: PCIAddress?] = [:]
        // "pci B: PCI bridge to [bus N]": which bridge leads to bus N.
        var parent: [UInt8: PCIAddress] = [:]
        for m in mentions { if let b = m.secondary, parent[b] == nil { parent[b] = m.address } }
        var next = 0
        var starts: [Int] = []
        // The k-th vendor-ID read is the k-th device of the log (the scan
        // prints each as it finds it); a device with none before its line
        // (a cut trace) ends the matching.
        for w in devices {
            while next + 2 < calls.count, !isHeader(calls, next) { next += 1 }
            guard next + 2 < calls.count, let t = calls[next].time, t <= w.start * 1000 else { break }
            starts.append(next)
            next += 1
        }
        for (k, vendor) in starts.enumerated() {
            let w = devices[k]
            // To the next device's vendor-ID read, the last to its window's end.
            var end = vendor
            if k + 1 < starts.count {
                end = starts[k + 1]
            } else {
                while end < calls.count, (calls[end].time ?? 0) < max(w.end, w.start + 1) * 1000 { end += 1 }
            }
            for i in vendor..<end { owners[i] = w.address }
            // Before it: the probes of what the scan passed over.
            let prev = k > 0 ? devices[k - 1].address : nil
            var left = absentProbes(after: prev, before: w.address, devices: devices)
            var i = vendor - 1
            while left > 0, i >= 0, owners[i] == nil || owners[i] == .some(prev), isRead(calls[i], "dword"), calls[i].function == calls[vendor].function {
                owners[i] = .some(nil)
                left -= 1
                i -= 1
            }
            // The last device of its bus: the probes of the slots after it,
            // the last long enough run of vendor-ID-sized reads in its window.
            let tail = k + 1 < devices.count && devices[k + 1].address.bus == w.address.bus ? 0 : trailingProbes(after: w.address, devices: devices)
            var busDone: Int?
            if tail > 0 {
                var j = end - 1
                while j > vendor {
                    var run = j
                    while run > vendor, isRead(calls[run], "dword"), calls[run].function == calls[vendor].function { run -= 1 }
                    if j - run >= tail { for m in (run + 1)...(run + tail) { owners[m] = .some(nil) }; busDone = run + tail + 1; break }
                    j = run - 1
                }
            }
            // The bus's tail (pci_scan_child_bus_extend after its slots):
            // pcibios_fixup_bus reads the windows of the bridge above it,
            // printing "PCI bridge to [bus N]" first and each window after
            // reading it; then pci_scan_bridge_extend reads the next bridge,
            // the one the next device's bus is behind.
            let upstream = k + 1 < devices.count && devices[k + 1].address.bus != w.address.bus ? parent[devices[k + 1].address.bus] : nil
            if let u = upstream, let d = busDone { for m in d..<end where owners[m] == .some(w.address) { owners[m] = u } }
            let from = (calls[vendor].time ?? 0) / 1000, to = (calls[end - 1].time ?? 0) / 1000
            var at = vendor
            for b in mentions where b.secondary != nil && b.time >= from && b.time <= to {
                // pci_read_bridge_io's two bytes, then the memory windows'
                // words (and a 64-bit prefetchable window's upper dwords),
                // found by their shape: the log's clock can stand still for
                // milliseconds under TCG, so times only say where to look.
                while at < end, (calls[at].time ?? 0) / 1000 < b.time { at += 1 }
                guard let start = (at..<max(at, end - 5)).first(where: { i in
                    isRead(calls[i], "byte") && isRead(calls[i + 1], "byte") && (2..<6).allSatisfy { isRead(calls[i + $0], "word") }
                }) else { continue }
                var stop = start + 6
                while stop < end, stop < start + 8, isRead(calls[stop], "dword") { stop += 1 }
                for m in start..<end where owners[m] == .some(w.address) || owners[m] == upstream.map({ .some($0) }) {
                    owners[m] = m < stop ? b.address : upstream ?? b.address
                }
                at = stop
            }
        }
        // pci_scan_child_bus_extend's second pass over a bus's bridges
        // (pci_scan_bridge_extend, pass 1: bus numbers, then the bridge
        // control register cleared and restored) comes after its last child:
        // a run of one five-call shape per bridge, in the log's order; the
        // bus with that many bridges is the one (ambiguous counts are left).
        let bridgeList = devices.filter { $0.headerType & 0x7f == 1 }
        var q = 0
        while q + 5 <= calls.count {
            var n = 0
            while q + 5 * (n + 1) <= calls.count, isPassOne(calls, q + 5 * n) { n += 1 }
            let buses = Dictionary(grouping: bridgeList, by: \.address.bus).values.filter { $0.count == n }
            if n > 1, buses.count == 1, let list = buses.first {
                for m in q..<(q + 5 * n) { owners[m] = list[(m - q) / 5].address }
            }
            q += max(1, 5 * n)
        }
        // The PCIe port driver binds every port in scan order, one after the
        // other, each probe with one pci_set_master; ports with no AER/PME
        // service print nothing. So the first run of set-master writes after
        // the scan, up to a line naming another function, is the bridges'
        // in the log's order; each probe from its pci_enable_device reads.
        let bridges = bridgeList.map(\.address)
        let scanned = (starts.last.map { $0 + 1 } ?? calls.count)..<calls.count
        let masters = scanned.filter { calls[$0].function.isWrite && calls[$0].caller == "__pci_set_master" }
        var run: [Int] = []
        for m in masters where run.count < bridges.count {
            if let last = run.last, let t0 = calls[last].time, let t1 = calls[m].time,
               mentions.contains(where: { $0.time * 1000 > t0 && $0.time * 1000 < t1 && !bridges.contains($0.address) }) { break }
            run.append(m)
        }
        if run.count > 1 {
            var begin = run.map { m in
                var b = m
                while b > m - 4, b - 1 > run[0], !calls[b - 1].function.isWrite, calls[b - 1].caller?.hasPrefix("pci_bus_read_config_") == true { b -= 1 }
                return b
            }
            // The last probe: to the next line naming something else.
            let after = calls[run.last!].time ?? 0
            let next = mentions.first { $0.time * 1000 > after && !bridges.contains($0.address) }.map { $0.time * 1000 } ?? .max
            var stop = run.last!
            while stop < calls.count, (calls[stop].time ?? 0) < next { stop += 1 }
            begin.append(stop)
            for k in 1..<run.count { for m in begin[k]..<begin[k + 1] where owners[m] == nil { owners[m] = bridges[k] } }
        }
        // After the scan: passes over every function (for_each_pci_dev, in
        // the order the scan found them, e.g. pci_apply_final_quirks' cache
        // line read) are runs of one accessor, a multiple of the device count
        // long, before the drivers probe (whose pci_save_state reads 16 dwords).
        var i = starts.last.map { $0 + 1 } ?? calls.count
        while i < calls.count, (calls[i].time ?? 0) < (driversFrom ?? .max / 1000) * 1000 {
            var j = i + 1
            while j < calls.count, calls[j].function == calls[i].function, calls[j].caller == calls[i].caller { j += 1 }
            let n = j - i, each = devices.count > 1 ? n / devices.count : 0
            if !calls[i].function.isWrite, calls[i].caller?.hasPrefix("pci_bus_read_config_") == true,
               each > 0, each * devices.count == n, (i..<j).allSatisfy({ owners[$0] == nil }) {
                for m in i..<j { owners[m] = devices[(m - i) / each].address }
            }
            i = j
        }
        // AML's config-space regions (acpi_os_*_pci_configuration): on PCs,
        // the ISA/LPC bridge's PIRQ routing registers, read and set for each
        // interrupt link; taken to be its when the log has one ISA bridge.
        let isa = devices.filter { $0.classCode >> 8 == 0x0601 }
        if isa.count == 1 {
            for (n, c) in calls.enumerated() where owners[n] == nil && c.caller?.hasPrefix("acpi_os_") == true {
                owners[n] = isa[0].address
            }
        }
        return owners
    }

    /// A bridge's second scan pass: its bus numbers (dword) and control
    /// register (word), the control written, read and written back.
    static func isPassOne(_ calls: [FtraceCall], _ i: Int) -> Bool {
        let scan = { (c: FtraceCall) in c.function.isWrite && c.caller == "pci_scan_bridge_extend" }
        return isRead(calls[i], "dword") && isRead(calls[i + 1], "word") && scan(calls[i + 2]) && isRead(calls[i + 3], "word") && scan(calls[i + 4])
    }

    /// pci_bus_read_dev_vendor_id's dword, pci_setup_device's header-type
    /// byte, pci_find_capability's status word: a function being found.
    static func isHeader(_ calls: [FtraceCall], _ i: Int) -> Bool {
        isRead(calls[i], "dword") && isRead(calls[i + 1], "byte") && isRead(calls[i + 2], "word")
    }

    static func isRead(_ c: FtraceCall, _ size: String) -> Bool {
        !c.function.isWrite && c.caller == "pci_bus_read_config_" + size
    }

    /// A bus whose devices all sit in slot 0 is taken for a PCIe link
    /// (only_one_child: the kernel probes slot 0 alone).
    static func onlyOneChild(_ bus: UInt8, _ devices: [DeviceWindow]) -> Bool {
        bus != 0 && devices.allSatisfy { $0.address.bus != bus || $0.address.device == 0 }
    }

    static func multifunction(_ a: PCIAddress, _ devices: [DeviceWindow]) -> Bool {
        devices.contains { $0.address.bus == a.bus && $0.address.device == a.device && $0.address.function != a.function }
    }

    /// The functions pci_scan_slot probes and finds absent between `a` and
    /// the next device `b` (or, `a` nil or on another bus, from the start of
    /// `b`'s bus): the rest of a multifunction slot (one with more than one
    /// function in the log), then every empty slot.
    static func absentProbes(after a: PCIAddress?, before b: PCIAddress, devices: [DeviceWindow]) -> Int {
        guard let a, a.bus == b.bus, a.segment == b.segment else { return onlyOneChild(b.bus, devices) ? 0 : Int(b.device) }
        guard (a.device, a.function) < (b.device, b.function) else { return 0 }
        if a.device == b.device { return Int(b.function) - Int(a.function) - 1 }
        return (multifunction(a, devices) ? 7 - Int(a.function) : 0) + Int(b.device) - Int(a.device) - 1
    }

    /// The probes after the last device `a` of its bus.
    static func trailingProbes(after a: PCIAddress, devices: [DeviceWindow]) -> Int {
        (multifunction(a, devices) ? 7 - Int(a.function) : 0) + (onlyOneChild(a.bus, devices) ? 0 : 31 - Int(a.device))
    }
}
