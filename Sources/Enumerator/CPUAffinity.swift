import Foundation

/// Pins the calling thread to one processor, so every sample of every method
/// runs on the same core (same TSC, same cache, no migration mid-access).
/// The corresponding C function is `sched_setaffinity`.
public enum CPUAffinity {
    public static func pin(to cpu: Int) throws {
        // A cpu_set_t is a bit mask of 1024 processors (glibc's CPU_SETSIZE).
        var set = [UInt64](repeating: 0, count: 16)
        let bits = set.count * 64
        guard cpu >= 0, cpu < bits else {
            throw PCITimeError.usage("--pin \(cpu): expected a processor number from 0 to \(bits - 1)")
        }
        guard let setAffinity = setAffinity else {
            throw PCITimeError.unavailable("--pin", "this C library has no sched_setaffinity")
        }
        set[cpu / 64] |= UInt64(1) << UInt64(cpu % 64)
        if set.withUnsafeMutableBytes({ setAffinity(0, $0.count, $0.baseAddress!) }) != 0 {
            let e = errno
            if e == EINVAL {
                throw PCITimeError.usage("--pin \(cpu): processor \(cpu) is not online here (sched_setaffinity: EINVAL; this machine has \(online) online)")
            }
            throw PCITimeError.system("sched_setaffinity(\(cpu))", e)
        }
    }

    /// The processor the calling thread runs on now. The corresponding C function is `sched_getcpu`.
    public static var current: Int? {
        guard let getCPU, case let c = getCPU(), c >= 0 else { return nil }
        return Int(c)
    }

    // glibc declares these only under _GNU_SOURCE, which Swift's Glibc module
    // is built without; look them up once instead of adding C.
    typealias SetAffinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
    typealias GetCPU = @convention(c) () -> Int32
    nonisolated(unsafe) static let setAffinity: SetAffinity? = symbol("sched_setaffinity")
    nonisolated(unsafe) static let getCPU: GetCPU? = symbol("sched_getcpu")

    static func symbol<T>(_ name: String) -> T? {
        guard let handle = dlopen(nil, RTLD_NOW), let p = dlsym(handle, name) else { return nil }
        return unsafeBitCast(p, to: T.self)
    }

    public static var online: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
