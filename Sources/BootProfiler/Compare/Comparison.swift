import Enumerator
import Histogram

/// `pcitime compare`: the same registers of the same functions through each
/// method, in interleaved rounds so drift (frequency, host load, page cache)
/// hits every method alike.
///
/// Method of measurement: every access goes through `AccessLayer`, whose
/// timed region holds the method's access and nothing else; the timer's own
/// back-to-back cost is subtracted from each sample. Warm-up rounds are run
/// and discarded. Round k runs the methods in the given order when k is even
/// and in reverse when odd (A B, B A, A B...), so no method always goes first.
package enum Comparison {
    /// Header registers: 0x00-0x3F in steps of the width.
    package static func defaultOffsets(width: AccessWidth) -> [Int] {
        Array(stride(from: 0, to: 0x40, by: width.rawValue))
    }

    /// The order of the methods (indices) in round `round`.
    package static func interleavedOrder(round: Int, methods: Int) -> [Int] {
        round % 2 == 0 ? Array(0..<methods) : Array((0..<methods).reversed())
    }

    /// The offsets in the window a method reaches: a window starting above
    /// the requested offsets (sysfs-ext) reads them shifted by its start.
    package static func offsets(_ requested: [Int], in window: Range<Int>) -> [Int] {
        if window.lowerBound > 0, let top = requested.max(), top < window.lowerBound {
            return requested.map { $0 + window.lowerBound }
        }
        return requested
    }

    static func window(of access: ConfigAccess) -> Range<Int> {
        (access as? SysfsAccess)?.window ?? 0..<4096
    }

    package static func run(_ request: CompareRequest, options: MethodOptions, timer: AccessTimer = AccessTimer()) throws -> CompareReport {
        guard request.methods.count >= 2 else {
            throw PCITimeError.usage("compare needs at least two methods, e.g. 'pcitime compare pio mmio' (see 'pcitime methods')")
        }
        guard request.samples >= 1, request.samples <= 10_000_000 else { throw PCITimeError.usage("--samples must be between 1 and 10000000") }
        guard request.warmup >= 0 else { throw PCITimeError.usage("--warmup must be 0 or more") }
        guard request.resamples >= 10 else { throw PCITimeError.usage("--resamples must be at least 10") }
        let requestedOffsets = request.offsets ?? defaultOffsets(width: request.width)
        guard !requestedOffsets.isEmpty else { throw PCITimeError.usage("--offsets: no offset given") }
        for o in requestedOffsets where o < 0 || o + request.width.rawValue > 4096 || o % request.width.rawValue != 0 {
            throw PCITimeError.usage("--offsets: \(hex(max(o, 0), 3)) is outside 0x000-0xfff or not aligned to --width \(request.width.rawValue)")
        }
        let filter = try SlotFilter(slot: request.slot, id: nil)

        // Open every method; keep going past the ones that do not work here.
        // pio or ecam that user space cannot reach is timed through the
        // kernel's own path to the same mechanism, when its log says which.
        let split = request.kernelLog?.mechanism
        var opened: [(requested: String, access: ConfigAccess)] = []
        var unavailable: [MethodUnavailable] = []
        var kernelPaths: [String: KernelPath] = [:]
        for name in request.methods {
            do {
                opened.append((name, try Methods.open(name, options: options)))
            } catch {
                let e = error as? PCITimeError ?? .unavailable(name, "\(error)")
                // A file that is missing or malformed (--mcfg, a dump) is the
                // same mistake from every command, not a method that cannot work here.
                switch e {
                case .missing, .input: throw e
                default: break
                }
                let direct = MethodUnavailable(requested: name, error: e)
                if let path = KernelPath(for: name, split: split, evidence: request.kernelLog?.mechanismEvidence, direct: direct.reason),
                   !request.methods.contains(where: { Methods.canonical($0) == path.method }),
                   let access = try? Methods.open(path.method, options: options) {
                    opened.append((name, access))
                    kernelPaths[name] = path
                } else {
                    unavailable.append(direct)
                }
            }
        }

        // Find the functions once, untimed: through sysfs when it opens (it
        // lists every function the kernel knows), else the first method that
        // reads the header.
        let present = try discover(options: options, opened: opened.map(\.access)).filter(filter.matches).map(\.address)

        // Which functions each method can read at its registers.
        var excluded: [ExcludedFunction] = []
        var eligible: [(requested: String, access: ConfigAccess, offsets: [Int], functions: [PCIAddress])] = []
        for (name, access) in opened {
            let offsets = Self.offsets(requestedOffsets, in: window(of: access))
            var ok: [PCIAddress] = []
            for a in present {
                guard access.canHold(a) else {
                    excluded.append(ExcludedFunction(address: a, method: name, reason: "\(access.name) cannot reach it"))
                    continue
                }
                do { try access.prepare(a) } catch {
                    excluded.append(ExcludedFunction(address: a, method: name, reason: "\(error)"))
                    continue
                }
                let size = access.configSize(a)
                let top = offsets.max()! + request.width.rawValue
                let w = window(of: access)
                if top > size || offsets.contains(where: { !w.contains($0) }) {
                    let range = offsetRange(offsets, request.width)
                    let why = access is SysfsAccess
                        ? "the config file gives \(size) bytes\(size == 64 ? " (not root)" : ""), the registers are \(range)"
                        : "\(access.name) reaches \(size) bytes of it, the registers are \(range)"
                    excluded.append(ExcludedFunction(address: a, method: name, reason: why))
                    continue
                }
                ok.append(a)
            }
            if ok.isEmpty {
                let why = present.isEmpty ? "no function matches -s \(request.slot ?? "")"
                    : "no function can be read at \(offsetRange(offsets, request.width)) through \(access.name) (\(excluded.last { $0.method == name }?.reason ?? "none reachable"))"
                unavailable.append(MethodUnavailable(requested: name, error: .unavailable(name, why)))
            } else {
                eligible.append((name, access, offsets, ok))
            }
        }
        guard eligible.count >= 2 else { throw tooFew(request.methods, working: eligible.map(\.requested), unavailable) }
        // Same functions for every method.
        let common = eligible.dropFirst().reduce(Set(eligible[0].functions)) { $0.intersection($1.functions) }
        guard !common.isEmpty else {
            throw PCITimeError.unavailable("compare", "no function can be read by every method: " + eligible.map { "\($0.requested) reads \($0.functions.map(\.short).joined(separator: " "))" }.joined(separator: "; "))
        }
        let functions = common.sorted()
        for e in eligible {
            for a in e.functions where !common.contains(a) {
                excluded.append(ExcludedFunction(address: a, method: e.requested, reason: notCommon))
            }
        }

        if let cpu = request.pin { try CPUAffinity.pin(to: cpu) }
        let cpuAtStart = CPUAffinity.current

        // The measurement: interleaved rounds, warm-up first.
        var recorders = eligible.map { e in
            MethodRecorder(layer: AccessLayer(e.access, timer: timer),
                           registers: functions.flatMap { a in e.offsets.map { CompareRegister(address: a, offset: $0) } },
                           rounds: request.samples)
        }
        // Beside sysfs: the system call alone, in the same rounds.
        let path = eligible.contains { $0.access is SysfsAccess } && options.isLive ? SysfsPathProbe(functions: functions, timer: timer) : nil
        var pathSamples: [UInt64] = []
        let clock = ContinuousClock()
        let started = clock.now
        for round in 0..<(request.warmup + request.samples) {
            for m in interleavedOrder(round: round, methods: recorders.count) {
                recorders[m].readAll(width: request.width, round: round - request.warmup)
            }
            if let path {
                for a in functions { if let ns = path.read(a), round >= request.warmup { pathSamples.append(ns) } }
            }
        }
        let elapsed = (clock.now - started).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        let cpuAtEnd = CPUAffinity.current

        var runs: [MethodSamples] = []
        for (m, e) in eligible.enumerated() {
            guard var run = recorders[m].run(requested: e.requested, access: e.access, offsets: e.offsets, split: split) else {
                let why = "every access failed: \(recorders[m].firstFailure ?? "no sample")"
                unavailable.append(MethodUnavailable(requested: e.requested, error: .unavailable(e.requested, why)))
                continue
            }
            run.kernelPath = kernelPaths[e.requested]
            runs.append(run)
        }
        guard runs.count >= 2 else { throw tooFew(request.methods, working: runs.map(\.requested), unavailable) }
        let comparisons = runs.dropFirst().map {
            Bootstrap.compareMedians(baseline: runs[0].samples, other: $0.samples, resamples: request.resamples, seed: request.seed)
        }
        var report = CompareReport(
            runs: runs, unavailable: unavailable, functions: functions, excluded: excluded, width: request.width,
            samplesPerRegister: request.samples, warmupRounds: request.warmup, timer: timer, pinnedCPU: request.pin,
            cpuAtStart: cpuAtStart, cpuAtEnd: cpuAtEnd, root: options.root, kernelSplit: split,
            kernelEvidence: request.kernelLog?.mechanismEvidence, comparisons: comparisons, notes: [], seconds: seconds)
        report.sysfsPath = pathSamples.isEmpty ? nil : LatencySummary(sorted: pathSamples.sorted())
        (report.perFunction, report.poolChecks) = perFunction(runs, functions: functions, resamples: request.resamples, seed: request.seed)
        report.notes = notes(report)
        return report
    }

    static let notCommon = "not readable by every compared method"

    /// Exit 69 with every method's reason, one per line.
    static func tooFew(_ methods: [String], working: [String], _ unavailable: [MethodUnavailable]) -> PCITimeError {
        var why = "needs two methods that work here; \(working.count) of \(methods.count) do\(working.isEmpty ? "" : " (\(working.joined(separator: ", ")))"):"
        for u in unavailable { why += "\n  " + u.reason }
        return .unavailable("compare \(methods.joined(separator: " "))", why)
    }

    /// The functions present, from an untimed walk.
    static func discover(options: MethodOptions, opened: [ConfigAccess]) throws -> [PCIFunction] {
        let walker: ConfigAccess
        let sysfs = Result { try SysfsAccess(root: options.root) }
        if case .success(let s) = sysfs {
            walker = s
        } else if let first = opened.first(where: { window(of: $0).lowerBound == 0 }) {
            walker = first
        } else if !options.isLive, case .failure(let e) = sysfs {
            throw e  // --root nowhere, or a file: say that, not what it led to
        } else {
            throw PCITimeError.unavailable("compare", "cannot list the functions: sysfs is not readable and no requested method reads the header")
        }
        let result = Walk(layer: AccessLayer(walker, timer: AccessTimer(source: .clockMonotonic))).run()
        return result.functions
    }

    /// What one timed access is, and the mechanism that reaches the device.
    static func describe(_ requested: String, _ access: ConfigAccess, split: MechanismChoice?) -> (measures: String, mechanism: String) {
        let base = split?.base.rawValue, ext = split?.extended?.rawValue
        switch access.name {
        case "pio":
            return ("outl to 0xCF8 then in from 0xCFC from user space (ioperm): type 1 directly, two port exits under a hypervisor", "type 1")
        case "ecam":
            return ("one load from the ECAM window mapped from /dev/mem: ECAM directly, one exit when the hypervisor traps the window", "ECAM")
        case "sysfs-base":
            return ("pread(2) below offset 0x100 of the sysfs config file: the syscall plus the kernel's base mechanism, \(base ?? "unknown (no kernel log)")",
                    base.map { "\($0) via sysfs" } ?? "the kernel's base mechanism via sysfs")
        case "sysfs-ext":
            return ("pread(2) at offset 0x100 or above of the sysfs config file: the syscall plus the kernel's extended mechanism, \(ext ?? (split == nil ? "unknown (no kernel log)" : "none (no MCFG in use)"))",
                    ext.map { "\($0) via sysfs" } ?? "the kernel's extended mechanism via sysfs")
        case "sysfs":
            return ("pread(2) of the sysfs config file: the syscall plus the kernel's mechanism (\(base ?? "base mechanism unknown") below 0x100\(ext.map { ", \($0) at 0x100 and above" } ?? ""))",
                    "sysfs (\(base ?? "kernel's mechanism") below 0x100)")
        default:
            return ("\(access.summary), including libpci's own per-access work", access.name)
        }
    }

    /// "0x00-0x3f", "0x100-0x13f": the bytes a list of offsets covers.
    package static func offsetRange(_ offsets: [Int], _ width: AccessWidth) -> String {
        let lo = offsets.min() ?? 0, hi = (offsets.max() ?? 0) + width.rawValue - 1
        func h(_ v: Int) -> String { "0x" + hex(v, v < 0x100 ? 2 : 3) }
        return h(lo) + "-" + h(hi)
    }

    static func notes(_ r: CompareReport) -> [String] {
        var notes: [String] = []
        if r.registersDiffer {
            let ranges = r.runs.map { "\($0.requested) reads \(offsetRange($0.offsets, r.width))" }
            notes.append("the registers differ by necessity: \(ranges.joined(separator: ", ")); same functions, same width, same count")
        }
        for run in r.runs where run.offsets.min()! >= 0x100 {
            let all = Set(run.firstValues)
            if all.count == 1, let v = all.first {
                notes.append("\(run.requested): every register read \(hex(v, 8))\(v == 0 || v == 0xffff_ffff ? " (nothing implemented there)" : ""); the read still goes through the kernel's extended mechanism\(r.kernelSplit?.extended.map { " (\($0.rawValue))" } ?? "") and costs what is measured")
            }
        }
        for run in r.runs where run.valueChanges > 0 {
            notes.append("\(run.requested): \(run.valueChanges) reads returned a different value from the first read of the same register (live status bits, or a race with the kernel's own use of 0xCF8 for pio)")
        }
        for run in r.runs where run.failures > 0 {
            notes.append("\(run.requested): \(run.failures) accesses failed and are not in the samples; first: \(run.firstFailure ?? "")")
        }
        for c in r.poolChecks where c.multimodal { notes.append("warning: " + c.warning) }
        let mediated = r.runs.compactMap(\.kernelPath)
        if !mediated.isEmpty {
            notes.append("kernel-mediated: " + mediated.map { "\($0.requested) timed as \($0.method), which the kernel serves through \($0.mechanism)" }.joined(separator: "; ")
                         + ", because user space cannot reach the mechanism here (" + mediated.map(\.direct).joined(separator: "; ") + ")"
                         + "; the kernel's split: \(mediated[0].evidence); each time adds the pread system call and the kernel's pci_read_config path to the mechanism's own cost, so it bounds the direct access from above")
        }
        if !MachineRoot(r.root).isLive {
            notes.append("--root \(r.root): these are preads of captured regular files, not config accesses; the times measure the filesystem, not PCI")
        }
        if r.runs.contains(where: { $0.name.hasPrefix("sysfs") }) {
            if let path = r.sysfsPath {
                let traps = r.runs.compactMap { run in r.trapNanoseconds(run).map { "\(run.label) \(Format.us($0)) us" } }
                notes.append("sysfs times include the pread system call and sysfs's path, which the kernel's own boot-time accesses do not pay: the same call on each function's vendor attribute (no config access) takes \(Format.us(Double(path.p50))) us (median of \(path.count)), so one config access through sysfs, the trap alone, costs \(traps.joined(separator: ", "))")
            } else {
                notes.append("sysfs times include the pread syscall and the kernel's pci_read_config path; the kernel's own boot-time accesses do not pay the syscall, so a difference between two sysfs methods carries over better than their absolute times")
            }
        }
        if r.pinnedCPU == nil {
            notes.append("not pinned (--pin CPU pins): the scheduler may move the run between processors")
        } else if r.cpuAtStart != r.pinnedCPU || r.cpuAtEnd != r.pinnedCPU {
            notes.append("pinned to CPU \(r.pinnedCPU!) but ran on \(r.cpuAtStart.map(String.init) ?? "?") at the start and \(r.cpuAtEnd.map(String.init) ?? "?") at the end")
        }
        return notes
    }
}
