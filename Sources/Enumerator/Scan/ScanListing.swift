import Histogram

/// lspci's listing views over a scan: `-v` (capabilities, BARs, flags, with
/// pcitime's counts and the PCIe link beside them), `-k` (the kernel driver)
/// and `-vmm` (machine-readable records). Decoded values in, text out.
package struct ScanListing {
    package let text: LspciText
    /// lspci's -v count (0 with -k alone).
    package var verbose = 0
    /// lspci -k: "Kernel driver in use" and "Kernel modules" (shown under -v too).
    package var kernel = false

    package init(text: LspciText, verbose: Int = 0, kernel: Bool = false) {
        self.text = text
        self.verbose = verbose
        self.kernel = kernel
    }

    /// lspci -x's lines: 16 bytes each after their offset in hex, as
    /// `printf("%02x:")` and `" %02x"` print them.
    package static func hexDump(_ bytes: [UInt8]) -> String {
        var out = ""
        for (i, b) in bytes.enumerated() {
            if i & 15 == 0 { out += hex(i, 2) + ":" }
            out += " " + hex(b, 2)
            if i & 15 == 15 { out += "\n" }
        }
        return bytes.count & 15 == 0 ? out : out + "\n"
    }

    package func render(_ r: ScanReport) -> String {
        var out = ""
        for f in r.walk.functions {
            out += text.slot(f.address) + " " + text.describe(f, verbose: verbose > 0) + "\n"
            let k = r.kernel[f.address]
            if verbose > 0 {
                for line in details(f, k) { out += "\t" + line + "\n" }
                out += "\t" + counts(r.stats[f.address] ?? AccessStats()) + "\n"
                if let link = f.pcie?.link { out += "\t" + linkLine(link) + "\n" }
            } else if kernel, let s = text.shownSubsystem(f) {
                out += "\tSubsystem: \(text.subsystem(f, s))\n"
            }
            // lspci -v shows the driver without -k too.
            if kernel || verbose > 0 {
                if let d = k?.driver { out += "\tKernel driver in use: \(d)\n" }
                if let m = k?.module { out += "\tKernel modules: \(m)\n" }
            }
            let dump = r.dumps[f.address]
            if let dump { out += Self.hexDump(dump) }
            if verbose > 0 || dump != nil { out += "\n" }
        }
        return out
    }

    /// lspci -vmm: one record of "Tag:\tvalue" lines per function, blank-line separated.
    package func machine(_ r: ScanReport) -> String {
        var out = ""
        for f in r.walk.functions {
            var rec: [(String, String)] = [("Slot", text.slot(f.address)), ("Class", text.className(f.classCode)),
                                           ("Vendor", vendorField(f.vendor)), ("Device", deviceField(text.names.device(f.vendor, f.device), f.device))]
            if let s = text.shownSubsystem(f) {
                rec.append(("SVendor", vendorField(s.vendor)))
                rec.append(("SDevice", deviceField(text.names.subsystem(f.vendor, f.device, s.vendor, s.device), s.device)))
            }
            if f.revision != 0 { rec.append(("Rev", hex(f.revision, 2))) }
            rec.append(("ProgIf", hex(f.progIF, 2)))
            if kernel, let k = r.kernel[f.address] {
                if let d = k.driver { rec.append(("Driver", d)) }
                if let m = k.module { rec.append(("Module", m)) }
            }
            out += rec.map { "\($0.0):\t\($0.1)\n" }.joined() + "\n"
        }
        return out
    }

    func vendorField(_ v: UInt16) -> String {
        switch text.ids {
        case .numeric: return hex(v, 4)
        case .names: return text.names.vendor(v) ?? "Vendor \(hex(v, 4))"
        case .both: return "\(text.names.vendor(v) ?? "Vendor") [\(hex(v, 4))]"
        }
    }

    func deviceField(_ name: String?, _ d: UInt16) -> String {
        switch text.ids {
        case .numeric: return hex(d, 4)
        case .names: return name ?? "Device \(hex(d, 4))"
        case .both: return "\(name ?? "Device") [\(hex(d, 4))]"
        }
    }

    /// The lines lspci -v prints under the device line, in its order.
    func details(_ f: PCIFunction, _ k: KernelDevice?) -> [String] {
        var lines: [String] = []
        if let s = text.shownSubsystem(f) { lines.append("Subsystem: \(text.subsystem(f, s))") }
        lines.append(flags(f, irq: k.map { $0.irq ?? 0 } ?? Int(f.interruptLine)))
        for b in f.bars { lines.append(bar(b, f, size: k?.regionSizes[b.index])) }
        if let b = f.bridge, let w = f.bridgeWindows {
            lines.append("Bus: primary=\(hex(b.primary, 2)), secondary=\(hex(b.secondary, 2)), subordinate=\(hex(b.subordinate, 2)), sec-latency=\(w.secondaryLatency)")
            lines += windows(w.registers)
        }
        if let rom = f.expansionROM, rom & 0xffff_f800 != 0 {
            lines.append("Expansion ROM at \(hex(rom & 0xffff_f800, 8))" + (rom & 1 == 0 ? " [disabled]" : "") + size(k?.regionSizes[6]))
        }
        for c in f.capabilities { lines.append("Capabilities: [\(hex(c.offset, 2))] " + capability(c, f)) }
        for c in f.extendedCapabilities {
            lines.append("Capabilities: [\(hex(c.offset, 3))] " + c.name)
        }
        return lines
    }

    /// lspci's "Flags:" line: command and status bits, devsel timing, latency, IRQ.
    func flags(_ f: PCIFunction, irq: Int) -> String {
        var parts: [String] = []
        if f.command & 0x4 != 0 { parts.append("bus master") }
        if f.command & 0x20 != 0 { parts.append("VGA palette snoop") }
        if f.command & 0x80 != 0 { parts.append("stepping") }
        if f.command & 0x200 != 0 { parts.append("fast Back2Back") }
        if f.status & 0x20 != 0 { parts.append("66MHz") }
        if f.status & 0x40 != 0 { parts.append("user-definable features") }
        parts.append(["fast", "medium", "slow", "??"][Int(f.status >> 9) & 3] + " devsel")
        if f.command & 0x4 != 0 { parts.append("latency \(f.latencyTimer)") }
        if irq != 0 { parts.append("IRQ \(irq)") }
        return "Flags: " + parts.joined(separator: ", ")
    }

    func bar(_ b: BAR, _ f: PCIFunction, size s: UInt64?) -> String {
        if b.kind == .io {
            return "I/O ports at \(hex(b.address, 4))" + (f.command & 1 == 0 ? " [disabled]" : "") + size(s)
        }
        let width = b.kind == .memory64 ? "64-bit" : b.kind == .memory1M ? "low-1M" : "32-bit"
        return "Memory at \(hex(b.address, 8)) (\(width), \(b.prefetchable ? "" : "non-")prefetchable)"
            + (f.command & 2 == 0 ? " [disabled]" : "") + size(s)
    }

    /// A type 1 bridge's forwarding windows (PCI-to-PCI Bridge Spec 3.2.5.6-9),
    /// as lspci -v: I/O (16 or 32-bit), memory, prefetchable memory (32 or 64-bit).
    func windows(_ w: [UInt32]) -> [String] {
        guard w.count == 6 else { return [] }
        var lines: [String] = []
        let ioBase = w[0] & 0xff, ioLimit = (w[0] >> 8) & 0xff
        if ioBase & 0xf == ioLimit & 0xf && ioBase & 0xf <= 1 {
            let wide = ioBase & 0xf == 1
            let base = UInt64(ioBase & 0xf0) << 8 | (wide ? UInt64(w[5] & 0xffff) << 16 : 0)
            let limit = UInt64(ioLimit & 0xf0) << 8 | 0xfff | (wide ? UInt64(w[5] >> 16) << 16 : 0)
            lines.append(range("I/O behind bridge", base, limit, bits: wide ? 32 : 16))
        }
        let memBase = UInt64(w[1] & 0xfff0) << 16, memLimit = UInt64(w[1] >> 16 & 0xfff0) << 16 | 0xfffff
        lines.append(range("Memory behind bridge", memBase, memLimit, bits: 32))
        let prefType = w[2] & 0xf
        if prefType == (w[2] >> 16) & 0xf && prefType <= 1 {
            let wide = prefType == 1
            let base = UInt64(w[2] & 0xfff0) << 16 | (wide ? UInt64(w[3]) << 32 : 0)
            let limit = UInt64(w[2] >> 16 & 0xfff0) << 16 | 0xfffff | (wide ? UInt64(w[4]) << 32 : 0)
            // lspci shows a 64-bit window that lies below 4 GiB as 32-bit.
            lines.append(range("Prefetchable memory behind bridge", base, limit, bits: wide && limit > 0xffff_ffff ? 64 : 32))
        }
        return lines
    }

    func range(_ prefix: String, _ base: UInt64, _ limit: UInt64, bits: Int) -> String {
        guard base <= limit else { return "\(prefix): [disabled] [\(bits)-bit]" }
        let digits = (bits + 3) / 4
        return "\(prefix): \(hex(base, digits))-\(hex(limit, digits))" + size(limit - base + 1) + " [\(bits)-bit]"
    }

    /// " [size=16K]" as lspci's show_size: the largest unit that divides it.
    func size(_ bytes: UInt64?) -> String {
        guard var x = bytes, x != 0 else { return "" }
        var unit = 0
        while unit < 4 && x % 1024 == 0 { x /= 1024; unit += 1 }
        return " [size=\(x)\(["", "K", "M", "G", "T"][unit])]"
    }

    /// The first line lspci prints for a capability: its name and the
    /// fields of the capability's header that pcitime reads.
    func capability(_ c: Capability, _ f: PCIFunction) -> String {
        let w = c.control
        func flag(_ bit: UInt16) -> String { w & bit != 0 ? "+" : "-" }
        switch c.id {
        case 0x01: return "Power Management version \(w & 7)"
        case 0x05:
            return "MSI: Enable\(flag(1)) Count=\(1 << Int((w >> 4) & 7))/\(1 << Int((w >> 1) & 7)) Maskable\(flag(0x100)) 64bit\(flag(0x80))"
        case 0x11: return "MSI-X: Enable\(flag(0x8000)) Count=\(Int(w & 0x7ff) + 1) Masked\(flag(0x4000))"
        case 0x09 where f.vendor == 0x1af4 && c.virtioType != nil:
            let types: [UInt8: String] = [1: "CommonCfg", 2: "Notify", 3: "ISR", 4: "DeviceCfg"]
            return "Vendor Specific Information: VirtIO: " + (types[c.virtioType!] ?? "<unknown>")
        case 0x09: return "Vendor Specific Information: Len=\(hex(w & 0xff, 2)) <?>"
        case 0x14: return "Enhanced Allocation (EA): NumEntries=\(w & 0x3f)"
        case 0x12: return "SATA HBA v\((w >> 4) & 0xf).\(w & 0xf)"
        case 0x0d: return "Subsystem: " + (f.subsystem.map { text.subsystem(f, $0) } ?? "")
        case 0x10:
            let slot = " (Slot\(flag(0x100)))"
            let kinds: [UInt16: String] = [0: "Endpoint", 1: "Legacy Endpoint", 4: "Root Port" + slot, 5: "Upstream Port",
                                           6: "Downstream Port" + slot, 7: "PCI-Express to PCI/PCI-X Bridge",
                                           8: "PCI/PCI-X to PCI-Express Bridge", 9: "Root Complex Integrated Endpoint",
                                           0xa: "Root Complex Event Collector"]
            let type = (w >> 4) & 0xf
            return "Express " + (kinds[type] ?? "Unknown type \(type)") + ", MSI \(hex((w >> 9) & 0x1f, 2))"
        default: return c.name
        }
    }

    /// pcitime's own line: what reading this function cost.
    func counts(_ s: AccessStats) -> String {
        let min = s.latency.totalCount == 0 ? 0 : s.latency.min
        let p = s.latency.valuesAtPercentiles([50, 99])
        return "Config accesses (pcitime): \(s.reads) reads; latency min \(Format.scanLatency(min)), "
            + "p50 \(Format.scanLatency(p[0])), p99 \(Format.scanLatency(p[1]))"
    }

    func linkLine(_ l: PCIeInfo.Link) -> String {
        "PCIe link (pcitime): \(PCIeInfo.speedName(l.speed)) x\(l.width), capable of \(PCIeInfo.speedName(l.maxSpeed)) x\(l.maxWidth)"
    }
}
