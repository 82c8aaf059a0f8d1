import ArgumentParser
import BootProfiler
import Enumerator
import Foundation

extension PCITime {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Access methods side by side: the same registers of the same functions, interleaved rounds, distributions, the p50 ratio with a bootstrap interval, and what the difference means for boot.",
            discussion: """
            METHODS are any of 'pcitime methods' (at least two that work here; each that does not is reported \
            with its reason and the rest are compared): pio (conf1), ecam (mmio), sysfs, libpci:NAME, and \
            sysfs-base / sysfs-ext: sysfs reads below offset 0x100 and at 0x100 and above, which the kernel makes \
            through its base mechanism (type 1 on most x86 guests) and its extended one (ECAM when an MCFG is in \
            use). sysfs-ext reads the requested offsets shifted by 0x100 (0x100-0x13C by default), only on \
            functions with a 4096-byte config file. \
            Method of measurement: --warmup rounds discarded, then --samples rounds; each round reads every \
            register once through each method, the order alternating (A B, B A, ...); each access is timed alone \
            (invariant TSC, its back-to-back cost subtracted). Percentiles come from the raw samples; outliers \
            (above Q3 + 3 IQR) are kept and listed. The projection multiplies the kernel's base-space access count \
            (--accesses N: given; --trace FILE: measured; else modelled from a sysfs scan with the boot profiler's \
            enumeration model) by each method's median. \
            Exits 69 when fewer than two methods work here.
            """
        )

        @Argument(help: ArgumentHelp("Two or more access methods.", valueName: "METHOD"))
        var methods: [String] = []

        @OptionGroup var source: SourceOptions

        @Option(name: .short, help: ArgumentHelp("Only functions in [[segment:]bus:]device.function, as lspci -s.", valueName: "SLOT"))
        var slot: String?

        @Option(help: ArgumentHelp("Offsets to read, in hex: a list and/or ranges, e.g. 0x00-0x3c or 0x0,0x8,0x3c (default: the header, 0x00-0x3F in steps of --width).", valueName: "LIST"))
        var offsets: String?

        @Option(help: "Access width in bytes: 1, 2 or 4.")
        var width: Int = 4

        @Option(help: "Measured rounds: samples per register per method.")
        var samples: Int = CompareRequest.defaultSamples

        @Option(help: "Rounds run first and discarded.")
        var warmup: Int = CompareRequest.defaultWarmup

        @Option(help: ArgumentHelp("Pin the run to this processor (sched_setaffinity).", valueName: "CPU"))
        var pin: Int?

        @Option(help: "Seed of the bootstrap (decimal or 0x hex); the same seed gives the same interval.")
        var seed: String = "0x" + String(CompareRequest.defaultSeed, radix: 16)

        @Option(help: "Bootstrap resamples.")
        var resamples: Int = CompareRequest.defaultResamples

        @Option(help: ArgumentHelp("The kernel's base-space config accesses at boot, for the projection (labelled 'given').", valueName: "N"))
        var accesses: Int?

        @Option(help: ArgumentHelp("Kernel access counts from a kprobe trace ('pcitime trace --save') for the projection (measured).", valueName: "FILE"))
        var trace: String?

        @Option(help: ArgumentHelp("Read the kernel log from FILE instead of /dev/kmsg (ROOT/dmesg.txt with --root).", valueName: "FILE"))
        var dmesg: String?

        @Flag(help: "Print JSON (with each method's raw histogram) instead of the table.")
        var json = false

        @Flag(name: .customLong("raw-samples"), help: "With --json, include every sample in the order taken.")
        var rawSamples = false

        @Option(help: ArgumentHelp("Write the distributions as SVG.", valueName: "FILE"))
        var svg: String?

        func validate() throws {
            guard methods.count >= 2 else { throw ValidationError("give at least two methods, e.g. 'pcitime compare pio mmio' (see 'pcitime methods')") }
            guard [1, 2, 4].contains(width) else { throw ValidationError("--width must be 1, 2 or 4") }
            guard samples >= 1 && samples <= 10_000_000 else { throw ValidationError("--samples must be between 1 and 10000000") }
            guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more") }
            guard resamples >= 10 && resamples <= 1_000_000 else { throw ValidationError("--resamples must be between 10 and 1000000") }
            if let accesses { guard accesses >= 0 else { throw ValidationError("--accesses must be 0 or more") } }
            guard parseSeed(seed) != nil else { throw ValidationError("--seed '\(seed)': expected a decimal or 0x hex 64-bit number") }
            if let slot { _ = try SlotFilter(slot: slot, id: nil) }
            if let offsets { _ = try parseOffsets(offsets, width: width) }
        }

        func run() throws {
            try pcitime.run {
                let options = try source.methodOptions()
                let profile = readLog(root: options.root)
                var request = CompareRequest(methods: methods, slot: slot, width: AccessWidth(rawValue: width)!,
                                             samples: samples, warmup: warmup, seed: parseSeed(seed)!, resamples: resamples, pin: pin)
                if let offsets { request.offsets = try parseOffsets(offsets, width: width) }
                request.kernelSplit = profile.value.flatMap(kernelSplit)
                var report = try Comparison.run(request, options: options, timer: source.timer())
                project(&report, options: options, profile: profile)
                if let path = svg {
                    guard FileManager.default.createFile(atPath: path, contents: Data(CompareSVG.render(report).utf8)) else {
                        throw PCITimeError.system(path, errno == 0 ? EACCES : errno)
                    }
                }
                if json {
                    printOut(try CompareJSON(report, rawSamples: rawSamples).encoded() + "\n")
                } else {
                    printOut(CompareTable.render(report) + (svg.map { "\nwrote \($0)\n" } ?? ""))
                }
            }
        }

        /// The kernel log, for the kernel's split and the boot's length; a
        /// compare without one still runs (no split, no share of boot).
        func readLog(root: String) -> (value: BootProfile?, name: String, problem: String?) {
            let name = dmesg ?? (root != "/" ? root + "/dmesg.txt" : "/dev/kmsg")
            do {
                if let file = dmesg { return (try KernelLog.profile(path: file), name, nil) }
                if root != "/" { return (try KernelLog.profile(root: root), name, nil) }
                return (try KernelLog.profileLive(), name, nil)
            } catch {
                return (nil, name, "\(error)")
            }
        }

        func kernelSplit(_ p: BootProfile) -> KernelSplit? {
            guard let m = p.mechanism else { return nil }
            let ecam = p.ecam.filter(\.used).map { "ECAM for segment \($0.segment) buses \(String($0.startBus, radix: 16))-\(String($0.endBus, radix: 16))" }
            return KernelSplit(base: m.base.rawValue, extended: m.extended?.rawValue,
                               evidence: "kernel log at \(seconds(m.time)): \(m.detail)" + (ecam.isEmpty ? "" : "; " + ecam.joined(separator: ", ")))
        }

        /// N base-space accesses: given (--accesses), measured (--trace) or
        /// modelled (BootProfiler's EnumerationModel over a sysfs scan).
        func project(_ report: inout CompareReport, options: MethodOptions, profile: (value: BootProfile?, name: String, problem: String?)) {
            let count: (n: Int, basis: Basis, kind: String)
            do {
                if let accesses {
                    count = (accesses, Basis(.given, "--accesses"), "config accesses")
                } else {
                    let functions = try Scanner.scan(method: "sysfs", options: options).walk.functions.map(EnumeratedFunction.init)
                    let base = profile.value?.mechanism?.base ?? .type1
                    let ext = profile.value?.mechanism?.extended
                    let counts: AccessCounts
                    if let trace {
                        counts = TraceCounts.counts(try TraceFile.read(trace), present: Set(functions.map(\.address)),
                                                    base: base, extended: ext, source: "kprobe trace \(trace)")
                    } else {
                        let lastBus = profile.value.flatMap { p in p.lastBusParameter ?? p.ecam.last(where: { $0.used && $0.segment == 0 }).map { Int($0.endBus) } }
                        counts = EnumerationModel(.init(base: base, extended: ext, lastBus: lastBus)).counts(for: functions)
                    }
                    let kind: Basis.Kind = counts.provenance.kind == .measured ? .measured : .modelled
                    let what = trace == nil ? "; \(functions.count) functions from a sysfs scan of \(options.root)" : ""
                    count = (counts.baseTotal, Basis(kind, counts.provenance.source + what), "base-space (offset < 0x100) config accesses")
                }
            } catch {
                report.projectionNote = "none: no kernel access count (\(error)); give --accesses N"
                return
            }
            let bootUS = profile.value?.kernelBoot
            let bootBasis = bootUS.map { _ in Basis(.measured, "\(profile.name), kernel start to 'Run ... as init process'") }
            report.projections = zip(report.runs.dropFirst(), report.comparisons).map { run, c in
                Projection(accesses: count.n, accessesBasis: count.basis, accessKind: count.kind, from: report.baseline, to: run,
                           comparison: c, kernelBootMicroseconds: bootUS, kernelBootBasis: bootBasis)
            }
            if bootUS == nil {
                report.notes.append("kernel boot length unknown (\(profile.problem ?? "the log has no kernel start or no 'Run ... as init process' line")): no share of boot")
            }
        }

        func seconds(_ us: UInt64) -> String { String(us / 1_000_000) + "." + String(1_000_000 + us % 1_000_000).dropFirst() + " s" }
    }
}

/// Decimal or 0x hex.
func parseSeed(_ text: String) -> UInt64? {
    text.lowercased().hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
}

/// "0x00-0x3c,0x100" (hex, with or without 0x) into offsets, ranges in steps of the width.
func parseOffsets(_ text: String, width: Int) throws -> [Int] {
    func number(_ s: Substring) throws -> Int {
        let t = s.trimmingCharacters(in: .whitespaces).lowercased()
        guard let v = Int(t.hasPrefix("0x") ? String(t.dropFirst(2)) : t, radix: 16), v >= 0, v < 4096 else {
            throw ValidationError("--offsets '\(text)': '\(s)' is not a hex offset below 0x1000")
        }
        guard v % width == 0 else { throw ValidationError("--offsets '\(text)': \(t) is not aligned to --width \(width)") }
        return v
    }
    var out: [Int] = []
    for part in text.split(separator: ",") {
        let ends = part.split(separator: "-")
        if ends.count == 2 {
            let a = try number(ends[0]), b = try number(ends[1])
            guard a <= b else { throw ValidationError("--offsets '\(text)': range \(part) runs backwards") }
            out += Array(stride(from: a, through: b, by: width))
        } else if ends.count == 1 {
            out.append(try number(ends[0]))
        } else {
            throw ValidationError("--offsets '\(text)': expected OFFSET or FIRST-LAST")
        }
    }
    guard !out.isEmpty else { throw ValidationError("--offsets '\(text)': no offset given") }
    return out
}
