import Foundation
import Testing
@testable import Enumerator

/// End-to-end runs of the built `pcitime` binary: output, errors and exit codes.
@Suite struct CLITests {
    struct Run { var status: Int32; var out: String; var err: String }

    static let binary: String = {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir, dir.deletingLastPathComponent(), dir.deletingLastPathComponent().deletingLastPathComponent()] {
            let p = candidate.appendingPathComponent("pcitime").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return Fixtures.repo + "/.build/debug/pcitime"
    }()

    static func pcitime(_ args: String...) throws -> Run { try run(binary, args) }
    static func pcitime(_ args: [String], stdin: Subprocess.Stream = .inherit) throws -> Run { try run(binary, args, stdin: stdin) }

    /// Runs `executable` through the product's spawn, its standard output
    /// and error read together (neither pipe can fill while the other is
    /// read); `status` is a shell's (128 + N for signal N).
    static func run(_ executable: String, _ args: [String], stdin: Subprocess.Stream = .inherit) throws -> Run {
        let child = try Subprocess.spawn([executable] + args, stdin: stdin, stdout: .pipe, stderr: .pipe)
        let read = Result { try child.collect() }
        let exit = child.wait()
        let (o, e) = try read.get()
        return Run(status: exit?.code ?? -1, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    /// Runs pcitime with `arguments`, stdout and stderr to /dev/null, sends it
    /// `signal` after `delay` ms and waits for it.
    static func interrupt(_ arguments: [String], with signal: Int32, after delay: Int) {
        guard let child = try? Subprocess.spawn([binary] + arguments, stdout: .null, stderr: .null) else { return }
        usleep(UInt32(delay * 1000))
        kill(child.pid, signal)
        _ = child.wait()
    }

    static let firecracker = Fixtures.tree("firecracker")

    @Test func scanJSONOfAFixture() throws {
        let r = try Self.pcitime("scan", "--root", Self.firecracker, "--json")
        #expect(r.status == 0)
        let scan = try ScanJSON.decoder.decode(ScanJSON.self, from: Data(r.out.utf8))
        #expect(scan.schema == "pcitime-scan/3")
        #expect(scan.method == "sysfs")
        #expect(scan.functions.map(\.bdf) == ["0000:00:00.0", "0000:00:01.0", "0000:00:02.0", "0000:00:03.0", "0000:00:04.0", "0000:00:05.0"])
        #expect(scan.functions.map(\.reads) == [17, 22, 22, 22, 22, 22])
        #expect(scan.functions[3].device == "Virtio 1.0 network device")
        #expect(scan.functions[3].class == "Ethernet controller")
        #expect(scan.functions[3].latencyNs.samples == 22)
        #expect(scan.totals.reads == 127)
        #expect(scan.timer.overheadSubtracted)
    }

    /// With -s, the dump line counts the shown function's reads: one 64-byte
    /// header is 16 dword reads (it used to count every function's dump: 192
    /// reads beside 1 dump). -xxx on 01:00.0 (config file of 4096 bytes) is
    /// 256 bytes, 64 reads.
    @Test func dumpReadsAreTheShownFunctions() throws {
        let q35 = Fixtures.tree("qemu-q35")
        let one = try Self.pcitime("scan", "-x", "-s", "00:01.0", "--root", q35)
        #expect(one.status == 0)
        #expect(one.err == "pcitime: -x: 16 config reads of 4 bytes for 1 dump (64 bytes), each timed and counted in its function's reads\n")
        let ext = try Self.pcitime("scan", "-xxx", "-s", "01:00.0", "--root", q35)
        #expect(ext.err == "pcitime: -xxx: 64 config reads of 4 bytes for 1 dump (256 bytes), each timed and counted in its function's reads\n")
    }

    @Test func repeatKeepsOnePassOfCountsAndEveryPassOfLatency() throws {
        let r = try Self.pcitime("scan", "--root", Self.firecracker, "--json", "--repeat", "3")
        let scan = try ScanJSON.decoder.decode(ScanJSON.self, from: Data(r.out.utf8))
        #expect(scan.passes == 3)
        #expect(scan.functions.map(\.reads) == [17, 22, 22, 22, 22, 22])
        #expect(scan.functions.map(\.latencyNs.samples) == [51, 66, 66, 66, 66, 66])
    }

    @Test func numericTableAndFilters() throws {
        let r = try Self.pcitime("scan", "--root", Self.firecracker, "-n", "-d", "1af4:", "-s", "00:03")
        #expect(r.status == 0)
        let rows = r.out.split(separator: "\n").filter { $0.hasPrefix("00:") }
        #expect(rows.count == 1)
        #expect(rows.first?.hasSuffix("0200: 1af4:1041 (rev 01)") == true)
        #expect(rows.first?.hasPrefix("00:03.0     22  ") == true)
    }

    @Test func tree() throws {
        let r = try Self.pcitime("scan", "--root", Self.firecracker, "--tree")
        #expect(r.out.hasPrefix("-[0000:00]-+-00.0\n"))
    }

    @Test func mcfgOfAFixture() throws {
        let r = try Self.pcitime("mcfg", "--root", Self.firecracker)
        #expect(r.status == 0)
        #expect(r.out.contains("MCFG: revision 1, OEM \"FIRECK\" table \"FCMVMCFG\", checksum valid, 1 entry"))
        #expect(r.out.contains("0000     00-00  0xeec00000  0xeec00000-0xeecfffff  1 MiB  agrees       agrees"))
    }

    @Test func errorsAreOneLineWithDocumentedCodes() throws {
        let missing = try Self.pcitime("scan", "--root", "/nonexistent/tree")
        #expect(missing.status == 66)
        #expect(missing.err == "pcitime: /nonexistent/tree: no such directory\n")
        #expect(missing.out.isEmpty)

        let file = try Self.pcitime("scan", "--root", Self.firecracker + "/SOURCE")
        #expect(file.status == 65)
        #expect(file.err == "pcitime: \(Self.firecracker)/SOURCE: not a directory (--root wants a captured tree)\n")

        let hardware = try Self.pcitime("scan", "--root", Self.firecracker, "--method", "pio")
        #expect(hardware.status == 64)

        let unknown = try Self.pcitime("scan", "--root", Self.firecracker, "--method", "carrier-pigeon")
        #expect(unknown.status == 64)
        #expect(unknown.err.hasPrefix("pcitime: unknown method 'carrier-pigeon'"))

        let badEcam = try Self.pcitime("mcfg", "--ecam", "0xb0000000")
        #expect(badEcam.status == 64)
        #expect(badEcam.err.split(separator: "\n").count == 1)

        let badRepeat = try Self.pcitime("scan", "--root", Self.firecracker, "--repeat", "0")
        #expect(badRepeat.status == 64)

        let badSlot = try Self.pcitime("scan", "--root", Self.firecracker, "-s", "zz:99")
        #expect(badSlot.status == 64)
    }

    @Test func malformedMCFGNamesTheFile() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let bad = dir + "/MCFG"
        var bytes = Fixtures.bytes(Self.firecracker + "/sys/firmware/acpi/tables/MCFG")
        bytes[9] &+= 1
        #expect(FileManager.default.createFile(atPath: bad, contents: Data(bytes)))
        let r = try Self.pcitime("mcfg", "--mcfg", bad)
        #expect(r.status == 65)
        #expect(r.err.hasPrefix("pcitime: \(bad): MCFG checksum is wrong"))
    }
}
