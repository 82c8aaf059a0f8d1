/// Where ECAM windows were found, in the order pcitime looks:
/// `--ecam` override, the ACPI MCFG table, `/proc/iomem`, the kernel log.
/// QEMU `microvm,pcie=on` has no MCFG (ECAM only in the DSDT's `_CBA`), so the
/// kernel's own records are the fallback there.
package struct ECAMDiscovery: Sendable {
    package enum Source: String, Sendable, Codable {
        case override = "--ecam"
        case mcfg = "ACPI MCFG"
        case iomem = "/proc/iomem"
        case kernelLog = "kernel log"
    }

    package var windows: [ECAMWindow]
    package var source: Source
    /// The file the windows came from.
    package var file: String
    /// The MCFG table when there was one (even if a later source was used).
    package var mcfg: MCFG?

    /// Parses `--ecam BASE:FIRST-LAST` or `SEGMENT:BASE:FIRST-LAST` (hex,
    /// like pciutils' `ecam.addrs`), e.g. `0xb0000000:00-ff`.
    package static func parseOverride(_ text: String) throws -> ECAMWindow {
        let parts = text.split(separator: ":").map(String.init)
        func bad() -> PCITimeError {
            .usage("expected BASE:FIRST-LAST or SEGMENT:BASE:FIRST-LAST in hex, e.g. 0xb0000000:00-ff")
        }
        guard parts.count == 2 || parts.count == 3 else { throw bad() }
        let segment = parts.count == 3 ? UInt16(parts[0], radix: 16) : 0
        let baseText = parts[parts.count - 2].lowercased()
        let buses = parts[parts.count - 1].split(separator: "-")
        guard let segment,
              let base = UInt64(baseText.hasPrefix("0x") ? String(baseText.dropFirst(2)) : baseText, radix: 16),
              buses.count == 2, let first = UInt8(buses[0], radix: 16), let last = UInt8(buses[1], radix: 16),
              first <= last, base & 0xfffff == 0, base != 0
        else { throw bad() }
        let w = ECAMWindow(base: base, segment: segment, startBus: first, endBus: last)
        guard w.fitsAddressSpace else { throw bad() }
        return w
    }

    /// Finds the windows under `root` ("/" live, or a captured tree, read
    /// inside itself), or `given` (`--mcfg`, already read) in place of its
    /// table. A present but malformed MCFG is an error, not a reason to look
    /// elsewhere.
    package static func discover(root: String, given: (file: String, table: MCFG)? = nil, override: [ECAMWindow] = []) throws -> ECAMDiscovery {
        let tree = MachineRoot(root)
        try tree.check()
        let mcfgFile = given?.file ?? tree.path(MachineRoot.mcfg)
        let mcfg = try given?.table ?? MCFG(root: tree)
        if !override.isEmpty {
            return ECAMDiscovery(windows: override, source: .override, file: "--ecam", mcfg: mcfg)
        }
        if let mcfg {
            return ECAMDiscovery(windows: mcfg.windows, source: .mcfg, file: mcfgFile, mcfg: mcfg)
        }
        let iomemFile = tree.path(MachineRoot.iomem)
        if let iomem = try IOMem(root: tree), iomem.showsAddresses, !iomem.ecamWindows.isEmpty {
            return ECAMDiscovery(windows: iomem.ecamWindows, source: .iomem, file: iomemFile, mcfg: nil)
        }
        if let windows = try ecamWindows(inKernelLogOf: tree), !windows.isEmpty {
            return ECAMDiscovery(windows: windows, source: .kernelLog, file: tree.kernelLogPath ?? "/dev/kmsg", mcfg: nil)
        }
        throw PCITimeError.unavailable("ecam", "no ECAM here: no MCFG table at \(mcfgFile), no \"PCI ECAM\"/\"PCI MMCONFIG\" region in \(iomemFile), none in the kernel log (a machine like QEMU -M pc has only type-1 port I/O); give one with --ecam BASE:FIRST-LAST")
    }

    package func lookup(segment: UInt16, bus: UInt8) -> ECAMWindow? {
        windows.first { $0.contains(segment: segment, bus: bus) }
    }
}
