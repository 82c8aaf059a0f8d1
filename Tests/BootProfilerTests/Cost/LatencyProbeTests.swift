import Testing
@testable import BootProfiler
@testable import Enumerator

/// boot's own latency measurement where user space reaches neither mechanism
/// (a captured tree: pio and ecam refuse it, as they refuse a Firecracker
/// guest): the kernel-mediated pair only where the kernel's log says so.
@Suite struct LatencyProbeTests {
    static let firecracker = MethodOptions(root: Fixtures.tree("firecracker"))

    @Test func kernelMediatedWhereTheLogSplitsTypeOneAndECAM() throws {
        let split = MechanismChoice(base: .type1, extended: .ecam, time: 0, detail: "PCI: Using configuration type 1 for base access")
        var notes: [String] = []
        let estimates = LatencyProbe.measure(options: Self.firecracker, split: split, have: [], notes: &notes)
        #expect(estimates.map(\.mechanism) == [.type1, .ecam])
        #expect(estimates.allSatisfy { $0.provenance.kind == .measured && $0.nanoseconds > 0 })
        #expect(estimates[0].provenance.source.hasPrefix("this machine, kernel-mediated: median of 3200 sysfs-base reads (interleaved with sysfs-ext), which the kernel serves through type 1"))
        #expect(estimates[1].provenance.source.hasPrefix("this machine, kernel-mediated: median of 3200 sysfs-ext reads (interleaved with sysfs-base), which the kernel serves through ECAM"))
        #expect(notes.count == 2)
        #expect(notes[0].hasSuffix("timed kernel-mediated instead: sysfs-base, which the kernel serves through type 1"))
        #expect(notes[1].hasSuffix("timed kernel-mediated instead: sysfs-ext, which the kernel serves through ECAM"))
    }

    @Test func nothingWhereTheLogDoesNotSaySo() throws {
        var notes: [String] = []
        let estimates = LatencyProbe.measure(options: Self.firecracker, split: nil, have: [], notes: &notes)
        #expect(estimates.isEmpty)
        #expect(notes.count == 2)
        #expect(notes[0].hasSuffix(", nor through the kernel: its log does not say it uses type 1 for base access"))
        #expect(notes[1].hasSuffix(", nor through the kernel: its log does not say it uses ECAM for extended access"))
    }

    /// Only the ECAM half: the kernel uses ECAM for extended access but its
    /// base mechanism is not type 1.
    @Test func oneHalf() throws {
        let split = MechanismChoice(base: .ecam, extended: .ecam, time: 0, detail: "")
        var notes: [String] = []
        let estimates = LatencyProbe.measure(options: Self.firecracker, split: split, have: [], notes: &notes)
        #expect(estimates.map(\.mechanism) == [.ecam])
    }
}
