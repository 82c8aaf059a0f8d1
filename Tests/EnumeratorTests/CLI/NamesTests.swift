#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Enumerator

/// Where names come from: `-i FILE` as lspci, and numeric IDs with one note
/// when there is no pci.ids (scripts/check-install covers the bundle's own
/// copy and a machine with none at all).
@Suite struct NamesTests {
    static func deviceColumn(_ out: String) -> [String] {
        out.split(separator: "\n").filter { $0.hasPrefix("00:0") }.map { $0.split(separator: " ").dropFirst(5).joined(separator: " ") }
    }

    @Test func namesFromTheFileGivenWithDashI() throws {
        let ids = "/tmp/pcitime-names-\(getpid()).ids"
        defer { unlink(ids) }
        try OutputFile.write("1af4  Test Vendor\n\t1042  Test block device\nC 01  Storage\n\t80  Other storage\n", to: ids)
        let r = try CLITests.pcitime("scan", "--root", CLITests.firecracker, "-s", "00:02.0", "-i", ids)
        #expect(r.status == 0)
        #expect(r.err == "")
        #expect(Self.deviceColumn(r.out) == ["Other storage: Test Vendor Test block device (rev 01)"])
        #expect(Names(file: ids).file == ids)
    }

    @Test func unreadableFileGivesNumericIDsAndOneNote() throws {
        let r = try CLITests.pcitime("scan", "--root", CLITests.firecracker, "-i", "/nonexistent/pci.ids")
        let numeric = try CLITests.pcitime("scan", "--root", CLITests.firecracker, "-n")
        #expect(r.status == 0)
        #expect(r.err == "pcitime: note: /nonexistent/pci.ids: cannot read this pci.ids; showing numeric IDs\n")
        #expect(Self.deviceColumn(r.out) == Self.deviceColumn(numeric.out))
        #expect(Self.deviceColumn(r.out).first == "0600: 8086:0d57")
        let names = Names(file: "/nonexistent/pci.ids")
        #expect(names.file == nil && names.vendor(0x1af4) == nil)
    }

    @Test func searchedLocationsAsDistributionsPlaceThem() {
        let l = Names.locations
        #expect(l.contains("/usr/share/misc/pci.ids") && l.contains("/usr/share/hwdata/pci.ids.gz"))
        #expect(l.firstIndex(of: "/usr/share/misc/pci.ids")! < l.firstIndex(of: "/usr/share/hwdata/pci.ids")!)
    }
}
