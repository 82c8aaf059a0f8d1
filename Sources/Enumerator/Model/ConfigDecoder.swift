/// Decodes a function's config space into a `PCIFunction`, reading only what
/// it needs, in a fixed order: the 16 header dwords, then each capability's
/// header dword (plus the PCIe link registers and a bridge's SSVID), then the
/// extended list when the function is PCIe and the method reaches past 0xFF.
/// Lists are followed with loop protection, as pciutils' `been_there`.
package enum ConfigDecoder {
    /// The most capabilities a 192-byte list can hold (4 bytes each).
    static let maxCapabilities = 48
    /// The most extended capabilities (4 bytes each in 3840 bytes).
    static let maxExtendedCapabilities = 960

    package static func decode(_ address: PCIAddress, _ s: ConfigSource) throws -> PCIFunction {
        guard s.size >= 64 else {
            throw PCITimeError.input("config", "\(address): \(s.size) bytes of config space, the header alone is 64")
        }
        var h = [UInt32](repeating: 0, count: 16)
        for i in 0..<16 { h[i] = try s.dword(i * 4) }
        let headerByte = UInt8(truncatingIfNeeded: h[3] >> 16)
        let headerType = headerByte & 0x7f
        var f = PCIFunction(
            address: address, vendor: UInt16(truncatingIfNeeded: h[0]), device: UInt16(truncatingIfNeeded: h[0] >> 16),
            classCode: h[2] >> 8, revision: UInt8(truncatingIfNeeded: h[2]), headerType: headerType,
            multifunction: headerByte & 0x80 != 0, command: UInt16(truncatingIfNeeded: h[1]),
            status: UInt16(truncatingIfNeeded: h[1] >> 16), subsystem: nil, bars: [],
            interruptPin: UInt8(truncatingIfNeeded: h[15] >> 8), interruptLine: UInt8(truncatingIfNeeded: h[15]),
            latencyTimer: UInt8(truncatingIfNeeded: h[3] >> 8), expansionROM: nil,
            bridge: nil, bridgeWindows: nil, capabilities: [], extendedCapabilities: [], pcie: nil, configSize: s.size, warnings: [])

        switch headerType {
        case 0:
            f.bars = decodeBARs(h, count: 6)
            f.expansionROM = h[12]
            f.subsystem = .init(vendor: UInt16(truncatingIfNeeded: h[11]), device: UInt16(truncatingIfNeeded: h[11] >> 16))
        case 1:
            f.bars = decodeBARs(h, count: 2)
            f.expansionROM = h[14]
            f.bridge = .init(primary: UInt8(truncatingIfNeeded: h[6]), secondary: UInt8(truncatingIfNeeded: h[6] >> 8),
                             subordinate: UInt8(truncatingIfNeeded: h[6] >> 16))
            f.bridgeWindows = .init(secondaryLatency: UInt8(truncatingIfNeeded: h[6] >> 24), registers: Array(h[7...12]))
        case 2:
            f.bridge = .init(primary: UInt8(truncatingIfNeeded: h[6]), secondary: UInt8(truncatingIfNeeded: h[6] >> 8),
                             subordinate: UInt8(truncatingIfNeeded: h[6] >> 16))
        default:
            f.warnings.append("unknown header type \(hex(headerType, 2)): only the common header decoded")
        }

        // Status bit 4: the capability list is valid. CardBus keeps its pointer at 0x14.
        if f.status & 0x10 != 0 && headerType <= 2 {
            let pointer = UInt8(truncatingIfNeeded: headerType == 2 ? h[5] : h[13])
            try walkCapabilities(from: pointer, s, into: &f)
        }
        // As Linux's pci_cfg_space_size: extended space exists for PCIe
        // functions and host bridges (and PCI-X 2.0, not decoded here) when
        // the dword at 0x100 is not all ones.
        f.configSize = min(s.size, 256)
        if s.size > 256 && (f.pcie != nil || f.classCode >> 8 == 0x0600) {
            try walkExtendedCapabilities(s, into: &f)
        }
        return f
    }

    static func decodeBARs(_ h: [UInt32], count: Int) -> [BAR] {
        var bars: [BAR] = []
        var i = 0
        while i < count {
            let v = h[4 + i]
            if v & 1 == 1 {
                if v & ~3 != 0 { bars.append(BAR(index: i, kind: .io, address: UInt64(v & ~3), prefetchable: false)) }
            } else {
                let type = (v >> 1) & 3
                let prefetchable = v & 8 != 0
                if type == 2 && i + 1 < count {
                    let address = UInt64(v & ~0xf) | UInt64(h[5 + i]) << 32
                    if address != 0 { bars.append(BAR(index: i, kind: .memory64, address: address, prefetchable: prefetchable)) }
                    i += 1
                } else if v & ~0xf != 0 {
                    bars.append(BAR(index: i, kind: type == 1 ? .memory1M : .memory32, address: UInt64(v & ~0xf), prefetchable: prefetchable))
                }
            }
            i += 1
        }
        return bars
    }

    static func walkCapabilities(from start: UInt8, _ s: ConfigSource, into f: inout PCIFunction) throws {
        var visited = Set<Int>()
        var offset = Int(start & 0xfc)
        while offset != 0 {
            guard offset >= 0x40 else {
                f.warnings.append("capability chain broken: pointer \(hex(offset, 2)) is inside the header (below 0x40)")
                return
            }
            guard offset + 4 <= s.size else {
                f.warnings.append(s.size == 64
                    ? "capabilities at \(hex(offset, 2)) not read: only 64 bytes of config space are readable (run as root)"
                    : "capability chain broken: pointer \(hex(offset, 2)) runs past the \(s.size) bytes of config space")
                return
            }
            guard visited.insert(offset).inserted, visited.count <= maxCapabilities else {
                f.warnings.append("capability chain looped at \(hex(offset, 2))")
                return
            }
            let header = try s.dword(offset)
            let id = UInt8(truncatingIfNeeded: header)
            let control = UInt16(truncatingIfNeeded: header >> 16)
            var cap = Capability(id: id, offset: offset, control: control)
            switch id {
            case 0x05:  // MSI: Message Control bits 3:1 requested vectors, bit 7 64-bit.
                cap.vectors = 1 << Int((control >> 1) & 7)
                cap.is64Bit = control & 0x80 != 0
                cap.enabled = control & 1 != 0
            case 0x11:  // MSI-X: Message Control bits 10:0 table size - 1.
                cap.vectors = Int(control & 0x7ff) + 1
                cap.enabled = control & 0x8000 != 0
            case 0x09 where f.vendor == 0x1af4:  // virtio_pci_cap: cfg_type at +3.
                cap.virtioType = UInt8(truncatingIfNeeded: header >> 24)
            case 0x0d where offset + 8 <= s.size:  // Bridges keep subsystem IDs here.
                let ids = try s.dword(offset + 4)
                f.subsystem = .init(vendor: UInt16(truncatingIfNeeded: ids), device: UInt16(truncatingIfNeeded: ids >> 16))
            case 0x10:
                f.pcie = try decodePCIe(at: offset, flags: control, s)
            default:
                break
            }
            f.capabilities.append(cap)
            offset = Int((header >> 8) & 0xfc)
        }
    }

    static func decodePCIe(at offset: Int, flags: UInt16, _ s: ConfigSource) throws -> PCIeInfo {
        let type = UInt8((flags >> 4) & 0xf)
        var info = PCIeInfo(version: UInt8(flags & 0xf), portType: type, link: nil)
        // Root-complex integrated endpoints (9) and event collectors (0xa) have no link.
        if type != 0x9 && type != 0xa && offset + 0x14 <= s.size {
            let linkCap = try s.dword(offset + 0x0c)
            let linkStatus = UInt16(truncatingIfNeeded: try s.dword(offset + 0x10) >> 16)
            info.link = .init(maxSpeed: UInt8(linkCap & 0xf), maxWidth: UInt8((linkCap >> 4) & 0x3f),
                              speed: UInt8(linkStatus & 0xf), width: UInt8((linkStatus >> 4) & 0x3f))
        }
        return info
    }

    static func walkExtendedCapabilities(_ s: ConfigSource, into f: inout PCIFunction) throws {
        let chain = try extendedCapabilityChain(s)
        f.extendedCapabilities += chain.capabilities
        if chain.extendedSpace { f.configSize = s.size }
        if let w = chain.warning { f.warnings.append(w) }
    }

    /// The extended capability list from 0x100 (pciutils' `ls-ecaps.c`), with
    /// whether extended space is there and why the chain stopped if it broke.
    static func extendedCapabilityChain(_ s: ConfigSource) throws -> (capabilities: [ExtendedCapability], extendedSpace: Bool, warning: String?) {
        var found: [ExtendedCapability] = []
        var extendedSpace = false
        var visited = Set<Int>()
        var offset = 0x100
        while offset != 0 {
            guard offset >= 0x100, offset + 4 <= s.size else {
                return (found, extendedSpace, "extended capability chain broken: pointer \(hex(offset, 3)) is outside 0x100-\(hex(s.size - 4, 3))")
            }
            guard visited.insert(offset).inserted, visited.count <= maxExtendedCapabilities else {
                return (found, extendedSpace, "extended capability chain looped at \(hex(offset, 3))")
            }
            let header = try s.dword(offset)
            // All ones at 0x100: no extended space (conventional PCI behind a
            // PCIe bridge); zero at 0x100: extended space with an empty list.
            // Either ends the list anywhere, as lspci's show_ext_caps.
            if offset == 0x100 && header != 0xffff_ffff { extendedSpace = true }
            if header == 0 || header == 0xffff_ffff { break }
            found.append(.init(id: UInt16(truncatingIfNeeded: header), version: UInt8((header >> 16) & 0xf), offset: offset))
            offset = Int(header >> 20) & 0xffc
        }
        return (found, extendedSpace, nil)
    }
}
