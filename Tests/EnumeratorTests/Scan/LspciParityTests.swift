#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Enumerator

/// pcitime's lspci views against the real lspci (pciutils 3.9 here) on the
/// same input: captured sysfs trees (lspci -A linux-sysfs -O sysfs.path=...),
/// pciutils' own test dumps (lspci -F, pcitime --method libpci:dump) and this
/// machine. Every difference is listed here with why.
@Suite struct LspciParityTests {
    static let lspci = "/usr/bin/lspci"
    static let available = access(lspci, X_OK) == 0
    static let sysfsFixtures = ["firecracker", "qemu-microvm", "qemu-pc", "qemu-q35", "qemu-q35-switch", "qemu-q35-wide"]
    static let dumps = ["cap-doe", "cap-ea-1", "cap-vendor-virtio"]

    static func lspciOut(_ args: [String]) throws -> String {
        try #require(Subprocess.output([lspci] + args, quiet: true))
    }
    static func pcitime(_ args: [String]) throws -> String {
        try #require(Subprocess.output([CLITests.binary, "scan", "-q"] + args, quiet: true))
    }
    static func onTree(_ name: String) -> [String] { ["-A", "linux-sysfs", "-O", "sysfs.path=" + Fixtures.tree(name) + "/sys/bus/pci"] }
    static func dump(_ name: String) -> String { Fixtures.repo + "/fixtures/lspci-dumps/" + name }
    static func lines(_ text: String) -> [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    /// pcitime's own lines in its lspci views say "(pcitime)"; lspci has no counterpart.
    static func withoutOwnLines(_ text: String) -> [String] { lines(text).filter { !$0.contains("(pcitime)") } }

    @Test(.enabled(if: available), arguments: sysfsFixtures)
    func identicalViewsOnCapturedTrees(_ name: String) throws {
        for options in [["-vmm"], ["-vmm", "-nn"], ["-vmm", "-n"], ["-vmm", "-D"], ["-t"], ["-tv"], ["-tv", "-nn"], ["-t", "-n"]] {
            #expect(try Self.pcitime(["--root", Fixtures.tree(name)] + options) == Self.lspciOut(Self.onTree(name) + options), "\(name) \(options)")
        }
    }

    /// The table's device column is lspci's line after the address, for -n, the default and -nn.
    @Test(.enabled(if: available), arguments: sysfsFixtures)
    func tableDescribesAsLspci(_ name: String) throws {
        for options in [["-n"], [], ["-nn"], ["-D"]] {
            let table = Self.lines(try Self.pcitime(["--root", Fixtures.tree(name)] + options)).filter { !$0.isEmpty }
            let reference = Self.lines(try Self.lspciOut(Self.onTree(name) + options)).filter { !$0.isEmpty }
            #expect(table.count == reference.count + 2, "header and total rows")
            for line in reference {
                let slot = String(line.prefix { $0 != " " }), text = String(line.drop { $0 != " " }.dropFirst())
                #expect(table.contains { $0.hasPrefix(slot + " ") && $0.hasSuffix("  " + text) }, "\(name) \(options): \(line)")
            }
        }
    }

    /// lspci -v lines that pcitime does not print, by fixture, with why:
    /// qemu-pc's IDE controller runs in compatibility mode: its BARs are zero
    /// in config space and the kernel gives it the legacy ports, which lspci
    /// reads from sysfs `resource`; microvm's virtio-net ROM is the kernel's
    /// copy ("[virtual]"), not a ROM BAR. pcitime decodes config space.
    static let lspciOnly: [String: [String]] = [
        "qemu-pc": ["\tI/O ports at 01f0 [size=8]", "\tI/O ports at 03f4", "\tI/O ports at 0170 [size=8]", "\tI/O ports at 0374"],
        "qemu-microvm": ["\tExpansion ROM at c0000000 [virtual] [disabled] [size=256K]"],
    ]

    /// lspci prints the serial number after "Device Serial Number" and the
    /// ID, revision and length after an extended "Vendor Specific
    /// Information"; pcitime reads only capability headers (each would cost
    /// more reads per function and change the counts), so it prints the name.
    static func headerOnly(_ line: String) -> String {
        for name in ["] Device Serial Number ", "] Vendor Specific Information: ID="] {
            let offset = line.dropFirst("\tCapabilities: [".count).prefix(while: { $0 != "]" })
            guard line.hasPrefix("\tCapabilities: ["), offset.count == 3, let r = line.firstRange(of: name) else { continue }
            return String(line[..<r.upperBound].dropLast(name.hasSuffix("ID=") ? 5 : 1))
        }
        return line
    }

    @Test(.enabled(if: available), arguments: sysfsFixtures)
    func verboseViewOnCapturedTrees(_ name: String) throws {
        for options in [["-v"], ["-v", "-nn"], ["-v", "-n"]] {
            // A capture keeps the driver as text, which lspci (reading only the link) does not show.
            let ours = Self.withoutOwnLines(try Self.pcitime(["--root", Fixtures.tree(name)] + options)).filter { !$0.hasPrefix("\tKernel driver in use: ") }
            let theirs = Self.lines(try Self.lspciOut(Self.onTree(name) + options))
            let known = Self.lspciOnly[name] ?? []
            #expect(known.allSatisfy(theirs.contains), "lspci no longer prints all of \(known)")
            #expect(ours == theirs.filter { !known.contains($0) }.map(Self.headerOnly), "\(name) \(options)")
        }
        // Each function carries pcitime's counts under -v.
        let text = try Self.pcitime(["--root", Fixtures.tree(name), "-v"])
        let functions = try Self.lspciOut(Self.onTree(name)).split(separator: "\n").count   // lspci's one line per function
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("\tConfig accesses (pcitime): ") }.count == functions)
    }

    /// A line of lspci's hex dump: "OFFSET:" (2 or 3 hex digits) and 16 bytes.
    static func isDumpLine(_ l: String) -> Bool {
        let parts = l.split(separator: " ")
        guard parts.count == 17, let first = parts.first, first.hasSuffix(":"), (3...4).contains(first.count) else { return false }
        return first.dropLast().allSatisfy(\.isHexDigit) && parts.dropFirst().allSatisfy { $0.count == 2 && $0.allSatisfy(\.isHexDigit) }
    }

    /// lspci's hex dumps, -x (the 64 bytes lspci always reads), -xxx (256)
    /// and -xxxx (4096 where the config file holds them), byte for byte on
    /// every captured tree, alone and beside -n, -nn, -D; with -v and -k the
    /// dump lines equal lspci's in the same places.
    @Test(.enabled(if: available), arguments: sysfsFixtures)
    func hexDumpsOnCapturedTrees(_ name: String) throws {
        for x in ["-x", "-xxx", "-xxxx"] {
            for options in [[x], [x, "-n"], [x, "-nn"], [x, "-D"]] {
                #expect(try Self.pcitime(["--root", Fixtures.tree(name)] + options) == Self.lspciOut(Self.onTree(name) + options), "\(name) \(options)")
            }
            for options in [[x, "-v"], [x, "-k"]] {
                let ours = Self.lines(try Self.pcitime(["--root", Fixtures.tree(name)] + options)).filter(Self.isDumpLine)
                let theirs = Self.lines(try Self.lspciOut(Self.onTree(name) + options)).filter(Self.isDumpLine)
                #expect(!theirs.isEmpty && ours == theirs, "\(name) \(options)")
            }
        }
    }

    /// The dumps are read like every access, one timed dword each: standard
    /// error says how many (here, a quarter of the bytes lspci printed), and
    /// under -v each function's reads count them.
    @Test(.enabled(if: available), arguments: ["firecracker", "qemu-q35"])
    func hexDumpReadsAreCounted(_ name: String) throws {
        let root = Fixtures.tree(name)
        let bytes = Self.lines(try Self.lspciOut(Self.onTree(name) + ["-xxxx"])).filter(Self.isDumpLine).count * 16
        let functions = try Self.lspciOut(Self.onTree(name)).split(separator: "\n").count   // lspci's one line per function
        let r = try CLITests.pcitime("scan", "-q", "--root", root, "-xxxx")
        #expect(r.status == 0)
        #expect(r.err == "pcitime: -xxxx: \(bytes / 4) config reads of 4 bytes for \(functions) dumps (\(bytes) bytes), each timed and counted in its function's reads\n")
        let plain = try Self.pcitime(["--root", root, "-v"]).split(separator: "\n").filter { $0.hasPrefix("\tConfig accesses (pcitime): ") }
        let dumped = try Self.pcitime(["--root", root, "-v", "-x"]).split(separator: "\n").filter { $0.hasPrefix("\tConfig accesses (pcitime): ") }
        func reads(_ line: Substring) -> Int? { Int(line.dropFirst("\tConfig accesses (pcitime): ".count).prefix { $0 != " " }) }
        #expect(zip(plain, dumped).allSatisfy { reads($1) == reads($0).map { $0 + 16 } } && plain.count == functions && dumped.count == functions)
    }

    /// The same on pciutils' dumps (lspci -F): a dump holds what its lspci -x
    /// printed, and -xxxx stops there as lspci's does.
    @Test(.enabled(if: available), arguments: dumps)
    func hexDumpsOfPciutilsDumps(_ name: String) throws {
        for x in ["-x", "-xxx", "-xxxx"] {
            #expect(try Self.pcitime(["-m", "libpci:dump", "--libpci-param", "dump.name=" + Self.dump(name), x]) == Self.lspciOut(["-F", Self.dump(name), x]), "\(name) \(x)")
        }
    }

    /// pciutils' test dumps read through libpci's dump method. One known difference:
    /// lspci 3.9 shows the high dword (0x00000002) of cap-vendor-virtio 00:04.0's
    /// 64-bit BAR 2 a second time, as a "low-1M" BAR 3; pcitime decodes BAR 2-3 as one.
    @Test(.enabled(if: available), arguments: dumps)
    func verboseViewOnPciutilsDumps(_ name: String) throws {
        let known = ["\tMemory at <unassigned> (low-1M, non-prefetchable)"]
        for options in [["-v"], ["-v", "-nn"], ["-vmm"], ["-n"], ["-tv"]] where options != ["-tv"] || name == "cap-vendor-virtio" {
            let ours = Self.withoutOwnLines(try Self.pcitime(["-m", "libpci:dump", "--libpci-param", "dump.name=" + Self.dump(name)] + options))
            let theirs = Self.lines(try Self.lspciOut(["-F", Self.dump(name)] + options))
            if options == ["-n"] {
                // The table: lspci's text after the address is the device column.
                for line in theirs where !line.isEmpty {
                    #expect(ours.contains { $0.hasSuffix("  " + line.drop { $0 != " " }.dropFirst()) }, "\(name): \(line)")
                }
            } else {
                #expect(ours == theirs.filter { !known.contains($0) }.map(Self.headerOnly), "\(name) \(options)")
            }
        }
    }

    /// Capability offsets and names per function equal lspci -F's, from the decoded values.
    @Test(.enabled(if: available), arguments: dumps)
    func capabilityOffsetsAndNamesOnPciutilsDumps(_ name: String) throws {
        let report = try Scanner.scan(method: "libpci:dump", options: MethodOptions(libpciParameters: ["dump.name": Self.dump(name)]))
        var reference: [String: [(offset: Int, text: String)]] = [:]
        var current = ""
        for line in Self.lines(try Self.lspciOut(["-F", Self.dump(name), "-v"])) {
            if let first = line.first, first != "\t", !line.isEmpty { current = String(line.prefix { $0 != " " }) }
            guard line.hasPrefix("\tCapabilities: [") else { continue }
            let inside = line.dropFirst("\tCapabilities: [".count)
            let offset = try #require(Int(inside.prefix { $0 != "]" && $0 != " " }, radix: 16))
            reference[current, default: []].append((offset, String(inside.drop { $0 != "]" }.dropFirst(2))))
        }
        #expect(Set(reference.keys) == Set(report.walk.functions.map(\.address.short)))
        for f in report.walk.functions {
            let ours = f.capabilities.map { ($0.offset, $0.name) } + f.extendedCapabilities.map { ($0.offset, $0.name) }
            let theirs = reference[f.address.short] ?? []
            #expect(ours.map(\.0) == theirs.map(\.offset), "\(name) \(f.address)")
            for (a, b) in zip(ours, theirs) { #expect(b.text.hasPrefix(a.1), "\(name) \(f.address) [\(hex(a.0, 2))]: \(b.text)") }
        }
    }

    /// Every capability ID, in one synthetic function lspci -F reads: the
    /// names agree except where lspci 3.9 prints only a number and pcitime
    /// the PCIe Base Spec's name (CapabilityNames.beyondLspci39).
    @Test(.enabled(if: available)) func everyCapabilityIDNamedAsLspci() throws {
        var config = [UInt8](repeating: 0, count: 4096)
        config[0] = 0x86; config[1] = 0x80; config[2] = 0x93; config[3] = 0x0d
        config[6] = 0x10; config[0x0b] = 0x05; config[0x34] = 0x40
        let standard: [UInt8] = [0x10] + (1...0x16).filter { $0 != 0x10 }
        for (i, id) in standard.enumerated() {
            let at = 0x40 + 8 * i
            config[at] = id
            config[at + 1] = i == standard.count - 1 ? 0 : UInt8(at + 8)
        }
        for id in 0...0x40 {
            let at = 0x100 + 0x20 * id, next = id == 0x40 ? 0 : at + 0x20
            let header = UInt32(id) | 1 << 16 | UInt32(next) << 20
            for b in 0..<4 { config[at + b] = UInt8(truncatingIfNeeded: header >> (8 * b)) }
        }
        var text = "00:00.0 synthetic\n"
        for row in stride(from: 0, to: 4096, by: 16) {
            text += hex(row, row < 256 ? 2 : 3) + ": " + config[row..<row + 16].map { hex($0, 2) }.joined(separator: " ") + "\n"
        }
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        try OutputFile.write(text, to: dir + "/all")
        let report = try Scanner.scan(method: "libpci:dump", options: MethodOptions(libpciParameters: ["dump.name": dir + "/all"]))
        let f = try #require(report.walk.functions.first)
        let theirs = Self.lines(try Self.lspciOut(["-F", dir + "/all", "-v"])).filter { $0.hasPrefix("\tCapabilities: [") }
        #expect(theirs.count == f.capabilities.count + f.extendedCapabilities.count)
        #expect(f.extendedCapabilities.first?.name == "Null" && f.extendedCapabilities.contains { $0.id == 0x2e && $0.name == "Data Object Exchange" })
        let ours = f.capabilities.map { (Int($0.id), false, $0.name) } + f.extendedCapabilities.map { (Int($0.id), true, $0.name) }
        for ((id, extended, name), line) in zip(ours, theirs) {
            let shown = String(line.drop { $0 != "]" }.dropFirst(2))
            let beyond = extended ? CapabilityNames.beyondLspci39.extended.contains(UInt16(id)) : CapabilityNames.beyondLspci39.standard.contains(UInt8(id))
            if beyond {
                #expect(shown.hasPrefix(extended ? "Extended Capability ID 0x" : "Capability ID 0x"), "\(line)")
                #expect(!name.hasPrefix("Capability ID") && !name.hasPrefix("Extended Capability ID"))
            } else {
                #expect(shown.hasPrefix(name), "\(name) vs \(line)")
            }
        }
    }

    /// Functions a dump lists that no bus walk reaches (function 0 absent, or
    /// function 0 without the multi-function bit) are scanned, shown as lspci
    /// shows them, and flagged.
    @Test(.enabled(if: available)) func unreachableFunctionsAreScannedAndFlagged() throws {
        let source = Self.lines(try #require(FileContents.text(Self.dump("cap-vendor-virtio"))))
        let hex = source.filter { $0.count == 51 && $0.dropFirst(2).hasPrefix(": ") }.prefix(16)
        var text = ""
        for slot in ["00:03.2", "00:05.0", "00:05.1"] { text += slot + " x\n" + hex.joined(separator: "\n") + "\n\n" }
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        try OutputFile.write(text, to: dir + "/isolated")
        let report = try Scanner.scan(method: "libpci:dump", options: MethodOptions(libpciParameters: ["dump.name": dir + "/isolated"]))
        try #require(report.walk.functions.map(\.address.short) == ["00:03.2", "00:05.0", "00:05.1"])
        #expect(report.walk.functions[0].warnings == ["listed by libpci:dump but no bus walk reaches it: function 0 is absent"])
        #expect(report.walk.functions[1].warnings.isEmpty)
        #expect(report.walk.functions[2].warnings == ["listed by libpci:dump but no bus walk reaches it: function 0 is not multi-function"])
        let lspciSlots = Self.lines(try Self.lspciOut(["-F", dir + "/isolated", "-n"])).filter { !$0.isEmpty }.map { String($0.prefix(7)) }
        #expect(lspciSlots == report.walk.functions.map(\.address.short))
    }

    /// The same through sysfs: a captured tree whose 00:03.0 is moved to
    /// 00:03.2 (an isolated function, as Hyper-V's virtual PCI presents them).
    @Test(.enabled(if: available)) func isolatedFunctionInASysfsTree() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let tree = dir + "/tree"
        #expect(Subprocess.output(["/bin/cp", "-r", Fixtures.tree("firecracker"), tree]) != nil)
        let devices = tree + "/sys/bus/pci/devices/"
        #expect(rename(devices + "0000:00:03.0", devices + "0000:00:03.2") == 0)
        let report = try Scanner.scan(method: "sysfs", options: MethodOptions(root: tree))
        let isolated = try #require(report.walk.functions.first { $0.address.short == "00:03.2" })
        #expect(isolated.warnings == ["listed by sysfs but no bus walk reaches it: function 0 is absent"])
        #expect(report.walk.functions.count == 6)
        let theirs = Self.lines(try Self.lspciOut(Self.onTree("firecracker").dropLast() + ["sysfs.path=" + tree + "/sys/bus/pci", "-n"]))
        #expect(theirs.filter { !$0.isEmpty }.map { String($0.prefix(7)) } == report.walk.functions.map(\.address.short))
    }

    /// This machine, where lspci reads the same sysfs: -v -k, -vmm -k, -tv, -D.
    @Test(.enabled(if: available && getuid() == 0 && access("/sys/bus/pci/devices", R_OK) == 0))
    func thisMachine() throws {
        for options in [["-v", "-k"], ["-vmm", "-k"], ["-tv"], ["-k"], ["-v", "-D"], ["-vmm", "-nn"]] {
            let ours = Self.withoutOwnLines(try Self.pcitime(["-m", "sysfs"] + options))
            #expect(ours == Self.lines(try Self.lspciOut(options)), "\(options)")
        }
    }
}

/// The kernel driver: read from the live links or a capture's text files, and
/// recorded by `capture` (driver and driver_module).
@Suite struct KernelDriverTests {
    @Test func linksAndCaptureAgree() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let live = dir + "/live", device = live + "/sys/bus/pci/devices/0000:00:01.0"
        for d in [device, live + "/sys/bus/pci/drivers/virtio-pci", live + "/sys/module/virtio_pci"] {
            #expect(Subprocess.output(["/bin/mkdir", "-p", d]) != nil)
        }
        try OutputFile.write(bytes: Fixtures.bytes(Fixtures.tree("firecracker") + "/sys/bus/pci/devices/0000:00:01.0/config"), to: device + "/config")
        try OutputFile.write("10\n", to: device + "/irq")
        #expect(symlink("../../drivers/virtio-pci", device + "/driver") == 0)
        #expect(symlink("../../../../module/virtio_pci", live + "/sys/bus/pci/drivers/virtio-pci/module") == 0)
        let expected = KernelDevice(driver: "virtio-pci", module: "virtio_pci", irq: 10)
        let address = try #require(PCIAddress("0000:00:01.0"))
        #expect(KernelDevice.read(root: MachineRoot(live), address) == expected)
        try Capture(source: "test", root: live).write(to: dir + "/copy", kernelLog: .file(Fixtures.tree("firecracker") + "/dmesg.txt"))
        #expect(FileContents.text(dir + "/copy/sys/bus/pci/devices/0000:00:01.0/driver_module") == "virtio_pci\n")
        #expect(KernelDevice.read(root: MachineRoot(dir + "/copy"), address) == expected)
        // The fixtures hold the driver as text; -k shows it, as lspci -k would on the live machine.
        let k = try Scanner.scan(method: "sysfs", options: MethodOptions(root: Fixtures.tree("qemu-q35"))).kernel
        #expect(k[try #require(PCIAddress("0000:00:04.0"))]?.driver == "nvme")
        #expect(k[try #require(PCIAddress("0000:00:05.0"))]?.driver == "pcieport")
        #expect(k[try #require(PCIAddress("0000:00:00.0"))]?.driver == nil)
        // The JSON carries it as `driver` (and `driver_module` when known).
        let json = ScanJSON(try Scanner.scan(method: "sysfs", options: MethodOptions(root: Fixtures.tree("qemu-q35"))), names: Names())
        #expect(json.functions.filter { $0.driver != nil }.map { "\($0.bdf) \($0.driver!)" }.prefix(3) == ["0000:00:01.0 virtio-pci", "0000:00:02.0 virtio-pci", "0000:00:04.0 nvme"])
        #expect(json.functions.allSatisfy { $0.driverModule == nil })
        let dump = ScanJSON(try Scanner.scan(method: "libpci:dump", options: MethodOptions(libpciParameters: ["dump.name": LspciParityTests.dump("cap-doe")])), names: Names())
        #expect(dump.functions.allSatisfy { $0.driver == nil }, "a dump is not this machine: no driver read")
    }
}
