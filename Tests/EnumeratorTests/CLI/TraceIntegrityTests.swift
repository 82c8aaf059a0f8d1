import Foundation
import Testing
@testable import Enumerator

/// Traces that are not what they claim, built from the real fixtures and
/// run through the binary as a user would: each is one line naming the file
/// and exit 65, never a census or a count labelled measured. The expected
/// numbers come from the files themselves (their headers, `grep -c`), not
/// from the code under test.
@Suite struct TraceIntegrityTests {
    static let function = Fixtures.census("6.1", "q35") + "snapshot"
    static let kprobe = Fixtures.trace("q35-rescan.trace")

    static func lines(_ path: String) throws -> [Substring] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    }

    static func refused(_ args: [String], _ line: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let r = try CLITests.pcitime(args)
        #expect(r.status == 65, "\(args): \(r.err)", sourceLocation: sourceLocation)
        #expect(r.err == "pcitime: " + line + "\n", sourceLocation: sourceLocation)
        #expect(r.out.isEmpty, sourceLocation: sourceLocation)
    }

    /// The function trace cut to a third, its header kept (it said 3,220
    /// accesses, lost 0, before the check); the kprobe trace likewise.
    @Test func aCutTraceIsRefused() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let f = try Self.lines(Self.function)
        #expect(f[2] == "# entries-in-buffer/entries-written: 10590/10590   #P:1")
        let third = dir + "/third.snapshot"
        try f.prefix(12 + 3308).joined(separator: "\n").write(toFile: third, atomically: false, encoding: .utf8)
        try Self.refused(["boot", "--dmesg", Fixtures.census("6.1", "q35") + "dmesg.txt", "--ftrace", third, "--no-measure"],
                         "\(third): holds 3308 entries where its header (entries-in-buffer) counts 10590: the file was cut; give the whole trace")
        let k = try Self.lines(Self.kprobe)
        #expect(k[4] == "# entries-in-buffer/entries-written: 584/584   #P:1")
        let cut = dir + "/cut.trace"
        try k.prefix(14 + 100).joined(separator: "\n").write(toFile: cut, atomically: false, encoding: .utf8)
        let shortfall = "\(cut): holds 100 entries where its header (entries-in-buffer) counts 584: the file was cut; give the whole trace"
        try Self.refused(["trace", "--from", cut], shortfall)
        try Self.refused(["boot", "--dmesg", Fixtures.log("qemu-q35.dmesg.txt"), "--trace", cut, "--no-measure"], shortfall)
    }

    /// The same trace twice (it gave double counts), and twice without the
    /// second header (its timestamps then run backwards).
    @Test func twoTracesInOneFileAreRefused() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let text = try String(contentsOfFile: Self.function, encoding: .utf8)
        let twice = dir + "/twice.snapshot"
        try (text + text).write(toFile: twice, atomically: false, encoding: .utf8)
        // The second copy's "# tracer: function" is its first line: 10590 entries (calls, markers, events) and 12 header lines after line 1.
        try Self.refused(["boot", "--dmesg", Fixtures.census("6.1", "q35") + "dmesg.txt", "--ftrace", twice, "--no-measure"],
                         "\(twice): a second trace header at line \(12 + 10590 + 1): two traces in one file (counted together they would count twice); give each on its own")
        let bodies = dir + "/bodies.snapshot"
        let body = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        try (text + body.joined(separator: "\n") + "\n").write(toFile: bodies, atomically: false, encoding: .utf8)
        // The first entry's time and the last's, as the file prints them.
        func time(_ line: Substring) -> Substring { line.split(separator: " ").first { $0.hasSuffix(":") && $0.contains(".") }!.dropLast() }
        let (first, last) = (time(try #require(body.first)), time(try #require(body.last)))
        #expect(first == "0.574962")
        try Self.refused(["boot", "--dmesg", Fixtures.census("6.1", "q35") + "dmesg.txt", "--ftrace", bodies, "--no-measure"],
                         "\(bodies): timestamps run backwards at line \(12 + 10590 + 1) (\(first) s after \(last) s): not one trace as tracefs writes it (joined or edited)")
        let k = try String(contentsOfFile: Self.kprobe, encoding: .utf8)
        let ktwice = dir + "/twice.trace"
        try (k + k).write(toFile: ktwice, atomically: false, encoding: .utf8)
        // pcitime's two comment lines come before the tracefs header: line 3 of the second copy.
        try Self.refused(["trace", "--from", ktwice],
                         "\(ktwice): a second trace header at line \(598 + 3): two traces in one file (counted together they would count twice); give each on its own")
    }

    /// A trace with another machine's kernel log: ECAM accesses where the
    /// log shows none (q35's trace, pc's log; it reported ECAM reads on a
    /// machine with no MCFG), and none where every host bridge needs one.
    @Test func aTraceThatDoesNotFitItsLogIsRefused() throws {
        try Self.refused(["boot", "--dmesg", Fixtures.census("6.1", "pc") + "dmesg.txt", "--ftrace", Self.function, "--no-measure"],
                         "\(Self.function): 164 ECAM accesses (pci_mmcfg_*), but the kernel log shows no ECAM (PCI: Using configuration type 1 for base access): not this log's machine; give the log of the boot traced")
        #expect(try Self.lines(Self.function).filter { $0.contains(": pci_mmcfg_") }.count == 164)
        let pc = Fixtures.census("6.1", "pc") + "snapshot"
        try Self.refused(["boot", "--dmesg", Fixtures.census("6.1", "q35") + "dmesg.txt", "--ftrace", pc, "--no-measure"],
                         "\(pc): no ECAM access in 891 calls, but the kernel log shows ECAM in use (PCI: Using configuration type 1 for base access), through which the scan sizes every host bridge: not this log's machine; give the log of the boot traced")
        let bridge = Fixtures.trace("q35-rescan-bridge.trace")
        #expect(try Self.lines(bridge).filter { $0.contains("mmcfg_read: ") || $0.contains("mmcfg_write: ") }.count == 22)
        try Self.refused(["boot", "--dmesg", Fixtures.log("qemu-pc.dmesg.txt"), "--trace", bridge, "--no-measure"],
                         "\(bridge): 22 ECAM accesses (pci_mmcfg_*), but the kernel log shows no ECAM (PCI: Using configuration type 1 for base access): not this log's machine; give the log of the boot traced")
    }

    /// Every real trace passes, with its own log, all tracers together.
    @Test(arguments: ["q35", "q35-wide", "q35-switch", "pc", "microvm"])
    func realTracesPass(_ topology: String) throws {
        let d = Fixtures.census("6.1", topology)
        let r = try CLITests.pcitime(["boot", "--dmesg", d + "dmesg.txt", "--ftrace", d + "snapshot", "--ftrace", d + "../function_graph/snapshot", "--no-measure", "--summary"])
        #expect(r.status == 0 && r.err.isEmpty, "\(r.err)")
    }
}
