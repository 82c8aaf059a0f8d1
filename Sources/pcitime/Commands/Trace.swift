import ArgumentParser
import BootProfiler
import Enumerator

extension PCITime {
    struct Trace: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "trace",
            abstract: "Count the config accesses the kernel itself makes, per device, with the mechanism and in-kernel latency of each (kprobes).",
            discussion: """
            Arms kprobes on pci_conf1_read/write (type 1) and pci_mmcfg_read/write (ECAM), the functions behind the \
            kernel's raw_pci_read/raw_pci_write: each entry carries segment, bus, devfn, offset and length (%di %si %dx \
            %cx %r8) and its name is the mechanism; return probes give the in-kernel latency (kprobe overhead included; \
            tracefs timestamps have 1 us resolution, so only means over many accesses are meaningful). raw_pci_read \
            itself is not probed: the kernel's bus ops call an inlined copy of it. The probes live in a private tracefs \
            instance (tracefs is mounted at /sys/kernel/tracing if needed) and are removed on every exit, Ctrl-C and \
            SIGTERM included (the signal is passed on to the command, and the counts so far are printed). \
            The window is a command after --, --rescan BDF (remove the device and rescan its bus: the kernel \
            enumerates it again and probes its driver; refused for the device holding the root filesystem unless \
            --force) or --rebind BDF (unbind and bind its driver). Counts are per function present after the window; \
            accesses to absent functions and buses are reported apart. Needs root, CONFIG_KPROBES and \
            CONFIG_KPROBE_EVENTS. At boot: --kernel-param prints the same probes as a kprobe_event= kernel parameter; \
            the kernel arms those after the core PCI scan (fs_initcall, after pci_subsys_init), so they show driver \
            probes, not enumeration; save /sys/kernel/tracing/trace after boot and give it to --from or \
            'pcitime boot --trace'. For the boot's own enumeration, print the function tracer's parameters with \
            'pcitime boot --kernel-params': it starts before the PCI scan, needs no kprobes, and 'pcitime boot' \
            then counts every access to init. --from FILE reads a saved trace instead of tracing.
            """
        )

        @Option(help: ArgumentHelp("Remove this device and rescan the bus while tracing.", valueName: "BDF"))
        var rescan: String?

        @Option(help: ArgumentHelp("Unbind and bind this device's driver while tracing.", valueName: "BDF"))
        var rebind: String?

        @Flag(help: "Allow --rescan of the device holding the root filesystem.")
        var force = false

        @Option(help: ArgumentHelp("Also write the raw trace text here (input for 'pcitime boot --trace').", valueName: "FILE"), completion: .file())
        var save: String?

        @Option(help: ArgumentHelp("Count a saved trace instead of tracing.", valueName: "FILE"), completion: .file())
        var from: String?

        @Flag(help: "Print JSON instead of the table.")
        var json = false

        @Flag(name: .customLong("kernel-param"), help: "Print the kprobe_event= boot parameter that arms the same probes at boot, and exit.")
        var kernelParam = false

        @Argument(parsing: .postTerminator, help: "The command to trace (after --).")
        var command: [String] = []

        func validate() throws {
            _ = try standardOutputClaim([("--save", save)], json: json)
            let window = [("--rescan", rescan != nil), ("--rebind", rebind != nil), ("-- COMMAND", !command.isEmpty)].filter(\.1).map(\.0)
            if kernelParam {
                let others = window + [("--from", from != nil), ("--save", save != nil), ("--json", json), ("--force", force)].filter(\.1).map(\.0)
                if let other = others.first { throw ValidationError("--kernel-param prints the boot parameter and nothing else: not with \(other)") }
                return
            }
            if from != nil {
                // A saved trace has its window already: nothing is traced.
                if let w = (window + (force ? ["--force"] : [])).first { throw ValidationError("--from reads a saved trace and traces nothing: not with \(w)") }
                return
            }
            if force && rescan == nil { throw ValidationError("--force goes with --rescan (it allows rescanning the root filesystem's device)") }
            if window.count != 1 { throw ValidationError("give exactly one window: '-- COMMAND', '--rescan BDF' or '--rebind BDF' (or --from FILE)") }
            for (flag, v) in [("--rescan", rescan), ("--rebind", rebind)] {
                if let v, PCIAddress(v) == nil { throw ValidationError("\(flag) '\(v)': expected a PCI address like 0000:00:03.0") }
            }
        }

        func run() throws {
            if kernelParam {
                try printOut(KprobeSession.bootParameter + "\n")
                printErr("these probes arm after the core PCI scan; for the boot's enumeration see 'pcitime boot --kernel-params'")
                return
            }
            try pcitime.run {
                let trace: TraceReport
                if let file = from {
                    trace = try .saved(file, keepText: save != nil)
                } else {
                    let w: TraceWindow = rescan.flatMap(PCIAddress.init).map { .rescan($0) }
                        ?? rebind.flatMap(PCIAddress.init).map { .rebind($0) } ?? .command(command)
                    trace = try .live(w, force: force)
                }
                if !trace.leftovers.isEmpty {
                    printErr("warning: could not remove \(trace.leftovers.joined(separator: ", ")) from tracefs")
                }
                if let path = save { try writeFile(trace.text, to: path) }
                if save == "-" {
                    // The trace text took standard output's place.
                } else if json {
                    try printOut(try TraceJSON(trace).encoded() + "\n")
                } else {
                    try printOut(TraceRenderer.render(window: trace.window, counts: trace.counts, latencies: trace.latencies,
                                                      parser: trace.parser, skipped: trace.skipped))
                }
                if let sig = trace.interrupted { throw ExitCode(128 + sig) }
                if trace.status != 0 { throw ExitCode(trace.status) }
            }
        }
    }
}
