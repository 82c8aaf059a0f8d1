#if canImport(Glibc)
import Glibc
#endif

/// `pcitime capture`: a captured tree of this machine that a later `--root` run
/// reads exactly as it reads the live system. Everything is read-only; the
/// tree is written to a temporary folder beside the target and renamed into
/// place, so a failure leaves nothing behind.
///
/// Layout (mirrors the live paths):
///   SOURCE                                   one line: what produced it and how
///   sys/bus/pci/devices/BDF/{config,vendor,device,class,revision,
///       subsystem_vendor,subsystem_device,irq,resource,driver,driver_module}
///       (driver and driver_module: the names the live links point to, as text)
///   sys/firmware/acpi/tables/MCFG            when the firmware has one
///   proc/iomem, proc/cmdline, dmesg.txt
///   sys/kernel/tracing/{snapshot|trace}      the boot census's trace, when its
///                                            tracer ran at boot (`BootTrace`)
package struct Capture {
    /// Kernel parameters pcitime interprets outside the boot census;
    /// `redact` keeps only these and `bootTrace.parameters`.
    package static let keptParameters: Set<String> = [
        "pci", "iomem", "initcall_debug", "kprobe_event", "printk.time", "acpi", "tsc_early_khz", "pcie_ports", "pcie_aspm",
    ]
    static let deviceFiles = ["config", "vendor", "device", "class", "revision", "subsystem_vendor", "subsystem_device", "irq", "resource"]

    /// What a capture keeps of the boot census. BootProfiler owns these
    /// facts (`KernelParams.capture`) and this library cannot import it,
    /// so the caller hands them in.
    package struct BootTrace: Sendable {
        /// Kernel parameters the census boots with: redaction keeps them.
        package var parameters: Set<String>
        /// The tracers (`current_tracer`) whose trace is the census's.
        package var tracers: Set<String>
        /// The trace files under the tracing folder, in order of preference:
        /// the first that holds entries is kept.
        package var files: [String]

        package init(parameters: Set<String>, tracers: Set<String>, files: [String]) {
            self.parameters = parameters
            self.tracers = tracers
            self.files = files
        }

        /// No census: its parameters are redacted and no trace is kept.
        package static let none = BootTrace(parameters: [], tracers: [], files: [])
    }

    package var source: String
    package var redact: Bool
    package var root: String
    package var bootTrace: BootTrace
    /// Polled before every file written: a signal number stops the capture,
    /// which then removes its temporary folder and throws `.interrupted`.
    package var stopRequested: () -> Int32? = { nil }

    package init(source: String, redact: Bool = true, root: String = "/", bootTrace: BootTrace = .none) {
        self.source = source
        self.redact = redact
        self.root = root
        self.bootTrace = bootTrace
    }

    /// The SOURCE line when none is given: the command and the kernel release.
    package static func defaultSource(out: String) -> String {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        return "captured with 'pcitime capture --out \(out)' on Linux \(release)"
    }

    /// Writes the capture to `out`, which must not exist yet.
    /// `kernelLog` is the log kept as `dmesg.txt`: by default the captured
    /// machine's own (`KernelLogSource.of` its root).
    package func write(to out: String, kernelLog: KernelLogSource? = nil) throws {
        guard out != "-" else { throw PCITimeError.usage("capture: --out names a folder to create; standard output cannot hold one") }
        var st = stat()
        guard lstat(out, &st) != 0 else { throw PCITimeError.usage("capture: \(out) already exists; give a new folder") }
        // "a/b/" -> parent "a", name "b"; the temporary folder goes beside it.
        var path = Substring(out)
        while path.count > 1 && path.hasSuffix("/") { path = path.dropLast() }
        let (folder, name) = path.folderAndName
        let parent = folder ?? ""
        // Only the last component is created: a missing parent is a typo more often than a wish.
        guard parent.isEmpty || FileContents.kind(parent) == .directory else {
            throw PCITimeError.missing(parent, "no such directory (capture --out creates only the last component)")
        }
        let tmp = (parent.isEmpty ? "." : parent) + "/." + name + ".partial-\(getpid())"
        do {
            try fill(tmp, kernelLog: kernelLog ?? .of(MachineRoot(root)))
            try checkStop()
            guard rename(tmp, out) == 0 else { throw PCITimeError.system(out, errno) }
        } catch {
            Capture.remove(tmp)
            if let signal = stopRequested() { throw PCITimeError.interrupted(signal) }
            throw error
        }
    }

    /// A file of the machine captured, read as every reader reads it (inside
    /// a tree, regular files only, bounded); nil when it cannot be read.
    func read(_ relative: String, limit: Int = MachineRoot.attributeLimit) -> [UInt8]? {
        (try? MachineRoot(root).bytes(relative, limit: limit, what: "a file to capture")) ?? nil
    }

    func fill(_ tmp: String, kernelLog: KernelLogSource) throws {
        let machine = MachineRoot(root)
        guard let names = machine.names(inDirectory: MachineRoot.devices) else {
            throw PCITimeError.missing(machine.path(MachineRoot.devices), "no PCI devices directory to capture")
        }
        for name in names.sorted() where PCIAddress(name) != nil {
            let from = MachineRoot.devices + "/" + name
            let to = tmp + "/" + MachineRoot.devices + "/" + name
            try makeDirectory(to)
            for file in Capture.deviceFiles {
                guard var data = read(from + "/" + file) else {
                    if file == "config" { throw PCITimeError.permission(machine.path(from + "/config"), "cannot read: run as root") }
                    continue
                }
                if file == "config" && redact { data = Capture.maskSerialNumber(data) }
                try put(data, to + "/" + file)
            }
            if let driver = machine.linkName(from + "/driver") {
                try put(Array((driver + "\n").utf8), to + "/driver")
            }
            if let module = machine.linkName(from + "/driver/module") {
                try put(Array((module + "\n").utf8), to + "/driver_module")
            }
        }
        if let data = read(MachineRoot.mcfg, limit: MCFG.sizeLimit) {
            try makeDirectory(tmp + "/" + MachineRoot.mcfg.folderAndName.folder!)
            try put(data, tmp + "/" + MachineRoot.mcfg)
        }
        try makeDirectory(tmp + "/proc")
        for file in [MachineRoot.iomem, MachineRoot.cmdline] {
            guard let bytes = read(file, limit: MachineRoot.iomemLimit) else { continue }
            var text = String(decoding: bytes, as: UTF8.self)
            if redact && file == MachineRoot.cmdline {
                text = Capture.redactCommandLine(String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()), keeping: bootTrace.parameters) + "\n"
            }
            try put(Array(text.utf8), tmp + "/" + file)
        }
        try saveBootTrace(tmp)
        let log = try kernelLog.text()
        try put(Array((redact ? Capture.redactKernelLog(log, keeping: bootTrace.parameters) : log).utf8), tmp + "/" + MachineRoot.kernelLog)
        try put(Array((source + "\n").utf8), tmp + "/SOURCE")
    }

    /// The boot census's trace, when its tracer ran at boot: the first of
    /// `bootTrace.files` that holds entries (read only; tracefs is not
    /// mounted or changed here).
    func saveBootTrace(_ tmp: String) throws {
        let dir = MachineRoot.tracing
        guard let tracer = read(dir + "/current_tracer").map({ String(decoding: $0, as: UTF8.self) }),
              bootTrace.tracers.contains(tracer.filter { !$0.isWhitespace }) else { return }
        for name in bootTrace.files {
            // tracefs prints the whole ring buffer (trace_buf_size per CPU) as text.
            guard let data = read(dir + "/" + name, limit: 1 << 30),
                  String(decoding: data.prefix(4096), as: UTF8.self).split(separator: "\n").contains(where: { !$0.hasPrefix("#") && !$0.isEmpty }) else { continue }
            try makeDirectory(tmp + "/" + dir)
            try put(data, tmp + "/" + dir + "/" + name)
            return
        }
    }

    func makeDirectory(_ path: String) throws {
        var made = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/") {
            made += part
            guard mkdir(made, 0o777) == 0 || errno == EEXIST else { throw PCITimeError.system(made, errno) }
            made += "/"
        }
    }

    func checkStop() throws {
        if let signal = stopRequested() { throw PCITimeError.interrupted(signal) }
    }

    func put(_ data: [UInt8], _ path: String) throws {
        try checkStop()
        try OutputFile.create(bytes: data, at: path)
    }

    /// Removes the partial tree this capture wrote (it made every file in it).
    static func remove(_ path: String) {
        guard unlink(path) != 0, errno == EISDIR else { return }
        for name in FileContents.names(inDirectory: path) ?? [] { remove(path + "/" + name) }
        rmdir(path)
    }

    /// Keeps only the parameters pcitime interprets (`keptParameters` and
    /// `census`), and drops everything after `--` (the init's arguments).
    package static func redactCommandLine(_ line: String, keeping census: Set<String> = []) -> String {
        var kept: [Substring] = []
        for word in line.split(separator: " ") {
            if word == "--" { break }
            let key = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            if keptParameters.contains(key) || census.contains(key) { kept.append(word) }
        }
        return kept.joined(separator: " ")
    }

    /// Redacts command lines, drops the init's arguments and environment, and
    /// masks MAC addresses and serial numbers.
    package static func redactKernelLog(_ text: String, keeping census: Set<String> = []) -> String {
        var out = ""
        var afterInit = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let message = line.firstIndex(of: "]").map { line[line.index(after: $0)...].dropFirst() } ?? line[...]
            if afterInit && message.hasPrefix("  ") { continue }
            afterInit = message.containsText(" as init process")
            var l = String(line)
            if let r = l.range(ofText: "Command line: ") ?? l.range(ofText: "command line: ") {
                l = String(l[..<r.upperBound]) + redactCommandLine(String(l[r.upperBound...]), keeping: census)
            }
            l = maskMACAddresses(l)
            l = maskSerialNumbers(l)
            out += l + "\n"
        }
        if out.hasSuffix("\n\n") { out.removeLast() }
        return out
    }

    /// Zeroes the serial number of every Device Serial Number extended
    /// capability (ID 0x0003), found by the decoder's own chain walk.
    static func maskSerialNumber(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count > 0x104 else { return bytes }
        let chain = (try? ConfigDecoder.extendedCapabilityChain(BytesSource(bytes)))?.capabilities ?? []
        var b = bytes
        for cap in chain where cap.id == 0x0003 && cap.offset + 12 <= b.count {
            for i in 4..<12 { b[cap.offset + i] = 0 }
        }
        return b
    }
}
