import Foundation
import Testing
@testable import BootProfiler
@testable import Enumerator

/// `pcitime compare`: the statistics on fixed data (exact values), the
/// interleaving, the renderers, the projection's arithmetic, the reasons a
/// method is left out, and end-to-end runs on the Firecracker capture.
/// Timing never decides a result here: only structure and counts do.
@Suite struct CompareTests {
    // MARK: PRNG and bootstrap

    @Test func splitMix64MatchesTheReferenceSequence() {
        // Vigna's splitmix64.c from x = 0, computed independently (Python).
        var g = SplitMix64(seed: 0)
        #expect(g.next() == 0xd5a9_a293_8991_eeba)
        #expect(g.next() == 0x4b99_0704_4087_a973)
        #expect(g.next() == 0xc2f4_5734_40a9_56c0)
    }

    @Test func nearestRankPercentiles() {
        #expect(Bootstrap.nearestRank([1, 2, 3, 4], 50) == 2)
        #expect(Bootstrap.nearestRank([1, 2, 3, 4, 5], 50) == 3)
        #expect(Bootstrap.nearestRank(Array(1...100), 99) == 99)
        #expect(Bootstrap.nearestRank(Array(1...100), 100) == 100)
        #expect(Bootstrap.nearestRank([7], 2.5) == 7)
    }

    static let baseline: [UInt64] = [13100, 13050, 13200, 12900, 13150, 13000, 13300, 25000, 13100, 13050, 12950, 13250]
    static let other: [UInt64] = [9300, 9250, 9400, 9200, 9350, 9300, 9280, 9500, 40000, 9320, 9270, 9310]

    @Test func bootstrapIntervalIsExactForASeed() {
        let c = Bootstrap.compareMedians(baseline: Self.baseline, other: Self.other, resamples: 1000, seed: 42)
        // 12 samples: the nearest-rank median is the 6th smallest.
        #expect(c.baselineMedian == 13100)
        #expect(c.otherMedian == 9300)
        #expect(c.ratio == 9300.0 / 13100.0)
        #expect(c.difference == 3800)
        // Golden values for seed 42 (SplitMix64, Lemire index, nearest rank):
        // each end is a ratio or difference of two of the samples.
        #expect(c.ratioLow == 9300.0 / 13200.0)
        #expect(c.ratioHigh == 9320.0 / 13000.0)
        #expect(c.differenceLow == 3690)
        #expect(c.differenceHigh == 3900)
        #expect(c.ratioLow <= c.ratio && c.ratio <= c.ratioHigh)
        #expect(c.differenceLow <= c.difference && c.difference <= c.differenceHigh)
        // Same seed, same interval; another seed may differ.
        #expect(Bootstrap.compareMedians(baseline: Self.baseline, other: Self.other, resamples: 1000, seed: 42) == c)
    }

    @Test func bootstrapOfIdenticalSetsIsOne() {
        let c = Bootstrap.compareMedians(baseline: Self.baseline, other: Self.baseline, resamples: 200, seed: 1)
        #expect(c.ratio == 1)
        #expect(c.ratioLow < 1 && c.ratioHigh > 1)
    }

    // MARK: Method of measurement

    @Test func roundsAlternateTheOrder() {
        #expect((0..<4).map { Comparison.interleavedOrder(round: $0, methods: 2) } == [[0, 1], [1, 0], [0, 1], [1, 0]])
        #expect((0..<2).map { Comparison.interleavedOrder(round: $0, methods: 3) } == [[0, 1, 2], [2, 1, 0]])
    }

    @Test func extendedWindowShiftsTheHeaderOffsets() {
        let header = Comparison.defaultOffsets(width: .dword)
        #expect(header == Array(stride(from: 0, through: 0x3c, by: 4)))
        #expect(Comparison.defaultOffsets(width: .word).count == 32)
        #expect(Comparison.offsets(header, in: 256..<4096) == Array(stride(from: 0x100, through: 0x13c, by: 4)))
        #expect(Comparison.offsets(header, in: 0..<256) == header)
        #expect(Comparison.offsets([0x100, 0x104], in: 256..<4096) == [0x100, 0x104])
        #expect(Comparison.offsetRange(header, .dword) == "0x00-0x3f")
        #expect(Comparison.offsetRange([0x100, 0x13c], .dword) == "0x100-0x13f")
    }

    @Test func summaryKeepsAndCountsOutliers() {
        let s = LatencySummary(sorted: Self.baseline.sorted())
        #expect(s.count == 12 && s.min == 12900 && s.max == 25000)
        #expect(s.p50 == 13100 && s.p90 == 13300 && s.p99 == 25000)
        // Q1 13000 (3rd), Q3 13200 (9th): fence 13200 + 3 * 200.
        #expect(s.outlierFence == 13800)
        #expect(s.outliers == 1)
    }

    // MARK: Renderers

    @Test func logAxisEdgesAreOnTheDecadeGrid() {
        let axis = LogAxis(min: 1000, max: 9999, perDecade: 10)
        #expect(axis.firstBin == 30 && axis.bins == 10)
        #expect(axis.edge(0) == 1000)
        #expect(axis.bin(of: 1000) == 0)
        #expect(axis.bin(of: 1258) == 0)
        #expect(axis.bin(of: 1259) == 1)
        #expect(axis.bin(of: 9999) == 9)
        #expect(axis.bin(of: 5000) == 6)  // 10^3.6 = 3981 <= 5000 < 10^3.7 = 5012
        #expect(axis.counts([1000, 1100, 5000, 9999]) == [2, 0, 0, 0, 0, 0, 1, 0, 0, 1])
    }

    @Test func terminalHistogramOnFixedData() {
        let a: [UInt64] = [1000, 1000, 1000, 1100, 1300, 5000]
        let b: [UInt64] = [1300, 1300, 1600]
        let text = TextHistogram.render([("a", a), ("b", b)], axis: LogAxis(min: 1000, max: 5000, perDecade: 10), width: 8, minShare: 0.2)
        let expected = """
        shared log axis, 10 bins per decade (each 25.9% wide); a bar is the share of the method's samples in the bin, scaled to the largest bin of any method; ┆ rows fold bins under 20.0% for every method and give their total

        a (6 samples)
          1.00us-1.26us ┤████████       4  66.7%
          1.26us-1.58us ┤██             1  16.7%
          1.58us-2.00us ┤               0     0%
          2.00us-5.01us ┆(4 bins folded)       1  16.7%

        b (3 samples)
          1.00us-1.26us ┤               0     0%
          1.26us-1.58us ┤████████       2  66.7%
          1.58us-2.00us ┤████           1  33.3%
          2.00us-5.01us ┆(4 bins folded)       0     0%

        """
        #expect(text == expected)
    }

    @Test func barsUseEighthBlocksAndNeverHideASample() {
        #expect(TextHistogram.bar(1, width: 4) == "████")
        #expect(TextHistogram.bar(0.5, width: 4) == "██")
        #expect(TextHistogram.bar(1.0 / 32, width: 4) == "▏")
        #expect(TextHistogram.bar(0.0001, width: 4) == "▏")
        #expect(TextHistogram.bar(0, width: 4) == "")
    }

    // MARK: Projection

    @Test func projectionArithmetic() {
        let c = Bootstrap.MedianComparison(baselineMedian: 13100, otherMedian: 9300, ratio: 9300.0 / 13100, ratioLow: 0.7, ratioHigh: 0.72,
                                           difference: 3800, differenceLow: 3700, differenceHigh: 3900, confidence: 0.95, resamples: 1000, seed: 1)
        let p = Projection(accesses: 1000, accessesBasis: Provenance(.given, "--accesses"), accessKind: "config accesses",
                           from: ("pio", "type 1"), to: ("ecam", "ECAM"), comparison: c,
                           kernelBootMicroseconds: 380_000, kernelBootBasis: Provenance(.measured, "kernel log"))
        #expect(p.fromMilliseconds == 13.1)
        #expect(p.toMilliseconds == 9.3)
        #expect(abs(p.savedMilliseconds - 3.8) < 1e-12)
        #expect(abs(p.savedLow - 3.7) < 1e-12 && abs(p.savedHigh - 3.9) < 1e-12)
        #expect(p.kernelBootMilliseconds == 380)
        #expect(abs(p.share! - 0.01) < 1e-12)
        let text = CompareTable.projectionText(p)
        #expect(text.hasPrefix("  the kernel's 1000 config accesses at 13.1us (type 1) take 13.1 ms; at 9.30us (ECAM) 9.30 ms: 3.80 ms saved (95% CI 3.70 ms-3.90 ms), 1.0% of the kernel boot (380.0 ms)\n"))
        #expect(text.contains("accesses: given: --accesses"))
        #expect(text.contains("kernel boot: measured: kernel log"))
        let unknown = Projection(accesses: 10, accessesBasis: Provenance(.modelled, "model"), accessKind: "accesses",
                                 from: ("a", "x"), to: ("b", "y"), comparison: c, kernelBootMicroseconds: nil, kernelBootBasis: nil)
        #expect(unknown.share == nil && unknown.kernelBootMilliseconds == nil)
    }

    // MARK: Methods that cannot take part

    static let firecracker = MethodOptions(root: Fixtures.tree("firecracker"))

    @Test func everyUnavailableMethodIsNamedWithItsReason() throws {
        do {
            _ = try Comparison.run(CompareRequest(methods: ["pio", "mmio"], samples: 2, warmup: 0), options: Self.firecracker,
                                   timer: AccessTimer(source: .clockMonotonic))
            Issue.record("expected the comparison to fail")
        } catch let e as PCITimeError {
            #expect(e.exitCode == 69)
            let lines = e.description.split(separator: "\n").map(String.init)
            #expect(lines[0] == "compare pio mmio: needs two methods that work here; 0 of 2 do:")
            #expect(lines[1] == "  pio: --method pio reaches hardware and cannot read a captured tree; use --method sysfs with --root")
            #expect(lines[2] == "  mmio (ecam): --method mmio reaches hardware and cannot read a captured tree; use --method sysfs with --root")
        }
    }

    @Test func aMethodWithNoReadableFunctionIsLeftOut() throws {
        do {
            _ = try Comparison.run(CompareRequest(methods: ["sysfs", "sysfs-ext"], slot: "00:03.0", samples: 2, warmup: 0),
                                   options: Self.firecracker, timer: AccessTimer(source: .clockMonotonic))
            Issue.record("expected the comparison to fail")
        } catch let e as PCITimeError {
            #expect(e.exitCode == 69)
            #expect(e.description.contains("1 of 2 do (sysfs):"))
            #expect(e.description.contains("  sysfs-ext: no function can be read at 0x100-0x13f through sysfs-ext (the config file gives 256 bytes, the registers are 0x100-0x13f)"))
        }
    }

    @Test func badRequestsAreUsageErrors() {
        #expect(throws: PCITimeError.usage("compare needs at least two methods, e.g. 'pcitime compare pio mmio' (see 'pcitime methods')")) {
            try Comparison.run(CompareRequest(methods: ["sysfs"]), options: Self.firecracker)
        }
        #expect(throws: PCITimeError.usage("--offsets: 002 is outside 0x000-0xfff or not aligned to --width 4")) {
            try Comparison.run(CompareRequest(methods: ["sysfs", "sysfs-base"], offsets: [2]), options: Self.firecracker)
        }
    }

    // MARK: End to end on the Firecracker capture (regular files: structure and counts only)

    @Test func sysfsBaseAgainstSysfsExtOnTheCapture() throws {
        var log = BootProfile()
        log.mechanism = MechanismChoice(base: .type1, extended: .ecam, time: 0, detail: "test")
        let r = try Comparison.run(CompareRequest(methods: ["sysfs-base", "sysfs-ext"], samples: 7, warmup: 2, resamples: 50, kernelLog: log),
                                   options: Self.firecracker, timer: AccessTimer(source: .clockMonotonic))
        #expect(r.functions.map(\.short) == ["00:00.0"])
        #expect(r.runs.map(\.requested) == ["sysfs-base", "sysfs-ext"])
        #expect(r.runs.map(\.name) == ["sysfs-base", "sysfs-ext"])
        #expect(r.runs[0].offsets == Array(stride(from: 0, through: 0x3c, by: 4)))
        #expect(r.runs[1].offsets == Array(stride(from: 0x100, through: 0x13c, by: 4)))
        for run in r.runs {
            #expect(run.samples.count == 16 * 7)
            #expect(run.stats.count == 16 * 7)
            #expect(run.histogram.totalCount == 16 * 7)
            #expect(run.measuredReads == 112 && run.warmupReads == 32)
            #expect(run.failures == 0 && run.valueChanges == 0)
            #expect(Set(run.sampleRound) == Set(0..<7))
            #expect(run.perFunction.map(\.address.short) == ["00:00.0"])
        }
        // The capture's host bridge: vendor:device 8086:0d57 at 0x00, zeros at 0x100.
        #expect(r.runs[0].firstValues[0] == 0x0d57_8086)
        #expect(Set(r.runs[1].firstValues) == [0])
        #expect(r.runs[0].mechanism == "type 1 via sysfs" && r.runs[1].mechanism == "ECAM via sysfs")
        #expect(r.excluded.filter { $0.method == "sysfs-ext" }.map(\.address.short) == ["00:01.0", "00:02.0", "00:03.0", "00:04.0", "00:05.0"])
        #expect(r.registersDiffer)
        #expect(r.comparisons.count == 1 && r.comparisons[0].resamples == 50)
        #expect(r.notes.contains("the registers differ by necessity: sysfs-base reads 0x00-0x3f, sysfs-ext reads 0x100-0x13f; same functions, same width, same count"))
        #expect(r.notes.contains { $0.hasPrefix("--root ") && $0.contains("not config accesses") })

        let text = CompareTable.render(r)
        #expect(text.hasPrefix("compare sysfs-base vs sysfs-ext: 1 function (00:00.0), 4-byte reads\n"))
        #expect(text.contains("left out: 00:01.0 00:02.0 00:03.0 00:04.0 00:05.0 (sysfs-ext: the config file gives 256 bytes, the registers are 0x100-0x13f)"))
        #expect(text.contains("p50 ratio sysfs-ext / sysfs-base (measured): "))
        #expect(text.contains("\nsysfs-base (112 samples)\n") && text.contains("\nsysfs-ext (112 samples)\n"))
        let svg = CompareSVG.render(r)
        #expect(svg.hasPrefix("<svg ") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polygon ").count == 3)
    }

    @Test func interleavingTouchesEveryMethodEveryRound() throws {
        let r = try Comparison.run(CompareRequest(methods: ["sysfs", "sysfs-base", "libpci:linux-sysfs"], slot: "00:03", samples: 3, warmup: 1, resamples: 10),
                                   options: Self.firecracker, timer: AccessTimer(source: .clockMonotonic))
        #expect(r.functions.map(\.short) == ["00:03.0"])
        for run in r.runs {
            #expect(run.sampleRound == (0..<3).flatMap { Array(repeating: $0, count: 16) })
            #expect(run.sampleRegister == Array((0..<3).map { _ in Array(0..<16) }.joined()))
        }
    }
}
