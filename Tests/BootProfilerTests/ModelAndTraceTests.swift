import BootProfiler
import Enumerator
import Foundation
import Testing

@Suite struct EnumerationModelTests {
    static func endpoint(_ bus: UInt8, _ dev: UInt8, pcie: UInt8? = nil, caps: [UInt16] = [0x11, 0x09]) -> EnumeratedFunction {
        EnumeratedFunction(address: PCIAddress(bus: bus, device: dev, function: 0), headerType: 0, multifunction: false,
                           classCode: 0x020000, pcieType: pcie,
                           capabilities: caps.enumerated().map { .init(id: $0.element, offset: UInt16(0x40 + 0x10 * $0.offset)) },
                           extendedCapabilities: [], extendedConfigReadable: pcie != nil, interruptPin: 1)
    }

    @Test func peerBusProbesFollowTheMCFGRange() {
        // q35: MCFG buses 00-ff, so pcibios_last_bus = 255 and every bus
        // 01-ff the scan did not create gets 32 vendor reads.
        let fns = [Self.endpoint(0, 0), Self.endpoint(0, 1)]
        let q35 = EnumerationModel(.init(base: .type1, extended: .ecam, lastBus: 255)).counts(for: fns)
        #expect(q35.missingBusTotal == 255 * 32)
        #expect(q35.empty.first { $0.kind == .missingBus } == EmptyProbes(kind: .missingBus, firstBus: 1, lastBus: 255, accesses: 8160, busCount: 255))
        #expect(q35.empty.first { $0.kind == .emptySlot }?.accesses == 30)
        let lastbus0 = EnumerationModel(.init(base: .type1, extended: .ecam, lastBus: 0)).counts(for: fns)
        #expect(lastbus0.missingBusTotal == 0)
        #expect(q35.deviceTotal == lastbus0.deviceTotal)
        #expect(q35.provenance.kind == .modelled)
    }

    @Test func rootPortBusProbesOnlyDeviceZero() {
        var port = Self.endpoint(0, 2, pcie: 4, caps: [0x10, 0x05])
        port.headerType = 1
        port.classCode = 0x060400
        port.secondaryBus = 1
        port.subordinateBus = 1
        let fns = [Self.endpoint(0, 0), port, Self.endpoint(1, 0, pcie: 0, caps: [0x10, 0x11])]
        let c = EnumerationModel(.init(base: .type1, extended: .ecam, lastBus: 1)).counts(for: fns)
        #expect(c.empty.filter { $0.kind == .emptySlot }.map(\.accesses) == [30])   // bus 00 only; bus 01 has one child
        #expect(c.missingBusTotal == 0)
        #expect(c.extendedTotal > 0)                   // PCIe functions read 0x100 and walk extended caps
        #expect(c.device(port.address)!.total > c.device(fns[0].address)!.total)
    }

    @Test func costModelPricesEachMechanismWithItsSource() throws {
        let p = try KernelLog.profile(path: Fixtures.log("firecracker.dmesg.txt"))
        let fns = p.devices.map {
            EnumeratedFunction(address: $0.address, headerType: 0, multifunction: false, classCode: $0.classCode, pcieType: nil,
                               capabilities: [], extendedCapabilities: [], extendedConfigReadable: false, interruptPin: 1)
        }
        let counts = EnumerationModel(.init(base: .type1, extended: .ecam, lastBus: 0)).counts(for: fns)
        let lat = [LatencyEstimate(mechanism: .type1, nanoseconds: 13100, provenance: .measured("test")),
                   LatencyEstimate(mechanism: .ecam, nanoseconds: 9300, provenance: .measured("test"))]
        let r = CostModel.report(profile: p, counts: counts, latencies: lat)
        #expect(r.enumeration?.value == 13623)
        #expect(r.kernelBoot?.value == 469174)
        #expect(r.devices == 6)
        #expect(r.accesses == counts.total)
        #expect(r.actual.map(\.mechanism) == [.type1, .ecam])
        #expect(abs(r.actual.reduce(0) { $0 + $1.microseconds } - (Double(counts.baseTotal) * 13.1 + Double(counts.extendedTotal) * 9.3)) < 0.001)
        // The alternative to type 1 for base offsets: every access through ECAM.
        #expect(r.alternatives.map(\.mechanism) == [.ecam])
        #expect(r.alternatives.first?.accesses == counts.total)
        #expect(r.headline.contains("; through ECAM at 9.3 us (measured) they would take"))
        #expect(r.headline.hasPrefix("PCI enumeration took 13.6 ms of a 469.2 ms kernel boot (2.9%) over 6 devices (measured from the kernel log)"))
        #expect(r.savings.isEmpty)
    }
}

/// The kprobe text parser. A recorded guest trace becomes
/// fixtures/traces/*.trace when the guest harness produces one; until then
/// these lines follow the kernel's trace output format.
@Suite struct KprobeTraceTests {
    static let sample = """
    # tracer: nop
    #
    #           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
           bash-301     [000] d..1.    52.100000: raw_read: (raw_pci_read+0x0/0x70) seg=0 bus=0 devfn=24 reg=0 len=4
           bash-301     [000] d..1.    52.100001: conf1_read: (pci_conf1_read+0x0/0x100)
           bash-301     [000] d..1.    52.100011: raw_read_ret: (pci_read+0x2c/0x40 <- raw_pci_read) ret=0
     kworker/0:1-22     [001] d..1.    52.100020: raw_read: (raw_pci_read+0x0/0x70) seg=0 bus=0 devfn=24 reg=256 len=4
     kworker/0:1-22     [001] d..1.    52.100021: mmcfg_read: (pci_mmcfg_read+0x0/0x100)
     kworker/0:1-22     [001] d..1.    52.100029: raw_read_ret: (pci_read+0x2c/0x40 <- raw_pci_read) ret=0
           bash-301     [000] d..1.    52.100030: raw_write: (raw_pci_write+0x0/0x70) seg=0 bus=0 devfn=24 reg=4 len=2 val=0x7
           bash-301     [000] d..1.    52.100031: conf1_write: (pci_conf1_write+0x0/0x100)
           bash-301     [000] d..1.    52.100040: raw_write_ret: (pci_write+0x2c/0x40 <- raw_pci_write) ret=0
           bash-301     [000] d..1.    52.100050: raw_read: (raw_pci_read+0x0/0x70) seg=0 bus=0 devfn=32 reg=0 len=4
           bash-301     [000] d..1.    52.100060: raw_read_ret: (pci_read+0x2c/0x40 <- raw_pci_read) ret=0
           bash-301     [000] d..1.    52.100070: raw_read: (raw_pci_read+0x0/0x70) seg=0 bus=5 devfn=0 reg=0 len=2
    CPU:1 [LOST 3 EVENTS]
           bash-301     [000] d..1.    52.100080: raw_read: (raw_pci_read+0x0/0x70) seg=0 bus=0 de
    """

    @Test func countsPerDeviceWithMechanismAndLatency() {
        var parser = KprobeTraceParser()
        parser.consume(line: Self.sample)
        let accesses = parser.finish()
        #expect(accesses.count == 5)
        #expect(parser.malformed == 1)        // the line cut mid-way
        #expect(parser.lostEvents == 3)
        #expect(parser.unreturned == 1)
        let dev = PCIAddress(bus: 0, device: 3, function: 0)
        let c = TraceCounts.counts(accesses, present: [dev], base: .type1, extended: .ecam, source: "sample")
        let d = c.device(dev)!
        #expect(d.reads == 2 && d.writes == 1 && d.extended == 1)
        #expect(d.byMechanism == ["type 1": 2, "ECAM": 1])
        #expect(d.meanNanoseconds == Double(11_000 + 9_000 + 10_000) / 3)
        #expect(c.empty.map(\.kind) == [.emptySlot, .missingBus])
        #expect(c.emptyTotal == 2 && c.missingBusTotal == 1)
        let l = TraceCounts.latencies(accesses, source: "sample")
        #expect(l.map(\.mechanism) == [.ecam, .type1])
        #expect(l.first { $0.mechanism == .type1 }?.nanoseconds == 10_500)
    }
}
