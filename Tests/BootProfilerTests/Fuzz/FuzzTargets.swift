// The fuzz targets' bodies, one case each. fuzz/TARGET.swift is libFuzzer's
// entry point for `FuzzTarget.TARGET` (scripts/fuzz compiles this file into
// every fuzzer), and the tests compile it too: a body that stops building
// fails `swift build --build-tests`, and every input a fuzzer crashed on
// (fuzz/regressions/TARGET/) and every seed (fuzz/corpus/TARGET/) is run
// through the same body by FuzzRegressionTests. Foundation-free: the
// fuzzers link only the libraries.
import Glibc
@testable import BootProfiler
@testable import Enumerator

enum FuzzTarget: String, CaseIterable {
    /// The MCFG parser and the other ECAM sources (`/proc/iomem` text, the
    /// kernel log's ECAM lines, `--ecam` values).
    case mcfg
    /// The config-space decoder on an image of any size, and the lspci views over it.
    case config
    /// The kernel-log parser through its file entry point, the cost model and every renderer.
    case kernellog
    /// The kprobe trace parser through its file entry point, with TraceIntegrity, then the counts.
    case trace
    /// The boot census's ftrace parser, the census against a small log, its pricing and renderers.
    case ftrace
    /// A captured tree from an archive, scanned and read as `--root` reads it.
    case fixture
    /// Reading inside a captured tree with links in and out of it, FIFOs, folders (MachineRoot).
    case tree
    /// Trace integrity: a trace checked as a saved one is, then against a real kernel log (TraceFit).
    case integrity
    /// The JSON files boot reads back: a `--baseline` (an earlier boot's --json) compared with a
    /// small boot, and the same bytes as a `--latency` file (scan, compare or boot JSON).
    case baseline

    func run(_ bytes: [UInt8]) {
        switch self {
        case .mcfg: Self.mcfg(bytes)
        case .config: Self.config(bytes)
        case .kernellog: Self.kernellog(bytes)
        case .trace: Self.trace(bytes)
        case .ftrace: Self.ftrace(bytes)
        case .fixture: Self.fixture(bytes)
        case .tree: Self.tree(bytes)
        case .integrity: Self.integrity(bytes)
        case .baseline: Self.baseline(bytes)
        }
    }

    // MARK: shared

    /// The repository (fixtures/), from the fuzzer's working directory or this file's place.
    static let repo: String = {
        if let r = getenv("PCITIME_FUZZ_REPO") { return String(cString: r) }
        var p = Substring(#filePath)
        for _ in 0..<4 { p = p[..<(p.lastIndex(of: "/") ?? p.startIndex)] }
        return String(p)
    }()
    static let scratch = (getenv("PCITIME_FUZZ_TMP").map { String(cString: $0) } ?? "/tmp") + "/pcitime-fuzz-\(getpid())"
    // A fuzzer, and the replay test (serialized), run one input at a time.
    nonisolated(unsafe) static let numeric = Names(numeric: true)
    nonisolated(unsafe) static let text = LspciText(names: numeric, ids: .both)
    static let latencies = [LatencyEstimate(mechanism: .type1, nanoseconds: 1000, provenance: .modelled("fuzz")),
                            LatencyEstimate(mechanism: .ecam, nanoseconds: 500, provenance: .modelled("fuzz"))]

    /// For targets whose entry point reads a file: one unlinked file per
    /// process, rewritten with each input and read back through /proc/self/fd,
    /// so nothing accumulates on disk.
    static let inputFD: Int32 = {
        let path = "/dev/shm/pcitime-fuzz-input-\(getpid())"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        unlink(path)
        return fd
    }()

    static func holding(_ bytes: ArraySlice<UInt8>) -> String {
        precondition(inputFD >= 0 && ftruncate(inputFD, 0) == 0)
        precondition(bytes.withUnsafeBytes { pwrite(inputFD, $0.baseAddress, $0.count, 0) } == bytes.count)
        return "/proc/self/fd/\(inputFD)"
    }

    /// rm -r of a scratch tree (modes restored first).
    static func remove(_ path: String) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        if st.st_mode & S_IFMT == S_IFDIR {
            chmod(path, 0o755)
            for n in FileContents.names(inDirectory: path) ?? [] { remove(path + "/" + n) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    static func makeParents(_ p: String) {
        var made = ""
        for part in p.split(separator: "/").dropLast() {
            made += "/" + part
            mkdir(made, 0o755)
        }
    }

    static func put(_ path: String, _ bytes: ArraySlice<UInt8>) {
        makeParents(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    // MARK: the bodies

    static func mcfg(_ bytes: [UInt8]) {
        var windows: [ECAMWindow] = []
        if let m = try? MCFG(bytes: bytes, file: "MCFG") {
            windows += m.windows
            _ = m.lookup(segment: 0, bus: 0)
        }
        // The table as read from a file: as far as its header says.
        if let m = try? MCFG(bytes: (try? MCFG.read(fd: inputFD, name: holding(bytes[...]))) ?? [], file: "MCFG") { windows += m.windows }
        // The same bytes as a table whose signature, length and checksum are
        // right, so the fuzzer reaches the entries' checks.
        if bytes.count >= 36 {
            var t = bytes
            t.replaceSubrange(0..<4, with: Array("MCFG".utf8))
            for i in 0..<4 { t[4 + i] = UInt8(truncatingIfNeeded: t.count >> (8 * i)) }
            t[9] = 0
            t[9] = 0 &- t.reduce(0, &+)
            if let m = try? MCFG(bytes: t, file: "MCFG") {
                windows += m.windows
                _ = m.lookup(segment: 0, bus: 255)
            }
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let iomem = IOMem(text: text)
        windows += iomem.ecamWindows
        windows += ecamWindows(inKernelLog: text)
        if let w = try? ECAMDiscovery.parseOverride(text) { windows.append(w) }
        for w in windows {
            // What ECAMAccess and `pcitime mcfg` compute from a window.
            _ = w.firstAddress; _ = w.lastAddress; _ = w.size
            _ = iomem.ram(overlapping: w.firstAddress, w.lastAddress)
            _ = w.address(PCIAddress(segment: w.segment, bus: w.endBus, device: 31, function: 7), offset: 4092)
        }
    }

    static func config(_ bytes: [UInt8]) {
        let a = PCIAddress(segment: 0, bus: 0, device: 3, function: 0)
        guard let f = try? ConfigDecoder.decode(a, BytesSource(bytes)) else { return }
        _ = text.describe(f)
        _ = text.describe(f, verbose: true)
        _ = ScanTree.render([f], names: text)
    }

    static func kernellog(_ bytes: [UInt8]) {
        guard let p = try? KernelLog.profile(path: holding(bytes[...])) else { return }
        let counts = AccessCounts(provenance: .modelled("fuzz"), devices: [], empty: [], baseMechanism: .type1, extendedMechanism: .ecam)
        let prices = Pricing.price(PricingInput(profile: p, counts: counts, book: LatencyBook(latencies)))
        _ = TableRenderer.render(source: "fuzz", profile: p, prices: prices, counts: counts, tracing: nil)
        _ = BootSummary.line(profile: p, prices: prices, counts: counts)
        _ = BootMetrics.render(profile: p, counts: counts, prices: prices)
        _ = PerfettoRenderer.render(p, counts: counts)
        _ = SVGRenderer.render(p, title: "fuzz")
    }

    static func trace(_ bytes: [UInt8]) {
        guard let (accesses, parser) = try? TraceFile.parse(holding(bytes[...])) else { return }
        let present = parser.present ?? TraceCounts.inferredPresent(accesses)
        let counts = TraceCounts.counts(accesses, present: present, base: .type1, extended: .ecam, source: "fuzz")
        _ = TraceRenderer.render(window: parser.window ?? "fuzz", counts: counts, latencies: TraceCounts.latencies(accesses, source: "fuzz"),
                                 parser: parser, skipped: [])
    }

    /// A small log with a scan, two devices, a driver and init: every census path.
    static let censusLog: BootProfile = {
        do {
            return try KernelLog.profile(text: """
                [    0.100000] Linux version 6.1.0 (fuzz)
                [    0.500000] PCI: Using configuration type 1 for base access
                [    1.000000] PCI host bridge to bus 0000:00
                [    1.001000] pci 0000:00:00.0: [8086:29c0] type 00 class 0x060000
                [    1.002000] pci 0000:00:05.0: [1b36:000c] type 01 class 0x060400
                [    1.003000] pci 0000:01:00.0: [1af4:1044] type 00 class 0x00ff00
                [    1.004000] pci_bus 0000:00: resource 4 [io  0x0000-0x0cf7 window]
                [    1.500000] virtio-pci 0000:01:00.0: enabling device (0000 -> 0002)
                [    2.000000] Run /init as init process
                """)
        } catch { fatalError("the census log: \(error)") }
    }()

    static func ftrace(_ bytes: [UInt8]) {
        guard let r = try? CensusReport.load(files: [holding(bytes[...])], root: .live, live: false, profile: censusLog) else { return }
        var input = PricingInput(profile: censusLog, counts: r.counts, book: LatencyBook(latencies + r.latencyEstimates))
        input.knownAnswerWrites = r.knownAnswerWrites
        input.tracer = r.tracerCost(absentBusNs: 1000)
        let prices = Pricing.price(input)
        _ = CensusTable.render(r, prices: prices, profile: censusLog)
        _ = BootMetrics.render(profile: censusLog, counts: r.counts, prices: prices, census: r)
        _ = PerfettoRenderer.render(censusLog, counts: r.counts, census: r)
        _ = SVGRenderer.render(censusLog, title: "fuzz", census: r)
    }

    static func baseline(_ bytes: [UInt8]) {
        let path = holding(bytes[...])
        if let b = try? Baseline.load(path: path) {
            let counts = AccessCounts(provenance: .modelled("fuzz"), devices: [], empty: [], baseMechanism: .type1, extendedMechanism: .ecam)
            let c = BaselineComparison.compare(profile: censusLog, counts: counts, census: nil, with: [b, b])
            _ = BaselineTable.render(c)
            var input = PricingInput(profile: censusLog, counts: counts, book: LatencyBook(latencies))
            input.untracedBoot = Baseline.untracedBoot([b])
            _ = BootMetrics.render(profile: censusLog, counts: counts, prices: Pricing.price(input), baseline: c)
            _ = c.exceeding(0.1)
        }
        if let l = try? LatencyInput.load(path: path) { _ = LatencyBook(l + latencies) }
    }

    /// Archive: records of [kind: 1 byte][length: 2 bytes, little endian][bytes].
    ///   kind % 16:  0-7  config file of function k (one of `functions`)
    ///               8    sys/firmware/acpi/tables/MCFG
    ///               9    proc/iomem
    ///               10   dmesg.txt
    ///               11   a symbolic link as function (byte 0 % 8)'s config:
    ///                    to itself (a loop), to its own folder, to nowhere
    ///               12   function (byte 0 % 8)'s folder with no config file
    ///               13   a config that is a folder
    ///               14   an entry of any name in the devices folder
    ///               15   a config file that cannot be read (mode 000)
    static let functions = ["0000:00:00.0", "0000:00:01.0", "0000:00:02.0", "0000:00:1f.0",
                            "0000:00:1f.3", "0000:01:00.0", "0000:02:00.0", "0000:00:03.0"]

    static func fixture(_ b: [UInt8]) {
        let base = scratch + "-fixture"
        remove(base)
        let devices = base + "/" + MachineRoot.devices
        makeParents(devices + "/x")
        var i = 0
        while i + 3 <= b.count {
            let kind = Int(b[i] & 15), n = Int(b[i + 1]) | Int(b[i + 2]) << 8
            let body = b[(i + 3)..<min(i + 3 + n, b.count)]
            i += 3 + n
            let which = functions[Int(body.first ?? 0) % 8]
            switch kind {
            case 0...7: put(devices + "/" + functions[kind] + "/config", body)
            case 8: put(base + "/" + MachineRoot.mcfg, body)
            case 9: put(base + "/" + MachineRoot.iomem, body)
            case 10: put(base + "/" + MachineRoot.kernelLog, body)
            case 11:
                let dir = devices + "/" + which
                mkdir(dir, 0o755)
                let target = [dir + "/config", dir, base + "/nowhere"][Int(body.dropFirst().first ?? 0) % 3]
                _ = symlink(target, dir + "/config")
            case 12: mkdir(devices + "/" + which, 0o755)
            case 13: makeParents(devices + "/" + which + "/config/x"); mkdir(devices + "/" + which + "/config", 0o755)
            case 14:
                let name = String(decoding: body.filter { $0 != 0x2f && $0 != 0 }.prefix(64), as: UTF8.self)
                if !name.isEmpty && name != "." && name != ".." { mkdir(devices + "/" + name, 0o755) }
            default:
                put(devices + "/" + which + "/config", body.dropFirst())
                chmod(devices + "/" + which + "/config", 0)
            }
        }
        let options = MethodOptions(root: base)
        if let r = try? Scanner.scan(method: "sysfs", options: options, timer: AccessTimer(source: .clockMonotonic)) {
            _ = ScanTable.render(r, text: text)
            _ = ScanTree.render(r.walk.functions, names: text)
            _ = ScanListing(text: text, verbose: 1, kernel: true).render(r)
            _ = ScanListing(text: text).machine(r)
            _ = ScanJSON(r, names: numeric).encoded()
        }
        if let report = try? MCFGReport(options: options) { _ = report.render() }
        _ = try? KernelLog.profile(root: MachineRoot(base))
    }

    /// Path words: the layout's own names, "..", "." and "" (so "/" and
    /// trailing slashes), and a way out.
    static let words = ["sys", "bus", "pci", "devices", "0000:00:00.0", "0000:00:01.0", "config", "irq", "resource", "driver",
                        "firmware", "acpi", "tables", "MCFG", "proc", "iomem", "dmesg.txt", "kernel", "tracing", "snapshot",
                        "..", ".", "", "etc", "passwd", "x"]
    /// The paths the readers open, and a few more.
    static let probes = [MachineRoot.devices + "/0000:00:00.0/config", MachineRoot.devices + "/0000:00:01.0/config",
                         MachineRoot.devices + "/0000:00:00.0/irq", MachineRoot.devices + "/0000:00:00.0/resource",
                         MachineRoot.mcfg, MachineRoot.iomem, MachineRoot.kernelLog, MachineRoot.tracing + "/snapshot",
                         "../../etc/passwd", "x/../../x", "/etc/passwd"]

    static func path(_ bytes: ArraySlice<UInt8>, absolute: Bool) -> String {
        let joined = bytes.map { words[Int($0) % words.count] }.joined(separator: "/")
        return absolute ? joined : String(joined.drop { $0 == "/" })
    }

    /// What a file read inside the tree holds; traps when the descriptor
    /// names a file outside it (/proc/self/fd says where it is).
    static func read(_ root: MachineRoot, _ p: String) -> Result<[UInt8]?, PCITimeError> {
        do {
            guard let fd = try root.openIfPresent(p) else { return .success(nil) }
            defer { close(fd) }
            if let at = FileContents.linkTarget("/proc/self/fd/\(fd)"), at != root.path, !at.hasPrefix(root.path + "/") {
                fatalError("\(p) resolved outside the tree: \(at)")
            }
            return .success(try FileContents.read(fd: fd, atMost: 1 << 16, name: p))
        } catch let e as PCITimeError {
            return .failure(e)
        } catch {
            fatalError("\(error)")
        }
    }

    /// Archive: records of [kind: 1 byte][length: 1 byte][bytes]; the bytes
    /// are path words (0xff ends the path), then for a file its content, for
    /// a link its target's words. kind % 4: 0 file, 1 link, 2 folder, 3 FIFO.
    /// Traps when a descriptor leaves the tree, when openat2 and the
    /// component walk disagree, or when libpci's guard calls a path inside
    /// the tree a way out. A FIFO opened for reading would hang: the fuzzer's
    /// timeout says so.
    static func tree(_ b: [UInt8]) {
        let base = scratch + "-tree"
        remove(base)
        guard mkdir(base, 0o755) == 0 else { fatalError("\(base): \(String(cString: strerror(errno)))") }
        var i = 0
        while i + 2 <= b.count {
            let kind = Int(b[i] & 3), n = Int(b[i + 1])
            let body = b[(i + 2)..<min(i + 2 + n, b.count)]
            i += 2 + n
            let end = body.firstIndex(of: 0xff) ?? body.endIndex
            let name = path(body[..<end], absolute: false)
            guard !name.isEmpty else { continue }
            let full = base + "/" + name
            makeParents(full)
            let rest = body[min(end + 1, body.endIndex)...]
            switch kind {
            case 0: put(full, rest)
            case 1: _ = symlink(path(rest, absolute: true), full)
            case 2: mkdir(full, 0o755)
            default: mkfifo(full, 0o644)
            }
        }
        let inside = MachineRoot(base), walked = MachineRoot(base, resolution: .componentWalk)
        for p in probes + [path(b.suffix(8), absolute: true)] {
            let (a, w) = (read(inside, p), read(walked, p))
            switch (a, w) {
            case (.success(let x), .success(let y)) where x == y: break
            case (.failure(let x), .failure(let y)) where x.exitCode == y.exitCode: break
            default: fatalError("\(p): openat2 gave \(a), the component walk \(w)")
            }
            _ = inside.names(inDirectory: p)
            _ = inside.kind(p)
            _ = inside.linkName(p)
        }
        if let (p, target) = inside.firstLinkLeaving(MachineRoot.pciBus, depth: 3), target.hasPrefix(base + "/") {
            fatalError("\(p) said to lead out of the tree to \(target), inside it")
        }
        let options = MethodOptions(root: base)
        if let r = try? Scanner.scan(method: "sysfs", options: options, timer: AccessTimer(source: .clockMonotonic)) {
            _ = ScanTable.render(r, text: text)
        }
        _ = try? MCFGReport(options: options)
        _ = try? KernelLog.profile(root: inside)
    }

    /// The real logs TraceFit holds a trace against: q35 (ECAM in use), pc
    /// (type 1 only), microvm (ECAM only).
    static let fitLogs: [BootProfile] = ["q35", "pc", "microvm"].map { name in
        do { return try KernelLog.profile(path: repo + "/fixtures/ftrace/6.1/\(name)/function/dmesg.txt") } catch { fatalError("\(error)") }
    }

    /// The first byte picks the log; the rest is the trace.
    static func integrity(_ bytes: [UInt8]) {
        guard let first = bytes.first else { return }
        let profile = fitLogs[Int(first) % fitLogs.count]
        let path = holding(bytes.dropFirst())
        if let (calls, parser) = try? TraceSource.parse(path: path),
           let census = try? BootCensus.build(calls: calls, parser: parser, profile: profile, source: "fuzz", name: "fuzz") {
            // What passed the checks is counted whole: no call twice, none dropped.
            precondition(census.tracedReads + census.tracedWrites + census.afterInit == calls.count)
        }
        if let (accesses, _) = try? TraceFile.parse(path) {
            _ = try? TraceFit.check(accesses: accesses, profile: profile, name: "fuzz")
        }
    }
}
