#if canImport(Glibc)
import Glibc
#endif
import Enumerator

/// pcitime's kprobes, armed in a private tracefs instance so the global
/// buffer is left alone. Every path out removes them: `close()` is
/// idempotent and `deinit` calls it.
package final class KprobeSession {
    /// The access probes. x86-64 SysV argument registers: the mechanism
    /// functions have raw_pci_read's signature, (domain, bus, devfn, reg,
    /// len, *val) for reads and (..., len, val) for writes, so each entry
    /// carries the whole access and its name says which mechanism served it.
    /// raw_pci_read/raw_pci_write themselves are not probed: in Debian's 6.1
    /// kernel the bus ops (`pci_read`/`pci_write`, arch/x86/pci/common.c)
    /// call an inlined copy, so a probe on the symbol sees only the few
    /// callers outside that file (measured in a q35 guest: 0 of 1 sysfs
    /// reads). pci_conf1_* and pci_mmcfg_* are only ever called through
    /// `raw_pci_ops`/`raw_pci_ext_ops` pointers and so cannot be inlined.
    /// Return probes (`*_ret`) give the in-kernel latency.
    static let args = "seg=%di:u32 bus=%si:u32 devfn=%dx:u32 reg=%cx:s32 len=%r8:s32"
    static let probes: [(name: String, definition: String)] = {
        var list: [(String, String)] = []
        for (prefix, symbol) in [("conf1", "pci_conf1"), ("mmcfg", "pci_mmcfg")] {
            list.append(("\(prefix)_read", "p:pcitime/\(prefix)_read \(symbol)_read \(args)"))
            list.append(("\(prefix)_read_ret", "r:pcitime/\(prefix)_read_ret \(symbol)_read ret=$retval:s32"))
            list.append(("\(prefix)_write", "p:pcitime/\(prefix)_write \(symbol)_write \(args) val=%r9:x32"))
            list.append(("\(prefix)_write_ret", "r:pcitime/\(prefix)_write_ret \(symbol)_write ret=$retval:s32"))
        }
        return list
    }()

    /// The same probes as the boot parameter `kprobe_event=` (definitions
    /// separated by ';', spaces replaced by ','). The kernel arms those in
    /// `init_kprobe_trace`, an fs_initcall, after pci_subsys_init (a
    /// subsys_initcall) has scanned the root buses: the trace then shows the
    /// drivers' probes and everything later, not the core enumeration. They
    /// write to the top-level buffer (/sys/kernel/tracing/trace), which
    /// `pcitime trace --from` and `pcitime boot --trace` read.
    /// Their own group, so `pcitime trace` still arms its probes (group
    /// `pcitime`) on a kernel booted with them.
    package static let bootGroup = "pcitime_boot"
    package static var bootParameter: String {
        "kprobe_event=" + probes.map { $0.definition.replacingOccurrences(of: ":pcitime/", with: ":\(bootGroup)/").replacingSpaces(with: ",") }
            .joined(separator: ";")
    }

    package let tracefs: String
    let instance: String
    package private(set) var armed: [String] = []
    /// Optional probes the kernel refused, with its error_log line.
    package private(set) var skipped: [(probe: String, why: String)] = []
    var closed = false

    /// Registers the probes and a private instance; throws (after undoing
    /// what it did) when a required probe cannot be placed.
    package init(tracefs: String) throws {
        self.tracefs = tracefs
        self.instance = tracefs + "/instances/pcitime-\(getpid())"
        do {
            try Self.removeStale(tracefs: tracefs)
            for p in Self.probes {
                do {
                    try Tracefs.write(tracefs + "/kprobe_events", p.definition + "\n", append: true)
                    armed.append(p.name)
                } catch let e as PCITimeError {
                    // error_log: "[time] trace_kprobe: error: WHY", "  Command: ...", a caret line.
                    // Unreadable, it adds nothing to the write's own error.
                    let lines = ((try? Tracefs.read(tracefs + "/error_log")) ?? nil)?.split(separator: "\n") ?? []
                    let log = lines.last { $0.containsText("error:") }.map { l in String(l.range(ofText: "error:").map { l[$0.upperBound...] } ?? l).trimmed } ?? "\(e)"
                    skipped.append((p.name, log))
                }
            }
            // A mechanism whose functions are missing (a kernel without
            // MMCONFIG has no pci_mmcfg_read) is reported, not fatal; no
            // access probe at all is.
            if !armed.contains(where: { !$0.hasSuffix("_ret") }) {
                let why = skipped.map { "\($0.probe): \($0.why)" }.joined(separator: "; ")
                throw PCITimeError.unavailable("kernel tracing", "no access probe could be placed on pci_conf1_read/write or pci_mmcfg_read/write (\(why)); "
                    + "check /proc/kallsyms and \(tracefs)/available_filter_functions for the names this kernel has")
            }
            if mkdir(instance, 0o755) != 0 && errno != EEXIST { throw PCITimeError.system(instance, errno) }
            try? Tracefs.write(instance + "/buffer_size_kb", "16384")
        } catch {
            close()
            throw error
        }
    }

    /// Clears the instance's buffer and enables the probes in it.
    package func start() throws {
        try Tracefs.write(instance + "/trace", "")
        for name in armed { try Tracefs.write(instance + "/events/pcitime/\(name)/enable", "1") }
        try Tracefs.write(instance + "/tracing_on", "1")
    }

    /// Disables the probes and returns the instance's `trace` text.
    package func stop() throws -> String {
        try? Tracefs.write(instance + "/tracing_on", "0")
        for name in armed { try? Tracefs.write(instance + "/events/pcitime/\(name)/enable", "0") }
        guard let text = try Tracefs.read(instance + "/trace") else { throw PCITimeError.system(instance + "/trace", errno) }
        return text
    }

    /// Disables, removes the instance and every probe pcitime added.
    package func close() {
        guard !closed else { return }
        closed = true
        Self.remove(instance: instance, tracefs: tracefs, probes: armed)
        armed = []
    }

    /// What is left of this session in tracefs (empty once closed): probes
    /// still in kprobe_events, the instance directory.
    package var leftovers: [String] {
        var left: [String]
        do {
            left = (try Tracefs.read(tracefs + "/kprobe_events") ?? "").split(separator: "\n").filter { $0.containsText("pcitime/") }.map(String.init)
        } catch {
            // Unread, the probes may still be there: say so, not nothing.
            left = ["pcitime's probes, if any (\(error))"]
        }
        if access(instance, F_OK) == 0 { left.append(instance) }
        return left
    }

    static func remove(instance: String, tracefs: String, probes: [String]) {
        for name in probes { try? Tracefs.write(instance + "/events/pcitime/\(name)/enable", "0") }
        rmdir(instance)
        for name in probes.reversed() { try? Tracefs.write(tracefs + "/kprobe_events", "-:pcitime/\(name)\n", append: true) }
    }

    /// A pcitime killed with SIGKILL (the one exit no handler sees) leaves
    /// its instance and probes behind; they are removed when that process is
    /// gone. Probes of a pcitime that is still running are left alone.
    static func removeStale(tracefs: String) throws {
        let existing = (try Tracefs.read(tracefs + "/kprobe_events") ?? "").split(separator: "\n").filter { $0.containsText(":pcitime/") }
        guard !existing.isEmpty else { return }
        var running: [String] = []
        for name in Tracefs.names(in: tracefs + "/instances") {
            guard name.hasPrefix("pcitime-"), let pid = pid_t(name.dropFirst(8)) else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { running.append(name); continue }
            remove(instance: tracefs + "/instances/" + name, tracefs: tracefs, probes: probes.map(\.name))
        }
        if !running.isEmpty {
            throw PCITimeError.unavailable("kernel tracing", "another pcitime trace is running (\(running.joined(separator: ", ")) in \(tracefs)/instances); wait for it to end")
        }
        remove(instance: "/nonexistent", tracefs: tracefs, probes: probes.map(\.name))
    }

    deinit { close() }
}

/// What the kernel is asked to do while the probes are armed.
package enum TraceWindow: Sendable, Equatable {
    /// Run a command and wait for it.
    case command([String])
    /// Remove one device and rescan the bus: the kernel enumerates it again.
    case rescan(PCIAddress)
    /// Unbind the device's driver and bind it again: the driver's probe.
    case rebind(PCIAddress)

    package var description: String {
        switch self {
        case .command(let argv): return "command: " + argv.joined(separator: " ")
        case .rescan(let a): return "rescan of \(a)"
        case .rebind(let a): return "rebind of \(a)"
        }
    }

    /// Refuses (unless `force`) to remove the device under the root
    /// filesystem; checks the device exists and, for rebind, has a driver.
    package func validate(sysfs: String = "/sys", force: Bool) throws {
        switch self {
        case .command(let argv):
            if argv.isEmpty { throw PCITimeError.usage("give a command after --, or --rescan BDF or --rebind BDF") }
        case .rescan(let a), .rebind(let a):
            let dir = sysfs + "/bus/pci/devices/\(a)"
            guard access(dir, F_OK) == 0 else { throw PCITimeError.missing(dir, "no such PCI device") }
            if case .rebind = self, Self.driver(of: a, sysfs: sysfs) == nil {
                throw PCITimeError.usage("--rebind \(a): the device has no driver bound")
            }
            if !force, let path = Self.rootDevicePath(sysfs: sysfs), path.containsText("/\(a)/") {
                throw PCITimeError.usage("\(a) holds the root filesystem (\(path)); removing it would take / away. Pass --force to do it anyway")
            }
        }
    }

    /// Performs the window; returns the command's exit status (0 otherwise).
    package func perform(sysfs: String = "/sys") throws -> Int32 {
        switch self {
        case .command(let argv):
            return try Subprocess.run(argv)
        case .rescan(let a):
            try Tracefs.write(sysfs + "/bus/pci/devices/\(a)/remove", "1")
            try Tracefs.write(sysfs + "/bus/pci/rescan", "1")
            return 0
        case .rebind(let a):
            guard let driver = Self.driver(of: a, sysfs: sysfs) else { throw PCITimeError.missing("\(a)/driver", "no driver bound") }
            try Tracefs.write(sysfs + "/bus/pci/drivers/\(driver)/unbind", a.description)
            try Tracefs.write(sysfs + "/bus/pci/drivers/\(driver)/bind", a.description)
            return 0
        }
    }

    static func driver(of a: PCIAddress, sysfs: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(sysfs + "/bus/pci/devices/\(a)/driver", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let target = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return target.split(separator: "/").last.map(String.init)
    }

    /// The sysfs device path of the block device holding `/`, e.g.
    /// /sys/devices/pci0000:00/0000:00:02.0/virtio1/block/vda.
    static func rootDevicePath(sysfs: String) -> String? {
        var st = stat()
        guard stat("/", &st) == 0 else { return nil }
        let major = (st.st_dev >> 8) & 0xfff, minor = (st.st_dev & 0xff) | ((st.st_dev >> 12) & 0xfff00)
        var buffer = [CChar](repeating: 0, count: 4096)
        let link = sysfs + "/dev/block/\(major):\(minor)"
        guard realpath(link, &buffer) != nil else { return nil }
        let path = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path + "/"
    }
}

extension String {
    func replacingSpaces(with c: Character) -> String { String(map { $0 == " " ? c : $0 }) }
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        var out = "", rest = Substring(self)
        while let r = rest.range(ofText: target) { out += rest[..<r.lowerBound] + replacement; rest = rest[r.upperBound...] }
        return out + rest
    }
    var trimmed: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}
