import Foundation
import Testing

/// `pcitime boot`'s census end to end: parameters, the fixtures' traces,
/// a captured tree, bad input and the fallback where there is no trace.
@Suite struct BootCensusCLITests {
    static let q35 = Fixtures.census("6.1", "q35")

    /// Checked against this machine's kernel: what its tracefs offers
    /// (read here, as the oracle) decides which variants are printed and
    /// which are refused with 69.
    @Test func kernelParams() throws {
        let tracers = (try? String(contentsOfFile: "/sys/kernel/tracing/available_tracers", encoding: .utf8)) ?? ""
        let options = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/kernel/tracing/options")) ?? []
        let r = try CLITests.pcitime("boot", "--kernel-params")
        #expect(r.status == 0 && r.out.hasPrefix("ftrace=function ftrace_filter=pci_conf1_read,pci_conf1_write,pci_mmcfg_read,pci_mmcfg_write,pci_scan_slot,"))
        #expect(r.out.contains(" trace_event=rpm:rpm_resume trace_clock=global trace_buf_size=") && r.out.hasSuffix("M ftrace_boot_snapshot\n"))
        #expect(r.err.contains("trace_buf_size is per CPU"))
        let t = try CLITests.pcitime("boot", "--kernel-params", "--timed")
        if tracers.contains("function_graph") {
            #expect(t.status == 0 && t.out.hasPrefix("ftrace=function_graph ftrace_filter=pci_conf1_read,") && t.out.contains("trace_options=funcgraph-abstime,funcgraph-proc,nofuncgraph-irqs "))
        } else if !tracers.isEmpty {
            #expect(t.status == 69 && t.out.isEmpty && t.err.contains("no function_graph tracer"))
        }
        let a = try CLITests.pcitime("boot", "--kernel-params", "--arguments")
        if options.contains("func-args") && FileManager.default.fileExists(atPath: "/sys/kernel/btf/vmlinux") {
            #expect(a.status == 0 && a.out.hasSuffix(" trace_options=func-args\n"))
        } else if !tracers.isEmpty {
            #expect(a.status == 69 && a.err.hasPrefix("pcitime: --arguments: this kernel does not record function arguments"))
        }
        #expect(try CLITests.pcitime("boot", "--timed").status == 64)
        let k = try CLITests.pcitime("trace", "--kernel-param")
        #expect(k.status == 0 && k.err.contains("pcitime boot --kernel-params"))
    }

    @Test func censusJSON() throws {
        let r = try CLITests.pcitime("boot", "--dmesg", Self.q35 + "dmesg.txt", "--ftrace", Self.q35 + "snapshot",
                                     "--ftrace", Self.q35 + "../function_graph/snapshot", "--json", "--no-measure")
        #expect(r.status == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(doc["schema"] as? String == "pcitime-boot/3")
        let c = try #require(doc["census"] as? [String: Any])
        #expect(c["present_reads"] as? Int == 1380 && c["present_writes"] as? Int == 378 && c["peer_bus_probes"] as? Int == 8128)
        #expect(((c["before_tracing"] as? [String: Any])?["basis"] as? [String: Any])?["kind"] as? String == "modelled")
        #expect((c["peer_bus_probes_basis"] as? [String: Any])?["kind"] as? String == "measured")
        let prices = try #require(doc["prices"] as? [String: Any])
        #expect(prices["kernel_boot_us"] as? Int == 1_807_503 && (prices["accesses_basis"] as? [String: Any])?["kind"] as? String == "measured")
        #expect(prices["cost"] == nil && prices["kernel_boot"] == nil)
        // No latency given or measured: the counts are there, no saving is priced.
        let savings = try #require(prices["savings"] as? [[String: Any]])
        #expect(savings.first?["id"] as? String == "last_bus" && savings.first?["accesses"] as? Int == 8128 && savings.first?["saved_us"] == nil)
        let mech = try #require(c["by_mechanism"] as? [String: [String: Int]])
        #expect(mech["type1"] == ["reads": 9390, "writes": 369] && mech["ecam"] == ["reads": 155, "writes": 9])
        let devices = try #require(doc["devices"] as? [[String: Any]])
        #expect(devices.first?["vendor_id"] as? String == "8086" && devices.first?["start_us"] != nil)
        #expect(devices.first?["class_id"] as? String == "060000" && devices.first?["class"] as? String == "Host bridge" && devices.first?["header_type"] as? Int == 0)
        #expect(doc["what_if"] == nil && doc["pricing"] == nil && doc["census_latency"] != nil)
        #expect((doc["kernel"] as? [String: Any])?["traced"] as? Bool == true)
    }

    @Test func capturedTree() throws {
        let root = NSTemporaryDirectory() + "pcitime-census-root-\(getpid())"
        defer { Fixtures.remove(root) }
        try FileManager.default.createDirectory(atPath: root + "/sys/kernel/tracing", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.q35 + "dmesg.txt", toPath: root + "/dmesg.txt")
        try FileManager.default.copyItem(atPath: Self.q35 + "snapshot", toPath: root + "/sys/kernel/tracing/snapshot")
        let r = try CLITests.pcitime("boot", "--root", root, "--no-measure")
        #expect(r.status == 0)
        #expect(r.out.contains("Boot census (measured: function tracer, the boot snapshot captured in \(root)/sys/kernel/tracing/snapshot)"))
        #expect(r.out.contains("Present functions: 1380 reads, 378 writes (measured) + 43 reads, 0 writes before the tracer"))
        // A function trace alone has no latency to price it with: said, with the ways to get one.
        #expect(r.out.contains("\n  Note: not priced: 1637 accesses to present functions through type 1: no latency;"))
        #expect(r.out.contains("Give --latency FILE"))
        #expect(!r.out.contains("What if"))
    }

    @Test func noTraceFallsBackToTheModel() throws {
        let r = try CLITests.pcitime("boot", "--root", CLITests.firecracker, "--no-measure")
        #expect(r.status == 0 && !r.out.contains("Boot census (measured"))
        #expect(r.out.contains("the access counts are modelled (no boot census: see below)"))
        #expect(r.out.contains("\nBoot census: none. No boot trace here; for a measured census, add to the kernel command line what `pcitime boot --kernel-params` prints"))
    }

    @Test func badTraces() throws {
        let missing = try CLITests.pcitime("boot", "--dmesg", Self.q35 + "dmesg.txt", "--ftrace", "/nonexistent/trace")
        #expect(missing.status == 66 && missing.err == "pcitime: /nonexistent/trace: no such file\n")
        // A trace that starts after the log ends is another boot's: the
        // real trace's first entries (without the header, whose count they
        // would fall short of), stamped 10 s later.
        let later = NSTemporaryDirectory() + "pcitime-later-trace-\(getpid())"
        defer { Fixtures.remove(later) }
        let lines = try String(contentsOfFile: Self.q35 + "snapshot", encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }.prefix(200)
        try (lines.map { $0.replacingOccurrences(of: "     0.", with: "    10.") }.joined(separator: "\n") + "\n").write(toFile: later, atomically: true, encoding: .utf8)
        let other = try CLITests.pcitime("boot", "--dmesg", Self.q35 + "dmesg.txt", "--ftrace", later, "--no-measure")
        #expect(other.status == 65 && other.err.hasPrefix("pcitime: " + later + ": trace starts at ") && other.err.hasSuffix("not this boot's trace\n"))
        let empty = try CLITests.pcitime("boot", "--dmesg", Self.q35 + "dmesg.txt", "--ftrace", Self.q35 + "dmesg.txt", "--no-measure")
        #expect(empty.status == 65 && empty.err.contains("no call of pci_conf1_read"))
    }
}
