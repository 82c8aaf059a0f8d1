/// Why the kernel made a config access, in a user's words, from the function
/// that called the mechanism (the function tracer's `<-caller`) and, for the
/// PCI core's generic accessors, the boot phase the access fell in.
package enum AccessReason: String, Sendable, Codable, CaseIterable {
    case mechanismCheck = "checking the config mechanism (type 1 sanity check, MCFG)"
    case acpi = "ACPI (AML config-space regions, _OSC, host bridge)"
    case probing = "probing present functions"
    case barSizing = "BAR sizing"
    case capabilities = "walking capabilities"
    case pcieSetup = "PCIe/AER/ASPM/MSI/power-management set-up"
    case bridges = "bridge windows and resource assignment"
    case peerBus = "peer-bus probes (buses that do not exist)"
    case emptySlot = "empty-slot probes"
    case driver = "driver probes"
    case other = "other PCI core work"

    /// A stable short name for metric labels: the case in snake_case ("bar_sizing").
    package var id: String {
        String(describing: self).reduce(into: "") { s, c in s += c.isUppercase ? "_" + c.lowercased() : String(c) }
    }

    /// Callers by name; the first matching prefix wins, so specific names
    /// come before general ones.
    static let prefixes: [(String, AccessReason)] = [
        ("pcibios_scan_specific_bus", .peerBus), ("pcibios_fixup_peer_bridges", .peerBus),
        ("pci_sanity_check", .mechanismCheck), ("pci_check_type", .mechanismCheck), ("pci_direct_probe", .mechanismCheck),
        ("pci_mmcfg", .mechanismCheck), ("pci_mmconfig", .mechanismCheck), ("is_mmconf", .mechanismCheck), ("pci_arch_init", .mechanismCheck),
        ("acpi_", .acpi), ("pci_acpi", .acpi), ("pcibios_scan_root", .acpi), ("pci_root_", .acpi),
        ("__pci_read_base", .barSizing), ("pci_read_bases", .barSizing), ("pci_size", .barSizing), ("pci_read_rom", .barSizing),
        ("__pci_find_next", .capabilities), ("pci_find_", .capabilities), ("pci_bus_find_cap", .capabilities), ("pci_find_next", .capabilities),
        ("pci_find_ext", .capabilities), ("pci_find_ht", .capabilities), ("pci_find_vsec", .capabilities), ("pci_cfg_space_size", .capabilities),
        ("pcie_", .pcieSetup), ("pci_aer", .pcieSetup), ("aer_", .pcieSetup), ("pci_msi", .pcieSetup), ("msi_", .pcieSetup), ("__pci_enable_msi", .pcieSetup),
        ("pci_msix", .pcieSetup), ("__msi", .pcieSetup), ("__pci_msi", .pcieSetup), ("pci_pm_", .pcieSetup), ("pci_pme", .pcieSetup), ("pci_ea_", .pcieSetup),
        ("set_pcie", .pcieSetup), ("pci_configure", .pcieSetup), ("pci_set_power", .pcieSetup), ("pci_power", .pcieSetup), ("pci_raw_set_power", .pcieSetup),
        ("pci_update_current_state", .pcieSetup), ("pci_init_capabilities", .pcieSetup), ("pci_vpd", .pcieSetup), ("pci_ats", .pcieSetup),
        ("pci_ptm", .pcieSetup), ("pci_pri", .pcieSetup), ("pci_iov", .pcieSetup), ("pci_enable_acs", .pcieSetup), ("pci_acs", .pcieSetup), ("pci_ari", .pcieSetup),
        ("pci_setup_bridge", .bridges), ("__pci_setup_bridge", .bridges), ("pci_read_bridge", .bridges), ("pci_bridge", .bridges), ("pbus_", .bridges),
        ("pci_assign", .bridges), ("pci_update_resource", .bridges), ("pci_std_update_resource", .bridges), ("pci_claim", .bridges),
        ("pci_scan_bridge", .bridges), ("pci_setup_cardbus", .bridges), ("pci_enable_bridge", .bridges), ("__pci_bus_assign", .bridges),
        ("pci_bus_read_dev_vendor_id", .probing), ("pci_bus_generic_read_dev_vendor_id", .probing), ("pci_scan_", .probing),
        ("pci_setup_device", .probing), ("pci_hdr_type", .probing), ("pci_read_irq", .probing), ("pci_fixup", .probing), ("quirk_", .probing),
        ("pci_device_add", .probing), ("pci_dev_", .probing), ("pci_intx", .probing),
        ("pci_enable_device", .driver), ("pci_set_master", .driver), ("__pci_set_master", .driver), ("do_pci_enable_device", .driver),
        ("pcibios_enable_device", .driver), ("pci_enable_resources", .driver), ("local_pci_probe", .driver), ("pci_device_probe", .driver),
        ("virtio", .driver), ("vp_", .driver), ("e1000", .driver), ("nvme", .driver), ("xhci", .driver), ("ahci", .driver), ("ata_", .driver),
        ("usb_", .driver), ("uhci", .driver), ("ehci", .driver), ("bochs", .driver), ("drm_", .driver), ("piix", .driver), ("ich", .driver), ("i801", .driver),
    ]

    /// The PCI core's generic accessors: their callers were tail calls, so
    /// the phase says more than the name.
    static let accessorPrefixes = ["pci_bus_read_config", "pci_bus_write_config", "pci_read_config", "pci_write_config",
                                   "pci_user_read_config", "pci_user_write_config", "pci_read", "pci_write", "raw_pci"]

    /// `phase`: the log phase the access fell in (`BootPhase.kind`).
    package static func of(caller: String?, phase: BootPhase.Kind) -> (reason: AccessReason, fromCaller: Bool) {
        if let c = caller {
            let generic = accessorPrefixes.contains { c.hasPrefix($0) }
            if !generic, let r = prefixes.first(where: { c.hasPrefix($0.0) })?.1 { return (r, true) }
        }
        switch phase {
        case .beforeScan: return (.mechanismCheck, false)
        case .device: return (.probing, false)
        case .scanTail: return (.bridges, false)
        case .driver: return (.driver, false)
        case .other: return (.other, false)
        }
    }
}
