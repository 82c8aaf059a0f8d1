import BootProfiler
import Enumerator
import Foundation
import Testing

/// `pcitime trace` on a kprobe trace recorded in a QEMU q35 guest during
/// `pcitime trace --rescan 0000:00:02.0` (fixtures/traces/q35-rescan.trace,
/// recorded by scripts/guest-trace-check --record), checked against QEMU's
/// host-side count of the same window (q35-rescan.qemu-count.json).
@Suite struct RecordedTraceTests {
    struct QEMUCount: Decodable {
        struct Device: Decodable { var name: String; var reads: Int; var writes: Int; var offsets: [String: Int] }
        var devices: [String: Device]
    }

    static func qemu(_ name: String = "q35-rescan") throws -> QEMUCount {
        try JSONDecoder().decode(QEMUCount.self, from: Data(contentsOf: URL(fileURLWithPath: Fixtures.trace(name + ".qemu-count.json"))))
    }

    static let q35: Set<PCIAddress> = Set(["00:00.0", "00:01.0", "00:02.0", "00:03.0", "00:04.0", "00:05.0", "00:06.0", "00:06.1",
                                          "00:1f.0", "00:1f.2", "00:1f.3", "01:00.0"].compactMap { PCIAddress("0000:" + $0) })

    @Test func perDeviceCountsEqualQEMUsHostSideCount() throws {
        let (accesses, parser) = try TraceFile.parse(Fixtures.trace("q35-rescan.trace"))
        #expect(parser.window == "rescan of 0000:00:02.0")
        #expect(parser.present == Self.q35)
        #expect(parser.malformed == 0 && parser.lostEvents == 0 && parser.unreturned == 0 && parser.foreign == 0)
        let c = TraceCounts.counts(accesses, present: parser.present!, base: .type1, extended: .ecam, source: "fixture")
        let q = try Self.qemu()
        #expect(Set(c.devices.map(\.address.description)) == Set(q.devices.keys))
        for d in c.devices {
            let expected = try #require(q.devices[d.address.description])
            #expect(d.reads == expected.reads, "\(d.address) reads")
            #expect(d.writes == expected.writes, "\(d.address) writes")
        }
        // The exact numbers, so a change in either file shows.
        let blk = try #require(c.device(PCIAddress("0000:00:02.0")!))
        #expect(blk.reads == 205 && blk.writes == 42 && blk.extended == 0)
        #expect(blk.byMechanism == ["type 1": 247])       // q35: type 1 below 0x100; a conventional function reads nothing above
        let port = try #require(c.device(PCIAddress("0000:00:05.0")!))   // the bus rescan reads the root port's bus numbers and windows
        #expect(port.reads == 6 && port.writes == 4 && port.byMechanism == ["type 1": 10])
        #expect(c.empty == [EmptyProbes(kind: .emptySlot, firstBus: 0, lastBus: 0, accesses: 24, busCount: 1),
                            EmptyProbes(kind: .absentFunction, firstBus: 0, lastBus: 0, accesses: 11, busCount: 1)])
        #expect(c.total == 292 && c.deviceTotal == 257)
        #expect(accesses.allSatisfy { !$0.failed && $0.nanoseconds != nil && $0.mechanism == .type1 })
    }

    /// Not just the totals: every (device, read/write, offset) pair is seen
    /// as often by the kprobes as by QEMU.
    @Test func perOffsetCountsEqualQEMUs() throws {
        let (accesses, parser) = try TraceFile.parse(Fixtures.trace("q35-rescan.trace"))
        var mine: [String: [String: Int]] = [:]
        for a in accesses {
            guard let addr = a.address, parser.present!.contains(addr) else { continue }
            mine[addr.description, default: [:]]["\(a.write ? "w" : "r")@0x\(String(a.offset, radix: 16))", default: 0] += 1
        }
        let q = try Self.qemu()
        #expect(mine == q.devices.mapValues(\.offsets))
    }

    /// `--rescan 0000:01:00.0`, a PCIe function behind root port 00:05.0:
    /// the kernel reads its extended space through ECAM (q35: type 1 below
    /// 0x100 only), and QEMU sees each of those accesses too.
    @Test func bridgeRescanSplitsTypeOneAndECAMByOffset() throws {
        let (accesses, parser) = try TraceFile.parse(Fixtures.trace("q35-rescan-bridge.trace"))
        #expect(parser.window == "rescan of 0000:01:00.0")
        #expect(parser.present == Self.q35)
        #expect(parser.malformed == 0 && parser.lostEvents == 0 && parser.unreturned == 0)
        #expect(accesses.allSatisfy { $0.mechanism == ($0.offset >= 256 ? .ecam : .type1) })
        let c = TraceCounts.counts(accesses, present: parser.present!, base: .type1, extended: .ecam, source: "fixture")
        let q = try Self.qemu("q35-rescan-bridge")
        #expect(Dictionary(uniqueKeysWithValues: c.devices.map { ($0.address.description, [$0.reads, $0.writes]) })
                == q.devices.mapValues { [$0.reads, $0.writes] })
        let rng = try #require(c.device(PCIAddress("0000:01:00.0")!))
        #expect(rng.reads == 258 && rng.writes == 42 && rng.extended == 22)
        #expect(rng.byMechanism == ["type 1": 278, "ECAM": 22])
        let port = try #require(c.device(PCIAddress("0000:00:05.0")!))
        #expect(port.reads == 21 && port.writes == 7 && port.byMechanism == ["type 1": 28])
        #expect(TraceCounts.latencies(accesses, source: "fixture").map(\.mechanism) == [.ecam, .type1])
    }

    /// Without the `# pcitime-present:` line (a tracefs file saved by hand),
    /// present functions are inferred from the trace and the counts agree.
    @Test func presentFunctionsInferredWithoutTheHeader() throws {
        let text = try String(contentsOfFile: Fixtures.trace("q35-rescan.trace"), encoding: .utf8)
        var parser = KprobeTraceParser()
        parser.consume(line: text.split(separator: "\n").filter { !$0.hasPrefix("# pcitime-") }.joined(separator: "\n"))
        let accesses = parser.finish()
        #expect(parser.present == nil && parser.window == nil)
        let inferred = TraceCounts.inferredPresent(accesses)
        #expect(inferred == [PCIAddress("0000:00:02.0")!, PCIAddress("0000:00:05.0")!])
        let c = TraceCounts.counts(accesses, present: inferred, base: .type1, extended: .ecam, source: "fixture")
        #expect(c.devices.map(\.total) == [247, 10] && c.emptyTotal == 35)
    }

    @Test func latencyIsTheMeanOfEntryToReturn() throws {
        let accesses = try TraceFile.parse(Fixtures.trace("q35-rescan.trace")).accesses
        let l = TraceCounts.latencies(accesses, source: "fixture")
        #expect(l.map(\.mechanism) == [.type1])
        let sum = accesses.reduce(UInt64(0)) { $0 + $1.nanoseconds! }
        #expect(l[0].nanoseconds == Double(sum) / Double(accesses.count))
        #expect(l[0].provenance.kind == .measured)
    }
}

/// The parser on hand-made lines in the kernel's format: both mechanisms,
/// failures, cut lines, lost events, and the raw_pci_read nesting an earlier
/// probe set produced.
@Suite struct KprobeTraceTests {
    static let mechanisms = """
    # tracer: nop
           sh-140     [000] .....    35.000000: conf1_read: (pci_conf1_read+0x0/0xf0) seg=0 bus=0 devfn=24 reg=0 len=4
           sh-140     [000] .....    35.000012: conf1_read_ret: (pci_bus_read_config_dword+0x49/0x80 <- pci_conf1_read) ret=0
     kworker/0:1-22     [001] d..1.    35.000020: mmcfg_read: (pci_mmcfg_read+0x0/0xe0) seg=0 bus=1 devfn=0 reg=256 len=4
     kworker/0:1-22     [001] d..1.    35.000028: mmcfg_read_ret: (pci_bus_read_config_dword+0x49/0x80 <- pci_mmcfg_read) ret=0
           sh-140     [000] .....    35.000030: conf1_write: (pci_conf1_write+0x0/0xf0) seg=0 bus=0 devfn=24 reg=4 len=2 val=0x7
           sh-140     [000] .....    35.000040: conf1_write_ret: (pci_bus_write_config_word+0x49/0x80 <- pci_conf1_write) ret=0
           sh-140     [000] .....    35.000050: mmcfg_read: (pci_mmcfg_read+0x0/0xe0) seg=0 bus=0 devfn=24 reg=4096 len=4
           sh-140     [000] .....    35.000051: mmcfg_read_ret: (pci_bus_read_config_dword+0x49/0x80 <- pci_mmcfg_read) ret=-22
           sh-140     [000] .....    35.000060: conf1_read_ret: (pci_bus_read_config_dword+0x49/0x80 <- pci_conf1_read) ret=0
           sh-140     [000] .....    35.000070: conf1_read: (pci_conf1_read+0x0/0xf0) seg=0 bus=0 devfn=32 reg=0 len=4
    CPU:0 [LOST 2 EVENTS]
           sh-140     [000] .....    35.000080: conf1_read: (pci_conf1_read+0x0/0xf0) seg=0 bus=0 de
    """

    @Test func mechanismProbesCarryTheAccess() {
        var parser = KprobeTraceParser()
        parser.consume(line: Self.mechanisms)
        let accesses = parser.finish()
        #expect(accesses.count == 5)
        #expect(parser.malformed == 1 && parser.lostEvents == 2 && parser.unreturned == 1)
        #expect(accesses.map(\.mechanism) == [.type1, .ecam, .type1, .ecam, .type1])
        #expect(accesses.map(\.nanoseconds) == [12_000, 8_000, 10_000, 1_000, nil])
        #expect(accesses.map(\.failed) == [false, false, false, true, false])
        let dev = PCIAddress(bus: 0, device: 3, function: 0), rng = PCIAddress(bus: 1, device: 0, function: 0)
        let c = TraceCounts.counts(accesses, present: [dev, rng], base: .type1, extended: .ecam, source: "sample")
        #expect(c.device(dev).map { [$0.reads, $0.writes, $0.extended] } == [2, 1, 1])
        #expect(c.device(dev)?.byMechanism == ["type 1": 2, "ECAM": 1])
        #expect(c.device(rng)?.byMechanism == ["ECAM": 1])
        #expect(c.empty == [EmptyProbes(kind: .emptySlot, firstBus: 0, lastBus: 0, accesses: 1, busCount: 1)])
        let l = TraceCounts.latencies(accesses, source: "sample")
        #expect(l.map(\.mechanism) == [.ecam, .type1])
        #expect(l.map(\.nanoseconds) == [4_500, 11_000])
    }

    /// raw_read/raw_write entries with the mechanism's event inside (the
    /// mechanism names the open access; it is not a second access).
    static let nested = """
           bash-301     [000] d..1.    52.100000: raw_read: (raw_pci_read+0x0/0x70) seg=0 bus=0 devfn=24 reg=0 len=4
           bash-301     [000] d..1.    52.100001: conf1_read: (pci_conf1_read+0x0/0x100)
           bash-301     [000] d..1.    52.100011: raw_read_ret: (pci_read+0x2c/0x40 <- raw_pci_read) ret=0
           bash-301     [000] d..1.    52.100020: raw_read: (raw_pci_read+0x0/0x70) seg=0 bus=0 devfn=24 reg=256 len=4
           bash-301     [000] d..1.    52.100021: mmcfg_read: (pci_mmcfg_read+0x0/0xe0) seg=0 bus=0 devfn=24 reg=256 len=4
           bash-301     [000] d..1.    52.100025: mmcfg_read_ret: (raw_pci_read+0x30/0x70 <- pci_mmcfg_read) ret=0
           bash-301     [000] d..1.    52.100029: raw_read_ret: (pci_read+0x2c/0x40 <- raw_pci_read) ret=0
           bash-301     [000] d..1.    52.100050: raw_read: (raw_pci_read+0x0/0x70) seg=0 bus=5 devfn=0 reg=0 len=2
    """

    @Test func rawProbesWithNestedMechanism() {
        var parser = KprobeTraceParser()
        parser.consume(line: Self.nested)
        let accesses = parser.finish()
        #expect(accesses.count == 3)
        #expect(accesses.map(\.mechanism) == [.type1, .ecam, nil])
        #expect(accesses.map(\.nanoseconds) == [11_000, 9_000, nil])
        #expect(parser.unreturned == 1 && parser.malformed == 0)
        let c = TraceCounts.counts(accesses, present: [PCIAddress(bus: 0, device: 3, function: 0)], base: .type1, extended: .ecam, source: "sample")
        #expect(c.devices.first?.byMechanism == ["type 1": 1, "ECAM": 1])
        #expect(c.missingBusTotal == 1)
    }

    @Test func headerLinesRoundTrip() {
        let present = [PCIAddress("0000:00:02.0")!, PCIAddress("0000:00:00.0")!]
        var parser = KprobeTraceParser()
        parser.consume(line: KprobeTraceParser.header(window: "rebind of 0000:00:02.0", present: present) + "# tracer: nop\n")
        #expect(parser.window == "rebind of 0000:00:02.0")
        #expect(parser.present == Set(present))
        #expect(parser.finish().isEmpty && parser.malformed == 0)
    }

    @Test func bootParameterIsOneWordInItsOwnGroup() {
        let p = KprobeSession.bootParameter
        #expect(p.hasPrefix("kprobe_event=p:pcitime_boot/conf1_read,pci_conf1_read,seg=%di:u32,bus=%si:u32,devfn=%dx:u32,reg=%cx:s32,len=%r8:s32;"))
        #expect(!p.contains(" ") && !p.contains(":pcitime/"))
        #expect(p.split(separator: ";").count == 8)
        #expect(p.utf8.count < 2048)   // x86 COMMAND_LINE_SIZE
    }
}

/// The window checks, on a sysfs tree built here.
@Suite struct TraceWindowTests {
    static func tree() throws -> String {
        let root = Fixtures.temporary("sysfs-\(UInt32.random(in: 0...UInt32.max))")
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/bus/pci/devices/0000:00:02.0", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/bus/pci/devices/0000:00:03.0", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/bus/pci/drivers/virtio-pci", withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: root + "/bus/pci/devices/0000:00:02.0/driver", withDestinationPath: "../../drivers/virtio-pci")
        return root
    }

    @Test func refusesMissingDevicesAndRebindWithoutDriver() throws {
        let root = try Self.tree()
        let missing = PCIAddress("0000:00:09.0")!, bound = PCIAddress("0000:00:02.0")!, unbound = PCIAddress("0000:00:03.0")!
        #expect(throws: PCITimeError.missing(root + "/bus/pci/devices/0000:00:09.0", "no such PCI device")) {
            try TraceWindow.rescan(missing).validate(sysfs: root, force: false)
        }
        #expect(throws: PCITimeError.usage("--rebind 0000:00:03.0: the device has no driver bound")) {
            try TraceWindow.rebind(unbound).validate(sysfs: root, force: false)
        }
        try TraceWindow.rebind(bound).validate(sysfs: root, force: false)
        try TraceWindow.rescan(unbound).validate(sysfs: root, force: false)
        #expect(throws: PCITimeError.self) { try TraceWindow.command([]).validate(sysfs: root, force: false) }
    }

    @Test func rebindWritesUnbindThenBind() throws {
        let root = try Self.tree()
        let drv = root + "/bus/pci/drivers/virtio-pci/"
        #expect(FileManager.default.createFile(atPath: drv + "unbind", contents: nil))
        #expect(FileManager.default.createFile(atPath: drv + "bind", contents: nil))
        #expect(try TraceWindow.rebind(PCIAddress("0000:00:02.0")!).perform(sysfs: root) == 0)
        #expect(try String(contentsOfFile: drv + "unbind", encoding: .utf8) == "0000:00:02.0")
        #expect(try String(contentsOfFile: drv + "bind", encoding: .utf8) == "0000:00:02.0")
    }
}
