import ArgumentParser
import Enumerator

extension PCITime {
    struct Scan: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scan",
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

        @Flag(name: .short, help: "Numeric IDs only, no pci.ids names; -nn: names and IDs, as lspci.")
        var numeric: Int

        @Option(name: .customShort("i"), help: ArgumentHelp("pci.ids file to take names from (plain or .gz), as lspci -i; default: the first found beside pcitime, in /usr/share/misc or /usr/share/hwdata.", valueName: "FILE"))
        var idsFile: String?

        @Flag(name: [.customShort("t"), .long], help: "Show the bus tree, as lspci -t (with -v: vendor and device names, as lspci -tv).")
        var tree = false

        @Flag(name: .short, help: "lspci -v view: flags, BARs, capabilities and the PCIe link beside pcitime's counts (-vv, lspci's decode of every register, is lspci's own: run lspci -vv).")
        var verbose: Int

        @Flag(name: .customShort("x"), help: "Hex dump of config space after each function, as lspci: -x the standard header (64 bytes, 128 for CardBus), -xxx 256 bytes, -xxxx 4096. Each dword is read, counted and timed like every access; standard error says how many reads the dumps took.")
        var hexDump: Int

        @Flag(name: .customShort("k"), help: "Show the kernel driver in use and its module (from sysfs), as lspci -k.")
        var kernel = false

        @Flag(name: .customLong("vmm", withSingleDash: true), help: "Machine-readable records, as lspci -vmm.")
        var machine = false

        @Flag(name: .customShort("D"), help: "Always show the PCI domain, as lspci -D.")
        var domains = false

        @Flag(name: [.customShort("q"), .long], help: "No preamble (method and timer lines) before the text views.")
        var quiet = false

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
            guard !(machine && (json || tree || openmetrics)) else { throw ValidationError("-vmm is a view of its own: not with --json, --tree or --openmetrics") }
            guard !(hexDump > 0 && (json || tree || openmetrics || machine)) else { throw ValidationError("-x dumps config space into lspci's listing: not with --json, --tree, --openmetrics or -vmm") }
            // pcitime decodes what it reads to count; lspci -vv decodes every
            // register (control, status, link, MSI-X...), which is lspci's to do.
            guard verbose <= 1 else {
                throw ValidationError("-\(String(repeating: "v", count: verbose)): lspci's decode of every register is lspci's own: run 'lspci -\(String(repeating: "v", count: verbose))' (pcitime -v shows what pcitime reads and what it cost; -x dumps it)")
            }
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
                let kernelView = json || machine || verbose > 0 || kernel
                var report = try Scanner.scan(method: method, options: try source.methodOptions(), brute: brute, passes: `repeat`,
                                              timer: timer, kernelView: kernelView, hexDump: hexDump)
                let filter = try SlotFilter(slot: slot, id: deviceID)
                report.show(only: filter.matches)
                // pci.ids for every text view: -n changes what is printed, not what is known.
                let names = Names(file: idsFile)
                // None readable: numeric IDs, and one note where names were asked for.
                if let note = names.note, numeric != 1, !openmetrics, !(tree && verbose == 0) {
                    printErr("note: \(note)")
                }
                let text = LspciText(names: names, ids: numeric == 0 ? .names : numeric == 1 ? .numeric : .both, domains: domains)
                let listing = ScanListing(text: text, verbose: verbose, kernel: kernel)
                if openmetrics {
                    try printOut(ScanMetrics.render(report))
                } else if json {
                    try ScanJSON(report, names: numeric == 1 ? Names(numeric: true) : names).write { try OutputFile.standardOutput.write(bytes: $0) }
                } else if machine {
                    try printOut(listing.machine(report))
                } else if tree {
                    try printOut(ScanTree.render(report.walk.functions, names: verbose > 0 ? text : nil))
                } else if verbose > 0 || kernel || hexDump > 0 {
                    try printOut((quiet ? "" : ScanTable.preamble(report)) + listing.render(report))
                } else {
                    try printOut(ScanTable.render(report, text: text, preamble: !quiet))
                }
                // The dumps' reads, said beside the dump so it stays lspci's, byte for byte.
                if hexDump > 0 {
                    printErr(ScanTable.dumpReadsLine(report, level: hexDump))
                }
                // Diagnostics to standard error, as lspci's; JSON holds them itself.
                if !json {
                    for line in ScanTable.diagnostics(report, text: text) { printErr(line) }
                }
                if !report.walk.failures.isEmpty { throw ExitCode(1) }
            }
        }
    }
}
