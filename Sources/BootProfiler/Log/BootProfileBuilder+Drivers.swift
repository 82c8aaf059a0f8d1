import Enumerator

/// Driver probe lines that name a PCI device or a virtio device on one.
extension BootProfileBuilder {
    /// `DRIVER SSSS:BB:DD.F: ...` or `DRIVER virtioN...`: a driver talking
    /// about a PCI device (or a virtio device on one).
    mutating func driverLine(_ t: UInt64, _ m: ByteLine) {
        guard let space = m.firstIndex(of: 0x20), space > 0, space < 32 else { return }
        var device: String?
        if let (a, _) = Self.address(m.dropFirst(space + 1)) {
            device = a.description
        } else if m.dropFirst(space + 1).hasPrefix("virtio"), space + 7 < m.count, m[space + 7] >= 0x30, m[space + 7] <= 0x39 {
            let rest = m.dropFirst(space + 1)
            var end = 6
            while end < rest.count && rest[end] >= 0x30 && rest[end] <= 0x39 { end += 1 }
            device = rest.prefix(end).string
        }
        // "nvme nvme0: pci function 0000:00:04.0": a driver bound, naming its own device.
        if device == nil, m.dropFirst(space + 1).startsWithInstance(of: m.prefix(space)) {
            let name = m.prefix(space).string
            if !profile.hints.bootDrivers.contains(name) { profile.hints.bootDrivers.append(name) }
        }
        guard let dev = device else { return }
        let driver = m.prefix(space).string
        guard driver != "pci", driver != "pci_bus", driver != "acpi" else { return }
        var i: Int
        if let known = driverIndex[driver] {
            i = known
            profile.drivers[i].end = t
        } else {
            profile.drivers.append(DriverProbe(driver: driver, start: t, end: t, devices: [], reportedMicroseconds: nil))
            i = profile.drivers.count - 1
            driverIndex[driver] = i
        }
        if !profile.drivers[i].devices.contains(dev) { profile.drivers[i].devices.append(dev) }
        // initcall_debug: "probe with driver X returned 0 after N usecs"
        if let p = m.firstRange(of: "probe with driver "), let a = m.firstRange(of: " after ", from: p),
           let (usecs, _) = m.decimalValue(at: a + 7), usecs < 1 << 40 {
            profile.drivers[i].reportedMicroseconds = (profile.drivers[i].reportedMicroseconds ?? 0) + usecs
        }
        driverAwaitingNext = i
    }
}

extension BootProfileBuilder {
    /// `WHO SSSS:BB:DD.F: ...` (pci, pcieport, a driver) or a driver's
    /// "... pci function SSSS:BB:DD.F": the log talking about one function.
    mutating func mentionLine(_ t: UInt64, _ m: ByteLine) {
        guard let space = m.firstIndex(of: 0x20), space > 0, space < 32 else { return }
        var found = Self.address(m.dropFirst(space + 1))?.0
        let rest = m.dropFirst(space + 1)
        let name = rest.prefix(rest.firstIndex(of: UInt8(ascii: ":")) ?? 0).string
        if found == nil, let f = m.firstRange(of: ": pci function ") {
            found = Self.address(m.dropFirst(f + 15))?.0
            if let a = found, !name.isEmpty { functionNames[m.prefix(space).string + " " + name] = a }
        }
        // "nvme nvme2: 1/0/0 default/read/poll queues": the same function.
        if found == nil, !name.isEmpty { found = functionNames[m.prefix(space).string + " " + name] }
        guard let a = found else { return }
        let bus = m.firstRange(of: ": PCI bridge to [bus ").flatMap { m.dropFirst($0 + 21).leadingHex(maxDigits: 2) }
        profile.mentions.append(DeviceMention(time: t, address: a, secondary: bus.map { UInt8($0.0) }))
        // pci_assign_resource's one line per resource: "BAR 4 [mem ...]:
        // assigned", 5.10's "BAR 4: assigned [mem ...]", or "failed to assign"
        // (after a "can't assign; no space" / "no space for" line of its own).
        if m.hasPrefix("pci "), m.contains(": assigned") || m.contains("failed to assign") {
            profile.assignments.append(DeviceMention(time: t, address: a, secondary: nil))
        }
    }
}

extension ByteLine {
    /// Whether the line starts with `name`, then digits and a colon ("nvme0:").
    func startsWithInstance(of name: ByteLine) -> Bool {
        guard count > name.count + 1 else { return false }
        for i in 0..<name.count where self[i] != name[i] { return false }
        var end = name.count
        while end < count && self[end] >= 0x30 && self[end] <= 0x39 { end += 1 }
        return end > name.count && end < count && self[end] == UInt8(ascii: ":")
    }
}
