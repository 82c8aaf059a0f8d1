/// Kernel functions the census traces only for where they stand: each is
/// entered once per device in one step of discovery, so the accesses after
/// it (on the same task) are that device's. None needs its arguments: each
/// names its device through something that has held from Linux 5.10 to 7.x
/// (checked against QEMU's own count on every kernel of the guest suite):
/// the log line it prints, the runtime-PM event that follows it, or a walk
/// of the devices the log lists. `MarkerAttribution` applies them.
package enum MarkerFunction: String, Sendable, CaseIterable, Codable {
    /// pci_scan_slot / pci_scan_single_device: one slot or function is
    /// probed; its vendor-ID read belongs to no device until one is found.
    case scanSlot = "pci_scan_slot"
    case scanSingleDevice = "pci_scan_single_device"
    /// The k-th call prints the log's k-th `pci BDF: [vvvv:dddd] type` line.
    case setupDevice = "pci_setup_device"
    /// A bus is scanned: the root bus, or (called from pci_scan_bridge_extend)
    /// the one behind the bridge that was just runtime-resumed.
    case scanChildBus = "pci_scan_child_bus_extend"
    /// The bridge it scans is runtime-resumed (rpm_resume) before any access.
    case scanBridge = "pci_scan_bridge_extend"
    /// After a bus's slots: the bridge above it reads its windows.
    case fixupBus = "pcibios_fixup_bus"
    /// pci_bus_add_devices: each bus's devices in scan order, then the buses
    /// behind its bridges.
    case busAddDevice = "pci_bus_add_device"
    /// pcibios_resource_survey: one call per device in each of two passes.
    case allocateDevResources = "pcibios_allocate_dev_resources"
    /// Each call prints one "... assigned" or "failed to assign" line.
    case assignResource = "pci_assign_resource"
    /// Each prints "PCI bridge to [bus ...]" for the bridge it programs
    /// (the inner one is what 5.10 and 6.1 call; later kernels inline it).
    case setupBridge = "pci_setup_bridge"
    case setupBridgeInner = "__pci_setup_bridge"
    /// From pci_apply_final_quirks: one call per device.
    case fixupDevice = "pci_fixup_device"
    /// pcibios_fixup_peer_bridges probes one bus the scan did not reach:
    /// its 32 reads find nothing (a bus it finds is scanned as any other).
    case peerBus = "pcibios_scan_specific_bus"
    /// AML's config-space regions: on PCs the ISA/LPC bridge's interrupt
    /// routing registers. Their callers already say so to the function
    /// tracer; function_graph needs them traced to see it.
    case acpiRead = "acpi_os_read_pci_configuration"
    case acpiWrite = "acpi_os_write_pci_configuration"
    /// A driver probe; the device is runtime-resumed right after.
    case probe = "local_pci_probe"
    /// A driver enables its device: in its probe, or later from a work item
    /// the probe queued (nvme's reset work up to 6.1).
    case enableDevice = "pci_enable_device_flags"

    /// The trace event that names a device: the PCI core runtime-resumes a
    /// device before scanning behind it and before each driver probe.
    package static let deviceEvent = "rpm_resume"
    package static let eventParameter = "rpm:rpm_resume"
}
