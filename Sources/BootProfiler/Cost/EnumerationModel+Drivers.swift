import Enumerator

/// Probes of the drivers the log shows bound before init. Only built-in
/// drivers probe before init; modules load later.
extension EnumerationModel {
    enum Driver: String, CaseIterable {
        case pcieport, nvme, virtioPCI = "virtio-pci", e1000e, ahci, xhci = "xhci_hcd"

        func matches(_ f: EnumeratedFunction) -> Bool {
            switch self {
            case .pcieport: return f.isBridge && [4, 5, 6].contains(f.pcieType ?? 0xff)
            case .nvme: return f.classCode == 0x010802
            case .virtioPCI: return f.vendor == 0x1af4 && (0x1000...0x107f).contains(f.device)
            case .e1000e: return f.vendor == 0x8086 && f.classCode >> 8 == 0x0200 && f.isPCIe
            case .ahci: return f.classCode == 0x010601
            case .xhci: return f.classCode == 0x0c0330
            }
        }
    }

    func driverProbes(_ functions: [EnumeratedFunction], _ tree: Tree, _ ledger: inout Ledger) {
        let bound = Driver.allCases.filter { d in
            settings.bootDrivers.contains(d.rawValue) || (d == .virtioPCI && settings.bootDrivers.contains { $0.hasPrefix("virtio") })
        }
        for f in functions {
            guard let d = bound.first(where: { $0.matches(f) }) else { continue }
            var t = ledger[f.address]
            switch d {
            case .pcieport:
                pcieport(f, &t)
                // The root port's AER service turns error reporting on in
                // every port below it (set_downstream_devices_error_reporting).
                if f.pcieType == 4, extendedSpace(f), f.extendedCapabilities.contains(where: { $0.id == 0x01 }) {
                    for a in tree.descendants(f) where a.pcieType == 5 || a.pcieType == 6 {
                        ledger[a.address].read(); ledger[a.address].write()
                    }
                }
            case .nvme:
                // nvme_probe/nvme_reset_work: enable, one MSI-X vector, save
                // state, free it, then all vectors.
                enable(f, &t)
                msix(&t)
                saveState(f, &t)
                t.read(2); t.write(2)
                msix(&t)
            case .virtioPCI:
                enable(f, &t)
                if f.device >= 0x1040 {
                    // vp_modern_probe: four structures found by walking the
                    // vendor capabilities (type and BAR bytes of each), then
                    // BAR, offset and length of each, and the notify multiplier.
                    let vendorCaps = f.capabilities.filter { $0.id == 0x09 }.count
                    t.read(4 * (2 + f.capabilities.count + 2 * vendorCaps))
                    t.read(4 * 3 + 1)
                } else {
                    t.read()                       // legacy: revision check
                }
                if f.capIndex(0x11) != nil { msix(&t) } else if f.capIndex(0x05) != nil { msi(&t) }
            case .e1000e, .ahci, .xhci:
                enable(f, &t)
                if f.capIndex(0x11) != nil { msix(&t) } else if f.capIndex(0x05) != nil { msi(&t) }
                saveState(f, &t)
            }
            ledger[f.address] = t
        }
    }

    /// pci_enable_device: PM state, command (decode on when firmware left it
    /// off), interrupt pin and INTx; then pci_set_master.
    func enable(_ f: EnumeratedFunction, _ t: inout Tally) {
        let off = settings.hints.decodeOff.contains(f.address)
        if f.capIndex(0x01) != nil { t.read() }
        t.read(); if off { t.write() }
        t.read()
        if f.interruptPin != 0 { t.read() }
        t.read(); if off || f.isBridge { t.write() }
    }

    /// msix_capability_init with pci_intx off.
    func msix(_ t: inout Tally) { t.read(7); t.write(3) }
    /// msi_capability_init with pci_intx off.
    func msi(_ t: inout Tally) { t.read(8); t.write(3) }

    /// pci_save_state: the header's 16 dwords, the PCIe control registers,
    /// PCI-X, LTR, AER and the virtual-channel capabilities.
    func saveState(_ f: EnumeratedFunction, _ t: inout Tally) {
        t.read(16)
        if f.isPCIe {
            t.read()                               // DEVCTL
            if f.hasLink { t.read() }              // LNKCTL
            if f.isDownPort { t.read() }           // SLTCTL
            if f.pcieType == 4 || f.pcieType == 10 { t.read() }   // RTCTL
            if f.pcieV2 { t.read(2) }              // DEVCTL2, LNKCTL2
        }
        findCapability(f, 0x07, &t)
        findExtended(f, 0x18, &t)
        if extendedSpace(f), f.extendedCapabilities.contains(where: { $0.id == 0x01 }) {
            t.read(f.pcieType == 4 || f.pcieType == 10 ? 5 : 4, extended: true)
        }
        for id: UInt16 in [0x02, 0x09, 0x08] { findExtended(f, id, &t) }
    }

    /// pcie_portdrv_probe: enable, the services' capability checks, MSI,
    /// interrupt message numbers, PME and AER service set-up, save state.
    func pcieport(_ f: EnumeratedFunction, _ t: inout Tally) {
        let root = f.pcieType == 4
        let aer = extendedSpace(f) && f.extendedCapabilities.contains { $0.id == 0x01 }
        enable(f, &t)
        if root { t.read(); t.write() }            // PME interrupt off while probing
        findExtended(f, 0x1D, &t)                  // DPC service?
        if f.isDownPort { t.read() }               // LNKCAP: bandwidth notification (root and downstream ports)
        if f.capIndex(0x11) != nil { msix(&t) } else if f.capIndex(0x05) != nil { msi(&t) }
        t.read()                                   // PCIe flags: interrupt message number
        if aer && root { t.read(extended: true) }  // AER root status: its message number
        if root {
            t.read(3); t.write(3)                  // PME: interrupt off, clear status, on
            if aer {
                t.read(2); t.write(2)              // device status, root control: system errors off
                t.read(3, extended: true); t.write(3, extended: true)   // clear root, correctable, uncorrectable
                t.read(); t.write()                // error reporting on
                t.read(extended: true); t.write(extended: true)         // root command
            }
        }
        saveState(f, &t)
    }
}
