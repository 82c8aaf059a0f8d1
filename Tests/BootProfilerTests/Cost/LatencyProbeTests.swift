import Testing
@testable import BootProfiler
@testable import Enumerator

/// boot's own latency measurement on this machine, a Firecracker guest where
/// user space reaches neither mechanism (no ioperm, no /dev/mem): the
/// kernel's path through sysfs, less the same system call on an attribute
/// that makes no config access, and only for what the log says the kernel
/// uses. (A captured tree is never measured: its files are not mechanisms.)
@Suite struct LatencyProbeTests {
    static let here = MethodOptions(root: "/")
    /// Where user space reaches a mechanism (root on a VM with ioperm or
    /// /dev/mem) these tests do not apply: skipped, not failed.
    static var reachable: Bool { (try? Methods.open("pio", options: here)) != nil || (try? Methods.open("ecam", options: here)) != nil }

    @Test(.enabled(if: !reachable, "for a guest where user space reaches neither mechanism")) func throughTheKernelWhereTheLogSplitsTypeOneAndECAM() throws {
        let split = MechanismChoice(base: .type1, extended: .ecam, time: 0, detail: "PCI: Using configuration type 1 for base access")
        var notes: [String] = []
        let estimates = LatencyProbe.measure(options: Self.here, split: split, have: [], notes: &notes)
        #expect(estimates.map(\.mechanism) == [.type1, .ecam])
        #expect(estimates.allSatisfy { $0.source == .liveTrap && $0.probe == .present && $0.provenance.kind == .measured && $0.nanoseconds >= 0 })
        #expect(estimates[0].provenance.source.hasPrefix("this machine, through the kernel: median of 3200 sysfs-base reads ("))
        #expect(estimates[1].provenance.source.hasPrefix("this machine, through the kernel: median of 3200 sysfs-ext reads ("))
        #expect(notes.count == 3)
        #expect(notes[0].hasSuffix("timed through the kernel instead: sysfs-base, which it serves through type 1, less the system call"))
        #expect(notes[1].hasSuffix("timed through the kernel instead: sysfs-ext, which it serves through ECAM, less the system call"))
        #expect(notes[2].hasPrefix("no empty-probe latency through the kernel"))
    }

    @Test(.enabled(if: !reachable, "for a guest where user space reaches neither mechanism")) func nothingWhereTheLogDoesNotSaySo() throws {
        var notes: [String] = []
        let estimates = LatencyProbe.measure(options: Self.here, split: nil, have: [], notes: &notes)
        #expect(estimates.isEmpty)
        #expect(notes.count == 2)
        #expect(notes[0].hasSuffix(", nor through the kernel: its log does not say it uses type 1 for base access"))
        #expect(notes[1].hasSuffix(", nor through the kernel: its log does not say it uses ECAM for extended access"))
    }
}
