import Histogram

extension Histogram {
    /// `valueAtPercentile` for several percentiles in one walk of the recorded
    /// values, with the library's own rounding: each call of that walks the
    /// counts from the start, and three per function were a third of a large
    /// tree's `scan --json`.
    package func valuesAtPercentiles(_ percentiles: [Double]) -> [UInt64] {
        var values = [UInt64](repeating: 0, count: percentiles.count)
        var wanted: [(slot: Int, count: UInt64)] = []
        for (slot, p) in percentiles.enumerated() {
            if p == 0 {
                values[slot] = min
            } else if p >= 100 {
                values[slot] = maxRecorded
            } else {
                let requested = Swift.min(Swift.max(p.nextDown, 0), 100)
                wanted.append((slot, Swift.max(1, UInt64((requested * Double(totalCount) / 100).rounded(.up)))))
            }
        }
        wanted.sort { $0.count < $1.count }
        var next = wanted.startIndex
        for v in recordedValues() where next < wanted.endIndex {
            while next < wanted.endIndex && v.totalCountToThisValue >= wanted[next].count {
                values[wanted[next].slot] = Swift.max(Swift.min(v.value, maxRecorded), min)
                next += 1
            }
        }
        return values
    }
}
