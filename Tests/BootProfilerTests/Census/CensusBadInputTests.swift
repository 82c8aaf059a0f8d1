import BootProfiler
import Enumerator
import Foundation
import Testing

/// Cut, garbled, overflowed, mixed and foreign traces: a clear error or a
/// labelled partial census, never a crash or a wrong total.
@Suite struct CensusBadInputTests {
    static let dir = Fixtures.root + "/fixtures/ftrace/6.1/q35/function/"
    static func profile() throws -> BootProfile { try KernelLog.profile(path: dir + "dmesg.txt") }

    static func parse(_ text: String) -> ([FtraceCall], FtraceParser) {
        var p = FtraceParser()
        p.consume(text: text)
        let calls = p.finish()
        return (calls, p)
    }

    static func lines(_ file: String) throws -> [Substring] {
        try String(contentsOfFile: dir + file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// Cut in the middle of a line: the whole lines before it count, the cut
    /// one is either whole enough to read or counted as unreadable.
    @Test func cutTrace() throws {
        let text = try String(contentsOfFile: Self.dir + "snapshot", encoding: .utf8)
        let cut = String(text.utf8.prefix(400_000))!
        let (calls, p) = Self.parse(cut)
        let whole = cut.split(separator: "\n").dropLast().filter { $0.contains(": pci_conf1_") || $0.contains(": pci_mmcfg_") }.count
        #expect(calls.count == whole || calls.count == whole + 1)
        #expect(p.malformed <= 1)
        let c = try BootCensus.build(calls: calls, parser: p, profile: Self.profile(), source: "cut", name: "cut")
        #expect(c.tracedReads + c.tracedWrites == calls.count)
    }

    /// Garbage bytes between lines are counted, never decoded.
    @Test func garbled() throws {
        let good = try Self.lines("snapshot").prefix(200).joined(separator: "\n")
        let (calls, p) = Self.parse(good + "\n\u{1}\u{2}garbage [zz] x: y\n   swapper/0-1 [000] ..... 1.2.3: pci_conf1_read <-\n")
        // 117 config calls in those lines (grep ': pci_(conf1|mmcfg)_'); the markers among them are not calls.
        #expect(calls.count == 117 && p.malformed == 2)
    }

    /// LOST markers and an overwritten buffer are reported as a number.
    @Test func overflowed() throws {
        var lines = try Self.lines("snapshot")
        lines[2] = "# entries-in-buffer/entries-written: 9923/10523   #P:1"
        lines.insert("CPU:0 [LOST 77 EVENTS]", at: 500)
        let (calls, p) = Self.parse(lines.joined(separator: "\n"))
        #expect(p.lost == 600 + 77 && calls.count == 9923)
        let c = try BootCensus.build(calls: calls, parser: p, profile: Self.profile(), source: "x", name: "x")
        #expect(c.lost == 677 && c.notes.contains { $0.contains("lost 677 entries") })
    }

    /// Both tracers' lines in one file: counted together, and said.
    @Test func mixed() throws {
        let f = try Self.lines("snapshot").prefix(112).joined(separator: "\n")
        let g = try Self.lines("../function_graph/snapshot").prefix(40).joined(separator: "\n")
        let (calls, p) = Self.parse(f + "\n" + g)
        // 36 config calls in the function lines, 8 in the graph ones (grep).
        #expect(p.mixed && calls.count == 36 + 8)
    }

    /// A trace of other functions only: one clear line naming the file.
    @Test func noPCIFunctions() throws {
        let (calls, p) = Self.parse("# tracer: function\n  sh-1 [000] .....  1.000001: vfs_read <-ksys_read\n")
        #expect(calls.isEmpty && p.foreign == 1)
        #expect(throws: PCITimeError.input("t", "no call of pci_conf1_read,pci_conf1_write,pci_mmcfg_read,pci_mmcfg_write in 2 trace lines")) {
            try BootCensus.build(calls: calls, parser: p, profile: Self.profile(), source: "t", name: "t")
        }
    }

    /// function_graph nesting: a config call's children are counted into it,
    /// a `}` without its opening (buffer start) is unmatched, an open call at
    /// the end is unmatched too.
    @Test func graphNesting() {
        let text = """
            1.000000 |   0)   3.000 us    |  }
            1.000010 |   0)               |  pci_conf1_read() {
            1.000011 |   0)               |    _raw_spin_lock_irqsave() {
            1.000012 |   0)   0.500 us    |      preempt_count_add();
            1.000013 |   0)   1.000 us    |    }
            1.000014 |   0)   0.900 us    |    _raw_spin_unlock_irqrestore();
            1.000020 |   0)   9.000 us    |  } /* pci_conf1_read */
            1.000030 |   0)   2.500 us    |  pci_mmcfg_write();
            1.000040 |   0)               |  pci_conf1_write() {
            """
        let (calls, p) = Self.parse(text)
        #expect(calls.map(\.function) == [.conf1Read, .mmcfgWrite, .conf1Write])
        #expect(calls[0].nanoseconds == 9000 && calls[0].nested == 3 && calls[0].time == 1_000_010_000)
        #expect(calls[1].nanoseconds == 2500 && calls[1].nested == 0)
        #expect(calls[2].nanoseconds == nil)
        #expect(p.unmatched == 2 && p.nestedLeafNanoseconds == [500, 900])
    }

    /// Linux 6.15+ with func-args / funcgraph-args (BTF): the arguments give
    /// each access's device exactly.
    @Test func functionArguments() throws {
        let text = """
            # tracer: function
                   swapper/0-1       [000] .....     1.190000: pci_conf1_read(seg=0, bus=0, devfn=8, reg=0, len=4, value=0xffffc90000013d64) <-pci_bus_read_config_dword
                   swapper/0-1       [000] .....     1.190001: pci_conf1_read(seg=0, bus=0, devfn=0xf8, reg=0, len=4, value=0xffffc90000013d64) <-pci_bus_read_config_dword
                   swapper/0-1       [000] .....     1.190002: pci_mmcfg_write(seg=0, bus=1, devfn=0, reg=260, len=2, value=7) <-pci_bus_write_config_word
            """
        let (calls, p) = Self.parse(text)
        #expect(p.withArguments == 3)
        #expect(calls.map { $0.target?.address.description } == ["0000:00:01.0", "0000:00:1f.0", "0000:01:00.0"])
        #expect(calls[2].target?.offset == 260 && calls[2].target?.length == 2)
        let c = try BootCensus.build(calls: calls, parser: p, profile: Self.profile(), source: "args", name: "args")
        let traced = c.devices.filter { $0.reads + $0.writes > 0 }
        #expect(c.arguments && traced.map(\.attribution) == ["exact", "exact", "exact"])
        #expect(traced.map(\.bdf) == ["0000:00:01.0", "0000:00:1f.0", "0000:01:00.0"])
        let graph = Self.parse("  1.5 |   0)   2.000 us    |  pci_conf1_write(seg=0, bus=0, devfn=16, reg=4, len=2, value=263);\n").0
        // 6.17+ prints unsigned ints in hex, and the whole register: the upper bits are not the parameter's.
        let hexArgs = Self.parse("  sh-1 [000] .....  1.0: pci_mmcfg_read(seg=0x0, bus=0xffffffff00000001, devfn=0x8, reg = 256, len=4, value=0xffff) <-x\n").0
        #expect(hexArgs.first?.target?.address.description == "0000:01:01.0" && hexArgs.first?.target?.offset == 256)
        #expect(graph.first?.target?.address.description == "0000:00:02.0" && graph.first?.nanoseconds == 2000)
    }

    /// A trace without callers (function_graph's kind): peer-bus probes are
    /// modelled from pcibios_last_bus, and the totals stay those of the
    /// same boot counted with callers.
    @Test func noCallers() throws {
        let dir = Fixtures.root + "/fixtures/ftrace/6.1/q35-wide/function/"
        let p = try KernelLog.profile(path: dir + "dmesg.txt")
        let (calls, parser) = try TraceSource.parse(path: dir + "snapshot")
        let named = try BootCensus.build(calls: calls, parser: parser, profile: p, source: "x", name: "x")
        let bare = try BootCensus.build(calls: calls.map { var c = $0; c.caller = nil; return c }, parser: parser, profile: p, source: "x", name: "x")
        #expect(bare.peerBusProbes == named.peerBusProbes && bare.peerBusProbesBasis.kind == .modelled && bare.peerBusProbesBasis.source.hasPrefix("32 reads per bus from 19 to pcibios_last_bus 255"))
        #expect(bare.presentReads == named.presentReads && bare.presentWrites == named.presentWrites)
    }

    /// Without irq-info (noirq-info), with sym-offset callers, several CPUs.
    @Test func columnVariants() {
        let text = """
                  kworker/1:0-20    [001]     2.000001: pci_conf1_read <-pci_bus_read_config_word+0x4a/0x80
                  swapper/0-1       [000] d..1.   2.000002: pci_conf1_write <-__pci_read_base
            """
        let (calls, _) = Self.parse(text)
        #expect(calls.map(\.cpu) == [1, 0] && calls.map(\.caller) == ["pci_bus_read_config_word", "__pci_read_base"])
        #expect(calls.map(\.time) == [2_000_001_000, 2_000_002_000])
        // function_graph without abstime, without the CPU column, with the
        // task column (funcgraph-proc), with a duration in ms.
        let g = Self.parse("""
               3.456 us    |  pci_conf1_read();
             0)   swapper-1    |   1.500 us    |  pci_mmcfg_read();
             1)   swapper-1    | @ 1.250 ms    |  pci_conf1_write();
            """).0
        #expect(g.map(\.nanoseconds) == [3456, 1500, 1_250_000] && g.map(\.time) == [nil, nil, nil] && g.map(\.cpu) == [nil, 0, 1])
    }
}
