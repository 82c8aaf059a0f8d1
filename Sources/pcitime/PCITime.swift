import ArgumentParser
import Enumerator
import Glibc

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
        version: versionText,
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
            Glibc.exit(code.rawValue)
        }
        do {
            try command.run()
        } catch {
            exit(withError: error)
        }
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
