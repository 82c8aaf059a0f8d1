/// Number formatting for every renderer, without Foundation's formatters.

/// Lower-case hex, zero-padded to `width` digits.
package func hex<T: BinaryInteger>(_ value: T, _ width: Int) -> String {
    let s = String(UInt64(value), radix: 16)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// `value` with `digits` decimals, rounded half away from zero; "?" when not finite.
package func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "?" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let n = Int((abs(value) * scale).rounded())
    let whole = n / Int(scale)
    var text = String(whole)
    if digits > 0 {
        let frac = String(n % Int(scale))
        text += "." + String(repeating: "0", count: digits - frac.count) + frac
    }
    return value < 0 && n != 0 ? "-" + text : text
}

package func format0(_ v: Double) -> String { String(Int(v.rounded())) }
package func format1(_ v: Double) -> String { fixed(v, 1) }
package func format2(_ v: Double) -> String { fixed(v, 2) }

/// Durations and shares as the reports print them: one style per kind of
/// number, each written once.
package enum Format {
    /// Three significant digits in us or ms (scan's columns): 0.74us, 16.9us, 134us, 8.07ms.
    package static func scanLatency(_ ns: UInt64) -> String {
        let us = Double(ns) / 1000
        if us >= 1000 { return (us >= 100_000 ? format0(us / 1000) : us >= 10_000 ? format1(us / 1000) : format2(us / 1000)) + "ms" }
        return us >= 100 ? format0(us) + "us" : (us >= 10 ? format1(us) + "us" : format2(us) + "us")
    }

    /// Latency in the unit that suits it (compare): 850ns, 9.31us, 13.1us, 210us, 1.20ms.
    package static func latency(_ ns: Double) -> String {
        if ns < 1000 { return format0(ns) + "ns" }
        let us = ns / 1000
        if us < 10 { return format2(us) + "us" }
        if us < 100 { return format1(us) + "us" }
        if us < 1000 { return format0(us) + "us" }
        return format2(us / 1000) + "ms"
    }

    /// A latency that may be negative (a difference).
    package static func signedLatency(_ ns: Double) -> String { (ns < 0 ? "-" : "") + latency(abs(ns)) }

    /// Milliseconds with two decimals below 10, else one: "9.30 ms", "13.1 ms".
    package static func milliseconds(_ ms: Double) -> String { (abs(ms) < 10 ? fixed(ms, 2) : fixed(ms, 1)) + " ms" }

    /// Microseconds as milliseconds, one decimal, no unit (boot's cost lines).
    package static func ms(_ us: Double) -> String { fixed(us / 1000, 1) }
    /// Nanoseconds as microseconds, one decimal, no unit.
    package static func us(_ ns: Double) -> String { fixed(ns / 1000, 1) }
    /// Microseconds as milliseconds with three decimals (the kernel log's resolution).
    package static func logMilliseconds(_ us: UInt64) -> String { fixed(Double(us) / 1000, 3) }
    /// A share 0...1 as a percentage with one decimal.
    package static func percent(_ f: Double) -> String { fixed(f * 100, 1) + "%" }

    /// A change as a percentage with its sign: "+4.2%", "-17.8%".
    package static func signedPercent(_ f: Double) -> String { (f >= 0 ? "+" : "") + percent(f) }
}
