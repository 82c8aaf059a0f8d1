import ArgumentParser
import BootProfiler
import Enumerator

extension PCITime {
    struct Boot: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "boot",
            abstract: "What PCI discovery costs the kernel's boot: phases and device windows from the kernel log, access counts and their price per mechanism.",
            discussion: """
            The log comes from /dev/kmsg (default), --dmesg FILE (- for stdin) or --root DIR (DIR/dmesg.txt), in \
            dmesg, dmesg -x, dmesg -r, /dev/kmsg or journalctl -k -o short-monotonic form. Access counts are measured \
            when --trace FILE (a 'pcitime trace --save' file) is given, else modelled from a scan of the functions \
            (sysfs, or ROOT's tree) after Linux's enumeration sequence. Per-access latencies come from --latency FILE \
            ('pcitime scan --method pio|ecam --json' or 'pcitime compare --json' output) or, on a live run, short pio and ecam scans of this machine. \
            Boot with initcall_debug to see every initcall.

            The boot census: boot with the parameters --kernel-params prints (--kernel-params --timed for the \
            function_graph variant that also times each access). pcitime then reads the boot's trace from tracefs \
            (mounted read-only if it is not; never cleared or changed): the boot snapshot when there is one, else the \
            live buffer, saying which; or from --ftrace FILE (a saved trace or snapshot; give both tracers' files to \
            count with one and time with the other), or from ROOT/sys/kernel/tracing/{snapshot,trace} of a capture. \
            It counts every access to init by mechanism, reason, boot phase and device. Without a boot trace the counts \
            are modelled, and the report says how to get a census.

            Prices: one latency per mechanism and class of access (present functions, empty slots, buses that do not \
            exist), chosen in the order given (--latency), the kernel log of an untraced boot (this one, or a --baseline \
            one: the window that holds the probes of absent buses), live from user space, live through the kernel, the \
            boot trace, modelled; every output gives each change one saving, with its basis. --baseline FILE (an earlier \
            boot's --json, repeatable) compares this boot with earlier ones and, for a change its command line enacts \
            (pci=lastbus=N), prints predicted against measured; --fail-above PCT exits 1 when the PCI enumeration time \
            or the config accesses grew more than PCT percent over the baselines' median.
            """
        )

        @OptionGroup var source: SourceOptions

        @Option(help: ArgumentHelp("Read the kernel log from FILE (- for stdin) instead of /dev/kmsg.", valueName: "FILE"), completion: .file())
        var dmesg: String?

        @Option(help: ArgumentHelp("Per-mechanism latency from 'pcitime scan --method pio|ecam --json', 'pcitime compare --json' or another boot's 'pcitime boot --json' output (repeatable).", valueName: "FILE"), completion: .file(extensions: ["json"]))
        var latency: [String] = []

        @Option(help: ArgumentHelp("Kernel access counts from a kprobe trace ('pcitime trace --save', or tracefs 'trace' text).", valueName: "FILE"), completion: .file())
        var trace: String?

        @Option(help: ArgumentHelp("A saved function or function_graph boot trace (tracefs trace or snapshot) for the census (repeatable).", valueName: "FILE"), completion: .file())
        var ftrace: [String] = []

        @Flag(name: .customLong("kernel-params"), help: "Print the kernel command-line parameters for a boot census on this kernel (checked against its tracers, arguments support and CPUs; notes on stderr), and exit.")
        var kernelParams = false

        @Flag(help: "With --kernel-params: the function_graph variant that also times each access.")
        var timed = false

        @Flag(help: "With --kernel-params: also record each call's arguments for exact per-device counts (Linux 6.15+, CONFIG_FUNCTION_TRACE_ARGS).")
        var arguments = false

        @Flag(help: "Print JSON instead of the table.")
        var json = false

        @Flag(help: "Print OpenMetrics text (node_exporter's textfile collector) instead of the table.")
        var openmetrics = false

        @Option(name: .customLong("trace-json"), help: ArgumentHelp("Write a Chrome/Perfetto trace-event timeline (ui.perfetto.dev).", valueName: "FILE"), completion: .file(extensions: ["json"]))
        var traceJSON: String?

        @Option(help: ArgumentHelp("Write a bootgraph-style SVG timeline.", valueName: "FILE"), completion: .file(extensions: ["svg"]))
        var svg: String?

        @Flag(help: "Print one line, as systemd-analyze time: kernel boot, PCI enumeration and its share, accesses, the saving available.")
        var summary = false

        @Option(name: .short, help: ArgumentHelp("Show only device windows, their drivers' probes and census rows in [[segment:]bus:]device.function, as lspci -s.", valueName: "SLOT"))
        var slot: String?

        @Option(name: .short, help: ArgumentHelp("Show only device windows, their drivers' probes and census rows with vendor:device, as lspci -d.", valueName: "VENDOR:DEVICE"))
        var deviceID: String?

        @Option(help: ArgumentHelp("Order device windows, driver probes and census rows: time (longest first) or cost (costliest first: priced, else by access count), as systemd-analyze blame.", valueName: "ORDER"))
        var sort: BootView.Order?

        @Flag(name: .customLong("no-measure"), help: "On a live run, do not time pio and ecam accesses for the cost model.")
        var noMeasure = false

        @Option(help: ArgumentHelp("An earlier boot's 'pcitime boot --json' to compare this boot with (repeatable: the spread over several); where this boot's command line enacts a change a baseline priced (pci=lastbus=N), predicted against measured.", valueName: "FILE"), completion: .file(extensions: ["json"]))
        var baseline: [String] = []

        @Option(name: .customLong("fail-above"), help: ArgumentHelp("With --baseline: exit 1 when this boot's PCI enumeration time or config accesses exceed the baselines' median by more than PCT percent (the output is printed first).", valueName: "PCT"))
        var failAbove: Double?

        @Option(help: ArgumentHelp("Model calibration without a census: auto (for the log's kernel series, the nearest when it is not calibrated) or none (Linux 6.1's sequence alone).", valueName: "MODE"))
        var calibration: ModelCalibrationMode = .auto

        func validate() throws {
            if (timed || arguments) && !kernelParams { throw ValidationError("--timed and --arguments go with --kernel-params") }
            if kernelParams {
                let others: [(String, Bool)] = [("--dmesg", dmesg != nil), ("--root", !MachineRoot(source.root).isLive), ("--trace", trace != nil), ("--ftrace", !ftrace.isEmpty),
                                                ("--latency", !latency.isEmpty), ("--json", json), ("--openmetrics", openmetrics), ("--summary", summary),
                                                ("--svg", svg != nil), ("--trace-json", traceJSON != nil), ("--baseline", !baseline.isEmpty)]
                if let other = others.first(where: \.1) { throw ValidationError("--kernel-params prints the census's kernel parameters and nothing else: not with \(other.0)") }
            }
            if trace != nil && !ftrace.isEmpty {
                throw ValidationError("--trace (a kprobe trace's counts) and --ftrace (the boot census) both give the boot's access counts: give one")
            }
            if let f = failAbove {
                guard !baseline.isEmpty else { throw ValidationError("--fail-above compares with baselines: give --baseline FILE") }
                guard f.isFinite, f >= 0 else { throw ValidationError("--fail-above takes a percentage of 0 or more, not \(f)") }
            }
            if [summary, json, openmetrics].filter({ $0 }).count > 1 {
                throw ValidationError("--summary, --json and --openmetrics each write standard output: give one")
            }
            do {
                _ = try SlotFilter(slot: slot, id: deviceID)
            } catch let e as PCITimeError {
                throw ValidationError(e.description)
            }
            if let claim = try standardOutputClaim([("--trace-json", traceJSON), ("--svg", svg)], json: json), summary || openmetrics {
                throw ValidationError("\(claim) - and \(summary ? "--summary" : "--openmetrics") both write standard output: give \(claim) a file")
            }
        }

        func run() throws {
            if kernelParams {
                // Checked against this kernel: what it cannot run is refused (69).
                try pcitime.run {
                    let (params, notes) = try TracingSupport.here().params(timed: timed, arguments: arguments)
                    for n in notes { printErr(n) }
                    try printOut(params.line + "\n")
                }
                return
            }
            try pcitime.run {
                let options = try source.methodOptions()
                let live = dmesg == nil && options.isLive
                let (profile, logName) = try KernelLog.load(file: dmesg, root: options.root)

                var request = BootRequest(latencyFiles: latency, trace: trace, measure: live && !noMeasure, checkTracing: live,
                                          ftrace: ftrace, liveCensus: live)
                request.calibrate = calibration == .auto
                request.baselines = try baseline.map(Baseline.load)
                let boot = try BootReport(profile: profile, request: request, options: options, fromFile: dmesg != nil)
                let (counts, prices, census) = (boot.counts, boot.prices, boot.census)
                let comparison = request.baselines.isEmpty ? nil
                    : BaselineComparison.compare(profile: profile, counts: counts, census: census?.census, with: request.baselines)

                let filter = slot == nil && deviceID == nil ? nil : try SlotFilter(slot: slot, id: deviceID)
                let view = BootView(filter: filter, order: sort)
                let shown = view.apply(profile, counts: counts, prices: prices)
                if let path = traceJSON { try writeFile(PerfettoRenderer.render(shown, counts: counts, census: census), to: path) }
                if let path = svg { try writeFile(SVGRenderer.render(shown, title: "pcitime boot: \(logName)", census: census), to: path) }
                if [traceJSON, svg].contains("-") {
                    // A file took standard output's place (validate() allows one).
                } else if summary {
                    try printOut(BootSummary.line(profile: profile, prices: prices, counts: counts))
                } else if openmetrics {
                    try printOut(BootMetrics.render(profile: profile, counts: counts, prices: prices, census: census, baseline: comparison))
                } else if json {
                    let out = BootJSON(source: logName, profile: shown, run: boot, baseline: comparison)
                    try printOut(try JSONOutput.encode(out, keys: .snakeCase) + "\n")
                } else {
                    try printOut(TableRenderer.render(source: logName, profile: shown, prices: prices, counts: counts, tracing: boot.tracing, view: view.caption)
                                 + (census.map { CensusTable.render($0, prices: prices, profile: profile, view: view) } ?? CensusTable.absent)
                                 + (comparison.map(BaselineTable.render) ?? ""))
                }
                // A VMM's CI: the output first, then the verdict.
                if let limit = failAbove, let comparison {
                    let over = comparison.exceeding(limit / 100)
                    for r in over {
                        printErr("\(r.what) grew \(Format.percent(r.ratio ?? 0)) over the baselines' median (--fail-above \(fixed(limit, 1))%)")
                    }
                    if !over.isEmpty { throw ExitCode(1) }
                }
            }
        }
    }
}

extension BootView.Order: ExpressibleByArgument {}

enum ModelCalibrationMode: String, ExpressibleByArgument, CaseIterable { case auto, none }
