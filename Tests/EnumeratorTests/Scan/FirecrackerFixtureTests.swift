import Testing
@testable import Enumerator

/// Golden values from fixtures/sysfs/firecracker, cross-checked against
/// `lspci -vvv` on the machine it was captured from.
@Suite struct FirecrackerFixtureTests {
    @Test func functionsAndIDs() throws {
        let r = try Fixtures.scan("firecracker")
        let ids = r.walk.functions.map { "\($0.address) \(hex($0.vendor, 4)):\(hex($0.device, 4)) \(hex($0.classCode, 6)) rev \($0.revision)" }
        #expect(ids == [
            "0000:00:00.0 8086:0d57 060000 rev 0",
            "0000:00:01.0 1af4:1045 ffff00 rev 1",
            "0000:00:02.0 1af4:1042 018000 rev 1",
            "0000:00:03.0 1af4:1041 020000 rev 1",
            "0000:00:04.0 1af4:1053 ffff00 rev 1",
            "0000:00:05.0 1af4:1044 ffff00 rev 1",
        ])
        #expect(r.walk.failures.isEmpty)
        #expect(r.walk.warnings.isEmpty)
        #expect(r.walk.emptyProbes == 0)  // sysfs knows absent slots without an access
    }

    @Test func exactReadCounts() throws {
        let r = try Fixtures.scan("firecracker")
        // Host bridge: the 16 header dwords, no capability list, and the dword
        // at 0x100 that tells whether it has extended space (it does: it reads 0).
        #expect(r.stats[PCIAddress("0000:00:00.0")!]?.reads == 17)
        // Virtio: 16 header dwords + 6 capability headers (5 virtio structures, MSI-X).
        for d in 1...5 {
            #expect(r.stats[PCIAddress(segment: 0, bus: 0, device: UInt8(d), function: 0)]?.reads == 22)
        }
        #expect(r.totals.reads == 127)
        #expect(r.deviceReads == 127)
    }

    @Test func capabilitiesMatchLspci() throws {
        let r = try Fixtures.scan("firecracker")
        let net = try #require(r.walk.functions.first { $0.address == PCIAddress("00:03.0")! })
        #expect(net.capabilities.map(\.offset) == [0x40, 0x50, 0x60, 0x70, 0x84, 0x98])
        // lspci: CommonCfg, ISR, DeviceCfg, Notify, <unknown>(PCI cfg access), MSI-X Count=3 Enable+
        #expect(net.capabilities.compactMap(\.virtioType) == [1, 3, 4, 2, 5])
        #expect(net.capabilities.last?.id == 0x11)
        #expect(net.capabilities.last?.vectors == 3)
        #expect(net.capabilities.last?.enabled == true)
        #expect(net.bars == [BAR(index: 0, kind: .memory64, address: 0x40_0010_0000, prefetchable: false)])
        #expect(net.subsystem == .init(vendor: 0x1af4, device: 0x1041))
        #expect(net.pcie == nil)  // "conventional PCI endpoint" in the kernel log
        #expect(net.extendedCapabilities.isEmpty)
        #expect(net.configSize == 256)
        let msix = r.walk.functions.map { $0.capabilities.last?.vectors }
        #expect(msix == [nil, 5, 2, 3, 4, 2])
    }

    @Test func hostBridgeHasFullConfigSpaceButNoPCIe() throws {
        let r = try Fixtures.scan("firecracker")
        let host = try #require(r.walk.functions.first)
        #expect(host.configSize == 4096)
        #expect(host.capabilities.isEmpty)
        #expect(host.bars.isEmpty)
        #expect(host.headerType == 0 && !host.multifunction)
    }

    @Test func tree() throws {
        let r = try Fixtures.scan("firecracker")
        #expect(ScanTree.render(r.walk.functions) == """
        -[0000:00]-+-00.0
                   +-01.0
                   +-02.0
                   +-03.0
                   +-04.0
                   \\-05.0

        """)
    }

    @Test func libpciSysfsSeesTheSameTreeWithTheSameCounts() throws {
        let ours = try Fixtures.scan("firecracker")
        let libpci = try Fixtures.scan("firecracker", method: "libpci:linux-sysfs")
        // libpci does not say how far a method reaches; everything else is equal.
        func decoded(_ r: ScanReport) -> [PCIFunction] { r.walk.functions.map { var f = $0; f.configSize = 0; return f } }
        #expect(decoded(libpci) == decoded(ours))
        #expect(libpci.totals.reads == ours.totals.reads)
    }

    @Test func ecamWindowAgreesAcrossSources() throws {
        let root = Fixtures.tree("firecracker")
        let d = try ECAMDiscovery.discover(root: root)
        #expect(d.source == .mcfg)
        #expect(d.windows == [ECAMWindow(base: 0xeec0_0000, segment: 0, startBus: 0, endBus: 0)])
        #expect(IOMem(path: root + "/proc/iomem")?.ecamWindows == d.windows)
        #expect(ecamWindows(inKernelLog: try KernelLogSource.tree(MachineRoot(root)).text()) == d.windows)
    }
}
