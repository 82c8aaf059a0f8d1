#if canImport(Glibc)
import Glibc
#endif
import Enumerator

/// pcitime's kprobes, armed in a private tracefs instance so the global
/// buffer is left alone. Every path out removes them: `close()` is
/// idempotent and `deinit` calls it.
public final class KprobeSession {
    /// x86-64 SysV argument registers: raw_pci_read(domain, bus, devfn, reg,
    /// len, *val) and raw_pci_write(domain, bus, devfn, reg, len, val).
    static let probes: [(name: String, definition: String, required: Bool)] = [
        ("raw_read", "p:pcitime/raw_read raw_pci_read seg=%di:u32 bus=%si:u32 devfn=%dx:u32 reg=%cx:s32 len=%r8:s32", true),
        ("raw_read_ret", "r:pcitime/raw_read_ret raw_pci_read ret=$retval:s32", true),
        ("raw_write", "p:pcitime/raw_write raw_pci_write seg=%di:u32 bus=%si:u32 devfn=%dx:u32 reg=%cx:s32 len=%r8:s32 val=%r9:x32", true),
        ("raw_write_ret", "r:pcitime/raw_write_ret raw_pci_write ret=$retval:s32", true),
        // Which mechanism served the access: fire between entry and return.
        ("conf1_read", "p:pcitime/conf1_read pci_conf1_read", false),
        ("conf1_write", "p:pcitime/conf1_write pci_conf1_write", false),
        ("mmcfg_read", "p:pcitime/mmcfg_read pci_mmcfg_read", false),
        ("mmcfg_write", "p:pcitime/mmcfg_write pci_mmcfg_write", false),
    ]

    public let tracefs: String
    let instance: String
    public private(set) var armed: [String] = []
    /// Optional probes the kernel refused, with its error_log line.
    public private(set) var skipped: [(probe: String, why: String)] = []
    var closed = false

    /// Registers the probes and a private instance; throws (after undoing
    /// what it did) when a required probe cannot be placed.
    public init(tracefs: String) throws {
        self.tracefs = tracefs
        self.instance = tracefs + "/instances/pcitime-\(getpid())"
        do {
            for p in Self.probes {
                do {
                    try Tracefs.write(tracefs + "/kprobe_events", p.definition + "\n", append: true)
                    armed.append(p.name)
                } catch let e as PCITimeError {
                    let log = Tracefs.read(tracefs + "/error_log")?.split(separator: "\n").last.map(String.init) ?? "\(e)"
                    if p.required { throw PCITimeError.unavailable("kprobe \(p.name)", "the kernel refused it: \(log)") }
                    skipped.append((p.name, log))
                }
            }
            if mkdir(instance, 0o755) != 0 && errno != EEXIST { throw PCITimeError.system(instance, errno) }
            try? Tracefs.write(instance + "/buffer_size_kb", "16384")
        } catch {
            close()
            throw error
        }
    }

    /// Clears the instance's buffer and enables the probes in it.
    public func start() throws {
        try Tracefs.write(instance + "/trace", "")
        for name in armed { try Tracefs.write(instance + "/events/pcitime/\(name)/enable", "1") }
        try Tracefs.write(instance + "/tracing_on", "1")
    }

    /// Disables the probes and returns the instance's `trace` text.
    public func stop() throws -> String {
        try? Tracefs.write(instance + "/tracing_on", "0")
        for name in armed { try? Tracefs.write(instance + "/events/pcitime/\(name)/enable", "0") }
        guard let text = Tracefs.read(instance + "/trace") else { throw PCITimeError.system(instance + "/trace", errno) }
        return text
    }

    /// Disables, removes the instance and every probe pcitime added.
    public func close() {
        guard !closed else { return }
        closed = true
        for name in armed { try? Tracefs.write(instance + "/events/pcitime/\(name)/enable", "0") }
        rmdir(instance)
        for name in armed.reversed() { try? Tracefs.write(tracefs + "/kprobe_events", "-:pcitime/\(name)\n", append: true) }
        armed = []
    }

    deinit { close() }
}

/// What the kernel is asked to do while the probes are armed.
public enum TraceWindow: Sendable, Equatable {
    /// Run a command and wait for it.
    case command([String])
    /// Remove one device and rescan the bus: the kernel enumerates it again.
    case rescan(PCIAddress)
    /// Unbind the device's driver and bind it again: the driver's probe.
    case rebind(PCIAddress)

    public var description: String {
        switch self {
        case .command(let argv): return "command: " + argv.joined(separator: " ")
        case .rescan(let a): return "rescan of \(a)"
        case .rebind(let a): return "rebind of \(a)"
        }
    }

    /// Refuses (unless `force`) to remove the device under the root
    /// filesystem; checks the device exists and, for rebind, has a driver.
    public func validate(sysfs: String = "/sys", force: Bool) throws {
        switch self {
        case .command(let argv):
            if argv.isEmpty { throw PCITimeError.usage("give a command after --, or --rescan BDF or --rebind BDF") }
        case .rescan(let a), .rebind(let a):
            let dir = sysfs + "/bus/pci/devices/\(a)"
            guard access(dir, F_OK) == 0 else { throw PCITimeError.missing(dir, "no such PCI device") }
            if case .rebind = self, Self.driver(of: a, sysfs: sysfs) == nil {
                throw PCITimeError.usage("--rebind \(a): the device has no driver bound")
            }
            if !force, let path = Self.rootDevicePath(sysfs: sysfs), path.contains("/\(a)/") {
                throw PCITimeError.usage("\(a) holds the root filesystem (\(path)); removing it would take / away. Pass --force to do it anyway")
            }
        }
    }

    /// Performs the window; returns the command's exit status (0 otherwise).
    public func perform(sysfs: String = "/sys") throws -> Int32 {
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
