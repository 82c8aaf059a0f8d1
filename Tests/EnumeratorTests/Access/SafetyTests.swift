import Foundation
import Testing
@testable import Enumerator

/// The guarantees in the README's "Safety" section, each shown here.
@Suite struct SafetyTests {
    /// A method over in-memory config images that counts every call, so a
    /// write that got past the access layer would show.
    final class Spy: ConfigAccess {
        let name = "spy"
        let summary = "in-memory images"
        let images: [PCIAddress: [UInt8]]
        var reads = 0
        init(_ images: [PCIAddress: [UInt8]]) { self.images = images }
        func roots() -> [BusRange] { [BusRange(segment: 0, first: 0, last: 255)] }
        func prepare(_ a: PCIAddress) throws -> FunctionHandle {
            FunctionHandle(address: a, target: .type1(0), window: 0..<(images[a]?.count ?? 4096))
        }
        func read(_ h: FunctionHandle, offset: Int, width: AccessWidth, clock: AccessTimer.Source) throws -> TimedRead {
            reads += 1
            guard let image = images[h.address] else { return TimedRead(value: width.mask, ticks: 0) }
            return TimedRead(value: le32(image, offset & ~3) >> ((offset & 3) * 8) & width.mask, ticks: 0)
        }
    }

    static func images(_ fixture: String) throws -> [PCIAddress: [UInt8]] {
        let devices = Fixtures.tree(fixture) + "/sys/bus/pci/devices"
        var out: [PCIAddress: [UInt8]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: devices) {
            if let a = PCIAddress(name) { out[a] = Fixtures.bytes(devices + "/" + name + "/config") }
        }
        return out
    }

    /// Only reads reach a method, and the layer counts each one: the spy
    /// conforms to `ConfigAccess` with `read` and nothing else (a write the
    /// protocol required would stop this file compiling), every call it sees
    /// is a read the layer counted, and the walk reads each present function
    /// of the q35 capture as often as QEMU's trace of the in-guest scan did
    /// (246, QEMUFixtureTests.q35ExactReadCounts).
    @Test func noConfigWriteReachesAnyMethod() throws {
        let spy = Spy(try Self.images("qemu-q35"))
        let layer = AccessLayer(spy, timer: AccessTimer(source: .clockMonotonic))
        let walk = Walk(layer: layer).run()
        #expect(walk.functions.count == 12)
        #expect(spy.reads == layer.totals.reads)
        #expect(walk.functions.reduce(0) { $0 + (layer.stats[$1.address]?.reads ?? 0) } == 246)
        #expect(spy.reads == 246 + layer.emptyProbes.reads && layer.emptyProbes.reads > 0)
    }

    /// The built binary has no way to write config space that a symbol shows:
    /// it imports libpci's reads and none of its writes, `pread` (sysfs) and
    /// no `pwrite`, `ioperm` (ports 0xCF8/0xCFC only) and no `iopl`, `mmap`
    /// (ECAM, PROT_READ) and no `mprotect`. The imports it must have are
    /// checked too, so a symbol table the check cannot read fails it. (A
    /// `write` to a sysfs config file or an `out` to port 0xCFC would show no
    /// symbol of its own: `ConfigAccess` having no write, above, covers those.)
    @Test func noCommandCanWrite() throws {
        let nm = try CLITests.run("/usr/bin/nm", ["-D", "--undefined-only", CLITests.binary])
        #expect(nm.status == 0, "\(nm.err)")
        let imported = Set(nm.out.split(separator: "\n").compactMap { $0.split(separator: " ").last?.split(separator: "@").first.map(String.init) })
        for read in ["pci_read_byte", "pci_read_word", "pci_read_long", "pci_read_block", "pread", "ioperm", "mmap"] {
            #expect(imported.contains(read), "pcitime does not import \(read)")
        }
        for write in ["pci_write_byte", "pci_write_word", "pci_write_long", "pci_write_block", "pwrite", "pwrite64", "pwritev", "pwritev2",
                      "iopl", "mprotect", "process_vm_writev"] {
            #expect(!imported.contains(write), "pcitime imports \(write)")
        }
    }

    /// A stand-in for /dev/mem: a sparse file holding the Firecracker
    /// capture's config spaces where ECAM puts them (base 0xeec00000, bus 0).
    static func fakeMemory(_ dir: String) throws -> String {
        let path = dir + "/mem"
        let base: UInt64 = 0xeec0_0000
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let fd = open(path, O_WRONLY)
        defer { close(fd) }
        #expect(ftruncate(fd, off_t(base + (1 << 20))) == 0)
        for (a, image) in try images("firecracker") {
            let at = base + UInt64(a.device) << 15 + UInt64(a.function) << 12
            #expect(image.withUnsafeBytes { pwrite(fd, $0.baseAddress, image.count, off_t(at)) } == image.count)
        }
        return path
    }

    /// The process's mappings of `path`. /proc/self/maps is read in pieces
    /// and can miss a line while other tests' threads map and unmap, so it
    /// is read a few times and the lines gathered.
    static func mappings(of path: String) throws -> [String] {
        var lines = Set<String>()
        for _ in 0..<5 {
            // Read to the end: procfs reports size 0, and a fixed-size read can
            // stop short when the process has many mappings (a parallel run).
            guard let handle = FileHandle(forReadingAtPath: "/proc/self/maps") else { continue }
            let text = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
            try? handle.close()
            lines.formUnion(text.split(separator: "\n").filter { $0.hasSuffix(path) }.map(String.init))
        }
        return lines.sorted()
    }

    /// ECAM is mapped read-only (PROT_READ, so a store would fault), one bus
    /// at a time, only inside a window the kernel reserved in /proc/iomem; a
    /// bus outside the windows is never mapped.
    @Test func ecamMappedReadOnlyOnlyInsideReservedWindows() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let mem = try Self.fakeMemory(dir)
        let root = Fixtures.tree("firecracker")
        let iomem = try #require(IOMem(path: root + "/proc/iomem"))
        let discovery = try ECAMDiscovery.discover(root: root)
        do {
            let ecam = try ECAMAccess(discovery: discovery, iomem: iomem, memPath: mem)
            let layer = AccessLayer(ecam, timer: AccessTimer(source: .clockMonotonic))
            let walk = Walk(layer: layer).run()
            let sysfs = try Fixtures.scan("firecracker")
            #expect(walk.functions.map(\.address) == sysfs.walk.functions.map(\.address))
            #expect(walk.functions.map(\.capabilities) == sysfs.walk.functions.map(\.capabilities))
            // Each function read as often as through sysfs: 17 + 5 x 22 (FirecrackerFixtureTests).
            #expect(walk.functions.reduce(0) { $0 + (layer.stats[$1.address]?.reads ?? 0) } == 127)
            let maps = try Self.mappings(of: mem)
            #expect(maps.count == 1)                                   // bus 0 only
            #expect(maps.allSatisfy { $0.split(separator: " ")[1] == "r--s" }, "\(maps)")
            #expect(maps.first?.split(separator: " ")[2] == "eec00000")  // the window's file offset
            // Outside every window: refused, nothing mapped.
            #expect(throws: PCITimeError.usage("ecam: 0000:01:00.0 is outside every ECAM window")) {
                try ecam.prepare(PCIAddress(segment: 0, bus: 1, device: 0, function: 0))
            }
            #expect(try Self.mappings(of: mem).count == 1)
        }
        #expect(try Self.mappings(of: mem).isEmpty)                    // unmapped when done
        // The same window where /proc/iomem shows no ECAM reservation: refused.
        let unreserved = IOMem(text: iomem.regions.filter { !$0.name.hasPrefix("PCI ECAM") }
            .map { String($0.start, radix: 16) + "-" + String($0.end, radix: 16) + " : " + $0.name }.joined(separator: "\n"))
        #expect(throws: PCITimeError.input(discovery.file, "ECAM bus 0000:00 at 0xeec00000 is not inside a \"PCI ECAM\" or \"PCI MMCONFIG\" region of /proc/iomem (the kernel did not reserve it): refusing to map it (--ecam maps a window anyway)")) {
            try ECAMAccess(discovery: discovery, iomem: unreserved, memPath: mem)
        }
        #expect(try Self.mappings(of: mem).isEmpty)
        // --ecam maps what it is told (still read-only, still never over RAM).
        let override = ECAMDiscovery(windows: discovery.windows, source: .override, file: "--ecam", mcfg: nil)
        let forced = try ECAMAccess(discovery: override, iomem: unreserved, memPath: mem)
        #expect(try Self.mappings(of: mem).allSatisfy { $0.split(separator: " ")[1] == "r--s" })
        _ = forced
    }

    /// `capture` interrupted at any moment (SIGINT as Ctrl-C, or SIGTERM)
    /// leaves either the whole capture or nothing: never the partial folder.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/sys/bus/pci/devices")))
    func captureLeavesNothingOnCtrlC() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        var interrupted = 0
        for (i, delay) in [0, 1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 100, 200].enumerated() {
            let out = dir + "/c\(i)"
            CLITests.interrupt(["capture", "--out", out], with: i % 2 == 0 ? SIGINT : SIGTERM, after: delay)
            let left = try FileManager.default.contentsOfDirectory(atPath: dir)
            #expect(!left.contains { $0.contains(".partial-") }, "SIGINT after \(delay) ms left \(left)")
            if FileManager.default.fileExists(atPath: out) {
                #expect(FileManager.default.fileExists(atPath: out + "/SOURCE"), "SIGINT after \(delay) ms")
                try FileManager.default.removeItem(atPath: out)
            } else {
                interrupted += 1
            }
        }
        #expect(interrupted > 0)
    }

    /// Without root the live sysfs files give 64 bytes: pcitime lists every
    /// function from its header, reads nothing beyond, and says so; it never
    /// decodes the missing bytes as zeros. The MCFG (root-only) is refused
    /// with a message. Run as nobody through setpriv.
    @Test(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
                   && FileManager.default.fileExists(atPath: "/sys/bus/pci/devices")))
    func nonRootDegradesWithAMessage() throws {
        let nobody = ["--reuid=65534", "--regid=65534", "--clear-groups", CLITests.binary]
        let r = try CLITests.run("/usr/bin/setpriv", nobody + ["scan", "--method", "sysfs", "--json", "-n"])
        #expect(r.status == 0, "\(r.err)")
        let user = try ScanJSON.decoder.decode(ScanJSON.self, from: Data(r.out.utf8))
        let root = try ScanJSON.decoder.decode(ScanJSON.self, from: Data(try CLITests.pcitime("scan", "--method", "sysfs", "--json", "-n").out.utf8))
        #expect(user.functions.map(\.bdf) == root.functions.map(\.bdf))
        #expect(user.functions.map(\.classId) == root.functions.map(\.classId))
        #expect(user.functions.map(\.bars) == root.functions.map(\.bars))
        for f in user.functions {
            #expect(f.configSize == 64 && f.capabilities.isEmpty && f.extendedCapabilities.isEmpty && f.pcie == nil, "\(f.bdf)")
            #expect(f.reads <= 16)
        }
        let withCaps = root.functions.filter { !$0.capabilities.isEmpty }.map(\.bdf)
        #expect(user.functions.filter { $0.warnings.contains { $0.hasSuffix("only 64 bytes of config space are readable (run as root)") } }.map(\.bdf) == withCaps)
        if FileManager.default.fileExists(atPath: "/sys/firmware/acpi/tables/MCFG") {
            let m = try CLITests.run("/usr/bin/setpriv", nobody + ["mcfg"])
            #expect(m.status == 77 && m.err == "pcitime: /sys/firmware/acpi/tables/MCFG: cannot read the MCFG table: run as root\n", "\(m.err)")
        }
    }
}
