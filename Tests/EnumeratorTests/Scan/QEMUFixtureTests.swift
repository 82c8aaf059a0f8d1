import Testing
@testable import Enumerator

/// Golden values from fixtures/sysfs/qemu-*, captured in QEMU 7.2 TCG guests
/// by `scripts/guest-suite --update-fixtures` (command lines in each
/// fixture's qemu-cmdline.txt). Cross-checked in the same guests: pcitime's
/// ECAM, type-1 and sysfs scans decode identically, their per-device read
/// counts equal QEMU's own pci_cfg_read trace, and the IDs, classes, BARs and
/// bridge bus numbers equal the kernel log's `pci 0000:...` lines (dmesg.txt).
@Suite struct QEMUFixtureTests {
    static func ids(_ r: ScanReport) -> [String] {
        r.walk.functions.map { "\($0.address) \(hex($0.vendor, 4)):\(hex($0.device, 4)) \(hex($0.classCode, 6)) rev \($0.revision)" }
    }

    static func reads(_ r: ScanReport) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: r.walk.functions.map { ("\($0.address)".dropFirst(5).description, r.stats[$0.address]?.reads ?? -1) })
    }

    static func function(_ r: ScanReport, _ bdf: String) throws -> PCIFunction {
        try #require(r.walk.functions.first { $0.address == PCIAddress(bdf)! })
    }

    // MARK: q35: MCFG + type 1, PCIe endpoints on the root bus, one root port, a multifunction slot

    @Test func q35Functions() throws {
        let r = try Fixtures.scan("qemu-q35")
        #expect(Self.ids(r) == [
            "0000:00:00.0 8086:29c0 060000 rev 0",  // mch
            "0000:00:01.0 1af4:1000 020000 rev 0",  // virtio-net (transitional)
            "0000:00:02.0 1af4:1001 010000 rev 0",  // virtio-blk
            "0000:00:03.0 8086:10d3 020000 rev 0",  // e1000e
            "0000:00:04.0 1b36:0010 010802 rev 2",  // nvme
            "0000:00:05.0 1b36:000c 060400 rev 0",  // pcie-root-port
            "0000:00:06.0 1af4:1002 00ff00 rev 0",  // virtio-balloon, function 0
            "0000:00:06.1 1af4:1003 078000 rev 0",  // virtio-serial, function 1
            "0000:00:1f.0 8086:2918 060100 rev 2",  // ICH9 LPC
            "0000:00:1f.2 8086:2922 010601 rev 2",  // ICH9 AHCI
            "0000:00:1f.3 8086:2930 0c0500 rev 2",  // ICH9 SMBus
            "0000:01:00.0 1af4:1044 00ff00 rev 1",  // virtio-rng behind the root port
        ])
        #expect(r.walk.failures.isEmpty)
        #expect(r.walk.warnings.isEmpty)
        let clean = r.walk.functions.allSatisfy { $0.warnings.isEmpty }
        #expect(clean)
    }

    @Test func q35ExactReadCounts() throws {
        let r = try Fixtures.scan("qemu-q35")
        // Equal to QEMU's trace of the in-guest sysfs scan, device by device.
        #expect(Self.reads(r) == [
            "00:00.0": 16, "00:01.0": 22, "00:02.0": 22, "00:03.0": 22, "00:04.0": 20, "00:05.0": 24,
            "00:06.0": 21, "00:06.1": 22, "00:1f.0": 16, "00:1f.2": 18, "00:1f.3": 16, "01:00.0": 27,
        ])
        #expect(r.totals.reads == 246)
        #expect(r.deviceReads == 246)
        #expect(r.walk.emptyProbes == 0)
    }

    @Test func q35Tree() throws {
        let r = try Fixtures.scan("qemu-q35")
        #expect(ScanTree.render(r.walk.functions) == """
        -[0000:00]-+-00.0
                   +-01.0
                   +-02.0
                   +-03.0
                   +-04.0
                   +-05.0-[01]----00.0
                   +-06.0
                   +-06.1
                   +-1f.0
                   +-1f.2
                   \\-1f.3

        """)
    }

    @Test func q35NVMeIsARootComplexIntegratedEndpoint() throws {
        let nvme = try Self.function(try Fixtures.scan("qemu-q35"), "00:04.0")
        #expect(nvme.capabilities.map(\.offset) == [0x40, 0x80, 0x60])
        #expect(nvme.capabilities.map(\.id) == [0x11, 0x10, 0x01])  // MSI-X, Express, Power Management
        #expect(nvme.capabilities[0].vectors == 65)
        #expect(nvme.capabilities[0].enabled == true)  // the built-in nvme driver is bound
        // On the q35 root bus: port type 9, and so no link registers.
        #expect(nvme.pcie == PCIeInfo(version: 2, portType: 0x9, link: nil))
        #expect(nvme.configSize == 4096)
        #expect(nvme.extendedCapabilities.isEmpty)  // 0 at 0x100: extended space, empty list
        #expect(nvme.bars == [BAR(index: 0, kind: .memory64, address: 0xfe6c_4000, prefetchable: false)])
        #expect(nvme.subsystem == .init(vendor: 0x1af4, device: 0x1100))
    }

    @Test func q35E1000eCapabilities() throws {
        let nic = try Self.function(try Fixtures.scan("qemu-q35"), "00:03.0")
        #expect(nic.capabilities.map(\.offset) == [0xc8, 0xd0, 0xe0, 0xa0])
        #expect(nic.capabilities.map(\.name) == ["Power Management", "MSI", "Express", "MSI-X"])
        #expect(nic.capabilities[1].vectors == 1 && nic.capabilities[1].is64Bit == true && nic.capabilities[1].enabled == false)
        #expect(nic.capabilities[3].vectors == 5 && nic.capabilities[3].enabled == false)  // no e1000e driver in the guest
        #expect(nic.pcie == PCIeInfo(version: 1, portType: 0x9, link: nil))
        #expect(nic.extendedCapabilities == [
            ExtendedCapability(id: 0x0001, version: 2, offset: 0x100),  // Advanced Error Reporting
            ExtendedCapability(id: 0x0003, version: 1, offset: 0x140),  // Device Serial Number
        ])
        #expect(nic.bars == [
            BAR(index: 0, kind: .memory32, address: 0xfe68_0000, prefetchable: false),
            BAR(index: 1, kind: .memory32, address: 0xfe6a_0000, prefetchable: false),
            BAR(index: 2, kind: .io, address: 0xc160, prefetchable: false),
            BAR(index: 3, kind: .memory32, address: 0xfe6c_0000, prefetchable: false),
        ])
    }

    @Test func q35RootPortAndTheDeviceBehindIt() throws {
        let r = try Fixtures.scan("qemu-q35")
        let port = try Self.function(r, "00:05.0")
        #expect(port.headerType == 1 && port.isBridge)
        #expect(port.bridge == .init(primary: 0, secondary: 1, subordinate: 1))
        #expect(port.capabilities.map(\.id) == [0x10, 0x11, 0x0d])  // Express, MSI-X, Subsystem ID
        #expect(port.capabilities[1].vectors == 1)
        // Root port; Link Capabilities 16GT/s x32, trained at 2.5GT/s x1.
        #expect(port.pcie == PCIeInfo(version: 2, portType: 0x4, link: .init(maxSpeed: 4, maxWidth: 32, speed: 1, width: 1)))
        #expect(port.extendedCapabilities.map(\.name) == ["Advanced Error Reporting", "Access Control Services"])
        #expect(port.extendedCapabilities.map(\.offset) == [0x100, 0x148])

        let rng = try Self.function(r, "01:00.0")
        #expect(rng.pcie == PCIeInfo(version: 2, portType: 0x0, link: .init(maxSpeed: 1, maxWidth: 1, speed: 1, width: 1)))
        #expect(rng.capabilities.map(\.offset) == [0xdc, 0xc8, 0xb4, 0xa4, 0x94, 0x84, 0x7c, 0x40])
        #expect(rng.capabilities.compactMap(\.virtioType) == [5, 2, 4, 3, 1])
        #expect(rng.configSize == 4096 && rng.extendedCapabilities.isEmpty)
    }

    @Test func q35MultifunctionSlot() throws {
        let r = try Fixtures.scan("qemu-q35")
        let f0 = try Self.function(r, "00:06.0"), f1 = try Self.function(r, "00:06.1")
        #expect(f0.multifunction)   // multifunction=on: the header type's bit 7 on function 0
        #expect(!f1.multifunction)
        #expect(f0.capabilities.compactMap(\.virtioType) == [5, 2, 4, 3, 1])  // balloon: no MSI-X
        let allVirtio = f0.capabilities.allSatisfy { $0.id == 0x09 }
        #expect(allVirtio)
        #expect(f1.capabilities.first?.id == 0x11 && f1.capabilities.first?.vectors == 2)
        // The ICH9 functions at 1f all set the bit.
        let ich9 = try ["00:1f.0", "00:1f.2", "00:1f.3"].map { try Self.function(r, $0).multifunction }
        #expect(ich9 == [true, true, true])
    }

    @Test func q35VirtioNetBARs() throws {
        let net = try Self.function(try Fixtures.scan("qemu-q35"), "00:01.0")
        // Kernel log: BAR 0 [io 0xc140-0xc15f], BAR 1 [mem 0xfe6c8000-0xfe6c8fff], BAR 4 [mem 0xfea00000-0xfea03fff 64bit pref]
        #expect(net.bars == [
            BAR(index: 0, kind: .io, address: 0xc140, prefetchable: false),
            BAR(index: 1, kind: .memory32, address: 0xfe6c_8000, prefetchable: false),
            BAR(index: 4, kind: .memory64, address: 0xfea0_0000, prefetchable: true),
        ])
        #expect(net.interruptPin == 1 && net.interruptLine == 10)
        #expect(net.capabilities.first?.id == 0x11 && net.capabilities.first?.vectors == 4)  // MSI-X at 0x98, first in the list
        #expect(net.pcie == nil && net.configSize == 256)
    }

    @Test func q35LibpciSeesTheSameTreeWithTheSameCounts() throws {
        let ours = try Fixtures.scan("qemu-q35")
        let libpci = try Fixtures.scan("qemu-q35", method: "libpci:linux-sysfs")
        func decoded(_ r: ScanReport) -> [PCIFunction] { r.walk.functions.map { var f = $0; f.configSize = 0; return f } }
        #expect(decoded(libpci) == decoded(ours))
        #expect(Self.reads(libpci) == Self.reads(ours))
    }

    @Test func q35ECAMFromMCFG() throws {
        let root = Fixtures.tree("qemu-q35")
        let d = try ECAMDiscovery.discover(root: root)
        #expect(d.source == .mcfg)
        #expect(d.windows == [ECAMWindow(base: 0xb000_0000, segment: 0, startBus: 0, endBus: 0xff)])
        #expect(d.mcfg?.oemID.hasPrefix("BOCHS") == true)
        #expect(IOMem(path: root + "/proc/iomem")?.ecamWindows == d.windows)
        #expect(ecamWindows(inKernelLog: try KernelLogSource.tree(MachineRoot(root)).text()) == d.windows)
    }

    // MARK: q35-wide: 16 root ports, a PCIe-to-PCI bridge with conventional devices behind it

    @Test func q35WideFunctionsAndBuses() throws {
        let r = try Fixtures.scan("qemu-q35-wide")
        #expect(r.walk.functions.count == 41)
        let ports = r.walk.functions.filter { $0.vendor == 0x1b36 && $0.device == 0x000c }
        #expect(ports.map { "\($0.address)".dropFirst(8) } == [
            "08.0", "08.1", "09.0", "09.1", "0a.0", "0a.1", "0b.0", "0b.1",
            "0c.0", "0c.1", "0d.0", "0d.1", "0e.0", "0e.1", "0f.0", "0f.1", "10.0",
        ])
        // Firmware numbered the root ports' buses 1..16 in order, the last 17-18.
        #expect(ports.map { $0.bridge!.secondary } == Array(1...17))
        #expect(ports.map { $0.bridge!.subordinate } == Array(1...16) + [18])
        // Only function 0 of each two-port slot sets the multifunction bit.
        #expect(ports.map(\.multifunction) == (0..<8).flatMap { _ in [true, false] } + [false])
        // One device per port, in the rotation scripts/guest uses.
        let behind = (1...16).map { bus in r.walk.functions.first { $0.address.bus == bus }.map { hex($0.device, 4) } ?? "-" }
        #expect(behind == Array(repeating: ["1044", "0010", "10d3", "1042"], count: 4).flatMap { $0 })
        let tail = r.walk.functions.filter { $0.address.bus >= 0x11 }.map { "\($0.address) \(hex($0.vendor, 4)):\(hex($0.device, 4)) \(hex($0.classCode, 6))" }
        #expect(tail == [
            "0000:11:00.0 1b36:000e 060400",  // pcie-pci-bridge
            "0000:12:01.0 8086:100e 020000",  // e1000
            "0000:12:02.0 8086:25ab 088000",  // i6300esb
            "0000:12:03.0 1af4:1005 00ff00",  // virtio-rng (transitional)
        ])
        #expect(r.walk.failures.isEmpty && r.walk.warnings.isEmpty)
    }

    @Test func q35WideBridgeAndLinks() throws {
        let r = try Fixtures.scan("qemu-q35-wide")
        let bridge = try Self.function(r, "11:00.0")
        #expect(bridge.bridge == .init(primary: 0x11, secondary: 0x12, subordinate: 0x12))
        #expect(bridge.pcie?.portType == 0x7)  // PCIe-to-PCI Bridge
        #expect(bridge.capabilities.map(\.id) == [0x05, 0x01, 0x10, 0x0c])  // MSI, PM, Express, PCI Hot-plug
        #expect(bridge.extendedCapabilities.map(\.name) == ["Advanced Error Reporting"])
        // The nvme behind a root port is an Endpoint with a link (on the root bus it has none).
        let nvme = try Self.function(r, "02:00.0")
        #expect(nvme.pcie == PCIeInfo(version: 2, portType: 0x0, link: .init(maxSpeed: 1, maxWidth: 1, speed: 1, width: 1)))
        // Conventional PCI behind the bridge: 256 bytes, no extended capabilities.
        for bdf in ["12:01.0", "12:02.0", "12:03.0"] {
            let f = try Self.function(r, bdf)
            #expect(f.configSize == 256 && f.pcie == nil && f.extendedCapabilities.isEmpty)
        }
        #expect(ScanTree.render(r.walk.functions).contains("+-10.0-[11-12]----00.0-[12]--+-01.0"))
    }

    @Test func q35WideExactReadCounts() throws {
        let r = try Fixtures.scan("qemu-q35-wide")
        var want: [String: Int] = ["00:00.0": 16, "00:1f.0": 16, "00:1f.2": 18, "00:1f.3": 16,
                                   "11:00.0": 23, "12:01.0": 16, "12:02.0": 16, "12:03.0": 22]
        for d in 8...15 { for f in 0...1 { want["00:\(hex(d, 2)).\(f)"] = 24 } }
        want["00:10.0"] = 24
        let perKind = [27, 22, 24, 27]  // virtio-rng, nvme, e1000e, virtio-blk (modern: 8 capabilities)
        for bus in 1...16 { want["\(hex(bus, 2)):00.0"] = perKind[(bus - 1) % 4] }
        #expect(Self.reads(r) == want)
        #expect(r.totals.reads == 951)
    }

    // MARK: pc (i440fx): type 1 only, no ECAM

    @Test func pcFunctionsAndCounts() throws {
        let r = try Fixtures.scan("qemu-pc")
        #expect(Self.ids(r) == [
            "0000:00:00.0 8086:1237 060000 rev 2",  // i440FX
            "0000:00:01.0 8086:7000 060100 rev 0",  // PIIX3 ISA
            "0000:00:01.1 8086:7010 010180 rev 0",  // PIIX3 IDE
            "0000:00:01.3 8086:7113 068000 rev 3",  // PIIX4 ACPI
            "0000:00:03.0 1af4:1000 020000 rev 0",  // virtio-net
            "0000:00:04.0 1af4:1001 010000 rev 0",  // virtio-blk
            "0000:00:05.0 8086:100e 020000 rev 3",  // e1000
            "0000:00:06.0 1b36:0010 010802 rev 2",  // nvme
        ])
        #expect(Self.reads(r) == ["00:00.0": 16, "00:01.0": 16, "00:01.1": 16, "00:01.3": 16,
                                  "00:03.0": 22, "00:04.0": 22, "00:05.0": 16, "00:06.0": 21])
        #expect(r.totals.reads == 145)
        // Without ECAM every config file is 256 bytes, PCIe or not.
        let conventional = r.walk.functions.allSatisfy { $0.configSize == 256 && $0.extendedCapabilities.isEmpty }
        #expect(conventional)
        let nvme = try Self.function(r, "00:06.0")
        #expect(nvme.pcie == PCIeInfo(version: 2, portType: 0x0, link: .init(maxSpeed: 1, maxWidth: 1, speed: 1, width: 1)))
        #expect(try Self.function(r, "00:01.0").multifunction)
        // IDE in compatibility mode: BARs 0-3 are zero (the kernel's "legacy IDE quirk"), only BAR 4 is programmed.
        #expect(try Self.function(r, "00:01.1").bars == [BAR(index: 4, kind: .io, address: 0xc0e0, prefetchable: false)])
    }

    @Test func pcHasNoECAM() throws {
        let root = Fixtures.tree("qemu-pc")
        do {
            _ = try ECAMDiscovery.discover(root: root)
            Issue.record("discover found ECAM on an i440fx machine")
        } catch let e as PCITimeError {
            #expect(e.exitCode == 69)
            #expect(e.description.contains("no ECAM here"))
        }
        #expect(ecamWindows(inKernelLog: try KernelLogSource.tree(MachineRoot(root)).text()).isEmpty)
        #expect(try KernelLogSource.tree(MachineRoot(root)).text().contains("fail to add MMCONFIG information"))
    }

    // MARK: microvm: ECAM only through ACPI _CBA (no MCFG), no type 1

    @Test func microvmFunctionsAndCounts() throws {
        let r = try Fixtures.scan("qemu-microvm")
        #expect(Self.ids(r) == [
            "0000:00:00.0 1b36:0008 060000 rev 0",  // gpex host bridge
            "0000:00:01.0 1af4:1000 020000 rev 0",  // virtio-net
            "0000:00:02.0 1af4:1001 010000 rev 0",  // virtio-blk
            "0000:00:03.0 1b36:0010 010802 rev 2",  // nvme
            "0000:00:04.0 1af4:1005 00ff00 rev 0",  // virtio-rng
        ])
        #expect(Self.reads(r) == ["00:00.0": 16, "00:01.0": 22, "00:02.0": 22, "00:03.0": 20, "00:04.0": 22])
        #expect(r.totals.reads == 102)
        let nvme = try Self.function(r, "00:03.0")
        #expect(nvme.pcie == PCIeInfo(version: 2, portType: 0x9, link: nil))
        #expect(nvme.configSize == 4096)
        // No firmware assigns BARs on microvm; the kernel did, and found no I/O space for BAR 0.
        #expect(try Self.function(r, "00:01.0").bars == [
            BAR(index: 1, kind: .memory32, address: 0xc004_0000, prefetchable: false),
            BAR(index: 4, kind: .memory64, address: 0xc0_0000_0000, prefetchable: true),
        ])
    }

    @Test func microvmECAMFromIOMem() throws {
        let root = Fixtures.tree("qemu-microvm")
        let d = try ECAMDiscovery.discover(root: root)
        #expect(d.source == .iomem)
        #expect(d.mcfg == nil)
        #expect(d.windows == [ECAMWindow(base: 0xe000_0000, segment: 0, startBus: 0, endBus: 0xff)])
        #expect(ecamWindows(inKernelLog: try KernelLogSource.tree(MachineRoot(root)).text()) == d.windows)
    }
}
