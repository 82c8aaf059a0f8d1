import Histogram
import Testing
@testable import Enumerator

/// `valuesAtPercentiles` against the library's own `valueAtPercentile`, on
/// the latencies of a real scan and on shapes that reach its edges.
@Suite struct HistogramPercentilesTests {
    static let percentiles: [Double] = [0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100]

    func expectSameAsLibrary(_ h: Histogram<UInt32>, _ what: String) {
        let ours = h.valuesAtPercentiles(Self.percentiles)
        let library = Self.percentiles.map { h.valueAtPercentile($0) }
        #expect(ours == library, "\(what)")
        // Any order, repeats included.
        #expect(h.valuesAtPercentiles([99, 50, 99, 0]) == [99, 50, 99, 0].map { h.valueAtPercentile($0) }, "\(what)")
    }

    @Test func latenciesOfARealScan() throws {
        let report = try Scanner.scan(method: "sysfs", options: MethodOptions(root: Fixtures.tree("qemu-q35-wide")),
                                      brute: false, passes: 3, timer: AccessTimer(source: .clockMonotonic), kernelView: false)
        #expect(report.walk.functions.count > 40)
        for (address, stats) in report.stats { expectSameAsLibrary(stats.latency, address.description) }
    }

    @Test func edges() {
        var empty = Histogram<UInt32>(numberOfSignificantValueDigits: .two)
        expectSameAsLibrary(empty, "empty")
        empty.record(7)
        expectSameAsLibrary(empty, "one value")
        var wide = Histogram<UInt32>(numberOfSignificantValueDigits: .two)
        for v in stride(from: UInt64(1), to: 5_000_000, by: 997) { wide.record(v) }
        for _ in 0..<1000 { wide.record(400) }
        expectSameAsLibrary(wide, "wide with a spike")
        var three = Histogram<UInt32>(numberOfSignificantValueDigits: .three)
        for v: UInt64 in [16_400, 16_400, 17_000, 1_000_000] { three.record(v) }
        expectSameAsLibrary(three, "three digits, four values")
    }
}
