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
