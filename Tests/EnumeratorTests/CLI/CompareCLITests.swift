import Foundation
import Testing

/// `pcitime compare` end to end: the built binary on the Firecracker capture.
@Suite struct CompareCLITests {
    // MARK: The built binary

    @Test func cliOnTheCapture() throws {
        let root = Fixtures.tree("firecracker")
        let svgPath = Fixtures.temporaryDirectory() + "/compare.svg"
        let r = try CLITests.pcitime("compare", "sysfs-base", "sysfs-ext", "--root", root, "--samples", "5", "--warmup", "1",
                                     "--accesses", "1000", "--json", "--svg", svgPath)
        #expect(r.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as! [String: Any]
        #expect(json["schema"] as? String == "pcitime-compare/2")
        let runs = json["runs"] as! [[String: Any]]
        #expect(runs.map { $0["requested"] as! String } == ["sysfs-base", "sysfs-ext"])
        for run in runs {
            let h = run["histogram"] as! [String: Any]
            #expect(h["total_count"] as? Int == 80)
            let buckets = h["buckets"] as! [[String: Any]]
            #expect(buckets.reduce(0) { $0 + ($1["count"] as! Int) } == 80)
        }
        let projections = json["projections"] as! [[String: Any]]
        #expect(projections.count == 1)
        #expect(projections[0]["accesses"] as? Int == 1000)
        #expect((projections[0]["accesses_basis"] as! [String: String])["kind"] == "given")
        // The capture's kernel log: start to 'Run /process_api as init process'.
        #expect((projections[0]["kernel_boot_basis"] as? [String: String])?["kind"] == "measured")
        #expect(FileManager.default.contents(atPath: svgPath).map { String(decoding: $0, as: UTF8.self).hasPrefix("<svg ") } == true)
        try? FileManager.default.removeItem(atPath: (svgPath as NSString).deletingLastPathComponent)

        let modelled = try CLITests.pcitime("compare", "sysfs-base", "sysfs-ext", "--root", root, "--samples", "3", "--warmup", "0")
        #expect(modelled.status == 0)
        #expect(modelled.out.contains("    accesses: modelled: "))
        #expect(modelled.out.contains("base-space (offset < 0x100) config accesses at "))

        // Neither direct method reads a capture, but its kernel log splits base
        // and extended access between type 1 and ECAM: the kernel's pair runs,
        // labelled in the table, the JSON and the notes.
        let mediated = try CLITests.pcitime("compare", "pio", "mmio", "--root", root, "--samples", "3", "--warmup", "0")
        #expect(mediated.status == 0)
        #expect(mediated.out.hasPrefix("compare pio via sysfs-base vs mmio via sysfs-ext: 1 function (00:00.0), 4-byte reads\n"))
        #expect(mediated.out.contains("\n  pio via sysfs-base: kernel-mediated (pio: --method pio reaches hardware and cannot read a captured tree; use --method sysfs with --root); the kernel reaches type 1 for it: "))
        #expect(mediated.out.contains("\npio via sysfs-base       48 "))
        #expect(mediated.out.contains("\n  - kernel-mediated: pio timed as sysfs-base, which the kernel serves through type 1; mmio timed as sysfs-ext, which the kernel serves through ECAM, because user space cannot reach the mechanism here ("))
        let mediatedJSON = try CLITests.pcitime("compare", "pio", "mmio", "--root", root, "--samples", "3", "--warmup", "0", "--json")
        let mruns = (try JSONSerialization.jsonObject(with: Data(mediatedJSON.out.utf8)) as! [String: Any])["runs"] as! [[String: Any]]
        #expect(mruns.map { $0["method"] as! String } == ["sysfs-base", "sysfs-ext"])
        #expect(mruns.map { ($0["kernel_mediated"] as! [String: String])["mechanism"]! } == ["type 1", "ECAM"])

        // No MCFG in the pc capture: ECAM is reached neither way, so only one
        // of the two works: exit 69 with the reason.
        let none = try CLITests.pcitime("compare", "pio", "mmio", "--root", Fixtures.tree("qemu-pc"))
        #expect(none.status == 69)
        #expect(none.out.isEmpty)
        #expect(none.err.hasPrefix("pcitime: compare pio mmio: needs two methods that work here; 1 of 2 do (pio):\n  mmio (ecam): "))

        let usage = try CLITests.pcitime("compare", "sysfs")
        #expect(usage.status == 64)
    }
}
