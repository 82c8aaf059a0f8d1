import CLibPCI
#if canImport(Glibc)
import Glibc
#endif

/// The clock every access is timed with: the TSC when the CPU says it is
/// invariant, else clock_gettime. The TSC's rate is taken from where the
/// machine states it (`tscRate`), else calibrated briefly. Its own
/// back-to-back cost is measured once and subtracted from every sample.
package struct AccessTimer: Sendable {
    package enum Source: String, Sendable, Codable {
        case tsc, clockMonotonic = "clock_gettime"
        /// CLibPCI's clock selector.
        var flag: Int32 { self == .tsc ? 1 : 0 }
    }

    package let source: Source
    /// Ticks per second of `now()`.
    package let ticksPerSecond: Double
    /// Where `ticksPerSecond` came from, for the report.
    package let rateSource: String
    /// Median cost of two back-to-back `now()` calls, in ticks.
    package let overheadTicks: UInt64

    package init(source: Source? = nil) {
        let chosen = source ?? (pcitime_tsc_invariant() != 0 ? .tsc : .clockMonotonic)
        self.source = chosen
        (ticksPerSecond, rateSource) = chosen == .tsc ? AccessTimer.tscRate() : (1e9, "nanoseconds")
        // Measured the way accesses are: two clock reads inside one C call.
        var samples = [UInt64]()
        samples.reserveCapacity(1001)
        for _ in 0..<1001 { samples.append(pcitime_timed_nothing(chosen.flag)) }
        samples.sort()
        self.overheadTicks = samples[samples.count / 2]
    }

    @inline(__always)
    package func now() -> UInt64 { pcitime_now(source.flag) }

    /// Nanoseconds between two `now()` readings, less the timer's own cost.
    @inline(__always)
    package func nanoseconds(from start: UInt64, to end: UInt64) -> UInt64 { nanoseconds(ticks: end &- start) }

    /// Nanoseconds of a measured span, less the timer's own cost.
    @inline(__always)
    package func nanoseconds(ticks: UInt64) -> UInt64 {
        let net = ticks > overheadTicks ? ticks - overheadTicks : 0
        return UInt64(Double(net) * 1e9 / ticksPerSecond)
    }

    package var overheadNanoseconds: Double { Double(overheadTicks) * 1e9 / ticksPerSecond }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// The TSC's rate where the machine states it, cheapest first: CPUID
    /// leaf 0x15, the hypervisor's leaf 0x40000010 (KVM, VMware), the
    /// kernel's `tsc_freq_khz` (some kernels), the kernel log's own
    /// calibration (what CLOCK_MONOTONIC runs on when the clocksource is
    /// the TSC); else a brief calibration with its error bound.
    static func tscRate() -> (Double, String) {
        var leaf: Int32 = 0
        let hz = pcitime_tsc_hz_cpuid(&leaf)
        if hz > 0 { return (Double(hz), "CPUID leaf 0x" + String(leaf, radix: 16)) }
        let sysfs = "/sys/devices/system/cpu/cpu0/tsc_freq_khz"
        if let text = FileContents.text(sysfs), let khz = UInt64(text.filter { !$0.isWhitespace }), khz > 0 {
            return (Double(khz) * 1000, sysfs)
        }
        let size = pcitime_klog_size()
        if size > 0 {
            // Not zeroed first: only the pages the kernel fills are touched.
            let log = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = max(0, pcitime_klog_read(UnsafeMutableRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self), buffer.count))
            }
            if let (khz, line) = log.withUnsafeBufferPointer({ kernelTSCRate(inLog: $0) }) {
                return (Double(khz) * 1000, "kernel log \"" + line + "\"")
            }
        }
        return calibrateTSC()
    }

    /// The kernel's own TSC rate in kHz and the line that states it: the last
    /// "tsc: Refined TSC clocksource calibration: M.KKK MHz", else the last
    /// "tsc: Detected M.KKK MHz processor" (or "MHz TSC").
    package static func kernelTSCRate(inLog text: String) -> (khz: UInt64, line: String)? {
        var text = text
        return text.withUTF8 { kernelTSCRate(inLog: $0) }
    }

    /// The same over the log's bytes: memchr finds the lines that mention
    /// "tsc: " and only those become strings (splitting the whole log into
    /// Characters took a quarter of a scan's start-up, 11 M instructions).
    static func kernelTSCRate(inLog log: UnsafeBufferPointer<UInt8>) -> (khz: UInt64, line: String)? {
        var detected: (UInt64, String)?, refined: (UInt64, String)?
        guard let base = log.baseAddress else { return nil }
        let tag = Array("tsc: ".utf8)
        var from = 0
        while from < log.count, let hit = memchr(base + from, Int32(tag[0]), log.count - from) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            from = at + 1
            guard at + tag.count <= log.count, memcmp(base + at, tag, tag.count) == 0 else { continue }
            var start = at, end = at
            while start > 0 && log[start - 1] != UInt8(ascii: "\n") { start -= 1 }
            while end < log.count && log[end] != UInt8(ascii: "\n") { end += 1 }
            from = end
            let line = Substring(String(decoding: UnsafeBufferPointer(rebasing: log[start..<end]), as: UTF8.self))
            for (prefix, isRefined) in [("tsc: Refined TSC clocksource calibration: ", true), ("tsc: Detected ", false)] {
                guard let r = line.range(ofText: prefix) else { continue }
                let number = line[r.upperBound...].prefix { $0.isNumber || $0 == "." }
                let parts = number.split(separator: ".")
                guard line[r.upperBound...].dropFirst(number.count).hasPrefix(" MHz"), parts.count == 2, parts[1].count == 3,
                      let mhz = UInt64(parts[0]), let frac = UInt64(parts[1]), mhz > 0 else { continue }
                let found = (mhz * 1000 + frac, String(line[r.lowerBound...]))
                if isRefined { refined = found } else { detected = found }
            }
        }
        return refined ?? detected
    }

    /// TSC ticks per second over 0.5 ms of CLOCK_MONOTONIC. Each end is the
    /// tightest of 5 bracketed readings (clock, TSC, clock), so a preemption
    /// between the two clocks cannot skew it; the brackets bound the error.
    static func calibrateTSC() -> (Double, String) {
        let r0 = bracketedReading()
        var t = r0.ns
        while t - r0.ns < 500_000 { t = monotonicNanoseconds() }
        let r1 = bracketedReading()
        let span = Double(r1.ns - r0.ns)
        let ppm = Double(r0.width + r1.width) / 2 / span * 1e6
        return (Double(r1.tsc &- r0.tsc) * 1e9 / span,
                "calibrated against CLOCK_MONOTONIC over \(format2(span / 1e6)) ms, error within \(format0(ppm.rounded(.up))) ppm")
    }

    /// CLOCK_MONOTONIC (the middle of the bracket), the TSC read between,
    /// and the bracket's width.
    static func bracketedReading() -> (ns: UInt64, tsc: UInt64, width: UInt64) {
        var best: (ns: UInt64, tsc: UInt64, width: UInt64) = (0, 0, .max)
        for _ in 0..<5 {
            let a = monotonicNanoseconds(), c = pcitime_tsc(), b = monotonicNanoseconds()
            if b - a < best.width { best = (a + (b - a) / 2, c, b - a) }
        }
        return best
    }
}
