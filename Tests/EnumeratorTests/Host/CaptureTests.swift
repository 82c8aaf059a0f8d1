import Foundation
import Testing
@testable import Enumerator

@Suite struct CaptureTests {
    @Test func captureOfAFixtureScansIdentically() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let root = Fixtures.tree("firecracker")
        let out = dir + "/copy"
        try Capture(source: "test copy", root: root).write(to: out, kernelLog: .tree(MachineRoot(root)))
        let a = try Fixtures.scan("firecracker")
        let b = try Scanner.scan(method: "sysfs", options: MethodOptions(root: out))
        #expect(a.walk.functions == b.walk.functions)
        #expect(a.totals.reads == b.totals.reads)
        #expect(try String(contentsOfFile: out + "/SOURCE", encoding: .utf8) == "test copy\n")
        // Nothing but the target is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["copy"])
    }

    /// A boot-time function trace is saved with the tree: the boot snapshot
    /// when it holds entries (an empty one, as after a boot without
    /// ftrace_boot_snapshot, is passed over for the live buffer). The
    /// census's files and tracers are BootProfiler's (`KernelParams.capture`,
    /// whose own test holds them to its reader); here, as they are today.
    static let census = Capture.BootTrace(parameters: ["ftrace"], tracers: ["function", "function_graph"], files: ["snapshot", "trace"])

    @Test func savesTheBootTrace() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let root = dir + "/root"
        try FileManager.default.copyItem(atPath: Fixtures.tree("firecracker"), toPath: root)
        let tracing = root + "/sys/kernel/tracing"
        try FileManager.default.createDirectory(atPath: tracing, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Fixtures.census("6.1", "pc") + "snapshot", toPath: tracing + "/trace")
        try Data("# tracer: function\n#\n".utf8).write(to: URL(fileURLWithPath: tracing + "/snapshot"))
        try Data("function\n".utf8).write(to: URL(fileURLWithPath: tracing + "/current_tracer"))
        try Capture(source: "t", root: root, bootTrace: Self.census).write(to: dir + "/out", kernelLog: .tree(MachineRoot(root)))
        #expect(FileManager.default.contentsEqual(atPath: dir + "/out/sys/kernel/tracing/trace", andPath: tracing + "/trace"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out/sys/kernel/tracing/snapshot"))
        // No function tracer running: nothing saved.
        try Data("nop\n".utf8).write(to: URL(fileURLWithPath: tracing + "/current_tracer"))
        try Capture(source: "t", root: root, bootTrace: Self.census).write(to: dir + "/out2", kernelLog: .tree(MachineRoot(root)))
        // Without the census's share (a caller that passes none), no trace is kept either.
        try Data("function\n".utf8).write(to: URL(fileURLWithPath: tracing + "/current_tracer"))
        try Capture(source: "t", root: root).write(to: dir + "/out3", kernelLog: .tree(MachineRoot(root)))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out3/sys/kernel/tracing"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/out2/sys/kernel/tracing"))
    }

    @Test func refusesAnExistingTargetAndLeavesNothing() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        #expect(throws: PCITimeError.self) { try Capture(source: "x", root: Fixtures.tree("firecracker")).write(to: dir) }
        let empty = dir + "/empty"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        #expect(throws: PCITimeError.self) { try Capture(source: "x", root: empty).write(to: dir + "/out", kernelLog: .file("/nonexistent")) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["empty"])
    }

    @Test func commandLineKeepsOnlyWhatPcitimeInterprets() {
        let line = "console=ttyS0 quiet pci=lastbus=3 iomem=relaxed initcall_debug secret=hunter2 rdinit=/x -- --token abc"
        #expect(Capture.redactCommandLine(line) == "pci=lastbus=3 iomem=relaxed initcall_debug")
        // The census's parameters only when the caller names them.
        let census = "ftrace=function trace_clock=global " + line
        #expect(Capture.redactCommandLine(census) == "pci=lastbus=3 iomem=relaxed initcall_debug")
        #expect(Capture.redactCommandLine(census, keeping: ["ftrace", "trace_clock"]) == "ftrace=function trace_clock=global pci=lastbus=3 iomem=relaxed initcall_debug")
    }

    @Test func kernelLogRedaction() throws {
        // Lines from the real Firecracker log, plus a MAC address line as e1000e prints it.
        let log = try KernelLogSource.tree(MachineRoot(Fixtures.tree("firecracker"))).text()
        let runLine = try #require(log.split(separator: "\n").first { $0.contains("as init process") })
        let input = """
        [    0.000000] Command line: console=ttyS0 iomem=relaxed rdinit=/process_api -- --auth-required
        \(runLine)
        [    0.469176]   with arguments:
        [    0.469177]     /process_api
        [    0.469206]   with environment:
        [    0.469207]     HOME=/
        [    1.000000] e1000e 0000:00:03.0 eth0: (PCI Express:2.5GT/s:Width x1) 52:54:00:12:34:56
        [    1.000001] Serial: 8250/16550 driver, 1 ports, IRQ sharing disabled
        [    1.000002] nvme nvme0: serial number: pcitime0
        """
        #expect(Capture.redactKernelLog(input) == """
        [    0.000000] Command line: iomem=relaxed
        \(runLine)
        [    1.000000] e1000e 0000:00:03.0 eth0: (PCI Express:2.5GT/s:Width x1) xx:xx:xx:xx:xx:xx
        [    1.000001] Serial: 8250/16550 driver, 1 ports, IRQ sharing disabled
        [    1.000002] nvme nvme0: serial number: [redacted]

        """)
    }
}
