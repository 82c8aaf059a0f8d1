import CLibPCI
#if canImport(Glibc)
import Glibc
#endif

/// Config space through the kernel: `pread` of `/sys/bus/pci/devices/BDF/config`
/// (or the same files in a captured tree under `--root`).
///
/// One naturally aligned 1/2/4-byte pread is one config access as the device
/// sees it: the kernel splits larger reads into aligned pieces, so a 256-byte
/// block read would be 64 accesses. The kernel itself picks the mechanism
/// (on x86: type 1 below offset 256 when it works, ECAM above).
package final class SysfsAccess: ConfigAccess {
    package let name: String
    /// Where the files are: this machine, or a captured tree read inside itself.
    package let tree: MachineRoot
    package var root: String { tree.path }
    package let devicesDirectory: String
    /// Which offsets this instance may read, for `sysfs-base`/`sysfs-ext`.
    package let window: Range<Int>
    let listing: Set<PCIAddress>
    private var files: [PCIAddress: FunctionHandle] = [:]
    /// Set for live trees read without root: the kernel returns only the
    /// first 64 bytes (128 for CardBus) to unprivileged readers.
    package let unprivileged: Bool

    /// What one timed read is: on the live machine a config access the
    /// kernel makes; in a captured tree a read of a file, with no device and
    /// no mechanism behind it, so its latency says nothing of PCI.
    package var summary: String {
        tree.isLive ? "pread of sysfs config files under \(devicesDirectory); the kernel makes the device access"
            : "pread of the captured config files under \(devicesDirectory): the latencies are file reads (page cache), not config accesses; a capture has no device or mechanism behind it"
    }

    package init(root: String = "/", name: String = "sysfs", window: Range<Int> = 0..<4096) throws {
        self.name = name
        self.tree = MachineRoot(root)
        self.devicesDirectory = tree.path(MachineRoot.devices)
        self.window = window
        try tree.check()
        switch tree.kind(MachineRoot.devices) {
        case nil: throw PCITimeError.missing(devicesDirectory, "no PCI devices directory (no PCI here, or not a pcitime capture)")
        case .directory?: break
        default: throw PCITimeError.input(devicesDirectory, "not a directory")
        }
        guard let names = tree.names(inDirectory: MachineRoot.devices) else {
            throw PCITimeError.permission(devicesDirectory, "cannot list the directory")
        }
        listing = Set(names.compactMap { PCIAddress($0) })
        unprivileged = tree.isLive && geteuid() != 0
        SysfsAccess.raiseFileLimit(to: listing.count + 64)
    }

    /// One config file stays open per function (the timed access is the
    /// pread alone), so a tree of thousands of functions needs more than the
    /// usual soft limit of 1024 descriptors: raise it towards the hard limit.
    static func raiseFileLimit(to needed: Int) {
        // rlim_t.max is RLIM_INFINITY (which Swift cannot import: ~0UL).
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max, rlim_t(needed) > limit.rlim_cur else { return }
        limit.rlim_cur = limit.rlim_max == rlim_t.max ? rlim_t(needed) : min(limit.rlim_max, rlim_t(needed))
        _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }

    deinit {
        for case .file(let fd) in files.values.map(\.target) { close(fd) }
    }

    package func listedFunctions() -> Set<PCIAddress>? { listing }

    package func roots() -> [BusRange] {
        Set(listing.map(\.segment)).sorted().map { BusRange(segment: $0, first: 0, last: 255) }
    }

    package func path(_ a: PCIAddress) -> String { devicesDirectory + "/" + a.description + "/config" }

    @discardableResult
    package func prepare(_ a: PCIAddress) throws -> FunctionHandle {
        if let h = files[a] { return h }
        let p = path(a)
        // Inside the tree, non-blocking (a FIFO cannot hang the open), a regular file or refused.
        let fd: Int32
        do {
            fd = try tree.open(MachineRoot.devices + "/" + a.description + "/config")
        } catch PCITimeError.permission {
            throw PCITimeError.permission(p, "cannot open the config file: run as root")
        } catch PCITimeError.system(_, EMFILE) {
            var limit = rlimit()
            _ = getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
            throw PCITimeError.input(p, "too many open files: sysfs keeps one config file open per function, \(listing.count) here, and the hard limit is \(limit.rlim_max) (raise it: ulimit -Hn)")
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw PCITimeError.system(p, e)
        }
        // Whole dwords only: every access pcitime makes is a naturally aligned dword.
        let size = (unprivileged ? min(Int(st.st_size), 64) : Int(st.st_size)) & ~3
        guard size >= 64 else {
            close(fd)
            throw PCITimeError.input(p, "\(st.st_size) bytes: a config file holds at least the 64-byte header")
        }
        let upper = min(size, window.upperBound)
        let h = FunctionHandle(address: a, target: .file(fd), window: min(window.lowerBound, upper)..<upper)
        files[a] = h
        return h
    }

    package func read(_ h: FunctionHandle, offset: Int, width: AccessWidth, clock: AccessTimer.Source) throws -> TimedRead {
        guard case .file(let fd) = h.target else { throw PCITimeError.usage("sysfs: \(h.address) was prepared by another method") }
        var v: UInt32 = 0
        var n = 0
        let ticks = pcitime_timed_pread(fd, offset, Int32(width.rawValue), clock.flag, &v, &n)
        if n == width.rawValue { return TimedRead(value: UInt32(littleEndian: v) & width.mask, ticks: ticks) }
        if n < 0 { throw PCITimeError.system(path(h.address), Int32(-n)) }
        throw PCITimeError.permission(path(h.address), "read at \(hex(offset, 3)) returned \(n) of \(width.rawValue) bytes: beyond 0x40 config space is readable only as root")
    }
}
