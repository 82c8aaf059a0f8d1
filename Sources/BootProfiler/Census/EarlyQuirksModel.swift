import Enumerator

/// The config reads the kernel makes before any tracer can start:
/// arch/x86/kernel/early-quirks.c, called from setup_arch, walks bus 0 with
/// direct port I/O (read_pci_config*, type 1). Per function, check_dev_quirk
/// reads the class word; a function that answers also gets its vendor and
/// device words and the header type byte, a bridge its secondary bus number
/// (and the walk recurses there when it is above the current bus); a
/// function that does not answer ends its slot. The quirk handlers QEMU's
/// devices match (none of Intel graphics, ATI, NVIDIA, VIA, Broadcom) add
/// nothing. Without type 1 (microvm with pcie=on) the walk reads all ones:
/// no access reaches a present function.
package enum EarlyQuirksModel {
    package struct Counts: Codable, Sendable, Equatable {
        package var reads: Int
        package var writes: Int
        package var method: String
        /// The same reads, function by function.
        package var byDevice: [PCIAddress: Int] = [:]
    }

    package static func counts(devices: [DeviceWindow], typeOneAvailable: Bool) -> Counts {
        let method = "arch/x86/kernel/early-quirks.c early_pci_scan_bus(0) over the log's devices (4 reads per function, +1 per bridge, +1 each for the vSMP and Sandy Bridge checks of 00:1f.0 and 00:02.0; buses numbered depth first as firmware does)"
        guard typeOneAvailable else {
            return Counts(reads: 0, writes: 0, method: method + "; no type 1 on this machine, so none reach a device")
        }
        var present: [UInt8: [PCIAddress: DeviceWindow]] = [:]
        for d in devices where d.address.segment == 0 { present[d.address.bus, default: [:]][d.address] = d }
        var byDevice: [PCIAddress: Int] = [:]
        var visited: Set<UInt8> = []
        // Secondary buses are not in the log's device lines: firmware
        // (SeaBIOS, OVMF) numbers them depth first in devfn order, as the
        // walk visits them.
        var lastBus: UInt8 = 0
        func scan(_ bus: UInt8) {
            guard visited.insert(bus).inserted else { return }
            let fns = present[bus] ?? [:]
            for slot in UInt8(0)..<32 {
                for fn in UInt8(0)..<8 {
                    let a = PCIAddress(segment: 0, bus: bus, device: slot, function: fn)
                    guard let d = fns[a] else { break }
                    byDevice[a, default: 0] += 4
                    if d.headerType & 0x7f == 1 {
                        byDevice[a, default: 0] += 1
                        if lastBus < 0xff { lastBus += 1; scan(lastBus) }
                    }
                    let multifunction = fns.keys.contains { $0.device == slot && $0.function > 0 }
                    if !multifunction { break }
                }
            }
        }
        scan(0)
        // setup_arch's own probes before early_quirks: the vSMP check reads
        // 00:1f.0's vendor dword (vsmp_init), the Sandy Bridge graphics
        // check 00:02.0's vendor word (trim_snb_memory).
        for a in [PCIAddress(segment: 0, bus: 0, device: 0x1f, function: 0), PCIAddress(segment: 0, bus: 0, device: 2, function: 0)] {
            if present[0]?[a] != nil { byDevice[a, default: 0] += 1 }
        }
        return Counts(reads: byDevice.values.reduce(0, +), writes: 0, method: method, byDevice: byDevice)
    }
}
