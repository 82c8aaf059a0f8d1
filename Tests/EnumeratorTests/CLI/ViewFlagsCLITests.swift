import Testing
@testable import Enumerator

/// The lspci and systemd-analyze flags end to end through the built binary.
@Suite struct ViewFlagsCLITests {
    static let q35 = Fixtures.tree("qemu-q35")

    @Test func bootSummaryFiltersAndSort() throws {
        let summary = try CLITests.pcitime("boot", "--root", Self.q35, "--summary")
        #expect(summary.status == 0)
        #expect(summary.out == "Kernel boot 2711.8 ms (to init); PCI enumeration 104.3 ms (3.8%) over 12 devices; 9921 config accesses (modelled from a scan; Linux 6.1 calibration, expected error 0.6%); saving available: 2.8 ms (modelled) with pci=lastbus=1\n")

        let port = try CLITests.pcitime("boot", "--root", Self.q35, "-s", "00:05", "--sort", "time")
        #expect(port.status == 0)
        let windows = port.out.split(separator: "\n").filter { $0.hasPrefix("  0000:") }
        #expect(windows.count == 1 && windows[0].hasPrefix("  0000:00:05.0 1b36:000c"))
        #expect(port.out.contains("scan's end; filtered by -s/-d, longest first)"))

        for bad in [["--sort", "size"], ["--summary", "--json"], ["-d", "xyz"]] {
            let r = try CLITests.pcitime(["boot", "--root", Self.q35] + bad)
            #expect(r.status == 64, "\(bad)")
            #expect(r.err.hasPrefix("pcitime: ") && r.err.split(separator: "\n").count == 1, "\(bad): \(r.err)")
        }
    }

    @Test func scanViews() throws {
        let vmm = try CLITests.pcitime("scan", "--root", CLITests.firecracker, "-vmm", "-k", "-s", "00:03")
        #expect(vmm.status == 0)
        #expect(vmm.out == "Slot:\t00:03.0\nClass:\tEthernet controller\nVendor:\tRed Hat, Inc.\nDevice:\tVirtio 1.0 network device\nSVendor:\tRed Hat, Inc.\nSDevice:\tVirtio 1.0 network device\nRev:\t01\nProgIf:\t00\nDriver:\tvirtio-pci\n\n")
        let k = try CLITests.pcitime("scan", "--root", CLITests.firecracker, "-k", "-q", "-D", "-s", "00:03")
        #expect(k.out == "0000:00:03.0 Ethernet controller: Red Hat, Inc. Virtio 1.0 network device (rev 01)\n\tSubsystem: Red Hat, Inc. Virtio 1.0 network device\n\tKernel driver in use: virtio-pci\n")
        let preamble = try CLITests.pcitime("scan", "--root", CLITests.firecracker, "-v", "-s", "00:00")
        #expect(preamble.out.hasPrefix("method: sysfs: ") && preamble.out.contains("\tConfig accesses (pcitime): 17 reads; latency min "))
    }
}
