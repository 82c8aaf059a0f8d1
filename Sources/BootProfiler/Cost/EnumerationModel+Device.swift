import Enumerator

/// One function's own sequence while the scan adds it (drivers/pci/probe.c,
/// Linux 6.1): `pci_scan_device`, `pci_setup_device`, `pci_configure_device`,
/// `pci_init_capabilities`.
extension EnumerationModel {
    func setup(_ f: EnumeratedFunction, _ tree: Tree, _ ledger: inout Ledger) {
        var t = ledger[f.address]
        t.read()                                   // vendor/device dword (pci_bus_read_dev_vendor_id)
        t.read()                                   // header type (pci_hdr_type)
        if findCapability(f, 0x10, &t) { t.read(2) }   // set_pcie_port_type: flags, DEVCAP
        t.read()                                   // class/revision dword
        // pci_cfg_space_size: PCIe and host bridges read 0x100 and, when it
        // is not all ones, compare it with dword 0 (pci_ext_cfg_is_aliased);
        // others look for PCI-X 266/533. Without an extended mechanism the
        // 0x100 read fails before any access.
        if tree.noExtendedConfig(f) {
            // PCI_BUS_FLAGS_NO_EXTCFG: behind a bridge that is not a PCIe
            // port, 256 bytes without a look.
        } else if f.isPCIe || f.isHostBridge {
            if settings.extended != nil {
                t.read(extended: true)
                if f.extendedConfigReadable { t.read(); t.read(extended: true) }
            }
        } else if findCapability(f, 0x07, &t) {
            t.read()
        }
        // set_pcie_thunderbolt: Intel functions walk for the Thunderbolt VSEC.
        if f.vendor == 0x8086 { findExtended(f, 0x0B, &t) }
        t.read(2); t.write(2)                      // pci_intx_mask_broken: toggle INTx disable and back
        t.read(f.interruptPin != 0 ? 2 : 1)        // pci_read_irq: pin, then line
        switch f.headerType {
        case 0:
            sizeBARs(f, slots: 6, &t)
            t.read(2)                              // subsystem vendor and ID
            if f.classCode >> 8 == 0x0101 { t.read() }   // IDE: programming interface again
        case 1:
            sizeBARs(f, slots: 2, &t)
            // pci_read_bridge_windows: I/O base, prefetchable base, and the
            // writable test of a 64-bit prefetchable window's upper half.
            t.read(2)
            t.read(2); t.write(2)
            if f.isDownPort { t.read() }           // set_pcie_hotplug_bridge: slot capabilities
            if findCapability(f, 0x0D, &t) { t.read(2) }   // subsystem IDs of a bridge
        default:
            sizeBARs(f, slots: 1, &t)
            t.read(2)
        }
        ledger[f.address] = t
    }

    /// `__pci_read_base` once per BAR (a 64-bit BAR is one call over two
    /// slots) and once for the ROM: the command word is read, and when
    /// firmware left decode on it is turned off and back on around each BAR
    /// (not for host bridges: mmio_always_on); each dword is read, written
    /// with ones, read back and restored.
    func sizeBARs(_ f: EnumeratedFunction, slots: Int, _ t: inout Tally) {
        let calls = max(0, slots - f.bars64) + 1
        let decodeOn = settings.firmwareEnabledDecode && !settings.hints.decodeOff.contains(f.address)
        if !f.isHostBridge {
            t.read(calls)
            if decodeOn { t.write(2 * calls) }
        }
        let dwords = slots + 1
        t.read(2 * dwords); t.write(2 * dwords)
    }

    /// `pci_configure_device`: for PCIe, MPS, extended tags, LTR and L1SS,
    /// the TLP prefix, the read completion boundary; SERR forwarding on
    /// every bridge.
    func configure(_ f: EnumeratedFunction, _ tree: Tree, _ ledger: inout Ledger) {
        if f.isBridge { ledger[f.address].read() }   // pci_configure_serr: bridge control
        guard f.isPCIe else { return }
        var t = ledger[f.address]
        if f.pcieType == 9 {
            t.read(); t.write()                    // integrated endpoint: MPS set to what it supports
        } else if let p = tree.parent(f), p.isPCIe {
            t.read(); ledger[p.address].read()     // compare MPS with the bridge's
        }
        t.read(2)                                  // DEVCAP (extended tags), DEVCTL
        findExtended(f, 0x1E, &t)                  // L1 PM substates
        if f.pcieV2 { t.read(2) }                  // DEVCAP2: LTR, then end-end TLP prefix
        if f.hasLink, f.pcieType != 4, let rp = tree.rootPort(f) {
            ledger[rp.address].read()              // RCB as the root port has it
            t.read(); t.write()
        }
        ledger[f.address] = t
    }

    /// `pci_init_capabilities`, then the reset methods and the walks that
    /// follow the device's registration.
    func initCapabilities(_ f: EnumeratedFunction, _ tree: Tree, _ ledger: inout Ledger) {
        var t = ledger[f.address]
        findCapability(f, 0x14, &t)                // Enhanced Allocation
        if findCapability(f, 0x05, &t) { t.read() }   // MSI: flags
        if findCapability(f, 0x11, &t) { t.read() }   // MSI-X: flags
        // Save buffers: PCIe, PCI-X, LTR, VC, VC9, MFVC.
        findCapability(f, 0x10, &t)
        findCapability(f, 0x07, &t)
        for id: UInt16 in [0x18, 0x02, 0x09, 0x08] { findExtended(f, id, &t) }
        if findCapability(f, 0x01, &t) { t.read(2) }   // pci_pm_init: PMC, then status (immediate readiness)
        findCapability(f, 0x03, &t)                // VPD
        // ARI: function 0 below a bridge asks the bridge, looks for its own
        // capability, and sets the bridge's ARI forwarding.
        if f.isPCIe, f.address.device == 0, f.address.function == 0, let p = tree.parent(f), p.isPCIe {
            var pt = ledger[p.address]
            if p.pcieV2 { pt.read(); pt.read(); pt.write() }
            ledger[p.address] = pt
            findExtended(f, 0x0E, &t)
        }
        // SR-IOV, ATS, PRI, PASID, ACS, PTM.
        for id: UInt16 in [0x10, 0x0F, 0x13, 0x1B, 0x0D, 0x1F] { findExtended(f, id, &t) }
        if findExtended(f, 0x01, &t) {             // AER: save buffer, clear status, enable reporting
            findExtended(f, 0x01, &t)
            if f.pcieType == 4 || f.pcieType == 10 { t.read(extended: true); t.write(extended: true) }
            t.read(2, extended: true); t.write(2, extended: true)
            t.read(); t.write()
        }
        findExtended(f, 0x1D, &t)                  // DPC
        // pcie_report_downtraining: function 0 of an endpoint or upstream
        // port reads its link status and that of every bridge above, then
        // its link capabilities for speed and width.
        if let type = f.pcieType, [0, 1, 5].contains(type), f.address.function == 0 {
            t.read(f.pcieV2 ? 4 : 3)
            for a in tree.ancestors(f) where a.isPCIe { ledger[a.address].read() }
        }
        findCapability(f, 0x13, &t)                // reset methods: Advanced Features FLR
        if f.capIndex(0x01) != nil { t.read() }    // PM reset: PMCSR
        // After device_add: six more extended-capability walks per function
        // with extended space (seen in every trace; which capabilities they
        // look for is open, so they are counted as full walks).
        for id: UInt16 in [0x0B, 0x23, 0x0E, 0x10, 0x0D, 0x17] { findExtended(f, id, &t) }
        ledger[f.address] = t
    }
}
