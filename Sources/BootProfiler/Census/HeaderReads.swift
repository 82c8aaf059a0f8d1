import Enumerator

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
enum HeaderReads {
    /// Call index -> owner: a device, or nil for an empty-slot probe. Calls
    /// not in the map keep the time window's owner.
    static func owners(calls: [FtraceCall], devices: [DeviceWindow]) -> [Int: PCIAddress?] {
        let order = devices.sorted { $0.start < $1.start }
        var owners: [Int: PCIAddress?] = [:]
        var from = 0
        for (k, w) in order.enumerated() {
            let line = w.start * 1000
            // The first call at or after the line (calls are in trace order).
            var end = from
            while end < calls.count, (calls[end].time ?? 0) < line { end += 1 }
            defer { from = end }
            guard let vendor = (from..<end).reversed().first(where: { i in
                i + 1 < calls.count && isRead(calls[i], "dword") && isRead(calls[i + 1], "byte")
            }) else { continue }
            for i in vendor..<end { owners[i] = w.address }
            // The probes of what the scan passed over before this device.
            var left = k > 0 ? absentProbes(after: order[k - 1].address, before: w.address, devices: order) : 0
            var i = vendor - 1
            while left > 0, i >= from, isRead(calls[i], "dword"), calls[i].function == calls[vendor].function {
                owners[i] = .some(nil)
                left -= 1
                i -= 1
            }
        }
        return owners
    }

    static func isRead(_ c: FtraceCall, _ size: String) -> Bool {
        !c.function.isWrite && c.caller == "pci_bus_read_config_" + size
    }

    /// The functions pci_scan_slot probes and finds absent between `a` and
    /// the next device `b` of the same bus: the rest of a multifunction slot
    /// (one with more than one function in the log), then every empty slot.
    static func absentProbes(after a: PCIAddress, before b: PCIAddress, devices: [DeviceWindow]) -> Int {
        guard a.bus == b.bus, a.segment == b.segment, (a.device, a.function) < (b.device, b.function) else { return 0 }
        if a.device == b.device { return Int(b.function) - Int(a.function) - 1 }
        let multifunction = devices.contains { $0.address.bus == a.bus && $0.address.device == a.device && $0.address.function != a.function }
        return (multifunction ? 7 - Int(a.function) : 0) + Int(b.device) - Int(a.device) - 1
    }
}
