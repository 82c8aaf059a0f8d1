import ArgumentParser
import Enumerator

extension PCITime {
    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every PCI function, as lspci does, with the config accesses the scan needed and what they cost.",
            discussion: """
            Methods: auto (default: the most direct that works here), ecam (alias mmio: /dev/mem, needs root and \
            iomem=relaxed on locked-down kernels), pio (alias conf1: ports 0xCF8/0xCFC, needs root and ioperm), \
            sysfs (the kernel's config files; --root reads a captured tree), libpci:NAME (any libpci method). \
            Counts are those of one pass; latencies gather every pass of --repeat. \
            Warning: user-space type-1 (pio) access races with the kernel's own use of 0xCF8/0xCFC; \
            keep pio scans short on a busy system.
            """
        )

        @OptionGroup var source: SourceOptions

        @Option(name: .shortAndLong, help: "Access method: auto, ecam (mmio), pio (conf1), sysfs, libpci:NAME.", completion: .list(["auto"] + Enumerator.Methods.allNames))
        var method: String = "auto"

        @Flag(help: "Probe every bus in range instead of following bridges.")
        var brute = false

        @Option(name: .short, help: ArgumentHelp("Show only functions in [[segment:]bus:]device.function (each part may be omitted or *), as lspci -s.", valueName: "SLOT"))
        var slot: String?

        @Option(name: .short, help: ArgumentHelp("Show only functions with vendor:device (either may be empty), as lspci -d.", valueName: "VENDOR:DEVICE"))
        var deviceID: String?

        @Flag(name: .short, help: "Numeric IDs only, no pci.ids names.")
        var numeric = false

        @Option(name: .customShort("i"), help: ArgumentHelp("pci.ids file to take names from (plain or .gz), as lspci -i; default: the first found beside pcitime, in /usr/share/misc or /usr/share/hwdata.", valueName: "FILE"))
        var idsFile: String?

        @Flag(help: "Show the bus tree, as lspci -t.")
        var tree = false

        @Flag(help: "Print the documented JSON schema instead of the table.")
        var json = false

        @Flag(help: "Print OpenMetrics text (node_exporter's textfile collector) instead of the table.")
        var openmetrics = false

        @Option(parsing: .unconditional, help: "Walk this many times; latencies gather every pass.")
        var `repeat`: Int = 1

        func validate() throws {
            guard `repeat` >= 1 && `repeat` <= 1_000_000 else { throw ValidationError("--repeat must be between 1 and 1000000") }
            guard !(json && tree) else { throw ValidationError("--json and --tree are exclusive: JSON always holds the functions, --tree draws them") }
            guard !(openmetrics && (json || tree)) else { throw ValidationError("--openmetrics is a view of its own: not with --json or --tree") }
            do {
                _ = try SlotFilter(slot: slot, id: deviceID)
            } catch let e as PCITimeError {
                throw ValidationError(e.description)
            }
        }

        func run() throws {
            try pcitime.run {
                // The tree prints no times: skip the TSC's rate and take the plain clock.
                let timer = tree && !json ? AccessTimer(source: .clockMonotonic) : source.timer()
                var report = try Scanner.scan(method: method, options: try source.methodOptions(), brute: brute, passes: `repeat`, timer: timer)
                let filter = try SlotFilter(slot: slot, id: deviceID)
                report.show(only: filter.matches)
                let names = Names(numeric: numeric || (tree && !json && !openmetrics), file: idsFile)
                if let note = names.note { try? OutputFile.standardError.write("pcitime: note: \(note)\n") }
                if openmetrics {
                    try printOut(ScanMetrics.render(report))
                } else if json {
                    try ScanJSON(report, names: names).write { try OutputFile.standardOutput.write(bytes: $0) }
                } else if tree {
                    try printOut(ScanTree.render(report.walk.functions))
                } else {
                    try printOut(ScanTable.render(report, names: names))
                }
                if !report.walk.failures.isEmpty { throw ExitCode(1) }
            }
        }
    }
}
