import ArgumentParser
import Enumerator

/// Options every command that reads PCI shares.
struct SourceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Read a captured tree (from 'pcitime capture') instead of this machine.", valueName: "DIR"), completion: .directory)
    var root: String = "/"

    @Option(help: ArgumentHelp("ACPI MCFG table to use instead of ROOT/sys/firmware/acpi/tables/MCFG.", valueName: "FILE"), completion: .file())
    var mcfg: String?

    @Option(help: ArgumentHelp("ECAM window that overrides every other source: [SEGMENT:]BASE:FIRST-LAST in hex, e.g. 0xb0000000:00-ff (repeatable).", valueName: "WINDOW"), transform: parseECAMWindow)
    var ecam: [ECAMWindow] = []

    @Option(help: ArgumentHelp("Clock for access latency: auto (the TSC when the CPU says it is invariant, else clock_gettime), tsc, or clock_gettime.", valueName: "CLOCK"))
    var clock: ClockChoice = .auto

    @Option(name: .customLong("libpci-param"), help: ArgumentHelp("A libpci parameter for libpci:NAME methods, e.g. dump.name=FILE (repeatable).", valueName: "KEY=VALUE"), transform: LibPCIParameter.parse)
    var libpciParams: [LibPCIParameter] = []

    enum ClockChoice: String, ExpressibleByArgument, CaseIterable {
        case auto, tsc
        case clockGettime = "clock_gettime"

        // Written out: the library's defaults build a key path at run time
        // for each of a dozen calls per parse (1.1 M instructions a run).
        static var allValueStrings: [String] { allCases.map { $0.rawValue } }
        static var allValueDescriptions: [String: String] { [:] }
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
        let params = Dictionary(libpciParams.map { ($0.key, $0.value) }, uniquingKeysWith: { $1 })
        // Given by name, so every command says at once what is wrong with it.
        if let mcfg, mcfg != "-" {
            switch FileContents.kind(mcfg) {
            case nil: throw PCITimeError.missing(mcfg, "no such file (given with --mcfg)")
            case .directory?: throw PCITimeError.input(mcfg, "is a directory, not an MCFG table (given with --mcfg)")
            default: break
            }
        }
        // Every command answers a --root that is nowhere (66) or not a folder (65) alike.
        let tree = MachineRoot(root)
        if !tree.isLive { try tree.check() }
        // Read once, here: ecam may be opened more than once a run (methods'
        // survey then auto, boot's scan then its absent-bus probe), and `-`
        // or a FIFO has nothing left for a second read.
        let table = try mcfg.map { (file: CommandLineFile.displayName($0), table: try MCFG(file: $0)) }
        return MethodOptions(root: tree.path, mcfg: table, ecamOverride: ecam, libpciParameters: params)
    }
}
