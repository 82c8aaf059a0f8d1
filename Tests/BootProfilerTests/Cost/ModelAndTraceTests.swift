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
}
