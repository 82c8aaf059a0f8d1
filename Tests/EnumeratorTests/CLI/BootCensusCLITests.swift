import Foundation
import Testing

/// `pcitime boot`'s census end to end: parameters, the fixtures' traces,
/// a captured tree, bad input and the fallback where there is no trace.
@Suite struct BootCensusCLITests {
    static let q35 = Fixtures.repo + "/fixtures/ftrace/q35/"

    @Test func kernelParams() throws {
        let r = try CLITests.pcitime("boot", "--kernel-params")
        #expect(r.status == 0 && r.out == "ftrace=function ftrace_filter=pci_conf1_read,pci_conf1_write,pci_mmcfg_read,pci_mmcfg_write trace_clock=global trace_buf_size=16M ftrace_boot_snapshot\n")
        let t = try CLITests.pcitime("boot", "--kernel-params", "--timed")
        #expect(t.out.hasPrefix("ftrace=function_graph ftrace_graph_filter=pci_conf1_read,") && t.out.contains("trace_options=funcgraph-abstime,nofuncgraph-irqs "))
        let a = try CLITests.pcitime("boot", "--kernel-params", "--arguments")
        #expect(a.out.hasSuffix(" trace_options=func-args\n"))
        #expect(try CLITests.pcitime("boot", "--timed").status == 64)
        let k = try CLITests.pcitime("trace", "--kernel-param")
        #expect(k.status == 0 && k.err.contains("pcitime boot --kernel-params"))
    }

    @Test func censusJSON() throws {
        let r = try CLITests.pcitime("boot", "--dmesg", Self.q35 + "dmesg.txt", "--ftrace", Self.q35 + "function.snapshot",
                                     "--ftrace", Self.q35 + "function_graph.snapshot", "--json", "--no-measure")
        #expect(r.status == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(doc["schema"] as? String == "pcitime-boot/2")
        let c = try #require(doc["census"] as? [String: Any])
        #expect(c["present_reads"] as? Int == 1380 && c["present_writes"] as? Int == 378 && c["peer_bus_probes"] as? Int == 8128)
        #expect(((c["before_tracing"] as? [String: Any])?["basis"] as? [String: Any])?["kind"] as? String == "modelled")
        #expect((c["peer_bus_probes_basis"] as? [String: Any])?["kind"] as? String == "measured")
        let cost = try #require(doc["cost"] as? [String: Any])
        #expect(cost["kernel_boot_us"] != nil && (cost["kernel_boot_basis"] as? [String: Any])?["kind"] as? String == "measured")
        #expect(cost["kernel_boot"] == nil && cost["enumeration"] == nil && cost["implied_per_access"] == nil)
        let mech = try #require(c["by_mechanism"] as? [String: [String: Int]])
        #expect(mech["type1"] == ["reads": 9390, "writes": 369] && mech["ecam"] == ["reads": 155, "writes": 9])
        let devices = try #require(doc["devices"] as? [[String: Any]])
        #expect(devices.first?["vendor_id"] as? String == "8086" && devices.first?["start_us"] != nil)
        #expect(devices.first?["class_id"] as? String == "060000" && devices.first?["class"] as? String == "Host bridge" && devices.first?["header_type"] as? Int == 0)
        #expect(doc["what_if"] != nil && doc["census_latency"] != nil && doc["pricing"] != nil)
    }

    @Test func capturedTree() throws {
        let root = NSTemporaryDirectory() + "pcitime-census-root-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/sys/kernel/tracing", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.q35 + "dmesg.txt", toPath: root + "/dmesg.txt")
        try FileManager.default.copyItem(atPath: Self.q35 + "function.snapshot", toPath: root + "/sys/kernel/tracing/snapshot")
        let r = try CLITests.pcitime("boot", "--root", root, "--no-measure")
        #expect(r.status == 0)
        #expect(r.out.contains("Boot census (measured: function tracer, the boot snapshot captured in \(root)/sys/kernel/tracing/snapshot)"))
        #expect(r.out.contains("Present functions: 1380 reads, 378 writes (measured) + 43 reads, 0 writes before the tracer"))
        // A function trace alone has no latency to price it with: said, with the two ways to get one.
        #expect(r.out.contains("\n  Priced: not here: no per-access latency for this boot. Add a function_graph trace of it (--ftrace;"))
        #expect(!r.out.contains("What if"))
    }

    @Test func noTraceFallsBackToTheModel() throws {
        let r = try CLITests.pcitime("boot", "--root", CLITests.firecracker, "--no-measure")
        #expect(r.status == 0 && !r.out.contains("Boot census (measured"))
        #expect(r.out.contains("the access counts are modelled (no boot census: see below)"))
        #expect(r.out.contains("\nBoot census: none. No boot trace here; for a measured census, add to the kernel command line `ftrace=function "))
    }

    @Test func badTraces() throws {
        let missing = try CLITests.pcitime("boot", "--dmesg", Self.q35 + "dmesg.txt", "--ftrace", "/nonexistent/trace")
        #expect(missing.status == 66 && missing.err == "pcitime: /nonexistent/trace: no such file\n")
        // The graph snapshot is a second boot: its times lie beyond this log.
        let other = try CLITests.pcitime("boot", "--dmesg", Self.q35 + "dmesg.txt", "--ftrace", Self.q35 + "function_graph.snapshot", "--no-measure")
        #expect(other.status == 65 && other.err.hasPrefix("pcitime: " + Self.q35 + "function_graph.snapshot: trace starts at ") && other.err.hasSuffix("not this boot's trace\n"))
        let empty = try CLITests.pcitime("boot", "--dmesg", Self.q35 + "dmesg.txt", "--ftrace", Self.q35 + "dmesg.txt", "--no-measure")
        #expect(empty.status == 65 && empty.err.contains("no call of pci_conf1_read"))
    }
}
