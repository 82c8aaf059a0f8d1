import Testing
@testable import Enumerator

/// `scan --openmetrics` and `boot --openmetrics`: exact values from the
/// captures, and every output accepted by `promtool check metrics`.
@Suite struct OpenMetricsTests {
    static let trees = ["firecracker", "qemu-microvm", "qemu-pc", "qemu-q35", "qemu-q35-wide"]
    static let promtool: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileContents.bytes($0) != nil }

    /// Runs `pcitime ARGS | promtool check metrics`; nil when promtool is absent.
    static func promtoolCheck(_ args: [String]) throws -> CLITests.Run? {
        guard let promtool else { return nil }
        let quoted = args.map { "'\($0)'" }.joined(separator: " ")
        return try CLITests.run("/bin/bash", ["-c", "set -o pipefail; '\(CLITests.binary)' \(quoted) | '\(promtool)' check metrics"])
    }

    static func lines(_ text: String, _ prefix: String) -> [String] {
        text.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    @Test func scanValuesOfTheFirecrackerCapture() throws {
        let r = try CLITests.pcitime("scan", "--root", Fixtures.tree("firecracker"), "--openmetrics")
        #expect(r.status == 0)
        #expect(r.out.hasSuffix("\n# EOF\n"))
        #expect(Self.lines(r.out, "pcitime_scan_functions") == ["pcitime_scan_functions{method=\"sysfs\"} 6"])
        #expect(Self.lines(r.out, "pcitime_scan_reads{").map { $0.split(separator: " ").last! } == ["17", "22", "22", "22", "22", "22"])
        #expect(Self.lines(r.out, "pcitime_scan_reads{")[3] == "pcitime_scan_reads{method=\"sysfs\",bdf=\"0000:00:03.0\",vendor_id=\"1af4\",device_id=\"1041\",class_id=\"020000\"} 22")
        #expect(Self.lines(r.out, "pcitime_scan_access_latency_seconds_count{").map { $0.split(separator: " ").last! } == ["17", "22", "22", "22", "22", "22"])
        #expect(Self.lines(r.out, "pcitime_scan_access_latency_seconds{").count == 6 * 5)
        #expect(r.out.contains("# TYPE pcitime_scan_access_latency_seconds summary\n# UNIT pcitime_scan_access_latency_seconds seconds\n"))
    }

    @Test func bootValuesOfTheQ35Capture() throws {
        let r = try CLITests.pcitime("boot", "--root", Fixtures.tree("qemu-q35"), "--openmetrics")
        #expect(r.status == 0)
        let k = "kernel=\"6.1.0-56-cloud-amd64\""
        #expect(Self.lines(r.out, "pcitime_boot_kernel_seconds{") == ["pcitime_boot_kernel_seconds{\(k),basis=\"measured\"} 2.711814"])
        #expect(Self.lines(r.out, "pcitime_boot_pci_enumeration_seconds{") == ["pcitime_boot_pci_enumeration_seconds{\(k),basis=\"measured\"} 0.104286"])
        #expect(Self.lines(r.out, "pcitime_boot_config_accesses{") == [
            "pcitime_boot_config_accesses{\(k),mechanism=\"type1\",basis=\"modelled\"} 9757",
            "pcitime_boot_config_accesses{\(k),mechanism=\"ecam\",basis=\"modelled\"} 164",
        ])
        #expect(Self.lines(r.out, "pcitime_boot_saving_accesses{") == ["pcitime_boot_saving_accesses{\(k),change=\"last_bus\",basis=\"modelled\"} 8128",
                                                                      "pcitime_boot_saving_accesses{\(k),change=\"smaller_mcfg\",basis=\"modelled\"} 8128"])
        // The capture's log prices the probes of absent buses: its window from
        // 'Using ACPI for IRQ routing' (0.823270) to 'pci_cache_line_size set' (0.826082).
        #expect(Self.lines(r.out, "pcitime_boot_saving_seconds{") == ["pcitime_boot_saving_seconds{\(k),change=\"last_bus\",basis=\"modelled\"} 0.002812",
                                                                     "pcitime_boot_saving_seconds{\(k),change=\"smaller_mcfg\",basis=\"modelled\"} 0.002812"])
        #expect(Self.lines(r.out, "pcitime_boot_config_access_latency_seconds{").map { String($0.split(separator: "}")[0]) } == [
            "pcitime_boot_config_access_latency_seconds{\(k),mechanism=\"type1\",probe=\"absent_bus\",source=\"kernel_log\",basis=\"measured\""])
        #expect(!r.out.contains("pcitime_boot_census_"))
    }

    /// With the q35 boot census (fixtures/ftrace/6.1/q35): its measured counts,
    /// the modelled early part, and the accesses each change affects.
    @Test func bootCensusValuesOfTheQ35Trace() throws {
        let dir = Fixtures.census("6.1", "q35")
        let args = ["boot", "--dmesg", dir + "dmesg.txt", "--ftrace", dir + "snapshot", "--ftrace", dir + "../function_graph/snapshot",
                    "--openmetrics", "--no-measure"]
        let r = try CLITests.pcitime(args)
        #expect(r.status == 0, "\(r.err)")
        let k = "kernel=\"6.1.0-57-cloud-amd64\""
        let m = "basis=\"measured\""
        #expect(Self.lines(r.out, "pcitime_boot_census_accesses{") == [
            "pcitime_boot_census_accesses{\(k),mechanism=\"type1\",op=\"read\",\(m)} 9390",
            "pcitime_boot_census_accesses{\(k),mechanism=\"type1\",op=\"write\",\(m)} 369",
            "pcitime_boot_census_accesses{\(k),mechanism=\"ecam\",op=\"read\",\(m)} 155",
            "pcitime_boot_census_accesses{\(k),mechanism=\"ecam\",op=\"write\",\(m)} 9",
        ])
        #expect(Self.lines(r.out, "pcitime_boot_census_reason_accesses{\(k),reason=\"peer_bus\"") == [
            "pcitime_boot_census_reason_accesses{\(k),reason=\"peer_bus\",op=\"read\",\(m)} 8128",
            "pcitime_boot_census_reason_accesses{\(k),reason=\"peer_bus\",op=\"write\",\(m)} 0",
        ])
        #expect(Self.lines(r.out, "pcitime_boot_census_reason_accesses{\(k),reason=\"bar_sizing\",op=\"write\"") == [
            "pcitime_boot_census_reason_accesses{\(k),reason=\"bar_sizing\",op=\"write\",\(m)} 294"])
        #expect(Self.lines(r.out, "pcitime_boot_census_present_accesses{") == [
            "pcitime_boot_census_present_accesses{\(k),op=\"read\",\(m)} 1380", "pcitime_boot_census_present_accesses{\(k),op=\"write\",\(m)} 378"])
        // The trace has no arguments: the empty-slot part of the empty reads is modelled.
        #expect(Self.lines(r.out, "pcitime_boot_census_empty_reads{") == ["pcitime_boot_census_empty_reads{\(k),basis=\"modelled\"} 8165"])
        #expect(Self.lines(r.out, "pcitime_boot_census_peer_bus_probes{") == ["pcitime_boot_census_peer_bus_probes{\(k),\(m)} 8128"])
        #expect(Self.lines(r.out, "pcitime_boot_census_lost_entries{") == ["pcitime_boot_census_lost_entries{\(k),\(m)} 0"])
        #expect(Self.lines(r.out, "pcitime_boot_census_before_tracing_accesses{") == [
            "pcitime_boot_census_before_tracing_accesses{\(k),op=\"read\",basis=\"modelled\"} 43",
            "pcitime_boot_census_before_tracing_accesses{\(k),op=\"write\",basis=\"modelled\"} 0"])
        #expect(Self.lines(r.out, "pcitime_boot_census_device_accesses{\(k),bdf=\"0000:00:00.0\"") == [
            "pcitime_boot_census_device_accesses{\(k),bdf=\"0000:00:00.0\",attribution=\"by_marker_functions\",op=\"read\",\(m)} 40",
            "pcitime_boot_census_device_accesses{\(k),bdf=\"0000:00:00.0\",attribution=\"by_marker_functions\",op=\"write\",\(m)} 16"])
        #expect(Self.lines(r.out, "pcitime_boot_census_device_before_tracing_reads{\(k),bdf=\"0000:00:00.0\"") == [
            "pcitime_boot_census_device_before_tracing_reads{\(k),bdf=\"0000:00:00.0\",basis=\"modelled\"} 4"])
        // No latency but the boot trace's, which carries the tracer's cost: no
        // saving is priced; the accesses each change affects still are.
        #expect(Self.lines(r.out, "pcitime_boot_saving_seconds{").isEmpty)
        #expect(Self.lines(r.out, "pcitime_boot_saving_accesses{").map { String($0.split(separator: "{")[1]) } == [
            "\(k),change=\"last_bus\",\(m)} 8128", "\(k),change=\"smaller_mcfg\",\(m)} 8128", "\(k),change=\"skip_known_answer_writes\",\(m)} 307"])
        if let check = try Self.promtoolCheck(args) { #expect(check.status == 0, "\(check.out)\(check.err)") }
    }

    /// With latencies (given for type 1 and ECAM), the costs and savings in
    /// seconds appear too.
    @Test func bootWithLatenciesHasCostsAndSavings() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        try OutputFile.write(#"{"latencies": [{"mechanism": "type 1", "nanoseconds": 16700}, {"mechanism": "ECAM", "nanoseconds": 10300}]}"#, to: dir + "/latency.json")
        let args = ["boot", "--root", Fixtures.tree("qemu-q35"), "--latency", dir + "/latency.json", "--openmetrics"]
        let r = try CLITests.pcitime(args)
        #expect(r.status == 0, "\(r.err)")
        // The two given, and the kernel log's price of a probe of an absent bus.
        #expect(Self.lines(r.out, "pcitime_boot_config_access_latency_seconds{").count == 3)
        #expect(Self.lines(r.out, "pcitime_boot_config_access_cost_seconds{").count == 3)
        #expect(Self.lines(r.out, "pcitime_boot_saving_seconds{").map { String($0.split(separator: ",")[1]) } == [
            "change=\"last_bus\"", "change=\"smaller_mcfg\"", "change=\"all_ecam\"", "change=\"read_only_ecam\"",
        ])
        if let check = try Self.promtoolCheck(args) { #expect(check.status == 0, "\(check.out)\(check.err)") }
    }

    @Test(arguments: trees) func promtoolAcceptsEveryCapture(_ tree: String) throws {
        guard Self.promtool != nil else {
            print("skipped: promtool is not installed (Debian: prometheus)")
            return
        }
        for args in [["scan", "--root", Fixtures.tree(tree), "--openmetrics"], ["boot", "--root", Fixtures.tree(tree), "--openmetrics"]] {
            let r = try #require(try Self.promtoolCheck(args))
            #expect(r.status == 0, "\(args): \(r.out)\(r.err)")
        }
    }

    /// This machine: the scan and the boot with its measured latencies.
    @Test func promtoolAcceptsLiveRuns() throws {
        guard Self.promtool != nil else {
            print("skipped: promtool is not installed (Debian: prometheus)")
            return
        }
        for args in [["scan", "--openmetrics"], ["boot", "--openmetrics"]] {
            let r = try #require(try Self.promtoolCheck(args))
            #expect(r.status == 0, "\(args): \(r.out)\(r.err)")
        }
    }

    /// The strict OpenMetrics 1.0 parser (prometheus_client's, Debian
    /// python3-prometheus-client) on the same outputs: promtool reads the
    /// older text format, this one the OpenMetrics grammar (UNIT, EOF, names).
    @Test(arguments: trees) func openMetricsParserAcceptsEveryCapture(_ tree: String) throws {
        let check = "import sys; from prometheus_client.openmetrics.parser import text_string_to_metric_families as p; list(p(sys.stdin.read()))"
        guard (try? CLITests.run("/usr/bin/python3", ["-c", "import prometheus_client"]))?.status == 0 else {
            print("skipped: no python3 prometheus_client (Debian: python3-prometheus-client)")
            return
        }
        for command in ["scan", "boot"] {
            let script = "set -o pipefail; '\(CLITests.binary)' \(command) --root '\(Fixtures.tree(tree))' --openmetrics | /usr/bin/python3 -c '\(check)'"
            let r = try CLITests.run("/bin/bash", ["-c", script])
            #expect(r.status == 0, "\(command) \(tree): \(r.err)")
        }
    }

    @Test func escapingAndNumbers() {
        var m = OpenMetrics()
        m.family("x_seconds", .gauge, unit: "seconds", help: "a \\ b\nc", [.init([("l", "q\"\\\n")], 0.5), .init([], 3)])
        #expect(m.document == "# HELP x_seconds a \\\\ b\\nc\n# TYPE x_seconds gauge\n# UNIT x_seconds seconds\nx_seconds{l=\"q\\\"\\\\\\n\"} 0.5\nx_seconds 3\n# EOF\n")
    }
}
