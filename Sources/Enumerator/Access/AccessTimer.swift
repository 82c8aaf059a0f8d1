import CLibPCI
#if canImport(Glibc)
import Glibc
#endif

/// The clock every access is timed with: the TSC when the CPU says it is
/// invariant (calibrated against CLOCK_MONOTONIC), else clock_gettime.
/// Its own back-to-back cost is measured once and subtracted from every sample.
public struct AccessTimer: Sendable {
    public enum Source: String, Sendable, Codable {
        case tsc, clockMonotonic = "clock_gettime"
        /// CLibPCI's clock selector.
        var flag: Int32 { self == .tsc ? 1 : 0 }
    }

    public let source: Source
    /// Ticks per second of `now()`.
    public let ticksPerSecond: Double
    /// Median cost of two back-to-back `now()` calls, in ticks.
    public let overheadTicks: UInt64

    public init(source: Source? = nil) {
        let chosen = source ?? (pcitime_tsc_invariant() != 0 ? .tsc : .clockMonotonic)
        self.source = chosen
        self.ticksPerSecond = chosen == .tsc ? AccessTimer.calibrateTSC() : 1e9
        // Measured the way accesses are: two clock reads inside one C call.
        var samples = [UInt64]()
        samples.reserveCapacity(1001)
        for _ in 0..<1001 { samples.append(pcitime_timed_nothing(chosen.flag)) }
        samples.sort()
        self.overheadTicks = samples[samples.count / 2]
    }

    @inline(__always)
    public func now() -> UInt64 { pcitime_now(source.flag) }

    /// Nanoseconds between two `now()` readings, less the timer's own cost.
    @inline(__always)
    public func nanoseconds(from start: UInt64, to end: UInt64) -> UInt64 { nanoseconds(ticks: end &- start) }

    /// Nanoseconds of a measured span, less the timer's own cost.
    @inline(__always)
    public func nanoseconds(ticks: UInt64) -> UInt64 {
        let net = ticks > overheadTicks ? ticks - overheadTicks : 0
        return UInt64(Double(net) * 1e9 / ticksPerSecond)
    }

    public var overheadNanoseconds: Double { Double(overheadTicks) * 1e9 / ticksPerSecond }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// TSC ticks per second over a 2 ms window of CLOCK_MONOTONIC. Each end
    /// is the tightest of 5 bracketed readings (clock, TSC, clock), so a
    /// preemption between the two clocks cannot skew it (error about 0.005%).
    static func calibrateTSC() -> Double {
        let (t0, c0) = bracketedReading()
        var t = t0
        while t - t0 < 2_000_000 { t = monotonicNanoseconds() }
        let (t1, c1) = bracketedReading()
        return Double(c1 &- c0) * 1e9 / Double(t1 - t0)
    }

    /// CLOCK_MONOTONIC (the middle of the bracket) and the TSC read between.
    static func bracketedReading() -> (UInt64, UInt64) {
        var best: (width: UInt64, ns: UInt64, tsc: UInt64) = (.max, 0, 0)
        for _ in 0..<5 {
            let a = monotonicNanoseconds(), c = pcitime_tsc(), b = monotonicNanoseconds()
            if b - a < best.width { best = (b - a, a + (b - a) / 2, c) }
        }
        return (best.ns, best.tsc)
    }
}
