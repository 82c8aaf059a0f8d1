import BootProfiler
import Enumerator
import Foundation
import Testing

/// The boot census against the real q35 guest boot in fixtures/ftrace/q35
/// (Debian 6.1 cloud kernel, QEMU 7.2 TCG; see its SOURCE) and QEMU's own
/// count of the same boot's accesses.
@Suite struct CensusTests {
    static let dir = Fixtures.root + "/fixtures/ftrace/q35/"

    static func census(_ file: String = "function.snapshot") throws -> (BootCensus, FtraceParser) {
        let p = try KernelLog.profile(path: dir + "dmesg.txt")
        let (calls, parser) = try #require(try TraceSource.parse(path: dir + file, required: true))
        return (try BootCensus.build(calls: calls, parser: parser, profile: p, source: file, name: file), parser)
    }

    @Test func functionTracerParse() throws {
        let (c, parser) = try Self.census()
        #expect(parser.tracer == .function && !parser.mixed)
        #expect(parser.entriesInBuffer == 9923 && parser.entriesWritten == 9923 && parser.lost == 0)
        #expect(parser.malformed == 0 && parser.foreign == 0)
        #expect(c.tracedReads == 9545 && c.tracedWrites == 378)
        #expect(c.byMechanism.type1 == ReadWrite(reads: 9390, writes: 369))
        #expect(c.byMechanism.ecam == ReadWrite(reads: 155, writes: 9))
        #expect(!c.arguments && c.devices.allSatisfy { $0.attribution == "by time window" })
    }

    /// Peer-bus probes equal the raw trace's pcibios_scan_specific_bus callers.
    @Test func peerBusProbes() throws {
        let (c, _) = try Self.census()
        let raw = try String(contentsOfFile: Self.dir + "function.snapshot", encoding: .utf8)
        let callers = raw.split(separator: "\n").filter { $0.hasSuffix("<-pcibios_scan_specific_bus") }.count
        #expect(c.peerBusProbes == 8128 && callers == 8128)
        #expect(c.byReason.first { $0.reason == AccessReason.peerBus.rawValue }?.reads == 8128)
        #expect(c.byReason.first { $0.reason == AccessReason.barSizing.rawValue }?.writes == 294)
    }

    /// Present-function totals (measured + the modelled early part) against
    /// QEMU's trace of the same boot: within 1%, reads and writes apart.
    @Test func matchesQEMU() throws {
        let (c, _) = try Self.census()
        #expect(c.presentReads == 1380 && c.presentWrites == 378)
        #expect(c.beforeTracing.reads == 43 && c.beforeTracing.writes == 0 && c.beforeTracing.basis.kind == .modelled)
        #expect(c.emptyReads == 8165)
        struct Truth: Decodable { var reads: Int; var writes: Int }
        let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: URL(fileURLWithPath: Self.dir + "qemu-boot-count.json")))
        #expect(truth.reads == 1422 && truth.writes == 378)
        #expect(abs(Double(c.totalPresentReads - truth.reads)) / Double(truth.reads) <= 0.01)
        #expect(c.totalPresentWrites == truth.writes)
    }

    /// Every captured topology: (name, present reads, writes, early-quirks
    /// reads (modelled; QEMU saw the same number before the tracer), peer-bus
    /// probes, empty reads, QEMU's reads, writes).
    static let topologies: [(String, Int, Int, Int, Int, Int, Int, Int)] = [
        ("q35", 1380, 378, 43, 8128, 8165, 1422, 378),
        ("q35-wide", 7290, 1633, 175, 7584, 7707, 7453, 1633),
        ("q35-switch", 1543, 391, 41, 8032, 8097, 1583, 391),
        ("pc", 598, 234, 28, 0, 59, 626, 234),
        ("microvm", 529, 110, 0, 0, 27, 528, 110),
    ]

    @Test(arguments: topologies) func everyTopology(_ t: (String, Int, Int, Int, Int, Int, Int, Int)) throws {
        let dir = Fixtures.root + "/fixtures/ftrace/\(t.0)/"
        let p = try KernelLog.profile(path: dir + "dmesg.txt")
        let (calls, parser) = try #require(try TraceSource.parse(path: dir + "function.snapshot", required: true))
        let c = try BootCensus.build(calls: calls, parser: parser, profile: p, source: t.0, name: t.0)
        let got: [Int] = [c.presentReads, c.presentWrites, c.beforeTracing.reads, c.peerBusProbes, c.emptyReads]
        #expect(got == [t.1, t.2, t.3, t.4, t.5])
        let raw = try String(contentsOfFile: dir + "function.snapshot", encoding: .utf8)
        #expect(c.peerBusProbes == raw.split(separator: "\n").filter { $0.hasSuffix("<-pcibios_scan_specific_bus") }.count)
        struct Truth: Decodable { var reads: Int; var writes: Int }
        let truth = try JSONDecoder().decode(Truth.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "qemu-boot-count.json")))
        #expect(truth.reads == t.6 && truth.writes == t.7)
        #expect(abs(Double(c.totalPresentReads - truth.reads)) <= 0.01 * Double(truth.reads))
        #expect(abs(Double(c.totalPresentWrites - truth.writes)) <= 0.01 * Double(truth.writes))
    }

    /// function_graph: every call timed, the tracer's overhead measured from
    /// the spinlock helpers nested in each access.
    @Test func graphLatency() throws {
        let (calls, parser) = try #require(try TraceSource.parse(path: Self.dir + "function_graph.snapshot", required: true))
        #expect(parser.tracer == .functionGraph && parser.unmatched == 0 && parser.malformed == 0)
        #expect(calls.count == 9923 && calls.allSatisfy { $0.nanoseconds != nil && $0.time != nil })
        #expect(calls.filter { $0.function == .mmcfgRead }.count == 155)
        let l = BootLatency(calls: calls, parser: parser) { _, _ in nil }
        #expect(l.overheadPerCallNs == 903 && l.nestedCalls == 20142)
        #expect(l.byMechanism[.type1]?.totalCount == 9759 && l.byMechanism[.ecam]?.totalCount == 164)
        // The first access: 778.091 us with two nested helpers (41.498 and 2.366 us).
        #expect(calls[0].nanoseconds == 778_091 && calls[0].nested == 2 && calls[0].time == 6_486_563_000)
    }

    /// A second boot's function_graph trace with the census boot's calls in
    /// the same order: each timed call takes the census call's device.
    @Test func alignedDeviceLatency() throws {
        let p = try KernelLog.profile(path: Self.dir + "dmesg.txt")
        let run = try #require(try CensusRun.load(files: [Self.dir + "function.snapshot", Self.dir + "function_graph.snapshot"], root: "/", live: false, profile: p))
        let l = try #require(run.latency)
        let a = try #require(PCIAddress("0000:00:00.0"))
        #expect(l.byDevice[a]?.totalCount == 51)
        #expect(run.latencySource?.contains("aligned call by call with the census's 9923 calls") == true)
        // The device counts of the census and of the timed calls agree.
        for d in run.census.devices {
            #expect(l.byDevice[PCIAddress(d.bdf)!]?.totalCount == UInt64(d.reads + d.writes))
        }
    }

    /// The graph snapshot is a second boot: against the first boot's log it
    /// is refused as another boot's trace, in one line naming the file.
    @Test func otherBootRefused() throws {
        #expect(throws: PCITimeError.self) { try Self.census("function_graph.snapshot") }
    }

    @Test func kernelParams() {
        #expect(KernelParams.census == "ftrace=function ftrace_filter=pci_conf1_read,pci_conf1_write,pci_mmcfg_read,pci_mmcfg_write trace_clock=global trace_buf_size=16M ftrace_boot_snapshot")
        #expect(KernelParams.latency == "ftrace=function_graph ftrace_graph_filter=pci_conf1_read,pci_conf1_write,pci_mmcfg_read,pci_mmcfg_write trace_options=funcgraph-abstime,nofuncgraph-irqs trace_clock=global trace_buf_size=16M ftrace_boot_snapshot")
    }

    @Test func whatIf() throws {
        let (c, _) = try Self.census()
        let p = try KernelLog.profile(path: Self.dir + "dmesg.txt")
        let w = WhatIf.table(c, type1: 1771, ecam: 4507, bootUs: p.kernelBoot, highestBus: 1, ecamEndBus: 0xff)
        #expect(w.rows.map(\.accessesAffected) == [9802, 9588, 294, 13, 8128, 8128, 9895])
        // pci=lastbus=1: 8128 probes at 1.771 us.
        #expect(abs(w.rows[4].savedUs - 8128 * 1.771) < 0.001)
    }
}
