import BootProfiler
import Enumerator
import Foundation
import Testing

/// The boot census against every real guest boot in fixtures/ftrace (Debian's
/// 5.10, 6.1, 6.12 and 7.x cloud kernels, QEMU 7.2 TCG, five topologies; see
/// each SOURCE), held against two counts made outside pcitime: QEMU's own
/// trace of the boot and scripts/ftrace-count of the raw trace.
@Suite struct CensusTests {
    static let q35 = CensusFixture("6.1", "q35")

    /// The traced calls, peer-bus probes and lost entries are the raw
    /// trace's; present accesses plus the modelled early-quirks reads are
    /// QEMU's within 1%; each function's row (traced plus its early-quirks
    /// reads) is QEMU's count of it within 5% of the total without function
    /// arguments, and exactly with them (QEMU answers reads past a 256-byte
    /// function's config space before its trace point: those aside).
    @Test(arguments: CensusFixture.all) func everyFixture(_ f: CensusFixture) throws {
        let c = try f.census(), qemu = try f.qemu(), raw = try f.raw()
        #expect(c.tracedReads + c.tracedWrites == raw.calls)
        #expect(c.byMechanism.type1.reads == raw.by_function["pci_conf1_read"] && c.byMechanism.ecam.reads == raw.by_function["pci_mmcfg_read"])
        #expect(c.peerBusProbes == raw.peer_bus_probes && c.lost == raw.lost)
        #expect(abs(Double(c.totalPresentReads - qemu.reads)) <= 0.01 * Double(qemu.reads))
        #expect(abs(Double(c.totalPresentWrites - qemu.writes)) <= 0.01 * Double(qemu.writes))
        #expect(c.beforeTracing.reads == qemu.before_tracer.reads && c.beforeTracing.writes == qemu.before_tracer.writes)

        var rows: [String: ReadWrite] = [:]
        for d in c.devices { rows[d.bdf] = ReadWrite(reads: d.reads + d.beforeTracingReads, writes: d.writes) }
        var off = 0, total = 0
        for q in qemu.devices {
            let unseen = q.past_0xff == 0 ? raw.by_device[q.bdf]?.past_0xff ?? 0 : 0
            let mine = rows.removeValue(forKey: q.bdf) ?? ReadWrite()
            off += abs(mine.reads - q.reads - unseen) + abs(mine.writes - q.writes)
            total += q.reads + q.writes
        }
        off += rows.values.reduce(0) { $0 + $1.total }   // functions QEMU never saw
        if f.arguments {
            #expect(off == 0 && c.arguments && c.devices.allSatisfy { $0.attribution == "exact" })
        } else {
            #expect(Double(off) <= 0.05 * Double(total), "\(off) of \(total) accesses on the wrong function")
            #expect(!c.arguments && c.devices.allSatisfy { $0.attribution == MarkerAttribution.label })
        }
    }

    /// The q35 boot on 6.1, pinned: the raw trace's shape and QEMU's counts.
    @Test func q35Parse() throws {
        let (calls, parser) = try TraceSource.parse(path: Self.q35.trace)
        #expect(parser.tracer == .function && !parser.mixed && parser.hasMarkers)
        #expect(parser.lost == 0 && parser.malformed == 0)
        #expect(calls.count == 9923 && calls.allSatisfy { $0.task != nil && $0.caller != nil })
        let c = try Self.q35.census()
        #expect(c.tracedReads == 9545 && c.tracedWrites == 378)
        #expect(c.byMechanism.type1 == ReadWrite(reads: 9390, writes: 369))
        #expect(c.byMechanism.ecam == ReadWrite(reads: 155, writes: 9))
        #expect(c.peerBusProbes == 8128)
        #expect(c.byReason.first { $0.reason == AccessReason.peerBus.rawValue }?.reads == 8128)
        #expect(c.beforeTracing.reads == 43 && c.beforeTracing.basis.kind == .modelled)
        let qemu = try Self.q35.qemu()
        #expect(qemu.reads == 1422 && qemu.writes == 378)
    }

    /// The kernels do different work in the same guest (QEMU's counts of the
    /// q35 boot): what a census tuned on one release would get wrong.
    @Test func kernelsDiffer() throws {
        let counts = try ["5.10", "6.1", "6.12", "7"].map { try CensusFixture($0, "q35").qemu() }
        #expect(counts.map(\.reads) == [1372, 1422, 2183, 2220])
        #expect(counts.map(\.writes) == [385, 378, 392, 284])
    }

    /// function_graph with the markers: every call timed, nested in its
    /// discovery step (the enclosing marker stands for the caller), no call
    /// left open across the task switches of driver probes on workers.
    @Test func graphParse() throws {
        let f = CensusFixture("6.1", "q35", "function_graph")
        let (calls, parser) = try TraceSource.parse(path: f.trace)
        #expect(parser.tracer == .functionGraph && parser.unmatched == 0 && parser.malformed == 0 && parser.hasMarkers)
        #expect(calls.count == (try f.raw()).calls && calls.allSatisfy { $0.nanoseconds != nil && $0.time != nil && $0.task != nil })
        #expect(calls.filter { $0.caller == MarkerFunction.peerBus.rawValue }.count == 8128)
    }

    /// A trace whose calls start after the log ends (here the q35 boot's
    /// own calls, stamped 10 s later than its log's last line) is another
    /// boot's: refused. The same calls as traced are accepted.
    @Test func otherBootRefused() throws {
        let f = CensusFixture("6.1", "q35", "function_graph")
        let p = try KernelLog.profile(path: f.dmesg)
        let (calls, parser) = try TraceSource.parse(path: f.trace)
        _ = try BootCensus.build(calls: calls, parser: parser, profile: p, source: "", name: "")
        let last = try #require(p.lastTime)
        let first = try #require(calls.compactMap(\.time).min())
        let later = calls.map { c in
            var c = c
            c.time = c.time.map { $0 - first + (last + 10_000_000) * 1000 }
            return c
        }
        #expect(throws: PCITimeError.self) { try BootCensus.build(calls: later, parser: parser, profile: p, source: "", name: "") }
    }

    @Test func kernelParams() {
        let functions = "pci_conf1_read,pci_conf1_write,pci_mmcfg_read,pci_mmcfg_write,pci_scan_slot,pci_scan_single_device,pci_setup_device,pci_scan_child_bus_extend,pci_scan_bridge_extend,pcibios_fixup_bus,pci_bus_add_device,pcibios_allocate_dev_resources,pci_assign_resource,pci_setup_bridge,__pci_setup_bridge,pci_fixup_device,pcibios_scan_specific_bus,acpi_os_read_pci_configuration,acpi_os_write_pci_configuration,local_pci_probe,pci_enable_device_flags"
        #expect(KernelParams().line == "ftrace=function ftrace_filter=\(functions) trace_event=rpm:rpm_resume trace_clock=global trace_buf_size=4M ftrace_boot_snapshot")
        #expect(KernelParams(timed: true).line == "ftrace=function_graph ftrace_filter=\(functions) trace_event=rpm:rpm_resume trace_options=funcgraph-abstime,funcgraph-proc,nofuncgraph-irqs trace_clock=global trace_buf_size=4M ftrace_boot_snapshot")
        #expect(KernelParams(arguments: true).line.hasSuffix(" trace_options=func-args"))
        #expect(KernelParams(timed: true, arguments: true).line.contains("trace_options=funcgraph-abstime,funcgraph-proc,nofuncgraph-irqs,funcgraph-args "))
        // Sized per CPU: the floor for a small guest, more for a big tree.
        #expect(KernelParams.sized(timed: false, arguments: false, functions: 6).bufferMiB == 4)
        #expect(KernelParams.sized(timed: true, arguments: true, functions: 1000).bufferMiB == 125)
    }

    /// What capture keeps of a census boot (`KernelParams.capture`, the CLI's
    /// share) is what the census reads back from the captured tree: the
    /// boot snapshot, and the tracer on the command line.
    @Test func captureKeepsWhatTheCensusReads() throws {
        let dir = Fixtures.temporary("capture-census")
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let root = dir + "/root", tracing = root + "/" + MachineRoot.tracing
        try FileManager.default.copyItem(atPath: Fixtures.tree("firecracker"), toPath: root)
        try FileManager.default.createDirectory(atPath: tracing, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.q35.trace, toPath: tracing + "/snapshot")
        try "function\n".write(toFile: tracing + "/current_tracer", atomically: false, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: root + "/proc/cmdline")
        try ("console=ttyS0 " + KernelParams().line + "\n").write(toFile: root + "/proc/cmdline", atomically: false, encoding: .utf8)
        try Capture(source: "t", root: root, bootTrace: KernelParams.capture).write(to: dir + "/out", kernelLog: .tree(MachineRoot(root)))
        let read = try #require(try TraceSource.root(dir + "/out").load())
        #expect(read.description == "the boot snapshot captured in \(dir)/out/sys/kernel/tracing/snapshot")
        let direct = try TraceSource.parse(path: Self.q35.trace)
        #expect(read.calls.count == direct.0.count)
        let kept = try String(contentsOfFile: dir + "/out/proc/cmdline", encoding: .utf8)
        #expect(kept.hasPrefix("ftrace=function ftrace_filter=pci_conf1_read,") && kept.hasSuffix(" ftrace_boot_snapshot\n") && !kept.contains("console="))
    }
}
