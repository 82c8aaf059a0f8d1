import ArgumentParser
import BootProfiler
import Enumerator
import Foundation

extension PCITime {
    struct Trace: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Count the config accesses the kernel itself makes, per device, with the mechanism and in-kernel latency of each (kprobes).",
            discussion: """
            Arms kprobes on raw_pci_read/raw_pci_write (segment, bus, devfn, offset, length from %di %si %dx %cx %r8), \
            pci_conf1_* and pci_mmcfg_* (which mechanism served the access) and return probes (latency), in a private \
            tracefs instance (tracefs is mounted at /sys/kernel/tracing if needed). The window is a command after --, \
            --rescan BDF (remove the device and rescan: the kernel enumerates it again; refused for the device holding \
            the root filesystem unless --force) or --rebind BDF (unbind and bind its driver). The probes are removed on \
            every exit, Ctrl-C included. Needs CONFIG_KPROBES and CONFIG_KPROBE_EVENTS. The boot-time parameter \
            kprobe_event=p:pcitime/raw_read,raw_pci_read,... (with tp_printk or trace_buf_size) arms only after the core \
            PCI scan, so it shows driver probes, not enumeration. --from FILE reads a saved trace instead of tracing.
            """
        )

        @Option(help: ArgumentHelp("Remove this device and rescan the bus while tracing.", valueName: "BDF"))
        var rescan: String?

        @Option(help: ArgumentHelp("Unbind and bind this device's driver while tracing.", valueName: "BDF"))
        var rebind: String?

        @Flag(help: "Allow --rescan of the device holding the root filesystem.")
        var force = false

        @Option(help: ArgumentHelp("Also write the raw trace text here (input for 'pcitime boot --trace').", valueName: "FILE"))
        var save: String?

        @Option(help: ArgumentHelp("Count a saved trace instead of tracing.", valueName: "FILE"))
        var from: String?

        @Flag(help: "Print JSON instead of the table.")
        var json = false

        @Argument(parsing: .postTerminator, help: "The command to trace (after --).")
        var command: [String] = []

        func validate() throws {
            let windows = [rescan != nil, rebind != nil, !command.isEmpty].filter { $0 }.count
            if from == nil && windows != 1 { throw ValidationError("give exactly one window: '-- COMMAND', '--rescan BDF' or '--rebind BDF' (or --from FILE)") }
            for (flag, v) in [("--rescan", rescan), ("--rebind", rebind)] {
                if let v, PCIAddress(v) == nil { throw ValidationError("\(flag) '\(v)': expected a PCI address like 0000:00:03.0") }
            }
        }

        func run() throws {
            try pcitime.run {
                var status: Int32 = 0
                var interrupted: Int32?
                let text: String
                var window = "saved trace"
                var skipped: [(probe: String, why: String)] = []
                if let file = from {
                    guard let t = FileManager.default.contents(atPath: file) else { throw PCITimeError.missing(file, "no such trace file") }
                    text = String(decoding: t, as: UTF8.self)
                    window += " " + file
                } else {
                    let w: TraceWindow = rescan.flatMap(PCIAddress.init).map { .rescan($0) }
                        ?? rebind.flatMap(PCIAddress.init).map { .rebind($0) } ?? .command(command)
                    window = w.description
                    try w.validate(force: force)
                    let k = KprobeAvailability.check(mount: true)
                    guard k.available, let dir = k.tracefs else { throw PCITimeError.unavailable("kernel tracing", k.reason) }
                    let guardSignals = SignalGuard()
                    let session = try KprobeSession(tracefs: dir)
                    defer { session.close() }
                    skipped = session.skipped
                    try session.start()
                    do {
                        status = try w.perform()
                    } catch {
                        _ = try? session.stop()
                        throw error
                    }
                    text = try session.stop()
                    session.close()
                    interrupted = guardSignals.interrupted
                }
                if let path = save {
                    guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { throw PCITimeError.system(path, errno) }
                }
                var parser = KprobeTraceParser()
                parser.consume(line: text)
                let accesses = parser.finish()
                let present = Set(presentFunctions())
                let counts = TraceCounts.counts(accesses, present: present, base: .type1, extended: .ecam, source: "kprobes, \(window)")
                let latencies = TraceCounts.latencies(accesses, source: window)
                if json {
                    let out = TraceJSON(window: window, counts: counts, latencies: latencies, malformedLines: parser.malformed,
                                        lostEvents: parser.lostEvents, unreturned: parser.unreturned, skippedProbes: skipped.map { "\($0.probe): \($0.why)" })
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                    printOut(String(decoding: try encoder.encode(out), as: UTF8.self) + "\n")
                } else {
                    printOut(TraceRenderer.render(window: window, counts: counts, latencies: latencies, parser: parser, skipped: skipped))
                }
                if let sig = interrupted { throw ExitCode(128 + sig) }
                if status != 0 { throw ExitCode(status) }
            }
        }

        /// Functions present now, from sysfs: accesses elsewhere are empty probes.
        func presentFunctions() -> [PCIAddress] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/bus/pci/devices")) ?? []
            return names.compactMap(PCIAddress.init)
        }
    }
}

struct TraceJSON: Encodable {
    var schema = "pcitime-trace/1"
    var window: String
    var counts: AccessCounts
    var latencies: [LatencyEstimate]
    var malformedLines: Int
    var lostEvents: Int
    var unreturned: Int
    var skippedProbes: [String]
}
