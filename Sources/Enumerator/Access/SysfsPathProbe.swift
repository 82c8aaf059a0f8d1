import CLibPCI
#if canImport(Glibc)
import Glibc
#endif

/// What a sysfs config read pays besides the config access: the pread system
/// call and sysfs's own path, timed on each function's `vendor` attribute,
/// which the kernel answers from its copy of the ID (no access reaches the
/// device). A sysfs config read less this is one trap into the VMM.
package final class SysfsPathProbe {
    private var files: [PCIAddress: Int32] = [:]
    package let timer: AccessTimer

    /// Opens the attribute of each function of this machine that has one;
    /// nil when none does.
    package init?(functions: [PCIAddress], timer: AccessTimer) {
        self.timer = timer
        let dir = MachineRoot.live.path(MachineRoot.devices)
        for a in functions {
            let fd = open(dir + "/" + a.description + "/vendor", O_RDONLY | O_CLOEXEC)
            if fd >= 0 { files[a] = fd }
        }
        if files.isEmpty { return nil }
    }

    deinit { for fd in files.values { close(fd) } }

    package var functions: [PCIAddress] { files.keys.sorted() }

    /// One timed pread of the attribute, nanoseconds (the timer's own cost
    /// taken out, as for every access); nil when the read failed.
    package func read(_ a: PCIAddress) -> UInt64? {
        guard let fd = files[a] else { return nil }
        var v: UInt32 = 0
        var n = 0
        let ticks = pcitime_timed_pread(fd, 0, 4, timer.source.flag, &v, &n)
        return n == 4 ? timer.nanoseconds(ticks: ticks) : nil
    }
}
