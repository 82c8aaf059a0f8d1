import BootProfiler
import Enumerator
import Foundation
import Testing

/// The Firecracker guest this was written on: `PCI: Using configuration type
/// 1 for base access`, ECAM for bus 00 only, a host bridge and 5 virtio
/// functions. Every form of the same capture must give the same profile.
@Suite struct FirecrackerLogTests {
    static let forms: [(String, LogFormat)] = [
        ("firecracker.dmesg.txt", .dmesg), ("firecracker.dmesg-x.txt", .dmesgDecoded),
        ("firecracker.dmesg-raw.txt", .dmesgRaw), ("firecracker.kmsg.txt", .kmsg),
    ]

    @Test(arguments: forms)
    func phases(file: String, format: LogFormat) throws {
        let p = try KernelLog.profile(path: Fixtures.log(file))
        #expect(p.format == format)
        #expect(p.startLost == false)
        #expect(p.kernelStart == 0)
        #expect(p.kernelVersion == "6.18.44-fc-v669")
        #expect(p.mcfgTable?.start == 1115)
        #expect(p.ecam == [ECAMReservation(segment: 0, startBus: 0, endBus: 0, base: 0xeec00000, time: 269159, used: true)])
        #expect(p.mechanism?.base == .type1)
        #expect(p.mechanism?.extended == .ecam)
        #expect(p.mechanism?.time == 269159)
        #expect(p.scans.count == 1)
        #expect(p.scans[0].start == 297445)     // ACPI: PCI Root Bridge [PC00]
        #expect(p.scans[0].end == 311068)       // iommu: Default domain type, the first line after
        #expect(p.enumerationMicroseconds == 13623)
        #expect(p.resources?.start == 363132)
        #expect(p.resources?.end == 363281)
        #expect(p.runInit?.start == 469174)
        #expect(p.freeingInitMemory?.start == 461530)
        #expect(p.kernelBoot == 469174)
        #expect(p.lastBusParameter == nil)
        #expect(p.drivers.map(\.driver) == ["virtio-pci", "virtio_blk"])
        #expect(p.drivers[0].start == 403933 && p.drivers[0].end == 411642)
        #expect(p.drivers[0].devices == (1...5).map { "0000:00:0\($0).0" })
        #expect(p.drivers[1].start == 418080 && p.drivers[1].end == 420269)
        #expect(p.initcalls.count == 0)
        #expect(p.timestampedLines == 344)
        if format == .kmsg {
            #expect(p.continuationLines == 68)
            #expect(p.untimestampedLines == 0)
        } else {
            #expect(p.untimestampedLines == 1)   // amd_pstate's wrapped second line
        }
    }

    @Test func deviceWindows() throws {
        let p = try KernelLog.profile(path: Fixtures.log("firecracker.dmesg.txt"))
        let expected: [(String, UInt16, UInt16, UInt32, UInt64, UInt64, Int)] = [
            ("0000:00:00.0", 0x8086, 0x0d57, 0x060000, 297795, 298982, 0),
            ("0000:00:01.0", 0x1af4, 0x1045, 0xffff00, 298982, 301017, 1),
            ("0000:00:02.0", 0x1af4, 0x1042, 0x018000, 301017, 302984, 1),
            ("0000:00:03.0", 0x1af4, 0x1041, 0x020000, 302984, 304932, 1),
            ("0000:00:04.0", 0x1af4, 0x1053, 0xffff00, 304932, 306867, 1),
            ("0000:00:05.0", 0x1af4, 0x1044, 0xffff00, 306867, 311068, 1),
        ]
        #expect(p.devices.count == expected.count)
        for (w, e) in zip(p.devices, expected) {
            #expect(w.address.description == e.0)
            #expect(w.vendor == e.1 && w.device == e.2 && w.classCode == e.3)
            #expect(w.start == e.4 && w.end == e.5)
            #expect(w.resources.count == e.6)
            #expect(w.kind == "conventional PCI endpoint")
            #expect(w.closedByScanEnd == (e.0 == "0000:00:05.0"))
        }
        #expect(p.devices[1].resources == ["BAR 0 [mem 0x4000000000-0x400007ffff 64bit]"])
    }
}

/// Damaged and re-shaped variants of the real log, made here.
@Suite struct DamagedLogTests {
    @Test func crlfAndGarbageBytes() throws {
        var bytes: [UInt8] = []
        for line in try Fixtures.text("firecracker.dmesg.txt").split(separator: "\n", omittingEmptySubsequences: false) {
            bytes += Array(line.utf8) + [0x0D, 0x0A]
            if line.contains("pci 0000:00:02.0: BAR") { bytes += [0xFF, 0xFE, 0x00, 0x1B, 0x5B, 0x41, 0x0D, 0x0A] }
        }
        let path = Fixtures.temporary("crlf.txt")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let p = try KernelLog.profile(path: path)
        #expect(p.scans.first?.start == 297445 && p.scans.first?.end == 311068)
        #expect(p.devices.count == 6)
        #expect(p.untimestampedLines == 2)
        #expect(p.kernelBoot == 469174)
    }

    @Test func wrappedRingBufferLosesTheStart() throws {
        let lines = try Fixtures.text("firecracker.dmesg.txt").split(separator: "\n")
        let p = try KernelLog.profile(text: lines.dropFirst(150).joined(separator: "\n"))
        #expect(p.startLost)
        #expect(p.kernelBoot == nil)
        #expect(p.share(1000) == nil)
        #expect(p.devices.count == 6)             // the scan itself is still there
        #expect(p.enumerationMicroseconds == 13623)
    }

    @Test func journalctlShortMonotonic() throws {
        // journalctl -k -o short-monotonic puts "HOST kernel: " after the time.
        let text = try Fixtures.text("firecracker.dmesg.txt").split(separator: "\n").map { line -> String in
            guard let close = line.firstIndex(of: "]") else { return String(line) }
            return String(line[...close]) + " vm kernel:" + String(line[line.index(after: close)...])
        }.joined(separator: "\n")
        let p = try KernelLog.profile(text: text)
        #expect(p.format == .journal)
        #expect(p.scans.first?.start == 297445)
        #expect(p.devices.count == 6)
        #expect(p.runInit?.start == 469174)
    }

    @Test func severalBootsKeepTheLastAndStreamBounded() throws {
        // 300 boots back to back (~100k lines) through the file reader.
        let one = try Fixtures.text("firecracker.dmesg.txt")
        let path = Fixtures.temporary("many.txt")
        #expect(FileManager.default.createFile(atPath: path, contents: Data(String(repeating: one, count: 300).utf8)))
        let p = try KernelLog.profile(path: path)
        #expect(p.boots == 300)
        #expect(p.devices.count == 6)
        #expect(p.scans.count == 1 && p.scans[0].start == 297445)
        #expect(p.lines == 345 * 300)
    }

    @Test func errorsNameTheFile() throws {
        #expect(throws: PCITimeError.missing("/nonexistent/dmesg.txt", "no such file")) {
            try KernelLog.profile(root: MachineRoot("/nonexistent"))
        }
        let path = Fixtures.temporary("garbage.txt")
        #expect(FileManager.default.createFile(atPath: path, contents: Data([0xde, 0xad, 0x0a, 0xbe, 0xef])))
        #expect(throws: PCITimeError.self) { try KernelLog.profile(path: path) }
        do { _ = try KernelLog.profile(path: path) } catch let e as PCITimeError {
            #expect(e.exitCode == 65)
            #expect("\(e)".hasPrefix(path + ": no line with a kernel timestamp"))
        }
    }
}
