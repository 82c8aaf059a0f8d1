import Enumerator

/// What the kernel does to functions after (or around) adding them: bridge
/// passes and windows, ASPM, ACPI, resource survey and assignment, quirks.
extension EnumerationModel {
    func busPhases(_ functions: [EnumeratedFunction], _ tree: Tree, _ ledger: inout Ledger) {
        let typeOne = settings.base == .type1
        for f in functions {
            var t = ledger[f.address]
            // Each slot's function 0 has its ID read once more through type
            // 1 (seen on every bus in the traces; never without type 1), and
            // pci_mmcfg_early_init checks the host bridge's.
            if typeOne, f.address.function == 0 {
                t.read()
                if f.address.bus == 0, f.address.device == 0 { t.read(3) }
            }
            if f.isBridge {
                // pci_scan_bridge_extend, two passes: bus numbers, bridge
                // control with master abort off and back, CRS visibility.
                t.read(4); t.write(4)
                if f.pcieType == 4 { t.read(2) }
                // Three full capability walks of a bridge while its children
                // are added (seen in every trace; the tracer's caller is the
                // generic config read, so which helpers make them is open).
                if !(tree.children[f.address] ?? []).isEmpty { for _ in 0..<3 { findCapability(f, 0x14, &t) } }
                // pci_alloc_child_bus: a bridge that is not a PCIe port says
                // whether its bus reaches extended config by its PCI-X capability.
                if ![4, 5, 6].contains(f.pcieType ?? 0xff) { findCapability(f, 0x07, &t) }
                t.read(8)                          // pci_read_bridge_bases: I/O, memory, prefetchable (64-bit)
                t.read(); t.write(9)               // pci_setup_bridge: I/O, memory, prefetchable windows, control
            }
            // pcie_aspm_init_link_state at the port above a link: link
            // capabilities, control and status of both ends and the common
            // clock set-up (counts from QEMU's traces of root and downstream
            // ports with their endpoints).
            if f.isDownPort, let child = tree.children[f.address]?.first, child.isPCIe {
                t.read(11); t.write(2)
                ledger[child.address].read(9); ledger[child.address].write(1)
            }
            t.read(2)                              // pcibios_allocate_resources, both passes: command
            t.read()                               // pci_apply_final_quirks: cache line size
            t = quirks(f, t)
            ledger[f.address] = t
        }
        // BARs the kernel assigned: a 64-bit one with decode off around it.
        for bar in settings.hints.assignedBARs where !bar.rom {
            if bar.is64Bit { ledger[bar.address].read(3); ledger[bar.address].write(4) }
            else { ledger[bar.address].read(); ledger[bar.address].write() }
        }
        interruptLinks(functions, &ledger)
    }

    /// The quirks (drivers/pci/quirks.c) QEMU's chipsets hit.
    func quirks(_ f: EnumeratedFunction, _ tally: Tally) -> Tally {
        var t = tally
        switch (f.vendor, f.device) {
        case (0x8086, 0x2918): t.read(7)           // quirk_ich7_lpc: ACPI, GPIO and generic decode ranges
        case (0x8086, 0x7113): t.read(7)           // quirk_piix4_acpi: PM, SMBus and device resources
        case (0x8086, 0x7000): t.read(); t.write() // quirk_passive_release
        default: break
        }
        return t
    }

    /// ACPI's PIRQ links (LNKA...) read and program the interrupt router's
    /// route registers through config space: _STA/_CRS at discovery, _PRS,
    /// _CRS and _SRS when configured, _CRS again when enabled.
    func interruptLinks(_ functions: [EnumeratedFunction], _ ledger: inout Ledger) {
        guard settings.base == .type1 || settings.extended != nil,
              let router = functions.first(where: { $0.address.bus == 0 && $0.classCode >> 8 == 0x0601 }) else { return }
        let links = settings.hints.interruptLinks.filter { $0.hasPrefix("LNK") && $0 != "LNKS" }
        guard !links.isEmpty else { return }
        ledger[router.address].read(1 + 6 * links.count)
        ledger[router.address].write(links.count)
    }
}
