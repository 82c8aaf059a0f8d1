import CLibPCI
#if canImport(Glibc)
import Glibc
#endif

/// PCIe ECAM: config space as memory, located by the MCFG table. pcitime maps
/// `/dev/mem` read-only, lazily, one bus (1 MiB) at a time and never outside a
/// window. Under a hypervisor each access is one exit, or none when the
/// hypervisor maps ECAM read-only into the guest.
package final class ECAMAccess: ConfigAccess {
    package let name = "ecam"
    package let discovery: ECAMDiscovery
    package var summary: String {
        "memory-mapped ECAM through /dev/mem (windows from \(discovery.source.rawValue)); one load per access"
    }
    let memPath: String
    let fd: Int32
    private var buses: [UInt32: UnsafeRawPointer] = [:]
    static let busBytes = 1 << 20
    /// The "PCI ECAM"/"PCI MMCONFIG" regions the kernel reserved in
    /// `/proc/iomem`: a bus is mapped only inside one of them (the kernel
    /// drops MCFG windows it could not confirm). Nil for `--ecam`, which maps
    /// what it is told.
    let reserved: [IOMem.Region]?

    /// Opens `/dev/mem` and maps the first window's first bus, so a method
    /// that cannot work here says so at once.
    package init(discovery: ECAMDiscovery, iomem: IOMem? = IOMem(path: "/proc/iomem"), memPath: String = "/dev/mem") throws {
        self.discovery = discovery
        self.memPath = memPath
        self.reserved = discovery.source == .override ? nil
            : iomem.map { $0.regions.filter { $0.name.hasPrefix("PCI ECAM ") || $0.name.hasPrefix("PCI MMCONFIG ") } } ?? []
        if let iomem, iomem.showsAddresses {
            for w in discovery.windows {
                if let ram = iomem.ram(overlapping: w.firstAddress, w.lastAddress) {
                    throw PCITimeError.input(discovery.file, "ECAM window \(hexAddress(w.firstAddress))-\(hexAddress(w.lastAddress)) overlaps System RAM \(hexAddress(ram.start))-\(hexAddress(ram.end)) in /proc/iomem: refusing to map it")
                }
            }
        }
        guard FileContents.exists(memPath) else {
            throw PCITimeError.unavailable(memPath, "does not exist: this kernel was built without CONFIG_DEVMEM, so user space cannot map ECAM (use sysfs)")
        }
        let fd = open(memPath, O_RDONLY | O_SYNC | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            if e == EACCES || e == EPERM { throw PCITimeError.permission(memPath, "cannot open: run as root") }
            throw PCITimeError.system(memPath, e)
        }
        self.fd = fd
        if let w = discovery.windows.first {
            try prepare(PCIAddress(segment: w.segment, bus: w.startBus, device: 0, function: 0))
        }
    }

    deinit {
        for p in buses.values { munmap(UnsafeMutableRawPointer(mutating: p), Self.busBytes) }
        close(fd)
    }

    package func roots() -> [BusRange] {
        discovery.windows.map { BusRange(segment: $0.segment, first: $0.startBus, last: $0.endBus) }
    }

    package func canHold(_ a: PCIAddress) -> Bool { discovery.lookup(segment: a.segment, bus: a.bus) != nil }

    static func key(_ a: PCIAddress) -> UInt32 { UInt32(a.segment) << 8 | UInt32(a.bus) }

    /// Maps the function's bus, read-only, the first time it is touched; the
    /// handle holds the function's own 4 KiB.
    @discardableResult
    package func prepare(_ a: PCIAddress) throws -> FunctionHandle {
        let bus = try map(a)
        let function = bus + (Int(a.device) << 15 | Int(a.function) << 12)
        return FunctionHandle(address: a, target: .mapped(function, mapping: self), window: 0..<4096)
    }

    private func map(_ a: PCIAddress) throws -> UnsafeRawPointer {
        if let p = buses[Self.key(a)] { return p }
        guard let w = discovery.lookup(segment: a.segment, bus: a.bus) else {
            throw PCITimeError.usage("ecam: \(a) is outside every ECAM window")
        }
        let physical = w.base + UInt64(a.bus) << 20
        if let reserved, !reserved.contains(where: { $0.start <= physical && physical + UInt64(Self.busBytes) - 1 <= $0.end }) {
            throw PCITimeError.input(discovery.file, "ECAM bus \(hex(a.segment, 4)):\(hex(a.bus, 2)) at \(hexAddress(physical)) is not inside a \"PCI ECAM\" or \"PCI MMCONFIG\" region of /proc/iomem (the kernel did not reserve it): refusing to map it (--ecam maps a window anyway)")
        }
        let p = mmap(nil, Self.busBytes, PROT_READ, MAP_SHARED, fd, off_t(physical))
        guard let p, p != MAP_FAILED else {
            let e = errno
            if e == EPERM || e == EACCES {
                throw PCITimeError.permission(memPath, "mmap of ECAM at \(hexAddress(physical)) refused (EPERM): the kernel restricts /dev/mem to RAM-free I/O it has not claimed (CONFIG_IO_STRICT_DEVMEM); boot with iomem=relaxed")
            }
            throw PCITimeError.system("\(memPath) at \(hexAddress(physical))", e)
        }
        buses[Self.key(a)] = UnsafeRawPointer(p)
        return UnsafeRawPointer(p)
    }

    package func read(_ h: FunctionHandle, offset: Int, width: AccessWidth, clock: AccessTimer.Source) throws -> TimedRead {
        guard case .mapped(let function, _) = h.target else { throw PCITimeError.usage("ecam: \(h.address) was prepared by another method") }
        var v: UInt32 = 0
        let ticks = pcitime_timed_mmio(function + offset, Int32(width.rawValue), clock.flag, &v)
        return TimedRead(value: v, ticks: ticks)
    }
}
