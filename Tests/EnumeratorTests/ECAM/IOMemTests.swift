import Testing
@testable import Enumerator

/// `/proc/iomem` as captured on the Firecracker machine (fixtures/sysfs/firecracker).
@Suite struct IOMemTests {
    @Test func realMap() throws {
        let iomem = try #require(IOMem(path: Fixtures.tree("firecracker") + "/proc/iomem"))
        #expect(iomem.regions.count == 27)
        #expect(iomem.regions.first == .init(start: 0, end: 0xfff, name: "Reserved", depth: 0))
        #expect(iomem.regions[3] == .init(start: 0xde000, end: 0xdefff, name: "AMZNC10C:00", depth: 1))
        #expect(iomem.regions[12] == .init(start: 0xeec0_0000, end: 0xeecf_ffff, name: "PCI ECAM 0000 [bus 00-00]", depth: 1))
        #expect(iomem.regions[13] == .init(start: 0xeec0_0000, end: 0xeecf_ffff, name: "PCI Bus 0000:00", depth: 2))
        #expect(iomem.regions.last == .init(start: 0x40_0020_0000, end: 0x40_0027_ffff, name: "virtio-pci-modern", depth: 2))
        #expect(iomem.regions.filter { $0.name == "System RAM" }.map(\.start) == [0x1000, 0x10_0000, 0x1_0000_0000])
        #expect(iomem.showsAddresses)
    }

    @Test func linesThatAreNotRegionsAreSkipped() {
        let iomem = IOMem(text: "garbage\n\n  00001000-0000ffff : A\nzz-10 : B\n00010000-0001ffff :C\n\u{e9}0-1 : D\n0-1 : \u{e9}t\u{e9}\n")
        #expect(iomem.regions == [.init(start: 0x1000, end: 0xffff, name: "A", depth: 1), .init(start: 0, end: 1, name: "\u{e9}t\u{e9}", depth: 0)])
    }
}
