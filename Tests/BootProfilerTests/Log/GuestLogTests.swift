import BootProfiler
import Enumerator
import Testing

/// Kernel logs of QEMU guests (Debian 6.1 cloud kernel, QEMU 7.2 TCG) from
/// scripts/guest, copied from /work/scratch/guest-logs (see qemu-README.txt).
@Suite struct GuestLogTests {
    @Test func q35() throws {
        let p = try KernelLog.profile(path: Fixtures.log("qemu-q35.dmesg.txt"))
        #expect(p.ecam.map { "\($0.startBus)-\($0.endBus)" } == ["0-255"])
        #expect(p.mechanism?.base == .type1 && p.mechanism?.extended == .ecam)
        // acpiphp slot lines inside the scan keep it one scan.
        #expect(p.scans.map { [$0.start, $0.end ?? 0] } == [[1124788, 1241316]])
        #expect(p.devices.count == 12)
        #expect(p.devices[0].address.description == "0000:00:00.0" && p.devices[0].start == 1136040 && p.devices[0].end == 1141738)
        #expect(p.devices.last?.address.description == "0000:01:00.0")
        #expect(p.runInit?.start == 2290787)
        // MCFG covers buses 00-ff: peer-bus probes of 254 buses the scan did not create.
        let counts = EnumerationModel(.init(base: .type1, extended: .ecam, lastBus: Int(p.ecam[0].endBus)))
            .counts(for: p.devices.map { EnumeratedFunction(address: $0.address, headerType: $0.headerType, multifunction: false,
                                                            classCode: $0.classCode, pcieType: nil, capabilities: [],
                                                            extendedCapabilities: [], extendedConfigReadable: false, interruptPin: 1) })
        #expect(counts.missingBusTotal == 254 * 32)
        let r = Pricing.price(PricingInput(profile: p, counts: counts, book: LatencyBook([LatencyEstimate(mechanism: .type1, nanoseconds: 10_000, provenance: .measured("test"))])))
        #expect(r.savings.first?.accesses == 8128)
        #expect(r.savings.first?.parameter == "pci=lastbus=1")
        // Priced only at an empty probe's latency, which nothing gave.
        #expect(r.savings.first?.savedUs == nil)
    }

    @Test func q35WithInitcallDebug() throws {
        let p = try KernelLog.profile(path: Fixtures.log("qemu-q35-initcall.dmesg.txt"))
        #expect(p.initcalls.count == 584)
        #expect(p.initcalls.unpaired == 0)
        #expect(p.scans.map { [$0.start, $0.end ?? 0] } == [[842929, 953930]])
        #expect(p.initcalls.pci.contains { $0.name == "acpi_pci_init" })
        #expect(p.initcalls.longest.count == 20)
        #expect(p.runInit?.start == 1891718)
    }

    @Test func pcAndMicrovm() throws {
        let pc = try KernelLog.profile(path: Fixtures.log("qemu-pc.dmesg.txt"))
        #expect(pc.ecam.isEmpty)
        #expect(pc.scans.map { [$0.start, $0.end ?? 0] } == [[1027909, 1107799]])
        #expect(pc.devices.count == 8)
        #expect(pc.devices[2].address.description == "0000:00:01.1" && pc.devices[2].start == 1051289 && pc.devices[2].end == 1058566)
        let microvm = try KernelLog.profile(path: Fixtures.log("qemu-microvm.dmesg.txt"))
        #expect(microvm.scans.map { [$0.start, $0.end ?? 0] } == [[443851, 470061]])
        #expect(microvm.devices.count == 5)
        #expect(microvm.runInit?.start == 1284840)
    }

    /// i440fx: type 1 only (ACPI could not add MCFG information). microvm,pcie=on:
    /// no type 1 ("PCI: Fatal: No config space access function found"), then
    /// ECAM through ACPI for every offset, and no MCFG so no peer-bus probes.
    @Test func baseMechanismPerMachine() throws {
        let pc = try KernelLog.profile(path: Fixtures.log("qemu-pc.dmesg.txt"))
        #expect(pc.mechanism?.base == .type1 && pc.mechanism?.extended == nil)
        for (name, time) in [("qemu-microvm.dmesg.txt", UInt64(452296)), ("qemu-microvm-initcall.dmesg.txt", 515988)] {
            let p = try KernelLog.profile(path: Fixtures.log(name))
            #expect(p.mechanism?.base == .ecam && p.mechanism?.extended == .ecam, "\(name)")
            #expect(p.mechanism?.time == time)
            #expect(p.mechanism?.detail.contains("No config space access function found") == true)
            #expect(p.lastProbedBus == nil)
            let model = EnumerationModel(log: p)
            let counts = model.counts(for: [EnumeratedFunction(address: PCIAddress(bus: 0, device: 0, function: 0), headerType: 0,
                                                               multifunction: false, classCode: 0x060000, pcieType: nil,
                                                               capabilities: [], extendedCapabilities: [],
                                                               extendedConfigReadable: true, interruptPin: 0)])
            #expect(counts.baseMechanism == .ecam && counts.missingBusTotal == 0)
        }
    }
}
