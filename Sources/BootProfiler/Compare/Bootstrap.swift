import Enumerator

/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): a seeded generator of our own, so a bootstrap
/// gives the same interval for the same seed on every platform and release.
package struct SplitMix64: RandomNumberGenerator, Sendable {
    package private(set) var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce5_e9b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }

    /// A value in 0..<bound by Lemire's multiply-shift (the high half of a
    /// 64x64 product). The bias is at most bound/2^64: nil for sample counts.
    @inline(__always)
    package mutating func index(below bound: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }
}

/// Order statistics and the percentile bootstrap for the ratio of two medians.
package enum Bootstrap {
    /// The nearest-rank percentile of sorted values: the smallest value with
    /// at least `p` percent of the values at or below it. p50 of 4 values is
    /// the 2nd, of 5 the 3rd.
    package static func nearestRank<T>(_ sorted: [T], _ p: Double) -> T {
        precondition(!sorted.isEmpty)
        return sorted[rankIndex(count: sorted.count, p)]
    }

    package static func rankIndex(count: Int, _ p: Double) -> Int {
        let rank = Int((p / 100 * Double(count)).rounded(.up))
        return min(max(rank, 1), count) - 1
    }

    /// The two medians compared, and how sure the comparison is.
    package struct MedianComparison: Sendable, Codable, Equatable {
        /// p50 of the baseline and of the other, ns (nearest rank, raw samples).
        package var baselineMedian: UInt64
        package var otherMedian: UInt64
        /// other / baseline, and its percentile-bootstrap interval.
        package var ratio: Double
        package var ratioLow: Double
        package var ratioHigh: Double
        /// baseline - other in ns (positive: the other is faster), and its interval.
        package var difference: Double
        package var differenceLow: Double
        package var differenceHigh: Double
        package var confidence: Double
        package var resamples: Int
        package var seed: UInt64
    }

    /// Resamples each set with replacement `resamples` times and takes the
    /// 2.5th and 97.5th percentiles (for 95%) of the median ratio and
    /// difference. Deterministic for a seed: the baseline draws come first,
    /// then the other's, from one SplitMix64 stream.
    ///
    /// A resample's median needs no sort: with the samples sorted once, the
    /// k-th smallest of the drawn values is the value at the k-th smallest
    /// drawn index, so a count of drawn indices finds it in O(n).
    package static func compareMedians(baseline: [UInt64], other: [UInt64], resamples: Int = 1000,
                                      confidence: Double = 0.95, seed: UInt64) -> MedianComparison {
        precondition(!baseline.isEmpty && !other.isEmpty && resamples >= 1)
        let a = baseline.sorted(), b = other.sorted()
        let medianA = nearestRank(a, 50), medianB = nearestRank(b, 50)
        var rng = SplitMix64(seed: seed)
        var countsA = [Int32](repeating: 0, count: a.count)
        var countsB = [Int32](repeating: 0, count: b.count)
        var ratios: [Double] = [], differences: [Double] = []
        ratios.reserveCapacity(resamples)
        differences.reserveCapacity(resamples)
        for _ in 0..<resamples {
            let ma = resampledMedian(a, &countsA, &rng)
            let mb = resampledMedian(b, &countsB, &rng)
            ratios.append(ma == 0 ? .infinity : Double(mb) / Double(ma))
            differences.append(Double(ma) - Double(mb))
        }
        ratios.sort()
        differences.sort()
        let tail = (1 - confidence) / 2 * 100
        return MedianComparison(
            baselineMedian: medianA, otherMedian: medianB,
            ratio: medianA == 0 ? .infinity : Double(medianB) / Double(medianA),
            ratioLow: nearestRank(ratios, tail), ratioHigh: nearestRank(ratios, 100 - tail),
            difference: Double(medianA) - Double(medianB),
            differenceLow: nearestRank(differences, tail), differenceHigh: nearestRank(differences, 100 - tail),
            confidence: confidence, resamples: resamples, seed: seed)
    }

    /// The nearest-rank median of `sorted.count` draws with replacement.
    static func resampledMedian(_ sorted: [UInt64], _ counts: inout [Int32], _ rng: inout SplitMix64) -> UInt64 {
        let n = sorted.count
        for i in 0..<n { counts[i] = 0 }
        for _ in 0..<n { counts[rng.index(below: n)] += 1 }
        let target = rankIndex(count: n, 50) + 1
        var seen = 0
        for i in 0..<n {
            seen += Int(counts[i])
            if seen >= target { return sorted[i] }
        }
        return sorted[n - 1]
    }
}
