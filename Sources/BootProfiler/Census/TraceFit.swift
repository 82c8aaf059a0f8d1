import Enumerator

/// Whether a trace can be of the boot (or the machine) its kernel log
/// shows. A trace paired with another machine's log is refused (65), never
/// counted: the q35 trace with the pc machine's log reported ECAM reads on
/// a machine with no MCFG. (A trace that starts after the log ends is
/// refused where the census is built, `BootCensus.build`.)
package enum TraceFit {
    /// Whether the log shows the kernel using ECAM. Nil when it cannot tell:
    /// the log's start is lost, or it never says which mechanism it chose.
    static func showsECAM(_ p: BootProfile) -> Bool? {
        if p.ecam.contains(where: \.used) || p.mechanism?.base == .ecam || p.mechanism?.extended == .ecam { return true }
        return p.startLost || p.mechanism == nil ? nil : false
    }

    static func ecamMismatch(_ n: Int, _ name: String, _ p: BootProfile) -> PCITimeError {
        .input(name, "\(n) ECAM accesses (pci_mmcfg_*), but the kernel log shows no ECAM (\(p.mechanism?.detail ?? "no MCFG reservation")): not this log's machine; give the log of the boot traced")
    }

    /// The census's function trace against its log: mechanisms, and with
    /// call arguments the functions accessed.
    package static func check(calls: [FtraceCall], profile: BootProfile, name: String) throws {
        let ecam = calls.reduce(0) { $0 + ($1.function.mechanism == .ecam ? 1 : 0) }
        if ecam > 0, showsECAM(profile) == false { throw ecamMismatch(ecam, name, profile) }
        // The other way: where the kernel has ECAM, its scan sizes every host
        // bridge's config space through it (pci_cfg_space_size reads 0x100),
        // so a trace past the scan's end without one ECAM access is another
        // machine's.
        if ecam == 0, showsECAM(profile) == true, let scanEnd = profile.scans.first?.end,
           profile.bootDevices.contains(where: { $0.classCode >> 8 == 0x0600 }),
           calls.contains(where: { ($0.time ?? 0) > scanEnd * 1000 }) {
            throw PCITimeError.input(name, "no ECAM access in \(calls.count) calls, but the kernel log shows ECAM in use (\(profile.mechanism?.detail ?? "an MCFG reservation")), through which the scan sizes every host bridge: not this log's machine; give the log of the boot traced")
        }
        // With arguments: a function read beyond its vendor ID, or written,
        // exists; the log announces every function that exists at boot.
        let announced = Set(profile.devices.map(\.address))
        guard !announced.isEmpty, !profile.startLost else { return }
        let initAt = profile.runInit.map { $0.start * 1000 } ?? .max
        if let stranger = calls.first(where: { c in
            guard let t = c.target, c.time.map({ $0 <= initAt }) ?? true else { return false }
            return (c.function.isWrite || t.offset != 0) && !announced.contains(t.address)
        })?.target?.address {
            throw PCITimeError.input(name, "accesses \(stranger) beyond its vendor ID, a function the kernel log does not announce: not this log's boot; give the log of the boot traced")
        }
    }

    /// A kprobe trace (`boot --trace`) against the log: its window is not
    /// the boot, so only the machine's mechanisms must agree.
    package static func check(accesses: [TracedAccess], profile: BootProfile, name: String) throws {
        let ecam = accesses.reduce(0) { $0 + ($1.mechanism == .ecam ? 1 : 0) }
        if ecam > 0, showsECAM(profile) == false { throw ecamMismatch(ecam, name, profile) }
    }
}
