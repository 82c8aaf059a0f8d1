import ArgumentParser
import BootProfiler
import Enumerator

extension PCITime {
    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compare",
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
            When pio or ecam (mmio) cannot reach config space from user space but the kernel's log says the kernel \
            uses that mechanism (type 1 for base, ECAM for extended access), sysfs-base or sysfs-ext runs in its \
            place, labelled kernel-mediated. Exits 69 when fewer than two methods work here, either way. \
            Runs on the machine itself only: a captured tree (--root) has no mechanism behind its files and is refused.
            """
        )

        @Argument(help: ArgumentHelp("Two or more access methods.", valueName: "METHOD"), completion: .list(Enumerator.Methods.allNames))
        var methods: [String] = []

        @OptionGroup var source: SourceOptions

        @Option(name: .short, help: ArgumentHelp("Only functions in [[segment:]bus:]device.function, as lspci -s.", valueName: "SLOT"))
        var slot: String?

        @Option(help: ArgumentHelp("Offsets to read, in hex: a list and/or ranges, e.g. 0x00-0x3c or 0x0,0x8,0x3c (default: the header, 0x00-0x3F in steps of --width).", valueName: "LIST"), transform: OffsetList.parse)
        var offsets: OffsetList?

        @Option(parsing: .unconditional, help: "Access width in bytes: 1, 2 or 4.")
        var width: Int = 4

        @Option(parsing: .unconditional, help: "Measured rounds: samples per register per method.")
        var samples: Int = CompareRequest.defaultSamples

        @Option(parsing: .unconditional, help: "Rounds run first and discarded.")
        var warmup: Int = CompareRequest.defaultWarmup

        @Option(help: ArgumentHelp("Pin the run to this processor (sched_setaffinity).", valueName: "CPU"))
        var pin: Int?

        @Option(help: "Seed of the bootstrap (decimal or 0x hex); the same seed gives the same interval (default: 0x\(String(CompareRequest.defaultSeed, radix: 16))).", transform: Seed.parse)
        var seed = Seed(CompareRequest.defaultSeed)

        @Option(parsing: .unconditional, help: "Bootstrap resamples.")
        var resamples: Int = CompareRequest.defaultResamples

        @Option(parsing: .unconditional, help: ArgumentHelp("The kernel's base-space config accesses at boot, for the projection (labelled 'given').", valueName: "N"))
        var accesses: Int?

        @Option(help: ArgumentHelp("Kernel access counts from a kprobe trace ('pcitime trace --save') for the projection (measured).", valueName: "FILE"), completion: .file())
        var trace: String?

        @Option(help: ArgumentHelp("Read the kernel log from FILE instead of /dev/kmsg (ROOT/dmesg.txt with --root).", valueName: "FILE"), completion: .file())
        var dmesg: String?

        @Flag(help: "Print JSON (with each method's raw histogram) instead of the table.")
        var json = false

        @Flag(name: .customLong("raw-samples"), help: "With --json, include every sample in the order taken.")
        var rawSamples = false

        @Option(help: ArgumentHelp("Write the distributions as SVG.", valueName: "FILE"), completion: .file(extensions: ["svg"]))
        var svg: String?

        func validate() throws {
            guard methods.count >= 2 else { throw ValidationError("give at least two methods, e.g. 'pcitime compare pio mmio' (see 'pcitime methods')") }
            if let unknown = methods.first(where: { !Enumerator.Methods.allNames.contains($0) }) {
                throw ValidationError("unknown method '\(unknown)': use ecam (mmio), pio (conf1), sysfs, sysfs-base, sysfs-ext or libpci:NAME (see 'pcitime methods')")
            }
            let named = methods.map(Enumerator.Methods.canonical)
            if let twice = named.first(where: { m in named.filter { $0 == m }.count > 1 }) {
                throw ValidationError("method '\(twice)' named twice (mmio is ecam, conf1 is pio): give different methods")
            }
            guard [1, 2, 4].contains(width) else { throw ValidationError("--width must be 1, 2 or 4") }
            guard samples >= 1 && samples <= 10_000_000 else { throw ValidationError("--samples must be between 1 and 10000000") }
            guard warmup >= 0 else { throw ValidationError("--warmup must be 0 or more") }
            guard resamples >= 10 && resamples <= 1_000_000 else { throw ValidationError("--resamples must be between 10 and 1000000") }
            if let accesses { guard accesses >= 0 else { throw ValidationError("--accesses must be 0 or more") } }
            if accesses != nil && trace != nil { throw ValidationError("--accesses and --trace both give the projection's access count: give one") }
            if rawSamples && !json { throw ValidationError("--raw-samples goes with --json (it adds every sample to the JSON)") }
            if let slot { _ = try SlotFilter(slot: slot, id: nil) }
            if let offsets { _ = try offsets.offsets(width: width) }
            _ = try standardOutputClaim([("--svg", svg)], json: json)
            // A capture's config files are page-cache reads: no device, no
            // mechanism, nothing for a ratio or a boot projection to mean.
            if !MachineRoot(source.root).isLive {
                throw ValidationError("--root: a captured tree has no mechanism to compare (its config files are file reads); run 'pcitime compare \(methods.joined(separator: " "))' on the machine itself, or 'pcitime scan --root \(source.root)' to read the capture")
            }
        }

        func run() throws {
            try pcitime.run {
                let options = try source.methodOptions()
                // Named files are read before anything is timed: a mistake in
                // one is the same error as from boot, not a note after the run.
                let counts: AccessCountSource = try accesses.map { .given($0) } ?? trace.map(AccessCountSource.trace(file:)) ?? .model
                let log = CompareKernelLog(file: dmesg, root: options.root)
                if dmesg != nil, let e = log.error { throw e }
                var request = CompareRequest(methods: methods, slot: slot, width: AccessWidth(rawValue: width)!, samples: samples,
                                             warmup: warmup, seed: seed.value, resamples: resamples, pin: pin, kernelLog: log.profile)
                if let offsets { request.offsets = try offsets.offsets(width: width) }
                var report = try Comparison.run(request, options: options, timer: source.timer())
                report.project(counts, options: options, log: log)
                if let path = svg { try writeFile(CompareSVG.render(report), to: path) }
                if svg == "-" {
                    // The SVG took standard output's place.
                } else if json {
                    try printOut(try CompareJSON(report, rawSamples: rawSamples).encoded() + "\n")
                } else {
                    try printOut(CompareTable.render(report) + (svg.map { "\nwrote \($0)\n" } ?? ""))
                }
            }
        }
    }
}
