import Foundation
import Testing
@testable import Enumerator

/// Malformed input built from the real fixtures in temporary trees: each row
/// ends in one line naming the file and the problem, a documented exit code,
/// and nothing written. MCFG rows the parser tests already cover
/// (MCFGTests: truncated, wrongSignature, wrongLengthField, badChecksum,
/// zeroEntries, busRangeEndsBeforeStart) are run here through the CLI.
@Suite struct BadInputTests {
    // MARK: helpers

    /// A copy of a fixture in a world-readable temporary folder (so a run as
    /// an unprivileged user can reach it); the caller removes `dir`.
    static func copy(_ fixture: String) throws -> (dir: String, root: String) {
        let dir = Fixtures.scratch()
        let root = dir + "/tree"
        try FileManager.default.copyItem(atPath: Fixtures.tree(fixture), toPath: root)
        return (dir, root)
    }

    /// Every path under `dir` with its size and modification time: equal
    /// before and after a run means the run wrote nothing there.
    static func snapshot(_ dir: String) -> [String: String] {
        var out: [String: String] = [:]
        let e = FileManager.default.enumerator(atPath: dir)
        while let p = e?.nextObject() as? String {
            var st = stat()
            lstat(dir + "/" + p, &st)
            out[p] = "\(st.st_mode) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
        }
        return out
    }

    /// Runs pcitime and checks the common promise of every row: exit `status`,
    /// exactly one line on stderr starting with `prefix`, nothing on stdout,
    /// and `dir` untouched.
    @discardableResult
    static func fails(_ status: Int32, _ prefix: String, in dir: String, _ args: String...) throws -> String {
        let before = snapshot(dir)
        let r = try CLITests.pcitime(args)
        #expect(r.status == status, "\(args): \(r.err)")
        #expect(r.err.hasPrefix("pcitime: " + prefix), "\(args): \(r.err)")
        #expect(r.err.filter { $0 == "\n" }.count == 1, "\(args): \(r.err)")
        #expect(r.out.isEmpty, "\(args)")
        #expect(snapshot(dir) == before, "\(args) wrote into \(dir)")
        return r.err
    }

    static let realMCFG = MCFGTests.real

    // MARK: MCFG

    @Test func mcfgRowsThroughTheCLI() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        var rows: [(String, [UInt8], String)] = []
        rows.append(("truncated", Array(Self.realMCFG.prefix(20)), "MCFG truncated"))
        var sig = Self.realMCFG; sig[0] = 0x58
        rows.append(("signature", MCFGTests.fixChecksum(sig), "not an MCFG table"))
        var length = Self.realMCFG; length[4] &+= 16
        rows.append(("length", MCFGTests.fixChecksum(length), "MCFG length field says"))
        var sum = Self.realMCFG; sum[9] &+= 1
        rows.append(("checksum", sum, "MCFG checksum is wrong"))
        rows.append(("zero", MCFGTests.withLength(Array(Self.realMCFG.prefix(44))), "MCFG has no entries"))
        var buses = Self.realMCFG; buses[54] = 5; buses[55] = 2
        rows.append(("buses", MCFGTests.fixChecksum(buses), "MCFG entry 0: bus range ends (02) before it starts (05)"))
        var high = Self.realMCFG; for i in 44..<52 { high[i] = 0xff }; high[44] = 0; high[45] = 0; high[46] &= 0xf0
        rows.append(("overflow", MCFGTests.fixChecksum(high), "MCFG entry 0: base 0xfffffffffff00000 with buses up to 00 runs past the 64-bit address space"))
        for (name, bytes, problem) in rows {
            let file = dir + "/" + name
            #expect(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
            try Self.fails(65, "\(file): \(problem)", in: dir, "mcfg", "--mcfg", file)
            // The ECAM method reads the table before it maps anything.
            try Self.fails(65, "\(file): \(problem)", in: dir, "scan", "--method", "ecam", "--mcfg", file)
        }
    }

    @Test func mcfgInACapturedTreeIsCheckedToo() throws {
        let (dir, root) = try Self.copy("firecracker")
        defer { Fixtures.remove(dir) }
        let file = root + "/sys/firmware/acpi/tables/MCFG"
        var b = Self.realMCFG; b[9] &+= 1
        #expect(FileManager.default.createFile(atPath: file, contents: Data(b)))
        try Self.fails(65, "\(file): MCFG checksum is wrong", in: dir, "mcfg", "--root", root)
    }

    /// A window over System RAM in /proc/iomem is refused before /dev/mem is
    /// even opened (memPath does not exist here).
    @Test func mcfgBaseOverlappingSystemRAM() throws {
        let iomem = try #require(IOMem(path: Fixtures.tree("firecracker") + "/proc/iomem"))
        var b = Self.realMCFG
        b[44] = 0; b[45] = 0; b[46] = 0x10; b[47] = 0  // base 0x100000: System RAM 0x100000-0xbfffffff
        let m = try MCFG(bytes: MCFGTests.fixChecksum(b), file: "MCFG")
        let d = ECAMDiscovery(windows: m.windows, source: .mcfg, file: "MCFG", mcfg: m)
        #expect(throws: PCITimeError.input("MCFG", "ECAM window 0x100000-0x1fffff overlaps System RAM 0x100000-0xbfffffff in /proc/iomem: refusing to map it")) {
            try ECAMAccess(discovery: d, iomem: iomem, memPath: "/nonexistent/mem")
        }
    }

    /// Windows from /proc/iomem or the kernel log whose arithmetic would
    /// overflow are dropped (found by scripts/fuzz's reasoning on mcfg).
    @Test func ecamSourcesNeverOverflow() throws {
        #expect(IOMem(text: "00000000-000fffff : PCI ECAM 0000 [bus 01-ff]\n").ecamWindows.isEmpty)
        #expect(IOMem(text: "fffffffffff00000-ffffffffffffffff : PCI ECAM 0000 [bus 00-01]\n").ecamWindows.isEmpty)
        #expect(ecamWindows(inKernelLog: "[ 0.1] PCI: ECAM [mem 0x0-0x1] (base 0xfffffffffff00000) for domain 0000 [bus 00-ff]").isEmpty)
        #expect(throws: PCITimeError.self) { try ECAMDiscovery.parseOverride("fffffffffff00000:00-ff") }
    }

    // MARK: config files

    /// Config files of 0, 63, 64, 255, 257 and 5000 bytes for 00:03.0 of the
    /// Firecracker capture: under 64 the function fails with the file named
    /// (exit 1, the others still listed); 64 decodes the header and says the
    /// capabilities were not readable; other sizes decode their whole dwords.
    @Test(arguments: [0, 63, 64, 255, 257, 5000])
    func configFileSizes(_ size: Int) throws {
        let (dir, root) = try Self.copy("firecracker")
        defer { Fixtures.remove(dir) }
        let file = root + "/sys/bus/pci/devices/0000:00:03.0/config"
        let real = Fixtures.bytes(file)
        #expect(FileManager.default.createFile(atPath: file, contents: Data(Array((real + real + real + real + real + real).prefix(size)))))
        let before = Self.snapshot(dir)
        let r = try CLITests.pcitime("scan", "--root", root, "-n")
        #expect(Self.snapshot(dir) == before)
        let rows = r.out.split(separator: "\n")
        #expect(rows.filter { $0.hasPrefix("00:0") }.count == (size < 64 ? 5 : 6))
        // Diagnostics go to standard error, one line each.
        if size < 64 {
            #expect(r.status == 1)
            #expect(r.err == "pcitime: error: 00:03.0: \(file): \(size) bytes: a config file holds at least the 64-byte header\n")
            return
        }
        #expect(r.err == (size == 64 ? "pcitime: warning: 00:03.0: capabilities at 40 not read: only 64 bytes of config space are readable (run as root)\n" : ""))
        #expect(r.status == 0)
        let scan = try Scanner.scan(method: "sysfs", options: MethodOptions(root: root))
        let f = try #require(scan.walk.functions.first { $0.address.device == 3 })
        let expected = try ConfigDecoder.decode(f.address, BytesSource(Array(real.prefix(min(size & ~3, 4096)))))
        #expect(f == expected)
        if size == 64 {
            #expect(f.capabilities.isEmpty)
            #expect(f.warnings == ["capabilities at 40 not read: only 64 bytes of config space are readable (run as root)"])
        } else {
            #expect(!f.capabilities.isEmpty)
        }
    }

    // MARK: capability lists

    /// Follows the list and returns the offsets of its entries: one dword per
    /// capability, each read once, so a broken list costs few reads.
    static func decode(_ bytes: [UInt8]) throws -> (PCIFunction, reads: Int) {
        final class Counting: ConfigSource {
            let inner: BytesSource
            var reads = 0
            init(_ b: [UInt8]) { inner = BytesSource(b) }
            var size: Int { inner.size }
            func dword(_ offset: Int) throws -> UInt32 { reads += 1; return try inner.dword(offset) }
        }
        let s = Counting(bytes)
        let f = try ConfigDecoder.decode(PCIAddress(segment: 0, bus: 0, device: 3, function: 0), s)
        return (f, s.reads)
    }

    static let virtioNet = Fixtures.bytes(Fixtures.tree("firecracker") + "/sys/bus/pci/devices/0000:00:03.0/config")
    static let e1000e = Fixtures.bytes(Fixtures.tree("qemu-q35") + "/sys/bus/pci/devices/0000:00:03.0/config")

    @Test func capabilityListThatLoops() throws {
        let (good, _) = try Self.decode(Self.virtioNet)
        let offsets = good.capabilities.map(\.offset)
        #expect(offsets.count >= 3)
        var b = Self.virtioNet
        b[offsets[2] + 1] = UInt8(offsets[0])  // the third points back to the first
        let (f, reads) = try Self.decode(b)
        #expect(f.capabilities.map(\.offset) == Array(offsets.prefix(3)))
        #expect(f.warnings == ["capability chain looped at \(hex(offsets[0], 2))"])
        #expect(reads <= 16 + 3 + 2)
        // A capability pointing at itself.
        var selfLoop = Self.virtioNet
        selfLoop[offsets[0] + 1] = UInt8(offsets[0])
        #expect(try Self.decode(selfLoop).0.warnings == ["capability chain looped at \(hex(offsets[0], 2))"])
    }

    @Test func capabilityPointerBelow0x40() throws {
        var b = Self.virtioNet
        b[0x34] = 0x20
        let (f, _) = try Self.decode(b)
        #expect(f.capabilities.isEmpty)
        #expect(f.warnings == ["capability chain broken: pointer 20 is inside the header (below 0x40)"])
    }

    @Test func capabilityListRunsPastTheEnd() throws {
        // 128 bytes of the real config, the first pointer moved beyond them.
        var b = Array(Self.virtioNet.prefix(128))
        b[0x34] = 0xc0
        let (f, _) = try Self.decode(b)
        #expect(f.capabilities.isEmpty)
        #expect(f.warnings == ["capability chain broken: pointer c0 runs past the 128 bytes of config space"])
        // The last capability's pointer beyond the end.
        let (good, _) = try Self.decode(Array(Self.virtioNet.prefix(256)))
        var c = Array(Self.virtioNet.prefix(0xa0))
        let inside = good.capabilities.map(\.offset).filter { $0 + 4 <= 0xa0 }
        c[inside.last! + 1] = 0xfc
        #expect(try Self.decode(c).0.warnings.last == "capability chain broken: pointer fc runs past the 160 bytes of config space")
    }

    @Test func extendedCapabilityListThatLoops() throws {
        let (good, _) = try Self.decode(Self.e1000e)
        let ext = good.extendedCapabilities.map(\.offset)
        #expect(ext.count >= 2)
        var b = Self.e1000e
        // Next pointer (bits 31:20) of the second entry back to 0x100.
        let o = ext[1]
        let header = UInt32(b[o]) | UInt32(b[o + 1]) << 8 | UInt32(b[o + 2]) << 16 | UInt32(b[o + 3]) << 24
        let looped = header & 0x000f_ffff | 0x100 << 20
        for i in 0..<4 { b[o + i] = UInt8(truncatingIfNeeded: looped >> (8 * UInt32(i))) }
        let (f, reads) = try Self.decode(b)
        #expect(f.extendedCapabilities.map(\.offset) == [ext[0], ext[1]])
        #expect(f.warnings == ["extended capability chain looped at 100"])
        let (_, goodReads) = try Self.decode(Self.e1000e)
        #expect(reads <= goodReads)
    }

    // MARK: bridges

    /// The q35 root port 00:05.0 leads to bus 01. With its secondary bus 0,
    /// or its subordinate below its secondary, it is not followed (a warning
    /// says why) and bus 01, listed in sysfs, is walked as a root.
    @Test(arguments: [(UInt8(0), UInt8(1), "bridge secondary bus 00 is not below its own bus 00; not followed"),
                      (UInt8(2), UInt8(1), "bridge subordinate bus 01 is below its secondary 02; not followed")])
    func bridgeBusNumbers(_ secondary: UInt8, _ subordinate: UInt8, _ warning: String) throws {
        let (dir, root) = try Self.copy("qemu-q35")
        defer { Fixtures.remove(dir) }
        let file = root + "/sys/bus/pci/devices/0000:00:05.0/config"
        var b = Fixtures.bytes(file)
        b[0x19] = secondary
        b[0x1a] = subordinate
        #expect(FileManager.default.createFile(atPath: file, contents: Data(b)))
        let before = Self.snapshot(dir)
        let scan = try Scanner.scan(method: "sysfs", options: MethodOptions(root: root))
        #expect(Self.snapshot(dir) == before)
        #expect(scan.walk.warnings.contains("0000:00:05.0: \(warning)"))
        #expect(scan.walk.functions.count == 12)
        #expect(scan.walk.failures.isEmpty)
    }

    // MARK: fixture folders

    @Test func fixtureFolderWithMissingAndWrongFiles() throws {
        let (dir, root) = try Self.copy("firecracker")
        defer { Fixtures.remove(dir) }
        let devices = root + "/sys/bus/pci/devices"
        let fm = FileManager.default
        try fm.removeItem(atPath: devices + "/0000:00:01.0/config")                       // missing
        try fm.removeItem(atPath: devices + "/0000:00:02.0/config")
        _ = symlink("config", devices + "/0000:00:02.0/config")                              // symlink loop
        try fm.removeItem(atPath: devices + "/0000:00:04.0/config")
        try fm.createDirectory(atPath: devices + "/0000:00:04.0/config", withIntermediateDirectories: false)  // a folder
        try fm.removeItem(atPath: devices + "/0000:00:05.0/config")
        #expect(mkfifo(devices + "/0000:00:05.0/config", 0o644) == 0)                         // a FIFO: must not hang
        try fm.createDirectory(atPath: devices + "/not-a-bdf", withIntermediateDirectories: false)     // wrong names: ignored
        try fm.createDirectory(atPath: devices + "/0000:00:1f.9", withIntermediateDirectories: false)
        _ = symlink("0000:00:00.0", devices + "/0000:00:06.0")                              // a second name for 00:00.0
        try fm.removeItem(atPath: root + "/dmesg.txt")
        let before = Self.snapshot(dir)
        let r = try CLITests.pcitime("scan", "--root", root, "-n")
        #expect(Self.snapshot(dir) == before)
        #expect(r.status == 1)
        #expect(!r.out.contains("error:"))
        #expect(r.err.split(separator: "\n") == [
            "pcitime: error: 00:01.0: \(devices)/0000:00:01.0/config: no such file",
            "pcitime: error: 00:02.0: \(devices)/0000:00:02.0/config: symbolic link loop",
            "pcitime: error: 00:04.0: \(devices)/0000:00:04.0/config: not a regular file: a directory",
            "pcitime: error: 00:05.0: \(devices)/0000:00:05.0/config: not a regular file: a FIFO",
        ])
        #expect(r.out.contains("00:00.0 ") && r.out.contains("00:03.0 "))
        // The missing kernel log is named by the command that needs it.
        try Self.fails(66, "\(root)/dmesg.txt: no such file", in: dir, "boot", "--root", root)
        // A tree without the devices folder.
        try fm.removeItem(atPath: root + "/sys/bus")
        try Self.fails(66, "\(devices): no PCI devices directory", in: dir, "scan", "--root", root)
    }

    /// An unreadable config file (mode 000) read by an unprivileged user: the
    /// function fails with the file named, the rest is listed.
    @Test(.enabled(if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")))
    func unreadableConfigFile() throws {
        let (dir, root) = try Self.copy("firecracker")
        defer { Fixtures.remove(dir) }
        let file = root + "/sys/bus/pci/devices/0000:00:03.0/config"
        chmod(file, 0)
        let r = try CLITests.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", CLITests.binary, "scan", "--root", root, "-n"])
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err == "pcitime: error: 00:03.0: \(file): cannot open the config file: run as root\n")
    }

    @Test func rootPointingAtAFileOrNowhere() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let file = dir + "/file"
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        for command in ["scan"] {
            let args = [command]
            let nowhere = try CLITests.pcitime(args + ["--root", dir + "/nowhere"])
            #expect(nowhere.status == 66 && nowhere.err == "pcitime: \(dir)/nowhere: no such directory\n", "\(args) \(nowhere.err)")
            let notDir = try CLITests.pcitime(args + ["--root", file])
            #expect(notDir.status == 65 && notDir.err == "pcitime: \(file): not a directory (--root wants a captured tree)\n", "\(args) \(notDir.err)")
        }
        try Self.fails(66, "\(dir)/nowhere: no such directory", in: dir, "boot", "--root", dir + "/nowhere")
        try Self.fails(66, "\(dir)/nowhere: no such directory", in: dir, "mcfg", "--root", dir + "/nowhere")
        try Self.fails(65, "\(file): not a directory (--root wants a captured tree)", in: dir, "mcfg", "--root", file)
        try Self.fails(66, "\(dir)/nowhere: no such file (given with --mcfg)", in: dir, "mcfg", "--mcfg", dir + "/nowhere")
    }

    // MARK: options

    /// Every option given a bad value: exit 64 and one line naming it.
    @Test func everyOptionGivenABadValue() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let root = Fixtures.tree("firecracker")
        let rows: [[String]] = [
            ["scan", "--root", root, "--method", "nope"],
            ["scan", "--root", root, "--repeat", "0"],
            ["scan", "--root", root, "--repeat", "x"],
            ["scan", "--root", root, "-s", "zz:99"],
            ["scan", "--root", root, "-d", "xyzzy"],
            ["scan", "--root", root, "--clock", "sundial"],
            ["scan", "--root", root, "--ecam", "0xb0000000"],
            ["scan", "--root", root, "--ecam", "0xb0000001:00-ff"],
            ["scan", "--root", root, "--libpci-param", "novalue"],
            ["scan", "--root", root, "--bogus"],
            ["mcfg", "--ecam", "1:2:3:4"],
            ["capture"],
            ["compare", "sysfs-base"],
            ["compare", "sysfs-base", "sysfs-ext", "--samples", "0"],
            ["compare", "sysfs-base", "sysfs-ext", "--width", "3"],
            ["compare", "sysfs-base", "sysfs-ext", "--offsets", "0x2"],
            ["compare", "sysfs-base", "sysfs-ext", "--pin", "-1"],
            ["compare", "--root", root, "sysfs-base", "sysfs-ext"],
            ["boot", "--root", root, "--dmesg"],
            ["boot", "--root", root, "--bogus"],
            ["trace"],
            ["trace", "--rescan", "not-a-bdf"],
            ["nonsense-command"],
        ]
        for args in rows {
            let before = Self.snapshot(dir)
            let r = try CLITests.pcitime(args)
            #expect(r.status == 64, "\(args): \(r.status) \(r.err)")
            #expect(r.err.hasPrefix("pcitime: ") && r.err.filter { $0 == "\n" }.count == 1, "\(args): \(r.err)")
            #expect(r.out.isEmpty, "\(args)")
            #expect(Self.snapshot(dir) == before)
        }
    }
}
