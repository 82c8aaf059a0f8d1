import CLibPCI
#if canImport(Glibc)
import Glibc
#endif

/// Pins the calling thread to one processor, so every sample of every method
/// runs on the same core (same TSC, same cache, no migration mid-access).
/// The corresponding C function is `sched_setaffinity`.
package enum CPUAffinity {
    package static func pin(to cpu: Int) throws {
        guard cpu >= 0, cpu < 1024 else {
            throw PCITimeError.usage("--pin \(cpu): expected a processor number from 0 to 1023")
        }
        let e = pcitime_pin_cpu(Int32(cpu))
        if e == EINVAL {
            throw PCITimeError.usage("--pin \(cpu): processor \(cpu) is not online here (sched_setaffinity: EINVAL; this machine has \(online) online)")
        }
        if e != 0 { throw PCITimeError.system("sched_setaffinity(\(cpu))", e) }
    }

    /// The processor the calling thread runs on now. The corresponding C function is `sched_getcpu`.
    package static var current: Int? {
        let c = pcitime_current_cpu()
        return c >= 0 ? Int(c) : nil
    }

    package static var online: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
