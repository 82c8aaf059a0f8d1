import BootProfiler
import Enumerator
import Foundation
import Testing

/// A change pcitime proposes, enacted on real boots (fixtures/enact/6.1/q35,
/// made by `scripts/guest-suite --update-fixtures`; its SOURCE says how):
/// two census boots (function, function_graph), untraced boots (base-N) and
/// as many with `pci=lastbus=1`, each with its `pcitime boot --json` and kernel log.
/// The measured saving is computed here from the logs' text, not by pcitime.
@Suite struct EnactedTests {
    static let dir = Fixtures.root + "/fixtures/enact/6.1/q35/"
    /// base-1 ... base-N, as many as the suite made (5 in the fixture).
    static let boots = 1...max(1, ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix("base-") && $0.hasSuffix(".json") }.count)
    static let parameter = "pci=lastbus=1"

    static func json(_ name: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + name))) as? [String: Any])
    }

    /// The first line of TEXT holding MARKER, and its timestamp in seconds.
    static func stamped(_ text: String, _ marker: String) throws -> (line: Substring, seconds: Double) {
        let line = try #require(text.split(separator: "\n").first { $0.contains(marker) })
        return (line, try #require(Double(line.dropFirst().prefix { $0 != "]" }.trimmingCharacters(in: .whitespaces))))
    }

    /// Microseconds from LOG's first line holding OPEN to its first holding CLOSE.
    static func between(_ log: String, _ open: String, _ close: String) throws -> Double {
        let text = try String(contentsOfFile: dir + log, encoding: .utf8)
        return (try stamped(text, close).seconds - stamped(text, open).seconds) * 1e6
    }

    /// pci_subsys_init's time in a log, microseconds: its `calling` line to
    /// its `initcall ... returned` line, from their timestamps.
    static func subsysInit(_ log: String) throws -> Double {
        try between(log, "calling  pci_subsys_init+", "initcall pci_subsys_init+")
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    /// The untraced boots' median less each enacted boot's, and its median.
    static func measuredSaving() throws -> (each: [Double], median: Double) {
        let base = median(try boots.map { try subsysInit("base-\($0).dmesg.txt") })
        let each = try boots.map { base - (try subsysInit("pci_lastbus_1-\($0).dmesg.txt")) }

        return (each, median(each))
    }

    static func predicted(_ census: String) throws -> Double {
        let savings = try #require((try json(census)["prices"] as? [String: Any])?["savings"] as? [[String: Any]])
        return try #require(savings.first { $0["id"] as? String == "last_bus" }?["saved_us"] as? Double)
    }

    /// The window an untraced log gives the peer-bus probes: 'PCI: Using ACPI
    /// for IRQ routing' to 'PCI: pci_cache_line_size set', microseconds.
    static func window(_ log: String) throws -> Double {
        try between(log, "PCI: Using ACPI for IRQ routing", "PCI: pci_cache_line_size set to")
    }

    /// The census boot's peer-bus loop in its trace, microseconds: the first
    /// `pcibios_scan_specific_bus` entry to the last `pci_conf1_read` it
    /// made, read from the trace's text (function: `<-` callers;
    /// function_graph: the reads inside its `{ }` blocks).
    static func loopSpan(_ variant: String) throws -> Double {
        var first: Double?, last: Double?, inside = false
        for line in try String(contentsOfFile: dir + "census-\(variant).snapshot", encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let time: Double?, entry: Bool, probe: Bool
            if variant == "function" {
                time = line.split(separator: " ").first { $0.hasSuffix(":") }.flatMap { Double($0.dropLast()) }
                entry = line.hasSuffix("pcibios_scan_specific_bus <-pci_subsys_init")
                probe = line.hasSuffix("pci_conf1_read <-pcibios_scan_specific_bus")
            } else {
                let columns = line.split(separator: "|")
                guard let call = columns.last?.trimmingCharacters(in: .whitespaces) else { continue }
                time = Double(columns[0].trimmingCharacters(in: .whitespaces))
                entry = call.hasPrefix("pcibios_scan_specific_bus(")
                probe = inside && call == "pci_conf1_read();"
                if entry { inside = call.hasSuffix("{") } else if call == "}" { inside = false }
            }
            if entry, first == nil { first = time }
            if probe { last = time }
        }
        return (try #require(last) - (try #require(first))) * 1e6
    }

    /// Each census variant, priced with the untraced boots as baselines (the
    /// probes of absent buses at the kernel's own price, from their logs),
    /// predicts the saving the enacted boots measured, within 25%.
    @Test(arguments: ["function", "function_graph"])
    func bothVariantsPredictTheEnactedSaving(variant: String) throws {
        let (profile, _) = try KernelLog.load(file: Self.dir + "census-\(variant).dmesg.txt", root: "/")
        var request = BootRequest(ftrace: [Self.dir + "census-\(variant).snapshot"])
        request.baselines = try Self.boots.map { try Baseline.load(path: Self.dir + "base-\($0).json") }
        let run = try BootReport(profile: profile, request: request, options: MethodOptions(root: Fixtures.tree("qemu-q35")), fromFile: true)
        let saving = try #require(run.prices.savings.first { $0.id == "last_bus" })
        let predicted = try #require(saving.savedUs)
        // The census's probes at the median untraced window over the same
        // probes, less what the census boot's window held outside its loop.
        #expect(saving.accesses == 8128)
        let outside = try Self.window("census-\(variant).dmesg.txt") - Self.loopSpan(variant)
        #expect(outside > 150 && outside < 300)
        #expect(abs(predicted - (Self.median(try Self.boots.map { try Self.window("base-\($0).dmesg.txt") }) - outside)) < 0.01)
        #expect(run.book.latency(.type1, .absentBus)?.source == .kernelLog)
        let measured = try Self.measuredSaving().median
        #expect(abs(predicted / measured - 1) <= 0.25, "\(variant): predicted \(predicted) us, measured \(measured) us")
    }

    /// A stall outside the loop (here the census log's window opened 1 ms
    /// earlier, as a host stall before the first pass leaves it) is not taken
    /// for the kernel's work: the price falls back to the untraced window
    /// over the probes, an upper bound, and says why.
    @Test func aStallOutsideTheLoopIsNotTakenOut() throws {
        let text = try String(contentsOfFile: Self.dir + "census-function.dmesg.txt", encoding: .utf8)
        let (open, stamp) = try Self.stamped(text, "PCI: Using ACPI for IRQ routing")
        let log = Fixtures.temporary("stalled-census.dmesg.txt")
        defer { try? FileManager.default.removeItem(atPath: log) }
        try text.replacingOccurrences(of: String(open), with: "[" + String(format: "%12.6f", stamp - 0.001) + "] PCI: Using ACPI for IRQ routing")
            .write(toFile: log, atomically: false, encoding: .utf8)
        let (profile, _) = try KernelLog.load(file: log, root: "/")
        var request = BootRequest(ftrace: [Self.dir + "census-function.snapshot"])
        request.baselines = try Self.boots.map { try Baseline.load(path: Self.dir + "base-\($0).json") }
        let run = try BootReport(profile: profile, request: request, options: MethodOptions(root: Fixtures.tree("qemu-q35")), fromFile: true)
        let predicted = try #require(run.prices.savings.first { $0.id == "last_bus" }?.savedUs)
        #expect(abs(predicted - Self.median(try Self.boots.map { try Self.window("base-\($0).dmesg.txt") })) < 0.01)
        let price = try #require(run.book.latency(.type1, .absentBus))
        #expect(price.source == .kernelLog && price.provenance.source.contains("a stall, not taken out"))
    }

    /// `--baseline`: the census boot's prediction beside the measurement, from
    /// the untraced baselines' median and this boot's timestamps.
    @Test func baselineReportsPredictedAgainstMeasured() throws {
        let (profile, _) = try KernelLog.load(file: Self.dir + "pci_lastbus_1-1.dmesg.txt", root: "/")
        #expect(profile.commandLine?.split(separator: " ").contains(Substring(Self.parameter)) == true)
        let baselines = try (["census-function.json"] + Self.boots.map { "base-\($0).json" }).map { try Baseline.load(path: Self.dir + $0) }
        let run = try BootReport(profile: profile, request: BootRequest(), options: MethodOptions(root: Fixtures.tree("qemu-q35")), fromFile: true)
        let c = BaselineComparison.compare(profile: profile, counts: run.counts, census: nil, with: baselines)
        let e = try #require(c.enacted.first)
        #expect(c.enacted.count == 1 && e.parameter == Self.parameter && e.initcall == "pci_subsys_init")
        #expect(e.predictedUs == (try Self.predicted("census-function.json")))
        #expect(e.predictions == 1)
        let base = Self.median(try Self.boots.map { try Self.subsysInit("base-\($0).dmesg.txt") })
        #expect(abs(e.measuredUs - (base - (try Self.subsysInit("pci_lastbus_1-1.dmesg.txt")))) < 0.5)
        #expect(c.baselines == 6 && c.tracedBaselines == 1)
        // The untraced baselines' kernel boots, not the traced one's.
        let row = try #require(c.rows.first { $0.what == "kernel boot" })
        #expect(row.baseline.count == 5)
    }
}
