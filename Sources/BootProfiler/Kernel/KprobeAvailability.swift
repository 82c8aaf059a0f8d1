#if canImport(Glibc)
import Glibc
#endif
import Enumerator

/// Whether this kernel can take the kprobes `pcitime trace` needs, and if not
/// why and what to do.
package struct KprobeAvailability: Sendable, Equatable {
    package var available: Bool
    /// The tracefs directory (possibly just mounted), when there is one.
    package var tracefs: String?
    package var reason: String
    /// Whether this check mounted tracefs: `release` unmounts it.
    var mountedHere = false

    /// Unmounts tracefs when the check mounted it.
    package func release() { TracingRoot(path: tracefs, mountedHere: mountedHere).release() }

    /// Looks at tracefs (mounting it at /sys/kernel/tracing when `mount` is
    /// true and nothing is there) and at the kernel config.
    package static func check(mount: Bool) -> KprobeAvailability {
        let root = mount ? TracingRoot.live(writable: true) : TracingRoot(path: Tracefs.candidates.first { access($0 + "/trace", F_OK) == 0 }, mountedHere: false)
        let dir = root.path
        if let d = dir, access(d + "/kprobe_events", F_OK) == 0 {
            return KprobeAvailability(available: true, tracefs: d, reason: "kprobe_events present in \(d)", mountedHere: root.mountedHere)
        }
        root.release()
        let config = KernelConfig.load()
        var why: String
        if let c = config {
            let kprobes = c.value("CONFIG_KPROBES"), events = c.value("CONFIG_KPROBE_EVENTS")
            if kprobes != "y" {
                why = "this kernel is built without kprobes (\(c.source): CONFIG_KPROBES \(kprobes.map { "=" + $0 } ?? "is not set"))"
            } else if events != "y" {
                why = "this kernel has kprobes but no kprobe events (\(c.source): CONFIG_KPROBE_EVENTS \(events.map { "=" + $0 } ?? "is not set"))"
            } else {
                why = "CONFIG_KPROBE_EVENTS=y but \(dir ?? "tracefs") has no kprobe_events (tracefs not mounted or restricted)"
            }
        } else {
            why = dir == nil ? "no tracefs (mount -t tracefs nodev /sys/kernel/tracing)" : "\(dir!) has no kprobe_events and the kernel config is unreadable"
        }
        why += "; to count the kernel's own config accesses, boot a kernel with CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y (e.g. a QEMU guest); "
        why += "the boot-time kprobe_event= parameter only arms after the core PCI scan, so it sees driver probes, not enumeration"
        return KprobeAvailability(available: false, tracefs: root.mountedHere ? nil : dir, reason: why)
    }
}

/// `CONFIG_...` values from /proc/config.gz (via zcat) or /boot/config-$(uname -r).
struct KernelConfig {
    var source: String
    var values: [String: String]

    func value(_ key: String) -> String? { values[key] }

    static func load() -> KernelConfig? {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let boot = "/boot/config-" + release
        // A config that cannot be read whole counts as unreadable (the
        // reason says so), never as the part that was read.
        if let text = (try? Tracefs.read(boot)) ?? nil { return KernelConfig(source: boot, values: parse(text)) }
        if access("/proc/config.gz", R_OK) == 0, let text = Subprocess.output(["/bin/zcat", "/proc/config.gz"]) ?? Subprocess.output(["/usr/bin/zcat", "/proc/config.gz"]) {
            return KernelConfig(source: "/proc/config.gz", values: parse(text))
        }
        return nil
    }

    static func parse(_ text: String) -> [String: String] {
        var v: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("CONFIG_") {
            if let eq = line.firstIndex(of: "=") { v[String(line[..<eq])] = String(line[line.index(after: eq)...]) }
        }
        return v
    }
}

extension KprobeAvailability {
    /// One line for `pcitime boot`: whether `pcitime trace` can work here.
    package static func status() -> String {
        let k = check(mount: false)
        return k.available ? "available (\(k.reason)); run 'pcitime trace --rescan BDF' to count the kernel's own accesses"
                           : "unavailable here: \(k.reason)"
    }
}
