import ArgumentParser
import Enumerator
import Foundation

@main
struct PCITime: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pcitime",
        abstract: "What PCI device discovery costs in this VM: per-access latency per mechanism, accesses per device, and their share of boot.",
        discussion: """
        Exit codes: 0 success; 1 the scan finished but some functions failed; 64 bad usage or option value; \
        65 malformed input (MCFG, config space, kernel log, trace); 66 a file or directory is missing; \
        69 a method is unavailable here (no /dev/mem, no ioperm, no ECAM); 74 a system call failed; \
        77 permission denied (run as root, or boot with iomem=relaxed); 128+N stopped by signal N after cleaning up.
        """,
        subcommands: [Scan.self, Methods.self, MCFGCommand.self, Capture.self, Boot.self, Trace.self, Compare.self],
        defaultSubcommand: Scan.self
    )

    /// ArgumentParser's own `main`, except that a bad option or value is one
    /// line on stderr ("pcitime: MESSAGE"), like every other error, not the
    /// message plus the usage; exit 64. Help and clean exits are unchanged.
    static func main() {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let code = exitCode(for: error)
            guard code == .validationFailure else { exit(withError: error) }
            let line = message(for: error).split(separator: "\n").first.map(String.init) ?? "bad usage"
            try? OutputFile.standardError.write("pcitime: \(line) (see 'pcitime help')\n")
            Foundation.exit(code.rawValue)
        }
        do {
            try command.run()
        } catch {
            exit(withError: error)
        }
    }
}

/// Options every command that reads PCI shares.
struct SourceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Read a captured tree (from 'pcitime capture') instead of this machine.", valueName: "DIR"))
    var root: String = "/"

    @Option(help: ArgumentHelp("ACPI MCFG table to use instead of ROOT/sys/firmware/acpi/tables/MCFG.", valueName: "FILE"))
    var mcfg: String?

    @Option(help: ArgumentHelp("ECAM window that overrides every other source: [SEGMENT:]BASE:FIRST-LAST in hex, e.g. 0xb0000000:00-ff (repeatable).", valueName: "WINDOW"))
    var ecam: [String] = []

    @Option(help: ArgumentHelp("Clock for access latency: auto (the TSC when the CPU says it is invariant, else clock_gettime), tsc, or clock_gettime.", valueName: "CLOCK"))
    var clock: ClockChoice = .auto

    @Option(name: .customLong("libpci-param"), help: ArgumentHelp("A libpci parameter for libpci:NAME methods, e.g. dump.name=FILE (repeatable).", valueName: "KEY=VALUE"))
    var libpciParams: [String] = []

    enum ClockChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, tsc
        case clockGettime = "clock_gettime"
    }

    /// The access timer `--clock` asks for. Under TCG the TSC is not flagged
    /// invariant, but rdtsc costs far less than clock_gettime there.
    func timer() -> AccessTimer {
        switch clock {
        case .auto: return AccessTimer()
        case .tsc: return AccessTimer(source: .tsc)
        case .clockGettime: return AccessTimer(source: .clockMonotonic)
        }
    }

    func methodOptions() throws -> MethodOptions {
        var params: [String: String] = [:]
        for p in libpciParams {
            let kv = p.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { throw PCITimeError.usage("--libpci-param '\(p)': expected KEY=VALUE") }
            params[String(kv[0])] = String(kv[1])
        }
        let root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
        return MethodOptions(root: root, mcfgPath: mcfg, ecamOverride: try ecam.map(ECAMDiscovery.parseOverride), libpciParameters: params)
    }
}

/// Runs a command body, turning pcitime's errors into one line on stderr and
/// the documented exit code.
func run(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let e as PCITimeError {
        try? OutputFile.standardError.write("pcitime: \(e)\n")
        throw ExitCode(e.exitCode)
    }
}

func printOut(_ text: String) throws {
    try OutputFile.standardOutput.write(text)
}

/// Writes a file a command was asked for (--svg, --trace-json, --save).
func writeFile(_ text: String, to path: String) throws {
    try OutputFile.write(text, to: path)
}
