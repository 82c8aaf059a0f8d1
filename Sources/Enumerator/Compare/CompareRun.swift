import Foundation
import Histogram

/// What to compare and how hard.
public struct CompareRequest: Sendable {
    /// Method names as `Methods.open` takes them; at least two.
    public var methods: [String]
    /// lspci's `-s`: only functions in this slot.
    public var slot: String?
    /// Offsets to read on each function; nil: the header, 0x00-0x3F in steps of `width`.
    /// A method whose window starts above them (sysfs-ext) reads them shifted by
    /// the window's start (0x00-0x3C becomes 0x100-0x13C).
    public var offsets: [Int]?
    public var width: AccessWidth
    /// Measured rounds: each is one sample per register per method.
    public var samples: Int
    /// Rounds run first and thrown away (page-cache, TLB and branch warm-up).
    public var warmup: Int
    public var seed: UInt64
    public var resamples: Int
    public var pin: Int?
    public var kernelSplit: KernelSplit?

    public static let defaultSamples = 1000
    public static let defaultWarmup = 20
    public static let defaultSeed: UInt64 = 0x7063_6974_696d_6535  // "pcitime5"
    public static let defaultResamples = 1000

    public init(methods: [String], slot: String? = nil, offsets: [Int]? = nil, width: AccessWidth = .dword,
                samples: Int = defaultSamples, warmup: Int = defaultWarmup, seed: UInt64 = defaultSeed,
                resamples: Int = defaultResamples, pin: Int? = nil, kernelSplit: KernelSplit? = nil) {
        self.methods = methods
        self.slot = slot
        self.offsets = offsets
        self.width = width
        self.samples = samples
        self.warmup = warmup
        self.seed = seed
        self.resamples = resamples
        self.pin = pin
        self.kernelSplit = kernelSplit
    }
}

/// `pcitime compare`: the same registers of the same functions through each
/// method, in interleaved rounds so drift (frequency, host load, page cache)
/// hits every method alike.
///
/// Method of measurement: every access goes through `AccessLayer`, whose
/// timed region holds the method's access and nothing else; the timer's own
/// back-to-back cost is subtracted from each sample. Warm-up rounds are run
/// and discarded. Round k runs the methods in the given order when k is even
/// and in reverse when odd (A B, B A, A B...), so no method always goes first.
public enum Comparison {
    /// Header registers: 0x00-0x3F in steps of the width.
    public static func defaultOffsets(width: AccessWidth) -> [Int] {
        Array(stride(from: 0, to: 0x40, by: width.rawValue))
    }

    /// The order of the methods (indices) in round `round`.
    public static func interleavedOrder(round: Int, methods: Int) -> [Int] {
        round % 2 == 0 ? Array(0..<methods) : Array((0..<methods).reversed())
    }

    /// The offsets in the window a method reaches: a window starting above
    /// the requested offsets (sysfs-ext) reads them shifted by its start.
    public static func offsets(_ requested: [Int], in window: Range<Int>) -> [Int] {
        if window.lowerBound > 0, let top = requested.max(), top < window.lowerBound {
            return requested.map { $0 + window.lowerBound }
        }
        return requested
    }

    static func window(of access: ConfigAccess) -> Range<Int> {
        (access as? SysfsAccess)?.window ?? 0..<4096
    }

    public static func run(_ request: CompareRequest, options: MethodOptions, timer: AccessTimer = AccessTimer()) throws -> CompareReport {
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
        var opened: [(requested: String, access: ConfigAccess)] = []
        var unavailable: [MethodUnavailable] = []
        for name in request.methods {
            do {
                opened.append((name, try Methods.open(name, options: options)))
            } catch let e as PCITimeError {
                unavailable.append(MethodUnavailable(requested: name, error: e))
            } catch {
                unavailable.append(MethodUnavailable(requested: name, error: .unavailable(name, "\(error)")))
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
        let layers = eligible.map { AccessLayer($0.access, timer: timer) }
        let registers: [[CompareRegister]] = eligible.map { e in
            functions.flatMap { a in e.offsets.map { CompareRegister(address: a, offset: $0) } }
        }
        var tags = [[(register: Int, round: Int)]](repeating: [], count: eligible.count)
        var values = registers.map { [UInt32?](repeating: nil, count: $0.count) }
        var changes = [Int](repeating: 0, count: eligible.count)
        var failures = [Int](repeating: 0, count: eligible.count)
        var firstFailure = [String?](repeating: nil, count: eligible.count)
        var warmupReads = [Int](repeating: 0, count: eligible.count)
        for i in eligible.indices { tags[i].reserveCapacity(request.samples * registers[i].count) }
        let started = Date()
        for round in 0..<(request.warmup + request.samples) {
            let measured = round >= request.warmup
            for m in interleavedOrder(round: round, methods: eligible.count) {
                let layer = layers[m]
                layer.recording = measured
                for (r, reg) in registers[m].enumerated() {
                    do {
                        let v = try layer.read(reg.address, offset: reg.offset, width: request.width)
                        if measured {
                            tags[m].append((r, round - request.warmup))
                            if let first = values[m][r] {
                                if first != v { changes[m] += 1 }
                            } else {
                                values[m][r] = v
                            }
                        } else {
                            warmupReads[m] += 1
                        }
                    } catch {
                        failures[m] += 1
                        if firstFailure[m] == nil { firstFailure[m] = "\(reg.address.short) at \(hex(reg.offset, 3)): \(error)" }
                    }
                }
            }
        }
        let seconds = Date().timeIntervalSince(started)
        let cpuAtEnd = CPUAffinity.current

        var runs: [MethodRun] = []
        for (m, e) in eligible.enumerated() {
            let records = layers[m].records
            guard !records.isEmpty else {
                let why = "every access failed: \(firstFailure[m] ?? "no sample")"
                unavailable.append(MethodUnavailable(requested: e.requested, error: .unavailable(e.requested, why)))
                continue
            }
            runs.append(makeRun(e.requested, e.access, offsets: e.offsets, registers: registers[m], records: records,
                                tags: tags[m], split: request.kernelSplit,
                                failures: failures[m], firstFailure: firstFailure[m],
                                firstValues: values[m].map { $0 ?? 0xffff_ffff }, changes: changes[m],
                                warmupReads: warmupReads[m]))
        }
        guard runs.count >= 2 else { throw tooFew(request.methods, working: runs.map(\.requested), unavailable) }
        let comparisons = runs.dropFirst().map {
            Bootstrap.compareMedians(baseline: runs[0].samples, other: $0.samples, resamples: request.resamples, seed: request.seed)
        }
        var report = CompareReport(
            runs: runs, unavailable: unavailable, functions: functions, excluded: excluded, width: request.width,
            samplesPerRegister: request.samples, warmupRounds: request.warmup, timer: timer, pinnedCPU: request.pin,
            cpuAtStart: cpuAtStart, cpuAtEnd: cpuAtEnd, root: options.root, kernelSplit: request.kernelSplit,
            comparisons: comparisons, notes: [], seconds: seconds)
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

    static func makeRun(_ requested: String, _ access: ConfigAccess, offsets: [Int], registers: [CompareRegister],
                        records: [AccessRecord], tags: [(register: Int, round: Int)], split: KernelSplit?,
                        failures: Int, firstFailure: String?, firstValues: [UInt32], changes: Int, warmupReads: Int) -> MethodRun {
        precondition(records.count == tags.count)
        let samples = records.map(\.nanoseconds)
        var histogram = Histogram<UInt64>(numberOfSignificantValueDigits: .three)
        for s in samples { histogram.record(s) }
        let stats = LatencySummary(sorted: samples.sorted())
        var byFunction: [PCIAddress: [UInt64]] = [:]
        for (i, s) in samples.enumerated() { byFunction[registers[tags[i].register].address, default: []].append(s) }
        let perFunction = byFunction.keys.sorted().map { ($0, LatencySummary(sorted: byFunction[$0]!.sorted())) }
        let worst = samples.indices.filter { samples[$0] > stats.outlierFence }
            .sorted { samples[$0] > samples[$1] }.prefix(5)
            .map { OutlierSample(register: registers[tags[$0].register], round: tags[$0].round, nanoseconds: samples[$0]) }
        let (measures, mechanism) = describe(requested, access, split: split)
        return MethodRun(requested: requested, name: access.name, summary: access.summary, measures: measures, mechanism: mechanism,
                         offsets: offsets, registers: registers, samples: samples,
                         sampleRegister: tags.map(\.register), sampleRound: tags.map(\.round),
                         histogram: histogram, stats: stats, perFunction: perFunction, worst: Array(worst),
                         failures: failures, firstFailure: firstFailure, firstValues: firstValues, valueChanges: changes,
                         measuredReads: records.count, warmupReads: warmupReads)
    }

    /// What one timed access is, and the mechanism that reaches the device.
    static func describe(_ requested: String, _ access: ConfigAccess, split: KernelSplit?) -> (measures: String, mechanism: String) {
        let base = split?.base, ext = split?.extended
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
    public static func offsetRange(_ offsets: [Int], _ width: AccessWidth) -> String {
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
                notes.append("\(run.requested): every register read \(hex(v, 8))\(v == 0 || v == 0xffff_ffff ? " (nothing implemented there)" : ""); the read still goes through the kernel's extended mechanism\(r.kernelSplit?.extended.map { " (\($0))" } ?? "") and costs what is measured")
            }
        }
        for run in r.runs where run.valueChanges > 0 {
            notes.append("\(run.requested): \(run.valueChanges) reads returned a different value from the first read of the same register (live status bits, or a race with the kernel's own use of 0xCF8 for pio)")
        }
        for run in r.runs where run.failures > 0 {
            notes.append("\(run.requested): \(run.failures) accesses failed and are not in the samples; first: \(run.firstFailure ?? "")")
        }
        if r.root != "/" {
            notes.append("--root \(r.root): these are preads of captured regular files, not config accesses; the times measure the filesystem, not PCI")
        }
        if r.runs.contains(where: { $0.name.hasPrefix("sysfs") }) {
            notes.append("sysfs times include the pread syscall and the kernel's pci_read_config path; the kernel's own boot-time accesses do not pay the syscall, so a difference between two sysfs methods carries over better than their absolute times")
        }
        if r.pinnedCPU == nil {
            notes.append("not pinned (--pin CPU pins): the scheduler may move the run between processors")
        } else if r.cpuAtStart != r.pinnedCPU || r.cpuAtEnd != r.pinnedCPU {
            notes.append("pinned to CPU \(r.pinnedCPU!) but ran on \(r.cpuAtStart.map(String.init) ?? "?") at the start and \(r.cpuAtEnd.map(String.init) ?? "?") at the end")
        }
        return notes
    }
}
