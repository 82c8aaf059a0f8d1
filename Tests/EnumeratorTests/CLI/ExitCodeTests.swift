#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Enumerator

/// One exit-code table for every command (README "Exit codes", the man
/// page's description): each kind of mistake run through every command that
/// can make it, each answered with the table's code, one line on stderr
/// naming the file, option or method, and nothing on stdout.
@Suite struct ExitCodeTests {
    struct Mistake {
        var kind: String
        var code: Int32
        /// The command line and the whole stderr line after "pcitime: ".
        var runs: [(args: [String], line: String)]
    }

    static let log = Fixtures.log("firecracker.dmesg.txt")
    static let trace = Fixtures.trace("q35-rescan.trace")
    static let function = Fixtures.census("6.1", "q35") + "snapshot"
    static let tree = Fixtures.tree("firecracker")

    /// Every mistake, in a scratch folder holding a missing path, a folder, a
    /// plain file, a garbage file and a copy of a capture with FIFOs.
    static func mistakes(_ d: String) -> [Mistake] {
        let (nowhere, folder, file, garbage, fifoTree) = (d + "/nowhere", d + "/folder", d + "/file", d + "/garbage.txt", d + "/tree")
        let help = { (c: String) in " (see 'pcitime help \(c)')" }
        let unknownScan = "unknown method 'nope': use auto, ecam (mmio), pio (conf1), sysfs, sysfs-base, sysfs-ext or libpci:NAME (\(Methods.libpciMethods.joined(separator: ", ")))"
        let unknownCompare = "unknown method 'nope': use ecam (mmio), pio (conf1), sysfs, sysfs-base, sysfs-ext or libpci:NAME (see 'pcitime methods')" + help("compare")
        return [
            // After a complete command line, so that nothing else is wrong with it.
            Mistake(kind: "an unknown option", code: 64, runs: [["scan"], ["boot", "--dmesg", log], ["trace", "--from", trace], ["compare", "sysfs-base", "sysfs-ext"],
                                                                ["mcfg"], ["methods"], ["capture", "--out", d + "/capture"]].map {
                ($0 + ["--bogus"], "Unknown option '--bogus'" + ($0[0] == "capture" ? ". Did you mean '--out'?" : "") + help($0[0]))
            }),
            Mistake(kind: "a mistyped subcommand", code: 64, runs: [
                (["bot"], "unknown command 'bot': did you mean 'boot'? (see 'pcitime help')"),
                (["scna", "-n"], "unknown command 'scna': did you mean 'scan'? (see 'pcitime help')"),
                (["xyzzy"], "unknown command 'xyzzy' (one of: scan, methods, mcfg, capture, boot, trace, compare) (see 'pcitime help')"),
                (["help", "bot"], "help: no subcommand 'bot': did you mean 'boot'?"),
            ]),
            Mistake(kind: "an lspci view pcitime leaves to lspci", code: 64, runs: [
                (["scan", "-vv"], "-vv: lspci's decode of every register is lspci's own: run 'lspci -vv' (pcitime -v shows what pcitime reads and what it cost; -x dumps it)" + help("scan")),
                (["scan", "-vvv", "--root", tree], "-vvv: lspci's decode of every register is lspci's own: run 'lspci -vvv' (pcitime -v shows what pcitime reads and what it cost; -x dumps it)" + help("scan")),
                (["scan", "-x", "--json"], "-x dumps config space into lspci's listing: not with --json, --tree, --openmetrics or -vmm" + help("scan")),
            ]),
            Mistake(kind: "an unknown method", code: 64, runs: [
                (["scan", "--method", "nope"], unknownScan),
                (["scan", "--method", "libpci:nope"], unknownScan.replacingOccurrences("'nope'", "'libpci:nope'")),
                (["compare", "nope", "sysfs"], unknownCompare),
                (["compare", "sysfs", "libpci:nope"], unknownCompare.replacingOccurrences("'nope'", "'libpci:nope'")),
            ]),
            Mistake(kind: "options that cannot go together", code: 64, runs: [
                (["trace", "--from", trace, "--rescan", "0000:00:03.0"], "--from reads a saved trace and traces nothing: not with --rescan" + help("trace")),
                (["trace", "--from", trace, "--", "true"], "--from reads a saved trace and traces nothing: not with -- COMMAND" + help("trace")),
                (["trace", "--from", trace, "--force"], "--from reads a saved trace and traces nothing: not with --force" + help("trace")),
                (["trace", "--kernel-param", "--from", trace], "--kernel-param prints the boot parameter and nothing else: not with --from" + help("trace")),
                (["trace", "--force", "--", "true"], "--force goes with --rescan (it allows rescanning the root filesystem's device)" + help("trace")),
                (["boot", "--kernel-params", "--dmesg", log], "--kernel-params prints the census's kernel parameters and nothing else: not with --dmesg" + help("boot")),
                (["boot", "--dmesg", log, "--fail-above", "10"], "--fail-above compares with baselines: give --baseline FILE" + help("boot")),
                (["boot", "--dmesg", log, "--trace", trace, "--ftrace", function], "--trace (a kprobe trace's counts) and --ftrace (the boot census) both give the boot's access counts: give one" + help("boot")),
                (["compare", "sysfs-base", "sysfs-ext", "--accesses", "5", "--trace", trace], "--accesses and --trace both give the projection's access count: give one" + help("compare")),
                (["compare", "sysfs-base", "sysfs-ext", "--raw-samples"], "--raw-samples goes with --json (it adds every sample to the JSON)" + help("compare")),
                (["scan", "--json", "--tree"], "--json and --tree are exclusive: JSON always holds the functions, --tree draws them" + help("scan")),
            ]),
            Mistake(kind: "a question a captured tree cannot answer", code: 64, runs: [
                (["compare", "pio", "mmio", "--root", tree], "--root: a captured tree has no mechanism to compare (its config files are file reads); run 'pcitime compare pio mmio' on the machine itself, or 'pcitime scan --root \(tree)' to read the capture" + help("compare")),
                (["scan", "--method", "ecam", "--root", tree], "--method ecam reaches hardware and cannot read a captured tree; use --method sysfs with --root"),
                (["scan", "--method", "pio", "--root", tree], "--method pio reaches hardware and cannot read a captured tree; use --method sysfs with --root"),
            ]),
            Mistake(kind: "a file named on the command line is missing", code: 66, runs: [
                (["boot", "--dmesg", nowhere], "\(nowhere): no such file"),
                (["boot", "--dmesg", log, "--trace", nowhere], "\(nowhere): no such file"),
                (["boot", "--dmesg", log, "--ftrace", nowhere], "\(nowhere): no such file"),
                (["boot", "--dmesg", log, "--latency", nowhere], "\(nowhere): no such file"),
                (["boot", "--dmesg", log, "--baseline", nowhere], "\(nowhere): no such file"),
                (["trace", "--from", nowhere], "\(nowhere): no such file"),
                (["compare", "sysfs-base", "sysfs-ext", "--trace", nowhere], "\(nowhere): no such file"),
                (["compare", "sysfs-base", "sysfs-ext", "--dmesg", nowhere], "\(nowhere): no such file"),
                (["scan", "--method", "libpci:dump", "--libpci-param", "dump.name=" + nowhere], "\(nowhere): no such file (given with --libpci-param dump.name)"),
                (["compare", "libpci:dump", "sysfs", "--libpci-param", "dump.name=" + nowhere], "\(nowhere): no such file (given with --libpci-param dump.name)"),
            ] + ["scan", "mcfg", "methods", "boot"].map { ([$0, "--mcfg", nowhere], "\(nowhere): no such file (given with --mcfg)") }
              + [(["compare", "pio", "mmio", "--mcfg", nowhere], "\(nowhere): no such file (given with --mcfg)")]
              + ["scan", "mcfg", "methods", "boot"].map { ([$0, "--root", nowhere], "\(nowhere): no such directory") }),
            Mistake(kind: "a folder named as a file", code: 65, runs: [
                (["boot", "--dmesg", folder], "\(folder): is a directory, not a kernel log (for a captured tree use --root)"),
                (["compare", "sysfs-base", "sysfs-ext", "--dmesg", folder], "\(folder): is a directory, not a kernel log (for a captured tree use --root)"),
                (["boot", "--dmesg", log, "--trace", folder], "\(folder): is a directory, not a trace"),
                (["boot", "--dmesg", log, "--ftrace", folder], "\(folder): is a directory, not a trace"),
                (["trace", "--from", folder], "\(folder): is a directory, not a trace"),
                (["compare", "sysfs-base", "sysfs-ext", "--trace", folder], "\(folder): is a directory, not a trace"),
                (["boot", "--dmesg", log, "--latency", folder], "\(folder): is a directory, not a latency file"),
                (["boot", "--dmesg", log, "--baseline", folder], "\(folder): is a directory, not a baseline file"),
                (["scan", "--method", "libpci:dump", "--libpci-param", "dump.name=" + folder], "\(folder): is a directory, not a dump (lspci -x output)"),
            ] + ["scan", "mcfg", "methods", "boot"].map { ([$0, "--mcfg", folder], "\(folder): is a directory, not an MCFG table (given with --mcfg)") }),
            Mistake(kind: "a file given as the captured tree", code: 65, runs: ["scan", "mcfg", "methods", "boot"].map {
                ([$0, "--root", file], "\(file): not a directory (--root wants a captured tree)")
            }),
            Mistake(kind: "a FIFO where a captured tree holds a regular file", code: 65, runs: [
                (["boot", "--root", fifoTree], "\(fifoTree)/dmesg.txt: not a regular file: a FIFO"),
                (["mcfg", "--root", fifoTree], "\(fifoTree)/sys/firmware/acpi/tables/MCFG: not a regular file: a FIFO"),
            ]),
            Mistake(kind: "a file that is not what its option reads", code: 65, runs: [
                (["trace", "--from", garbage], "\(garbage): no pcitime kprobe events in 1 unreadable lines"),
                (["boot", "--dmesg", log, "--trace", garbage], "\(garbage): no pcitime kprobe events in 1 unreadable lines"),
                (["compare", "sysfs-base", "sysfs-ext", "--trace", garbage], "\(garbage): no pcitime kprobe events in 1 unreadable lines"),
                (["boot", "--dmesg", log, "--ftrace", garbage], "\(garbage): no call of pci_conf1_read,pci_conf1_write,pci_mmcfg_read,pci_mmcfg_write in 1 trace lines"),
                (["boot", "--dmesg", garbage], "\(garbage): no line with a kernel timestamp in 1 lines (expected dmesg, dmesg -x/-r, /dev/kmsg or journalctl -k -o short-monotonic text)"),
                (["boot", "--dmesg", log, "--latency", garbage], "\(garbage): neither pcitime scan --json, compare --json nor boot --json output, nor {\"latencies\":[...]}"),
                (["boot", "--dmesg", log, "--baseline", garbage], "\(garbage): not a 'pcitime boot --json' document"),
            ] + [["mcfg"], ["methods"], ["scan"], ["scan", "--method", "ecam"], ["compare", "pio", "mmio"]].map {
                ($0 + ["--mcfg", garbage], "\(garbage): MCFG truncated: 8 bytes, an ACPI header alone is 36")
            }),
        ]
    }

    @Test func everyMistakeThroughEveryCommand() throws {
        let d = Fixtures.scratch()
        defer { Fixtures.remove(d) }
        #expect(mkdir(d + "/folder", 0o755) == 0)
        OutputMatrixTests.put("x\n", d + "/file", mode: 0o644)
        OutputMatrixTests.put("garbage\n", d + "/garbage.txt", mode: 0o644)
        _ = Subprocess.output(["/bin/cp", "-r", Self.tree, d + "/tree"])
        for f in ["dmesg.txt", "sys/firmware/acpi/tables/MCFG"] {
            unlink(d + "/tree/" + f)
            #expect(mkfifo(d + "/tree/" + f, 0o644) == 0)
        }
        let out = d + "/stdout"
        var codes: Set<Int32> = []
        for m in Self.mistakes(d) {
            codes.insert(m.code)
            for (args, line) in m.runs {
                let r = OutputMatrixTests.run(args, stdout: .file(out), timeout: 60)
                #expect(r.status == m.code, "\(m.kind): \(args): \(r.err)")
                #expect(r.err == "pcitime: \(line)\n", "\(m.kind): \(args)")
                #expect(OutputMatrixTests.contents(out) == [], "\(m.kind): \(args) wrote to stdout")
            }
        }
        // The table the README and the man page give has a row for each code used here.
        let readme = try #require(FileContents.text(Fixtures.repo + "/README.md"))
        let table = readme.split(separator: "\n").drop { $0 != "## Exit codes" }.filter { $0.hasPrefix("| ") && !$0.hasPrefix("| ---") }.map { $0.split(separator: "|")[0].trimmed }
        #expect(table == ["code", "0", "1", "64", "65", "66", "69", "74", "77", "128+N", "SIGPIPE"])
        let page = try #require(FileContents.text(Fixtures.repo + "/docs/man/pcitime.1"))
        for (code, words) in [(64, "64 bad usage"), (65, "65 malformed input"), (66, "66 a file or folder named on the command line")] where codes.contains(Int32(code)) {
            #expect(page.contains(words), "the man page lacks '\(words)': run scripts/man")
        }
    }
}

extension String {
    func replacingOccurrences(_ a: String, _ b: String) -> String {
        guard let r = range(ofText: a) else { return self }
        return String(self[..<r.lowerBound]) + b + String(self[r.upperBound...])
    }
}

extension Substring {
    var trimmed: String { String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed()) }
}
