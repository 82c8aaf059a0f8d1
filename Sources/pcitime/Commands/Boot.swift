import ArgumentParser
import BootProfiler
import Enumerator
import Foundation

extension PCITime {
    struct Boot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What PCI discovery costs the kernel's boot: phases and device windows from the kernel log, access counts and their price per mechanism.",
            discussion: """
            The log comes from /dev/kmsg (default), --dmesg FILE (- for stdin) or --root DIR (DIR/dmesg.txt), in \
            dmesg, dmesg -x, dmesg -r, /dev/kmsg or journalctl -k -o short-monotonic form. Access counts are measured \
            when --trace FILE (a 'pcitime trace --save' file) is given, else modelled from a scan of the functions \
            (sysfs, or ROOT's tree) after Linux's enumeration sequence. Per-access latencies come from --latency FILE \
            ('pcitime scan --json' output) or, on a live run, short pio and ecam scans of this machine. \
            Boot with initcall_debug to see every initcall.
            """
        )

        @OptionGroup var source: SourceOptions

        @Option(help: ArgumentHelp("Read the kernel log from FILE (- for stdin) instead of /dev/kmsg.", valueName: "FILE"))
        var dmesg: String?

        @Option(help: ArgumentHelp("Per-mechanism latency from 'pcitime scan --json' output (repeatable).", valueName: "FILE"))
        var latency: [String] = []

        @Option(help: ArgumentHelp("Kernel access counts from a kprobe trace ('pcitime trace --save', or tracefs 'trace' text).", valueName: "FILE"))
        var trace: String?

        @Flag(help: "Print JSON instead of the table.")
        var json = false

        @Option(name: .customLong("trace-json"), help: ArgumentHelp("Write a Chrome/Perfetto trace-event timeline (ui.perfetto.dev).", valueName: "FILE"))
        var traceJSON: String?

        @Option(help: ArgumentHelp("Write a bootgraph-style SVG timeline.", valueName: "FILE"))
        var svg: String?

        @Flag(name: .customLong("no-measure"), help: "On a live run, do not time pio and ecam accesses for the cost model.")
        var noMeasure = false

        func run() throws {
            try pcitime.run {
                let options = try source.methodOptions()
                let live = dmesg == nil && options.root == "/"
                let (profile, logName) = try KernelLog.load(file: dmesg, root: options.root)

                var notes: [String] = []
                let functions = enumeratedFunctions(options: options, profile: profile, notes: &notes)
                let base = profile.mechanism?.base ?? .type1
                let ext = profile.mechanism?.extended
                var latencies: [LatencyEstimate] = []
                for file in latency { latencies += try LatencyInput.load(path: file) }
                if live && !noMeasure { latencies += measure(options: options, have: latencies, notes: &notes) }

                let counts: AccessCounts
                if let file = trace {
                    let (accesses, parser) = try TraceFile.parse(file)
                    // The trace's own list of present functions when it has one
                    // ('pcitime trace --save'), else this scan's.
                    let present = parser.present ?? Set(functions.map(\.address))
                    let window = parser.window.map { ", window: \($0)" } ?? ""
                    counts = TraceCounts.counts(accesses, present: present, base: base, extended: ext, source: "kprobe trace \(file)\(window)")
                    if let w = parser.window, !w.hasPrefix("boot") {
                        notes.append("the access counts are those the kernel made during \(w) (kprobe trace \(file)), not during the boot's enumeration; a kprobe_event= boot trace ('pcitime trace --kernel-param') sees driver probes but starts after the core scan")
                    }
                    latencies += TraceCounts.latencies(accesses, source: file).filter { t in !latencies.contains { $0.mechanism == t.mechanism } }
                } else {
                    counts = EnumerationModel(log: profile).counts(for: functions)
                }
                var cost = CostModel.report(profile: profile, counts: counts, latencies: latencies)
                cost.notes += notes
                let tracing = live ? tracingStatus() : "not checked (the log is not from this running kernel)"

                if let path = traceJSON { try writeFile(PerfettoRenderer.render(profile, counts: counts), to: path) }
                if let path = svg { try writeFile(SVGRenderer.render(profile, title: "pcitime boot: \(logName)"), to: path) }
                if json {
                    let out = BootJSON(source: logName, profile: profile, counts: counts, latencies: latencies, cost: cost, tracing: tracing)
                    // camelCase keys: snake_case conversion would also rewrite dictionary
                    // keys such as the mechanism names ("ECAM").
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    try printOut(String(decoding: try encoder.encode(out), as: UTF8.self) + "\n")
                } else {
                    try printOut(TableRenderer.render(source: logName, profile: profile, cost: cost, counts: counts, tracing: tracing))
                }
            }
        }

        /// The functions the model counts: a sysfs scan (this machine or
        /// ROOT's tree), else the device lines of the log (no capabilities).
        func enumeratedFunctions(options: MethodOptions, profile: BootProfile, notes: inout [String]) -> [EnumeratedFunction] {
            if dmesg == nil || options.root != "/" {
                do {
                    let report = try Scanner.scan(method: "sysfs", options: options)
                    return report.walk.functions.map(EnumeratedFunction.init)
                } catch {
                    notes.append("no scan of \(options.root) (\(error)): modelled from the log's device lines, capabilities unknown")
                }
            } else {
                notes.append("the log is from a file: modelled from its device lines, capabilities unknown (pass --root DIR for a captured tree)")
            }
            return profile.bootDevices.map {
                EnumeratedFunction(address: $0.address, headerType: $0.headerType & 0x7f, multifunction: $0.headerType & 0x80 != 0,
                                   classCode: $0.classCode, pcieType: $0.kind.contains("PCIe") ? 0 : nil, capabilities: [],
                                   extendedCapabilities: [], extendedConfigReadable: false, interruptPin: 1)
            }
        }

        /// Short measurements of this machine for the mechanisms no --latency
        /// file priced: pio and ecam directly (3 scan passes each); where that
        /// is impossible, the kernel's own path through sysfs, interleaved as
        /// `pcitime compare sysfs-base sysfs-ext` does (sysfs-base reaches
        /// type 1, sysfs-ext ECAM), which adds a system call: an upper bound.
        func measure(options: MethodOptions, have: [LatencyEstimate], notes: inout [String]) -> [LatencyEstimate] {
            var out: [LatencyEstimate] = []
            var fallbacks: [(method: String, mechanism: Mechanism)] = []
            for (method, fallback, m) in [("pio", "sysfs-base", Mechanism.type1), ("ecam", "sysfs-ext", Mechanism.ecam)]
            where !have.contains(where: { $0.mechanism == m }) {
                do {
                    let r = try Scanner.scan(method: method, options: options, passes: 3)
                    if let e = LatencyInput.estimate(scan: r, source: "this machine") { out.append(e) }
                } catch {
                    notes.append("could not time \(m.rawValue) directly here (\(error))")
                    fallbacks.append((fallback, m))
                }
            }
            guard !fallbacks.isEmpty else { return out }
            // Both sysfs windows are measured together even when only one is
            // needed: compare wants two methods, and interleaving costs nothing.
            let request = CompareRequest(methods: ["sysfs-base", "sysfs-ext"], samples: 200, warmup: 10, resamples: 10)
            guard let report = try? Comparison.run(request, options: options) else { return out }
            for f in fallbacks {
                guard let run = report.runs.first(where: { $0.name == f.method }), run.stats.count > 0 else { continue }
                out.append(LatencyEstimate(mechanism: f.mechanism, nanoseconds: Double(run.stats.p50),
                                           provenance: .measured("this machine: median of \(run.stats.count) \(f.method) reads (interleaved with \(f.method == "sysfs-base" ? "sysfs-ext" : "sysfs-base")), which the kernel serves through \(f.mechanism.rawValue); includes the pread system call, so an upper bound")))
            }
            return out
        }

        func tracingStatus() -> String {
            let k = KprobeAvailability.check(mount: false)
            return k.available ? "available (\(k.reason)); run 'pcitime trace --rescan BDF' to count the kernel's own accesses"
                               : "unavailable here: \(k.reason)"
        }
    }
}

struct BootJSON: Encodable {
    var schema = "pcitime-boot/1"
    var source: String
    var profile: BootProfile
    var counts: AccessCounts
    var latencies: [LatencyEstimate]
    var cost: CostReport
    var tracing: String
}

