@testable import BootProfiler
import Enumerator
import Foundation
import Testing

/// Kernel logs and kprobe traces damaged in the ways real ones are, built from
/// the real fixtures: never a crash or a hang; either a profile that says
/// what it skipped, or one line naming the file (exit 65). Rows already
/// covered elsewhere: crlfAndGarbageBytes, wrappedRingBufferLosesTheStart,
/// errorsNameTheFile (DamagedLogTests); inputs a fuzzer crashed on are
/// replayed by FuzzRegressionTests.
@Suite struct BadLogTests {
    static let clean = Fixtures.log("firecracker.dmesg.txt")

    /// Deterministic bytes (SplitMix64), so a failure is reproducible.
    static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
        var s = seed
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            s &+= 0x9e37_79b9_7f4a_7c15
            var z = s
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            z ^= z >> 31
            withUnsafeBytes(of: z) { out += $0 }
        }
        return Array(out.prefix(count))
    }

    static func write(_ name: String, _ bytes: [UInt8]) -> String {
        let path = Fixtures.temporary(name)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    static func lines() throws -> [Substring] {
        try Fixtures.text("firecracker.dmesg.txt").split(separator: "\n", omittingEmptySubsequences: false)
    }

    @Test func binaryGarbageIsOneLineNamingTheFile() throws {
        let path = Self.write("garbage.bin", Self.noise(1 << 20, seed: 6))
        #expect {
            try KernelLog.profile(path: path)
        } throws: { e in
            guard let e = e as? PCITimeError, e.exitCode == 65 else { return false }
            return "\(e)".hasPrefix(path + ": no line with a kernel timestamp in ") && !"\(e)".contains("\n")
        }
    }

    /// Garbage lines (NULs, invalid UTF-8, escapes, carriage returns) between
    /// every line of a real log: the same scan and devices, the garbage counted.
    @Test func garbageBetweenEveryLine() throws {
        var bytes: [UInt8] = []
        for (i, line) in try Self.lines().enumerated() {
            bytes += Array(line.utf8) + [0x0A]
            bytes += Self.noise(40, seed: UInt64(i)).map { $0 == 0x0A ? 0x00 : $0 } + [0x0A]
        }
        let p = try KernelLog.profile(path: Self.write("interleaved.txt", bytes))
        let clean = try KernelLog.profile(path: Self.clean)
        #expect(p.devices == clean.devices)
        #expect(p.scans.first?.start == 297445)
        #expect(p.untimestampedLines >= 300)
    }

    @Test func noTimestampsIsOneLineNamingTheFile() throws {
        let text = try Self.lines().map { line -> Substring in
            guard let close = line.firstIndex(of: "]") else { return line }
            return line[line.index(after: close)...]
        }.joined(separator: "\n")
        let path = Self.write("untimed.txt", Array(text.utf8))
        #expect(throws: PCITimeError.input(path, "no line with a kernel timestamp in 345 lines (expected dmesg, dmesg -x/-r, /dev/kmsg or journalctl -k -o short-monotonic text)")) {
            try KernelLog.profile(path: path)
        }
    }

    /// Timestamps going backwards. A step back of seconds (the whole log
    /// reversed) is not one boot's log: refused. Smaller steps (one line
    /// out of order in the scan; init stamped before the scan, which made
    /// "over 0 devices" while listing six) are counted and said, and the
    /// boot's devices are those the log lists before init, in its order.
    @Test func timestampsGoingBackwards() throws {
        let lines = try Self.lines()
        // Reversed, the log's last line is "Linux version": a boot of its own, the one profiled.
        let reversed = try KernelLog.profile(path: Self.write("reversed.txt", Array(lines.reversed().joined(separator: "\n").utf8)))
        #expect(reversed.devices.isEmpty && reversed.backwardSteps == 0 && reversed.kernelVersion != nil)
        // q35's scan lines again after its log's end (5.1 s): a step back of 4 s.
        let q35 = try Fixtures.text("qemu-q35.dmesg.txt")
        let scan = q35.split(separator: "\n").filter { $0.contains("] pci 0000:00:0") }
        let joined = Self.write("joined.txt", Array((q35 + scan.joined(separator: "\n") + "\n").utf8))
        let lastLine = q35.split(separator: "\n").last!, first = scan.first!
        func stamp(_ l: Substring) -> String { String(l.dropFirst().prefix { $0 != "]" }.drop { $0 == " " }) }
        #expect(throws: PCITimeError.input(joined, "timestamps run backwards at line \(q35.split(separator: "\n", omittingEmptySubsequences: false).count) (\(stamp(first)) s after \(stamp(lastLine)) s): not one boot's log as the kernel wrote it (joined or edited)")) {
            try KernelLog.profile(path: joined)
        }
        let clean = try KernelLog.profile(path: Self.clean)
        for (name, text, steps) in [("swapped", lines.map { l in
                                        l.contains("pci 0000:00:02.0:") ? "[    0.400000]" + l.drop { $0 != "]" }.dropFirst() : l
                                    }.joined(separator: "\n"), 2),
                                    ("early-init", lines.map { l in
                                        l.contains(" as init process") ? "[    0.100000]" + l.drop { $0 != "]" }.dropFirst() : l
                                    }.joined(separator: "\n"), 1)] {
            let p = try KernelLog.profile(path: Self.write(name + ".txt", Array(text.utf8)))
            #expect(p.backwardSteps == steps, "\(name)")
            #expect(p.bootDevices.map(\.address) == clean.bootDevices.map(\.address), "\(name)")
            for ph in p.phases { #expect((ph.duration ?? 0) < 10_000_000, "\(name) \(ph.name)") }
            for d in p.devices { #expect(d.duration < 10_000_000, "\(name) \(d.address)") }
            let table = TableRenderer.render(source: name, profile: p, prices: nil, counts: nil, tracing: nil)
            #expect(table.contains(", \(steps) stamped earlier than the line before (at most "), "\(name)")
            _ = SVGRenderer.render(p, title: name)
            _ = PerfettoRenderer.render(p)
        }
        #expect(clean.backwardSteps == 0 && clean.bootDevices.count == 6)
    }

    /// A 10 MB line in the middle of a real log is cut at 64 KiB and counted;
    /// everything else parses as before.
    @Test func tenMegabyteSingleLine() throws {
        var bytes: [UInt8] = []
        for line in try Self.lines().dropLast() {  // the file ends in a newline
            bytes += Array(line.utf8) + [0x0A]
            if line.contains("pci 0000:00:01.0: [") {
                bytes += Array("[    0.300000] ".utf8) + [UInt8](repeating: 0x41, count: 10 << 20) + [0x0A]
            }
        }
        let p = try KernelLog.profile(path: Self.write("long.txt", bytes))
        let clean = try KernelLog.profile(path: Self.clean)
        #expect(p.overlongLines == 1)
        #expect(p.devices.map(\.address) == clean.devices.map(\.address))
        #expect(p.lines == clean.lines + 1)
        // And a log that is nothing but one 10 MB line without a newline.
        let only = Self.write("only-long.txt", [UInt8](repeating: 0x42, count: 10 << 20))
        #expect(throws: PCITimeError.input(only, "no line with a kernel timestamp in 1 lines (expected dmesg, dmesg -x/-r, /dev/kmsg or journalctl -k -o short-monotonic text)")) {
            try KernelLog.profile(path: only)
        }
    }

    /// The recorded q35 trace cut at many points, mid-line included: never a
    /// crash; a cut that loses entries is refused by the header's count
    /// (TraceIntegrity), one inside the last entry keeps every access.
    @Test func kprobeTraceCutMidLine() throws {
        let full = [UInt8](FileManager.default.contents(atPath: Fixtures.trace("q35-rescan.trace"))!)
        let whole = try TraceFile.parse(Fixtures.trace("q35-rescan.trace"))
        let firstEvent = full.firstIndex(of: 0x0A).map { $0 } ?? 0
        let lastLine = full.dropLast().lastIndex(of: 0x0A)! + 1
        // Before the header's count there is nothing to check it against.
        let counted = String(decoding: full, as: UTF8.self).split(separator: "\n").prefix { !$0.contains("entries-in-buffer") }
            .reduce(0) { $0 + $1.utf8.count + 1 } + 1
        for cut in Array(stride(from: firstEvent + 1, to: full.count, by: full.count / 97)) + [lastLine + 40] {
            let path = Self.write("cut.trace", Array(full.prefix(cut)))
            do {
                let (accesses, parser) = try TraceFile.parse(path)
                #expect(cut < counted || cut > lastLine, "cut at \(cut) parsed")
                #expect(cut < counted ? accesses.isEmpty : accesses.count == whole.accesses.count || accesses.count == whole.accesses.count - 1)
                #expect(parser.malformed <= whole.parser.malformed + 1, "cut at \(cut)")
            } catch let e as PCITimeError {
                #expect(e.exitCode == 65 && "\(e)".contains("where its header (entries-in-buffer) counts 584: the file was cut"), "cut at \(cut): \(e)")
            }
        }
        // A line cut and glued to the next (a lost write): one unreadable
        // line, and one entry short of the header: refused.
        let text = String(decoding: full, as: UTF8.self)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let i = try #require(lines.firstIndex { $0.contains("conf1_read") && !$0.hasPrefix("#") })
        var glued = Array(lines)
        glued[i] = lines[i].prefix(lines[i].count / 2) + lines[i + 1]
        glued.remove(at: i + 1)
        let gluedText = glued.joined(separator: "\n")
        let path = Self.write("glued.trace", Array(gluedText.utf8))
        #expect(throws: PCITimeError.input(path, "holds 583 entries where its header (entries-in-buffer) counts 584: the file was cut; give the whole trace")) {
            try TraceFile.parse(path)
        }
        var parser = KprobeTraceParser()
        parser.consume(line: gluedText)
        _ = parser.finish()
        #expect(parser.malformed + parser.foreign == whole.parser.malformed + whole.parser.foreign + 1)
    }

    /// Timestamps too large to be real (found by reading the parsers while
    /// fuzzing: seconds * 10^9 overflowed): the line is skipped, not a crash.
    @Test func absurdTimestamps() throws {
        let log = try Fixtures.text("firecracker.dmesg.txt") + "[99999999999999999.000000] pci 0000:00:09.0: [1af4:1041] type 00 class 0x020000\n"
        let p = try KernelLog.profile(path: Self.write("absurd.txt", Array(log.utf8)))
        #expect(p.untimestampedLines == (try KernelLog.profile(path: Self.clean)).untimestampedLines + 1)
        #expect(p.devices.count == 6)
        let trace = "x-1 [000] ..... 99999999999999999.000000: conf1_read: (pci_conf1_read+0x0/0xf0) seg=0 bus=0 devfn=16 reg=0 len=4\n"
            + "x-1 [000] ..... 1.000000: conf1_read: (pci_conf1_read+0x0/0xf0) seg=0 bus=0 devfn=16 reg=0 len=4\n"
        let (accesses, parser) = try TraceFile.parse(Self.write("absurd.trace", Array(trace.utf8)))
        #expect(accesses.count == 1 && parser.malformed == 1)
    }

    @Test func garbageTraceIsOneLineNamingTheFile() throws {
        let path = Self.write("garbage.trace", Self.noise(100_000, seed: 7))
        #expect {
            try TraceFile.parse(path)
        } throws: { e in
            guard let e = e as? PCITimeError, e.exitCode == 65 else { return false }
            return "\(e)".hasPrefix(path + ": no pcitime kprobe events in ") && !"\(e)".contains("\n")
        }
    }
}
