#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Enumerator

/// Every input path ends promptly under one memory ceiling, whatever it is
/// handed: /dev/zero for each file option (no signature, no line break, no
/// end), FIFOs inside a captured tree where regular files belong. Each run
/// is one line on stderr naming the file, exit 65, within `timeout` seconds
/// and under `ceilingKiB` of peak resident memory (ru_maxrss, through GNU
/// time; the debug binary starts at about 14 MiB).
@Suite struct InputBoundsTests {
    static let ceilingKiB = 48 * 1024
    static let timeout = 20
    static let log = Fixtures.census("6.1", "q35") + "dmesg.txt"

    static func refused(_ args: [String], _ line: String, status: Int32 = 65, sourceLocation: SourceLocation = #_sourceLocation) {
        let r = OutputMatrixTests.run(args, stdout: .file("/dev/null"), timeout: timeout, measure: true)
        #expect(r.status == status, "\(args): \(r.err)", sourceLocation: sourceLocation)
        #expect(r.err == "pcitime: " + line + "\n", "\(args)", sourceLocation: sourceLocation)
        #expect(r.maxRSSKiB > 0 && r.maxRSSKiB <= ceilingKiB, "\(args): peak \(r.maxRSSKiB) KiB", sourceLocation: sourceLocation)
    }

    @Test func devZeroForEveryFileOption() {
        let noBreak = "/dev/zero: no line break in 16 MiB: not text (a kernel log or a trace is lines)"
        Self.refused(["mcfg", "--mcfg", "/dev/zero"], "/dev/zero: not an MCFG table: signature ....")
        Self.refused(["scan", "--method", "ecam", "--mcfg", "/dev/zero"], "/dev/zero: not an MCFG table: signature ....")
        Self.refused(["trace", "--from", "/dev/zero"], noBreak)
        Self.refused(["trace", "--from", "/dev/zero", "--save", "/dev/null"], noBreak)
        Self.refused(["boot", "--dmesg", "/dev/zero"], noBreak)
        Self.refused(["boot", "--dmesg", Self.log, "--ftrace", "/dev/zero", "--no-measure"], noBreak)
        Self.refused(["boot", "--dmesg", Self.log, "--trace", "/dev/zero", "--no-measure"], noBreak)
        Self.refused(["boot", "--dmesg", Self.log, "--latency", "/dev/zero", "--no-measure"], "/dev/zero: more than 16 MiB: too large for a latency file (JSON)")
        Self.refused(["boot", "--dmesg", Self.log, "--baseline", "/dev/zero", "--no-measure"], "/dev/zero: more than 16 MiB: too large for a baseline file (pcitime boot --json)")
        Self.refused(["scan", "--method", "libpci:dump", "--libpci-param", "dump.name=/dev/zero"],
                     "/dev/zero: not a regular file: libpci reads a dump to its end, which a FIFO or a device may never reach")
        // pci.ids is optional: a device in its place means numeric IDs and a note.
        let r = OutputMatrixTests.run(["scan", "--root", Fixtures.tree("firecracker"), "-i", "/dev/zero"], stdout: .file("/dev/null"), timeout: Self.timeout, measure: true)
        #expect(r.status == 0 && r.err == "pcitime: note: /dev/zero: cannot read this pci.ids; showing numeric IDs\n", "\(r.err)")
    }

    /// A copy of the firecracker capture with `file` replaced by a FIFO
    /// nobody writes: opened blocking, any of these would hang.
    static func treeWithFIFO(_ file: String) -> (dir: String, root: String) {
        let dir = Fixtures.scratch()
        let root = dir + "/tree"
        _ = Subprocess.output(["/bin/cp", "-r", Fixtures.tree("firecracker"), root])
        _ = Subprocess.output(["/bin/mkdir", "-p", root + "/" + (Substring(file).folderAndName.folder ?? ".")])
        unlink(root + "/" + file)
        #expect(mkfifo(root + "/" + file, 0o644) == 0)
        return (dir, root)
    }

    @Test func fifosInACapturedTree() {
        for (file, commands) in [("dmesg.txt", [["boot", "--root"], ["mcfg", "--root"]]),
                                 ("sys/firmware/acpi/tables/MCFG", [["mcfg", "--root"]]),
                                 ("proc/iomem", [["mcfg", "--root"]]),
                                 ("sys/kernel/tracing/snapshot", [["boot", "--no-measure", "--root"]])] {
            let (dir, root) = Self.treeWithFIFO(file)
            defer { Fixtures.remove(dir) }
            for c in commands {
                Self.refused(c + [root], "\(root)/\(file): not a regular file: a FIFO")
            }
        }
        // A FIFO among a device's sysfs extras: left out, as an absent file is.
        let (dir, root) = Self.treeWithFIFO("sys/bus/pci/devices/0000:00:03.0/resource")
        defer { Fixtures.remove(dir) }
        let r = OutputMatrixTests.run(["scan", "--root", root, "-v"], stdout: .file("/dev/null"), timeout: Self.timeout, measure: true)
        #expect(r.status == 0 && r.err.isEmpty, "\(r.err)")
    }

    /// A kernel log streamed through a pipe, 16 MiB of lines with no
    /// timestamp: read in constant memory, then refused.
    @Test func aLongStreamInConstantMemory() {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        #expect(mkfifo(dir + "/log", 0o644) == 0)
        let writer = "{ head -c 16777216 /dev/zero | tr '\\0' x | fold -w 1023 > \(dir)/log; } & exec 0< \(dir)/log"
        let r = OutputMatrixTests.run(["boot", "--dmesg", "-"], stdout: .file("/dev/null"), through: writer, timeout: Self.timeout, measure: true)
        #expect(r.status == 65 && r.err == "pcitime: standard input: no line with a kernel timestamp in 16401 lines (expected dmesg, dmesg -x/-r, /dev/kmsg or journalctl -k -o short-monotonic text)\n", "\(r.err)")
        #expect(r.maxRSSKiB > 0 && r.maxRSSKiB <= Self.ceilingKiB, "peak \(r.maxRSSKiB) KiB")
    }

    /// An endless stream of one valid trace line (the census fixture's
    /// first call, and a kprobe entry through a FIFO): every line is kept,
    /// so the parser's entry bound ends it, at a bounded peak.
    @Test func anEndlessValidTraceEndsAtTheEntryBound() {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        #expect(mkfifo(dir + "/ftrace", 0o644) == 0)
        let call = "       swapper/0-1       [000] .....     0.574962: pci_conf1_read <-pci_mmcfg_early_init"
        let writer = "{ yes '\(call)' > \(dir)/ftrace; } & exec 0< \(dir)/ftrace"
        let r = OutputMatrixTests.run(["boot", "--dmesg", Self.log, "--ftrace", "-", "--no-measure"], stdout: .file("/dev/null"), through: writer, timeout: Self.timeout, measure: true)
        #expect(r.status == 65 && r.err == "pcitime: standard input: more than 100000 entries: not one boot's trace\n", "\(r.err)")
        #expect(r.maxRSSKiB > 0 && r.maxRSSKiB <= Self.ceilingKiB, "peak \(r.maxRSSKiB) KiB")

        #expect(mkfifo(dir + "/trace", 0o644) == 0)
        let entry = "         pcitime-106     [000] .....     4.405485: conf1_read: (pci_conf1_read+0x0/0xf0) seg=0 bus=0 devfn=16 reg=0 len=4"
        let k = OutputMatrixTests.run(["trace", "--from", dir + "/trace"], stdout: .file("/dev/null"), through: "{ yes '\(entry)' > \(dir)/trace; } & true", timeout: Self.timeout, measure: true)
        #expect(k.status == 65 && k.err == "pcitime: \(dir)/trace: more than 100000 entries: not one trace of a boot or a window\n", "\(k.err)")
        #expect(k.maxRSSKiB > 0 && k.maxRSSKiB <= Self.ceilingKiB, "peak \(k.maxRSSKiB) KiB")
    }
}
