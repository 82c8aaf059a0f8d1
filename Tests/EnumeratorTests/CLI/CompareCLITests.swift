#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
@testable import Enumerator

/// `pcitime compare` end to end: the built binary on this machine (a
/// captured tree has no mechanism behind its files and is refused).
@Suite struct CompareCLITests {
    /// The first function with a 4096-byte config file (sysfs-ext reads it), when root can read one.
    static let function: String? = {
        guard geteuid() == 0 else { return nil }
        let dir = "/sys/bus/pci/devices/"
        return (FileContents.names(inDirectory: dir) ?? []).sorted().first { name in
            var st = stat()
            return stat(dir + name + "/config", &st) == 0 && st.st_size == 4096
        }
    }()

    @Test(.enabled(if: function != nil)) func cliOnThisMachine() throws {
        let slot = try #require(Self.function)
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let svgPath = dir + "/compare.svg"
        let r = try CLITests.pcitime("compare", "sysfs-base", "sysfs-ext", "-s", slot, "--samples", "5", "--warmup", "1",
                                     "--accesses", "1000", "--json", "--svg", svgPath)
        #expect(r.status == 0, "\(r.err)")
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        #expect(json["schema"] as? String == "pcitime-compare/3")
        let runs = json["runs"] as! [[String: Any]]
        #expect(runs.map { $0["requested"] as! String } == ["sysfs-base", "sysfs-ext"])
        for run in runs {
            // One function, the 16 header dwords (shifted by 0x100 for sysfs-ext), 5 rounds.
            let h = run["histogram"] as! [String: Any]
            #expect(h["total_count"] as? Int == 80)
            let buckets = h["buckets"] as! [[String: Any]]
            #expect(buckets.reduce(0) { $0 + ($1["count"] as! Int) } == 80)
        }
        let projections = json["projections"] as! [[String: Any]]
        #expect(projections.count == 1)
        #expect(projections[0]["accesses"] as? Int == 1000)
        #expect((projections[0]["accesses_basis"] as! [String: String])["kind"] == "given")
        #expect(FileManager.default.contents(atPath: svgPath).map { String(decoding: $0, as: UTF8.self).hasPrefix("<svg ") } == true)

        let usage = try CLITests.pcitime("compare", "sysfs")
        #expect(usage.status == 64)
    }

    /// `--trace -` is read once, before anything is timed: the projection
    /// counts the same kernel accesses as from the file itself (it used to
    /// read standard input a second time, find it empty and project 0
    /// accesses as measured).
    @Test(.enabled(if: function != nil)) func traceFromStandardInputIsTheFile() throws {
        let slot = try #require(Self.function)
        let trace = ExitCodeTests.trace
        let args = ["compare", "sysfs-base", "sysfs-ext", "-s", slot, "--samples", "2", "--warmup", "0", "--resamples", "10", "--json", "--trace"]
        func accesses(_ r: CLITests.Run) throws -> Int? {
            #expect(r.status == 0, "\(r.err)")
            let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
            let projections = try #require(json["projections"] as? [[String: Any]])
            #expect((projections.first?["accesses_basis"] as? [String: String])?["kind"] == "measured")
            return projections.first?["accesses"] as? Int
        }
        let file = try accesses(CLITests.pcitime(args + [trace]))
        let dash = try accesses(CLITests.pcitime(args + ["-"], stdin: .file(trace)))
        #expect(file != nil && file! > 0)
        #expect(dash == file)
    }

    /// A captured tree's config files are file reads: compare refuses it and
    /// says what to run instead (it used to time page-cache reads of 420 ns
    /// as "the kernel reaches type 1 for it" and project them onto a boot).
    @Test func aCapturedTreeIsRefused() throws {
        let root = Fixtures.tree("qemu-q35")
        let r = try CLITests.pcitime("compare", "pio", "mmio", "--root", root)
        #expect(r.status == 64 && r.out.isEmpty)
        #expect(r.err == "pcitime: --root: a captured tree has no mechanism to compare (its config files are file reads); run 'pcitime compare pio mmio' on the machine itself, or 'pcitime scan --root \(root)' to read the capture (see 'pcitime help compare')\n")
        // scan reads the tree, and says what its latencies are.
        let scan = try CLITests.pcitime("scan", "--root", root, "-n")
        #expect(scan.status == 0)
        #expect(scan.out.hasPrefix("method: sysfs: pread of the captured config files under \(root)/sys/bus/pci/devices: the latencies are file reads (page cache), not config accesses; a capture has no device or mechanism behind it\n"))
    }
}
