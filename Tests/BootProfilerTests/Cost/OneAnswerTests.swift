import BootProfiler
import Enumerator
import Foundation
import Testing

/// One set of inputs, one answer: the census boot of fixtures/enact/6.1/q35
/// priced with the latencies an untraced boot of the same machine measured
/// (base-1.json, its `pcitime boot --json`, given as --latency), rendered as text,
/// --summary, JSON and OpenMetrics: every output gives each change the same saving.
@Suite struct OneAnswerTests {
    static func run() throws -> (BootProfile, BootReport) {
        let d = EnactedTests.dir
        let (profile, _) = try KernelLog.load(file: d + "census-function.dmesg.txt", root: "/")
        let request = BootRequest(latencyFiles: [d + "base-1.json"], ftrace: [d + "census-function.snapshot"])
        return (profile, try BootReport(profile: profile, request: request, options: MethodOptions(root: Fixtures.tree("qemu-q35")), fromFile: true))
    }

    @Test func everyOutputGivesOneSavingPerChange() throws {
        let (profile, run) = try Self.run()
        // JSON: the reference the others are held to.
        let doc = try JSONOutput.encode(BootJSON(source: "test", profile: profile, run: run), keys: .snakeCase)
        let object = try #require(JSONSerialization.jsonObject(with: Data(doc.utf8)) as? [String: Any])
        let rows = try #require((object["prices"] as? [String: Any])?["savings"] as? [[String: Any]])
        var json: [String: Double] = [:]
        for r in rows { if let id = r["id"] as? String, let us = r["saved_us"] as? Double { json[id] = us } }
        #expect(Set(json.keys) == ["last_bus", "smaller_mcfg", "all_ecam", "read_only_ecam", "skip_known_answer_writes", "combined"])
        #expect(rows.count == json.count)

        // The saving of pci=lastbus: the census's peer-bus probes at the
        // given price of a probe of an absent bus (a given file ranks first).
        let peer = 8128   // the raw trace's: grep -c '<-pcibios_scan_specific_bus' census-function.snapshot
        let base = try #require(try EnactedTests.json("base-1.json")["latencies"] as? [[String: Any]])
        let absent = try #require(base.first { $0["probe"] as? String == "absent bus" && $0["mechanism"] as? String == "type 1" && $0["chosen"] as? Bool == true }?["latency_ns"] as? Double)
        #expect(json["last_bus"] == Double(peer) * absent / 1000)

        // OpenMetrics: the same values, in seconds.
        let metrics = BootMetrics.render(profile: profile, counts: run.counts, prices: run.prices, census: run.census)
        var om: [String: Double] = [:]
        for line in metrics.split(separator: "\n") where line.hasPrefix("pcitime_boot_saving_seconds{") {
            let id = try #require(line.split(separator: "change=\"").last?.split(separator: "\"").first)
            // Through a let: assigned to the subscript, #require would take Double? and pass nil.
            let seconds: Double = try #require(line.split(separator: " ").last.flatMap { Double($0) })
            om[String(id)] = seconds
        }
        #expect(om.count == json.count)
        for (id, us) in json { #expect(abs((om[id] ?? .nan) * 1e6 - us) < 1e-6, "\(id)") }

        // Text: one Savings table, each row at the table's precision.
        let text = TableRenderer.render(source: "test", profile: profile, prices: run.prices, counts: run.counts, tracing: nil)
            + (run.census.map { CensusTable.render($0, prices: run.prices, profile: profile) } ?? "")
        let table = try #require(text.components(separatedBy: "  Savings (").dropFirst().first)
        for (id, us) in json {
            let row = try #require(table.split(separator: "\n").first { $0.split(separator: " ").first.map(String.init) == id })
            #expect(row.split(separator: " ")[2] == Substring(Format.ms(us)), "\(id): \(row)")
        }
        #expect(text.components(separatedBy: "  Savings (").count == 2)
        #expect(!text.contains("What if"))

        // --summary: the largest single change, the same figure.
        let summary = BootSummary.line(profile: profile, prices: run.prices, counts: run.counts)
        let best = try #require(json.filter { $0.key != "combined" }.max { $0.value < $1.value })
        #expect(summary.contains("saving available: \(Format.ms(best.value)) ms"))
    }

    /// No class of access is priced at another class's latency.
    @Test func emptyProbesArePricedAsEmptyProbes() throws {
        let (_, run) = try Self.run()
        for c in run.prices.costs { #expect(c.latency == nil || c.latency?.probe == c.probe, "\(c.what)") }
        #expect(run.prices.costs.contains { $0.probe == .empty && $0.latency != nil })
    }
}
