import CLibPCI
#if canImport(Glibc)
import Glibc
#endif

/// PCI configuration mechanism #1: the address to port 0xCF8, data at 0xCFC.
/// Under a hypervisor each access is two exits (the OUT and the IN).
/// Offsets 0-255 only; segment 0 only.
///
/// User-space type-1 access races with the kernel's own: the kernel serialises
/// its 0xCF8/0xCFC pairs with `pci_config_lock`, which user space cannot take,
/// so a kernel access between our OUT and IN can return the wrong register.
/// Keep pio scans short on a busy system.
package final class PortIOAccess: ConfigAccess {
    package let name = "pio"
    package var summary: String { "type-1 port I/O: outl 0xCF8 then in 0xCFC (two exits under a hypervisor)" }

    package init() throws {
        let e = pcitime_ioperm(0xCF8, 8, 1)
        switch e {
        case 0: break
        case ENOSYS:
            throw PCITimeError.unavailable("pio", "ioperm failed with ENOSYS: this kernel was built without CONFIG_X86_IOPL_IOPERM, so user space cannot reach ports 0xCF8/0xCFC")
        case EPERM:
            throw PCITimeError.permission("pio", "ioperm failed with EPERM: port I/O needs root (CAP_SYS_RAWIO) and a kernel not in lockdown")
        default:
            throw PCITimeError.system("ioperm(0xcf8)", e)
        }
        // As Linux's pci_check_type1: a type-1 host bridge latches the enable
        // bit written to 0xCF8. Without one the port floats (reads all ones).
        let saved = pcitime_inl(0xCF8)
        pcitime_outl(0x8000_0000, 0xCF8)
        let latched = pcitime_inl(0xCF8)
        pcitime_outl(saved, 0xCF8)
        guard latched == 0x8000_0000 else {
            _ = pcitime_ioperm(0xCF8, 8, 0)
            throw PCITimeError.unavailable("pio", "no type-1 mechanism answers here: 0xCF8 read back \(hex(latched, 8)) after writing 80000000 (a machine like QEMU microvm has no 0xCF8/0xCFC)")
        }
    }

    deinit { _ = pcitime_ioperm(0xCF8, 8, 0) }

    package func roots() -> [BusRange] { [BusRange(segment: 0, first: 0, last: 255)] }
    package func canHold(_ a: PCIAddress) -> Bool { a.segment == 0 }

    /// The handle is the function's 0xCF8 address: enable bit, bus, device, function.
    package func prepare(_ a: PCIAddress) throws -> FunctionHandle {
        guard a.segment == 0 else { throw PCITimeError.usage("pio: type 1 reaches segment 0 only, not \(a)") }
        let address = 0x8000_0000 | UInt32(a.bus) << 16 | UInt32(a.device) << 11 | UInt32(a.function) << 8
        return FunctionHandle(address: a, target: .type1(address), window: 0..<256)
    }

    package func read(_ h: FunctionHandle, offset: Int, width: AccessWidth, clock: AccessTimer.Source) throws -> TimedRead {
        guard case .type1(let address) = h.target else { throw PCITimeError.usage("pio: \(h.address) was prepared by another method") }
        var v: UInt32 = 0
        let ticks = pcitime_timed_conf1(address | UInt32(offset & 0xfc), Int32(offset), Int32(width.rawValue), clock.flag, &v)
        return TimedRead(value: v, ticks: ticks)
    }
}
