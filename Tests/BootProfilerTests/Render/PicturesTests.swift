#if canImport(Glibc)
import Glibc
#endif
import FoundationEssentials
import Testing
@testable import BootProfiler
import Enumerator

/// The pictures stay inside their canvas (rendered by rsvg-convert, checked
/// by scripts/svg-inside), keep their legends off the data, and Perfetto's
/// initcall slices nest.
@Suite struct PicturesTests {
    static let tools = access("/usr/bin/rsvg-convert", X_OK) == 0 && access("/usr/bin/python3", X_OK) == 0
    static let checker = Fixtures.root + "/scripts/svg-inside"
    static var logs: [String] {
        (FileContents.names(inDirectory: Fixtures.root + "/fixtures/logs") ?? []).filter { $0.hasSuffix(".txt") && $0 != "qemu-README.txt" }.sorted()
    }

    /// Writes each SVG and runs the checker over all of them: nil when every drawing is inside.
    static func outside(_ svgs: [(String, String)]) throws -> String? {
        var paths: [String] = []
        for (name, svg) in svgs {
            let path = Fixtures.temporary(name + ".svg")
            try OutputFile.write(svg, to: path)
            paths.append(path)
        }
        defer { for p in paths { unlink(p) } }
        // One run; the shell reports the checker's status on the last line.
        let out = try #require(Subprocess.output(["/bin/sh", "-c", "\"$0\" \"$@\"; echo \"exit $?\"", checker] + paths))
        return out.hasSuffix("exit 0\n") ? nil : out
    }

    @Test(.enabled(if: tools)) func everyBootSVGStaysInsideItsCanvas() throws {
        var svgs: [(String, String)] = []
        for name in Self.logs {
            let (profile, _) = try KernelLog.load(file: Fixtures.log(name), root: "/")
            svgs.append((name, SVGRenderer.render(profile, title: "pcitime boot: fixtures/logs/" + name)))
        }
        // With a census: the access band under the rows (every boot trace fixture).
        for f in CensusFixture.all where f.variant == "function" {
            let dir = "\(f.kernel)-\(f.topology)"
            let (profile, _) = try KernelLog.load(file: f.dmesg, root: "/")
            let run = try BootReport(profile: profile, request: BootRequest(ftrace: [f.trace]),
                                  options: MethodOptions(root: Fixtures.tree("qemu-q35")), fromFile: true)
            let census = try #require(run.census, "\(dir)")
            svgs.append(("census-" + dir, SVGRenderer.render(profile, title: "pcitime boot: fixtures/ftrace/\(dir)", census: census)))
        }
        #expect(svgs.count >= 32)
        let report = try Self.outside(svgs)
        #expect(report == nil, "\(report ?? "")")
    }

    /// The checker itself: a label past the right edge is caught.
    @Test(.enabled(if: tools)) func checkerCatchesALabelPastTheEdge() throws {
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"100\"><rect width=\"100%\" height=\"100%\" fill=\"white\"/><text x=\"180\" y=\"50\">clipped label</text></svg>\n"
        let report = try #require(try Self.outside([("past-edge", svg)]))
        #expect(report.contains("pixels outside its 200x100 canvas"))
    }

    /// Mark labels sit in lanes: in the q35-wide log "ECAM reserved" and
    /// "config mechanism" come 0.1 ms apart and used to overprint each other.
    @Test func markLabelsDoNotOverlap() throws {
        let (profile, _) = try KernelLog.load(file: Fixtures.log("qemu-q35-wide-initcall.dmesg.txt"), root: "/")
        let marks = profile.phases.filter { $0.end == nil }
        #expect(marks.count >= 3)
        let xs = marks.map { 20 + Double($0.start) / 4000 }
        let lanes = SVGRenderer.markLanes(xs, marks.map(\.name), right: 1380)
        for i in marks.indices {
            for j in marks.indices where j > i && lanes[i].lane == lanes[j].lane {
                let (a, b) = (lanes[i].x, lanes[j].x)
                let (wa, wb) = (SVGRenderer.textWidth(marks[i].name, size: 9), SVGRenderer.textWidth(marks[j].name, size: 9))
                #expect(a + wa <= b || b + wb <= a, "\(marks[i].name) and \(marks[j].name)")
            }
        }
        #expect(Set(lanes.map(\.lane)).count >= 2)
        let svg = SVGRenderer.render(profile, title: "t")
        for (name, _, _) in SVGRenderer.legend(census: false) { #expect(svg.contains(">\(SVGDocument.escape(name))</text>")) }
    }

    /// The compare legend sits above the plot's frame, so no peak runs under it.
    @Test(.enabled(if: tools)) func compareLegendIsOffThePlot() throws {
        let r = try Comparison.run(CompareRequest(methods: ["sysfs-base", "sysfs-ext"], samples: 7, warmup: 2, resamples: 50),
                                   options: MethodOptions(root: Fixtures.tree("firecracker")), timer: AccessTimer(source: .clockMonotonic))
        let svg = CompareSVG.render(r)
        func number(after key: String, in line: Substring) -> Double? {
            guard let range = line.firstRange(of: key + "=\"") else { return nil }
            return Double(line[range.upperBound...].prefix { $0 != "\"" })
        }
        let lines = svg.split(separator: "\n")
        let frame = try #require(lines.first { $0.contains("fill=\"none\" stroke=\"#888\"") })
        let plotTop = try #require(number(after: "y", in: frame))
        let legend = lines.filter { $0.contains("p50 ") && $0.contains("outliers</text>") || $0.contains("ticks under the axis") }
        #expect(legend.count == 3)
        for line in legend { #expect(try #require(number(after: "y", in: line)) < plotTop) }
        let report = try Self.outside([("compare", svg)])
        #expect(report == nil, "\(report ?? "")")
    }

    /// TCG logs: an initcall's reported "after N usecs" can pass the next
    /// initcall's start; the slices are cut there (the report kept in args),
    /// so each ends before the next begins and Perfetto nests them.
    @Test func initcallSlicesNest() throws {
        var clipped = 0
        for name in Self.logs where name.contains("initcall") {
            let (profile, _) = try KernelLog.load(file: Fixtures.log(name), root: "/")
            let slices = PerfettoRenderer.initcallSlices(profile.initcalls)
            #expect(!slices.isEmpty)
            for (a, b) in zip(slices, slices.dropFirst()) { #expect(a.start + a.duration <= b.start, "\(name): \(a.call.name)") }
            clipped += slices.filter { $0.duration < $0.call.microseconds }.count
            let json = PerfettoRenderer.render(profile)
            #expect(json.components(separatedBy: "\"reported_us\":").count - 1 == slices.filter { $0.duration < $0.call.microseconds }.count)
        }
        #expect(clipped > 0, "the TCG logs hold overrunning initcalls")
    }

    /// Every track of every log's Perfetto trace nests: a slice that starts
    /// inside another ends inside it too (what Perfetto needs to draw them).
    @Test func everyPerfettoTrackNests() throws {
        struct Trace: Decodable { var traceEvents: [Event] }
        struct Event: Decodable { var name: String; var ph: String; var ts: UInt64; var dur: UInt64?; var tid: Int }
        for name in Self.logs {
            let (profile, _) = try KernelLog.load(file: Fixtures.log(name), root: "/")
            let trace = try JSONDecoder().decode(Trace.self, from: Data(PerfettoRenderer.render(profile).utf8))
            for (tid, slices) in Dictionary(grouping: trace.traceEvents.filter { $0.ph == "X" }, by: \.tid) {
                var open: [(end: UInt64, name: String)] = []
                for e in slices.sorted(by: { ($0.ts, -Int64($0.dur ?? 0)) < ($1.ts, -Int64($1.dur ?? 0)) }) {
                    let end = e.ts + (e.dur ?? 0)
                    while let last = open.last, last.end <= e.ts { open.removeLast() }
                    if let last = open.last { #expect(end <= last.end, "\(name) track \(tid): \(e.name) overlaps \(last.name)") }
                    open.append((end, e.name))
                }
            }
        }
    }

    /// With a census, Perfetto gets a counter track of accesses per millisecond
    /// per mechanism that adds up to the census, and each device window its counts.
    @Test func censusCounterTrack() throws {
        let base = Fixtures.root + "/fixtures/ftrace/6.1/q35/function"
        let (profile, _) = try KernelLog.load(file: base + "/dmesg.txt", root: "/")
        let run = try BootReport(profile: profile, request: BootRequest(ftrace: [base + "/snapshot"]),
                              options: MethodOptions(root: Fixtures.tree("qemu-q35")), fromFile: true)
        let census = try #require(run.census)
        let trace = PerfettoRenderer.render(profile, counts: run.counts, census: census)
        struct Doc: Decodable {
            struct Event: Decodable { var name: String; var ph: String; var args: [String: JSONNumberOrString]? }
            var traceEvents: [Event]
        }
        enum JSONNumberOrString: Decodable {
            case number(Int), text(String)
            init(from d: Decoder) throws {
                let c = try d.singleValueContainer()
                if let n = try? c.decode(Int.self) { self = .number(n) } else { self = .text(try c.decode(String.self)) }
            }
        }
        let events = try JSONDecoder().decode(Doc.self, from: Data(trace.utf8)).traceEvents
        var type1 = 0, ecam = 0
        for e in events where e.ph == "C" {
            if case .number(let n)? = e.args?["type 1"] { type1 += n }
            if case .number(let n)? = e.args?["ECAM"] { ecam += n }
        }
        #expect(type1 == 9390 + 369 && ecam == 155 + 9)
        let windows = events.filter { $0.args?["census reads"] != nil }
        #expect(windows.count == 12)
    }
}
