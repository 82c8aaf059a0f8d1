import Testing
@testable import Enumerator

/// The MCFG parser on the real Firecracker table and on corrupted copies of it.
@Suite struct MCFGTests {
    static let path = Fixtures.tree("firecracker") + "/sys/firmware/acpi/tables/MCFG"
    static let real = Fixtures.bytes(path)

    /// Recomputes byte 9 so only the intended corruption is wrong.
    static func fixChecksum(_ b: [UInt8]) -> [UInt8] {
        var b = b
        b[9] = 0
        b[9] = 0 &- b.reduce(0, &+)
        return b
    }

    static func withLength(_ b: [UInt8]) -> [UInt8] {
        var b = b
        let n = UInt32(b.count)
        for i in 0..<4 { b[4 + i] = UInt8(truncatingIfNeeded: n >> (8 * UInt32(i))) }
        return fixChecksum(b)
    }

    @Test func realTable() throws {
        let m = try MCFG(bytes: Self.real, file: "MCFG")
        #expect(Self.real.count == 60)
        #expect(m.revision == 1)
        #expect(m.oemID == "FIRECK")
        #expect(m.oemTableID == "FCMVMCFG")
        #expect(m.windows == [ECAMWindow(base: 0xeec0_0000, segment: 0, startBus: 0, endBus: 0)])
        #expect(m.lookup(segment: 0, bus: 0)?.lastAddress == 0xeecf_ffff)
        #expect(m.lookup(segment: 0, bus: 1) == nil)
    }

    func problem(_ bytes: [UInt8]) -> String {
        do {
            _ = try MCFG(bytes: bytes, file: "MCFG")
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    @Test func truncated() {
        #expect(problem(Array(Self.real.prefix(20))) == "MCFG: MCFG truncated: 20 bytes, an ACPI header alone is 36")
        #expect(problem(Array(Self.real.prefix(50))) == "MCFG: MCFG length field says 60 bytes but the table has 50")
    }

    @Test func wrongSignature() {
        var b = Self.real
        b[0] = UInt8(ascii: "X")
        #expect(problem(Self.fixChecksum(b)) == "MCFG: not an MCFG table: signature XCFG")
    }

    @Test func wrongLengthField() {
        var b = Self.real
        b[4] = 0x50
        #expect(problem(Self.fixChecksum(b)) == "MCFG: MCFG length field says 80 bytes but the table has 60")
    }

    @Test func badChecksum() {
        var b = Self.real
        b[9] &+= 1
        #expect(problem(b).hasPrefix("MCFG: MCFG checksum is wrong"))
    }

    @Test func zeroEntries() {
        #expect(problem(Self.withLength(Array(Self.real.prefix(44)))) == "MCFG: MCFG has no entries")
    }

    @Test func partialEntry() {
        #expect(problem(Self.withLength(Array(Self.real.prefix(52)))) == "MCFG: MCFG length 52 leaves a partial entry: (length - 44) is not a multiple of 16")
    }

    @Test func busRangeEndsBeforeStart() {
        var b = Self.real
        b[54] = 5  // start bus
        b[55] = 2  // end bus
        #expect(problem(Self.fixChecksum(b)) == "MCFG: MCFG entry 0: bus range ends (02) before it starts (05)")
    }

    @Test func overlappingEntries() {
        let b = Self.withLength(Self.real + Array(Self.real[44..<60]))
        #expect(problem(b) == "MCFG: MCFG entry 1: segment 0000 buses 00-00 overlap buses 00-00")
    }

    /// A table named on the command line must be there (66); a machine
    /// without one simply has none.
    @Test func missingTableIsItsOwnError() throws {
        #expect(throws: PCITimeError.missing("/nonexistent/MCFG", "no such file")) {
            try MCFG(file: "/nonexistent/MCFG")
        }
        #expect(try MCFG(root: MachineRoot(Fixtures.tree("qemu-pc"))) == nil)
    }

    /// `--mcfg -` is read once, where the options are built: methods opens
    /// ecam twice (its survey, then auto) and used to read the table each
    /// time ("-: no such file" first, "MCFG truncated: 0 bytes" once let
    /// through). From standard input it answers as from the file, in the
    /// table and in JSON; where ecam names the table, it is "standard input".
    @Test func aTableFromStandardInputIsTheFile() throws {
        let table = Fixtures.tree("qemu-q35") + "/sys/firmware/acpi/tables/MCFG"
        for json in [[], ["--json"]] {
            let file = try CLITests.pcitime(["methods", "--mcfg", table] + json)
            let dash = try CLITests.pcitime(["methods", "--mcfg", "-"] + json, stdin: .file(table))
            #expect(dash.status == file.status, "\(dash.err)")
            #expect(dash.out == file.out.replacingOccurrences(of: table, with: "standard input"))
            #expect(dash.err == file.err.replacingOccurrences(of: table, with: "standard input"))
            #expect(!dash.err.contains("truncated"))
        }
        // The table itself, read from standard input: QEMU q35's one window.
        let mcfg = try CLITests.pcitime(["mcfg", "--mcfg", "-", "--root", Fixtures.tree("qemu-q35")], stdin: .file(table))
        #expect(mcfg.status == 0, "\(mcfg.err)")
        #expect(mcfg.out.hasPrefix("source: ACPI MCFG (standard input)\nMCFG: revision 1, OEM \"BOCHS\" table \"BXPC\", checksum valid, 1 entry\n"))
        #expect(mcfg.out.contains("0000     00-ff  0xb0000000  0xb0000000-0xbfffffff  256 MiB"))
    }

    @Test func overrideParsing() throws {
        #expect(try ECAMDiscovery.parseOverride("0xb0000000:00-ff") == ECAMWindow(base: 0xb000_0000, segment: 0, startBus: 0, endBus: 0xff))
        #expect(try ECAMDiscovery.parseOverride("1:e0000000:10-1f") == ECAMWindow(base: 0xe000_0000, segment: 1, startBus: 0x10, endBus: 0x1f))
        #expect(throws: PCITimeError.self) { try ECAMDiscovery.parseOverride("0xb0000000") }
        #expect(throws: PCITimeError.self) { try ECAMDiscovery.parseOverride("0xb0000001:00-ff") }
        #expect(throws: PCITimeError.self) { try ECAMDiscovery.parseOverride("0xb0000000:ff-00") }
    }
}
