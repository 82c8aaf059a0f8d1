#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import Testing
@testable import Enumerator

/// The invocations that surprised a new user (issue 12), each with the answer
/// it now gives: exit code and the whole stderr line.
@Suite struct SurpriseTests {
    static let tree = Fixtures.tree("firecracker")
    static let log = Fixtures.log("firecracker.dmesg.txt")

    static func fails(_ status: Int32, _ line: String, _ args: String...) throws {
        let r = try CLITests.pcitime(args)
        #expect(r.status == status, "\(args): \(r.err)")
        #expect(r.err == "pcitime: " + line + "\n", "\(args)")
        #expect(r.out.isEmpty, "\(args)")
    }

    @Test func sysfsExtIsForCompareOnly() throws {
        try Self.fails(64, "method 'sysfs-ext' is for compare only (it reads offsets 0x100 and up); scan with --method sysfs",
                       "scan", "--root", Self.tree, "--method", "sysfs-ext")
    }

    @Test func aMissingMCFGFileIsNamed() throws {
        for command in ["scan", "mcfg", "boot"] {
            try Self.fails(66, "/nonexistent: no such file (given with --mcfg)", command, "--root", Self.tree, "--mcfg", "/nonexistent")
        }
    }

    @Test func garbageIsNotATraceForTraceOrBoot() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let garbage = dir + "/garbage.txt"
        OutputMatrixTests.put("garbage\n", garbage, mode: 0o644)
        let line = "\(garbage): no pcitime kprobe events in 1 unreadable lines"
        try Self.fails(65, line, "trace", "--from", garbage)
        try Self.fails(65, line, "boot", "--dmesg", Self.log, "--trace", garbage)
    }

    @Test func aMethodNamedTwiceIsRefused() throws {
        try Self.fails(64, "method 'sysfs' named twice (mmio is ecam, conf1 is pio): give different methods (see 'pcitime help compare')",
                       "compare", "sysfs", "sysfs")
        try Self.fails(64, "method 'ecam' named twice (mmio is ecam, conf1 is pio): give different methods (see 'pcitime help compare')",
                       "compare", "ecam", "mmio")
    }

    @Test func negativeNumbersGetTheRangeMessage() throws {
        try Self.fails(64, "--repeat must be between 1 and 1000000 (see 'pcitime help scan')", "scan", "--root", Self.tree, "--repeat", "-1")
        try Self.fails(64, "--samples must be between 1 and 10000000 (see 'pcitime help compare')", "compare", "sysfs-base", "sysfs-ext", "--samples", "-5")
    }

    @Test func jsonAndTreeAreExclusive() throws {
        try Self.fails(64, "--json and --tree are exclusive: JSON always holds the functions, --tree draws them (see 'pcitime help scan')",
                       "scan", "--root", Self.tree, "--json", "--tree")
    }

    @Test func twoClaimsOnStandardOutputAreRefused() throws {
        try Self.fails(64, "--trace-json and --svg all name '-' (standard output): give all but one a file (see 'pcitime help boot')",
                       "boot", "--dmesg", Self.log, "--trace-json", "-", "--svg", "-")
        try Self.fails(64, "--save - and --json both write standard output: give --save a file (see 'pcitime help trace')",
                       "trace", "--from", Self.log, "--save", "-", "--json")
    }

    @Test func standardInputIsCalledThat() throws {
        let r = OutputMatrixTests.run(["boot", "--dmesg", "-"], stdout: .file("/dev/null"))
        #expect(r.status == 65)
        #expect(r.err == "pcitime: standard input: empty kernel log\n")
    }

    /// lspci's -V: the version, as --version prints it.
    @Test func dashCapitalVIsTheVersion() throws {
        let v = try CLITests.pcitime("-V"), version = try CLITests.pcitime("--version")
        #expect(v.status == 0 && v.err.isEmpty && v.out == version.out && v.out.hasPrefix("0."))
    }

    @Test func helpNamesSubcommandsOnly() throws {
        try Self.fails(64, "help: no subcommand 'foo' (one of: scan, methods, mcfg, capture, boot, trace, compare)", "help", "foo")
        try Self.fails(64, "help: 'boot' has no subcommand 'foo'", "help", "boot", "foo")
        let scan = try CLITests.pcitime("help", "scan")
        #expect(scan.status == 0 && scan.out.hasPrefix("OVERVIEW: List every PCI function"))
        // Parse errors point to the help of the subcommand that was run.
        try Self.fails(64, "Unknown option '--bogus' (see 'pcitime help boot')", "boot", "--bogus")
        try Self.fails(64, "Unknown option '--bogus' (see 'pcitime help scan')", "--bogus")
    }

    /// `-s` shows one function: the totals are that function's, and the
    /// whole walk's are labelled as such (table row `walk`, JSON `whole_walk`).
    @Test func filteredTotalsDescribeWhatIsShown() throws {
        let table = try CLITests.pcitime("scan", "--root", Self.tree, "-n", "-s", "00:03.0")
        let rows = table.out.split(separator: "\n")
        #expect(rows.contains { $0.hasPrefix("total       22  ") && $0.hasSuffix("1 of 6 functions shown; 22 reads") })
        #expect(rows.contains { $0.hasPrefix("walk       127  ") && $0.hasSuffix("the whole walk: 6 functions; 127 reads of present functions, 0 of empty slots") })

        let shown = try ScanJSON.decoder.decode(ScanJSON.self, from: Data(try CLITests.pcitime("scan", "--root", Self.tree, "-s", "00:03.0", "--json").out.utf8))
        #expect([shown.totals.functions, shown.totals.reads, shown.totals.deviceReads, shown.totals.emptyProbeReads] == [1, 22, 22, 0])
        #expect(shown.totals.latencyNs.samples == 22)
        #expect([shown.wholeWalk?.functions, shown.wholeWalk?.reads, shown.wholeWalk?.deviceReads] == [6, 127, 127])
        #expect(shown.wholeWalk?.latencyNs.samples == 127)

        let all = try ScanJSON.decoder.decode(ScanJSON.self, from: Data(try CLITests.pcitime("scan", "--root", Self.tree, "--json").out.utf8))
        #expect([all.totals.functions, all.totals.reads] == [6, 127])
        #expect(all.wholeWalk == nil)
    }

    /// The help says scan output: a pio or ecam scan prices its mechanism; a
    /// sysfs scan prices none and is refused instead of ignored.
    @Test func aLatencyFileThatPricesNothingIsRefused() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let file = dir + "/scan.json"
        let r = OutputMatrixTests.run(["scan", "--root", Self.tree, "--json"], stdout: .file(file))
        #expect(r.status == 0)
        try Self.fails(65, "\(file): a 'sysfs' scan prices no config mechanism: give a scan with --method pio or --method ecam, or 'pcitime compare --json' output",
                       "boot", "--dmesg", Self.log, "--latency", file)
    }
}
