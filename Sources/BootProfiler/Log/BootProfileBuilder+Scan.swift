import Enumerator

/// The root-bridge scan: its window, each device's header line and resources.
extension BootProfileBuilder {
    /// Lines that belong to the root-bridge scan and keep it open.
    static func isScanLine(_ m: ByteLine) -> Bool {
        guard !m.isEmpty else { return false }
        switch m[0] {
        case UInt8(ascii: "p"): return m.hasPrefix("pci ") || m.hasPrefix("pci_bus ")
        case UInt8(ascii: "a"): return m.hasPrefix("acpi PNP0A0") || m.hasPrefix("acpiphp: Slot")   // hotplug slots register mid-scan
        case UInt8(ascii: "P"): return m.hasPrefix("PCI host bridge") || m.hasPrefix("PCI: Probing") || m.hasPrefix("PCI: Discovered peer bus")
        case UInt8(ascii: "A"): return m.hasPrefix("ACPI: PCI Root Bridge [")
        default: return false
        }
    }

    mutating func openScan(_ t: UInt64, _ m: ByteLine) {
        guard !scanOpen else { return }
        scanOpen = true
        profile.scans.append(Phase(kind: .scan, name: "PCI scan", start: t, end: nil, detail: m.string))
    }

    mutating func closeScan(at t: UInt64) {
        scanOpen = false
        profile.scans[profile.scans.count - 1].end = t
        if let d = openDevice {
            profile.devices[d].end = t
            profile.devices[d].closedByScanEnd = true
            openDevice = nil
        }
    }

    mutating func pciLine(_ t: UInt64, _ m: ByteLine) {
        // "pci SSSS:BB:DD.F: message"
        guard let (address, line) = m.after("pci ").flatMap(Self.address),
              let rest = line.after(": "), !rest.isEmpty else { return }
        if let header = Self.deviceHeader(rest) {
            if !scanOpen { openScan(t, m) }
            if let d = openDevice { profile.devices[d].end = t }
            profile.devices.append(DeviceWindow(address: address, vendor: header.vendor, device: header.device,
                                                headerType: header.type, classCode: header.klass, kind: header.kind,
                                                start: t, end: t, resources: [], closedByScanEnd: false))
            openDevice = profile.devices.count - 1
            return
        }
        let isResource = rest.hasPrefix("BAR ") || rest.hasPrefix("ROM ") || rest.hasPrefix("reg 0x") || rest.hasPrefix("bridge window")
        if scanOpen {
            if isResource, let d = openDevice, profile.devices[d].address == address {
                profile.devices[d].resources.append(rest.string)
            }
        } else if isResource && rest.contains("assigned") {
            resourceLine(t, m)
            let rom = rest.hasPrefix("ROM ")
            if profile.runInit == nil, rom || rest.hasPrefix("BAR "), !rest.contains("failed") {
                profile.hints.assignedBARs.append(.init(address: address, rom: rom, is64Bit: rest.contains("64bit")))
            }
        }
    }

    /// `[1af4:1045] type 00 class 0xffff00 conventional PCI endpoint` (probe.c's pci_setup_device)
    static func deviceHeader(_ r: ByteLine) -> (vendor: UInt16, device: UInt16, type: UInt8, klass: UInt32, kind: String)? {
        guard let (v, r) = r.after("[")?.leadingHex(maxDigits: 4, exact: true),
              let (d, r) = r.after(":")?.leadingHex(maxDigits: 4, exact: true),
              let (type, r) = r.after("] type ")?.leadingHex(maxDigits: 2),
              let (klass, r) = r.after(" class 0x")?.leadingHex(maxDigits: 6)
        else { return nil }
        return (UInt16(v), UInt16(d), UInt8(type), UInt32(klass), r.trimmingLeadingBlanks().string)
    }

    /// `SSSS:BB:DD.F` (pci_name) at the start of `m`, and what follows it.
    static func address(_ m: ByteLine) -> (PCIAddress, rest: ByteLine)? {
        guard let (s, r) = m.leadingHex(maxDigits: 4, exact: true),
              let (b, r) = r.after(":")?.leadingHex(maxDigits: 2, exact: true),
              let (d, r) = r.after(":")?.leadingHex(maxDigits: 2, exact: true), d < 32,
              let r = r.after("."), !r.isEmpty, r[0] >= 0x30 && r[0] <= 0x37
        else { return nil }
        return (PCIAddress(segment: UInt16(s), bus: UInt8(b), device: UInt8(d), function: r[0] - 0x30), r.dropFirst(1))
    }

    mutating func resourceLine(_ t: UInt64, _ m: ByteLine) {
        if profile.resources == nil {
            profile.resources = Phase(kind: .resources, name: "resource assignment", start: t, end: t, detail: m.string)
        } else {
            profile.resources?.end = t
        }
        resourceAwaitingNext = true
    }
}
