import Foundation
import Testing
@testable import Enumerator

/// `pcitime boot --baseline` and `--fail-above` end to end, on the enacted
/// boots of fixtures/enact/6.1/q35 (see EnactedTests).
@Suite struct BaselineCLITests {
    static let dir = Fixtures.repo + "/fixtures/enact/6.1/q35/"
    static var bases: [String] { (1...5).flatMap { ["--baseline", dir + "base-\($0).json"] } }

    @Test func enactedChangeIsReportedInEveryForm() throws {
        let log = Self.dir + "pci_lastbus_1-1.dmesg.txt"
        let text = try CLITests.pcitime(["boot", "--dmesg", log, "--no-measure", "--baseline", Self.dir + "census-function.json"] + Self.bases)
        #expect(text.status == 0)
        #expect(text.out.contains("Against 6 baseline boots (--baseline; times from the 5 untraced"))
        #expect(text.out.contains("Enacted here: predicted against measured"))
        #expect(text.out.contains("    pci=lastbus=1: predicted from measured: counts measured;"))
        let json = try CLITests.pcitime(["boot", "--dmesg", log, "--no-measure", "--json", "--baseline", Self.dir + "census-function.json"] + Self.bases)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let enacted = try #require((doc["baseline"] as? [String: Any])?["enacted"] as? [[String: Any]])
        #expect(enacted.count == 1 && enacted[0]["parameter"] as? String == "pci=lastbus=1")
        let metrics = try CLITests.pcitime(["boot", "--dmesg", log, "--no-measure", "--openmetrics", "--baseline", Self.dir + "census-function.json"] + Self.bases)
        let measured = try #require(enacted[0]["measured_us"] as? Double)
        #expect(metrics.out.contains("pcitime_boot_enacted_saving_seconds{kernel=\"6.1.0-57-cloud-amd64\",change=\"pci=lastbus=1\",kind=\"measured\",basis=\"measured\"} \(measured / 1e6)"))
    }

    /// A VMM's CI: exit 1 when PCI accesses or enumeration time grew past the
    /// threshold against the baselines (here: a boot with the peer-bus
    /// probes against boots without them), 0 when they did not.
    @Test func failAboveIsAnExitStatus() throws {
        let grown = try CLITests.pcitime(["boot", "--dmesg", Self.dir + "base-1.dmesg.txt", "--root", Fixtures.repo + "/fixtures/sysfs/qemu-q35", "--no-measure", "--summary",
                                          "--fail-above", "10"] + (1...5).flatMap { ["--baseline", Self.dir + "pci_lastbus_1-\($0).json"] })
        #expect(grown.status == 1)
        #expect(grown.out.hasPrefix("Kernel boot "))
        #expect(grown.err.hasPrefix("pcitime: accesses grew "))
        #expect(grown.err.hasSuffix(" over the baselines' median (--fail-above 10.0%)\n"))
        let same = try CLITests.pcitime(["boot", "--dmesg", Self.dir + "pci_lastbus_1-1.dmesg.txt", "--root", Fixtures.repo + "/fixtures/sysfs/qemu-q35", "--no-measure",
                                         "--summary", "--fail-above", "1000"] + (2...5).flatMap { ["--baseline", Self.dir + "pci_lastbus_1-\($0).json"] })
        #expect(same.status == 0 && same.err.isEmpty)
    }

    /// The verdict is the exit status, whatever becomes of its line: a
    /// standard error that is closed or full still exits 1 (a failed write
    /// of the line used to end the run as an output error).
    @Test func failAboveStandsWithoutStandardError() throws {
        let args = [CLITests.binary, "boot", "--dmesg", Self.dir + "base-1.dmesg.txt", "--root", Fixtures.repo + "/fixtures/sysfs/qemu-q35", "--no-measure", "--summary",
                    "--fail-above", "10"] + (1...5).flatMap { ["--baseline", Self.dir + "pci_lastbus_1-\($0).json"] }
        for stderr in [Subprocess.Stream.closed, .file("/dev/full")] {
            let child = try Subprocess.spawn(args, stdin: .null, stdout: .pipe, stderr: stderr)
            let out = try child.collect().output
            #expect(child.wait()?.code == 1, "\(stderr)")
            #expect(String(decoding: out, as: UTF8.self).hasPrefix("Kernel boot "))
        }
    }

    @Test func badBaselinesAndThresholds() throws {
        let log = Self.dir + "pci_lastbus_1-1.dmesg.txt"
        let missing = try CLITests.pcitime("boot", "--dmesg", log, "--baseline", "/nonexistent.json")
        #expect(missing.status == 66 && missing.err.hasPrefix("pcitime: /nonexistent.json: "))
        let scratch = Fixtures.scratch()
        defer { Fixtures.remove(scratch) }
        let other = scratch + "/scan.json"
        try Data(#"{"schema":"pcitime-scan/3","functions":[]}"#.utf8).write(to: URL(fileURLWithPath: other))
        let scan = try CLITests.pcitime("boot", "--dmesg", log, "--no-measure", "--baseline", other)
        #expect(scan.status == 65 && scan.err == "pcitime: \(other): schema pcitime-scan/3, not pcitime-boot/3: run this pcitime's boot --json on that boot's log\n")
        let junk = try CLITests.pcitime("boot", "--dmesg", log, "--no-measure", "--baseline", log)
        #expect(junk.status == 65 && junk.err == "pcitime: \(log): not a 'pcitime boot --json' document\n")
        #expect(try CLITests.pcitime("boot", "--dmesg", log, "--fail-above", "10").status == 64)
        #expect(try CLITests.pcitime("boot", "--dmesg", log, "--baseline", Self.dir + "base-1.json", "--fail-above", "-1").status == 64)
    }
}
