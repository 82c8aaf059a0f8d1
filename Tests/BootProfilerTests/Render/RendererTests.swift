import BootProfiler
import Enumerator
import Foundation
import Testing

@Suite struct RendererTests {
    static func profile() throws -> BootProfile { try KernelLog.profile(path: Fixtures.log("firecracker.dmesg.txt")) }

    /// The Chrome trace-event format as ui.perfetto.dev reads it.
    @Test func perfettoJSONHasTheTraceEventStructure() throws {
        let p = try Self.profile()
        let text = PerfettoRenderer.render(p)
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        let events = try #require(object?["traceEvents"] as? [[String: Any]])
        #expect(object?["displayTimeUnit"] as? String == "ms")
        for e in events {
            let ph = try #require(e["ph"] as? String)
            #expect(["X", "i", "M"].contains(ph))
            #expect(e["name"] is String && e["pid"] is Int && e["tid"] is Int && e["ts"] is Int)
            if ph == "X" { #expect((e["dur"] as? Int).map { $0 >= 0 } == true) }
            if ph == "i" { #expect(e["s"] as? String == "g") }
        }
        let devices = events.filter { $0["cat"] as? String == "device" }
        #expect(devices.count == 6)
        #expect(devices.first?["ts"] as? Int == 297795 && devices.first?["dur"] as? Int == 1187)
        let scan = events.first { $0["cat"] as? String == "scan" }
        #expect(scan?["ts"] as? Int == 297445 && scan?["dur"] as? Int == 13623)
        #expect(events.filter { $0["ph"] as? String == "M" }.count == 5)
    }

    /// Renders the SVG with librsvg, as a browser would.
    @Test func svgRendersWithRsvg() throws {
        let svg = SVGRenderer.render(try Self.profile(), title: "firecracker <test> & co")
        let input = Fixtures.temporary("boot.svg"), output = Fixtures.temporary("boot.png")
        try svg.write(toFile: input, atomically: true, encoding: .utf8)
        try? FileManager.default.removeItem(atPath: output)
        #expect(try Subprocess.run(["/usr/bin/rsvg-convert", "-o", output, input]) == 0)
        let png = try #require(FileManager.default.contents(atPath: output))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(svg.contains("&lt;test&gt; &amp; co"))
    }

    @Test func tableSaysWhereNumbersComeFrom() throws {
        let p = try Self.profile()
        let t = TableRenderer.render(source: "fixture", profile: p, prices: nil, counts: nil, tracing: nil)
        #expect(t.contains("Phases (measured: kernel log timestamps)"))
        #expect(t.contains("PCI scan             297.445      13.623   2.9%"))
        #expect(t.contains("0000:00:05.0 1af4:1044 00   ffff00  306.867    4.201*"))
        #expect(t.contains("1 without a timestamp"))
    }
}
