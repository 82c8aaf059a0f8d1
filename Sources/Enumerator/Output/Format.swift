/// Number formatting for every renderer, without Foundation's formatters.

/// Lower-case hex, zero-padded to `width` digits.
public func hex<T: BinaryInteger>(_ value: T, _ width: Int) -> String {
    let s = String(UInt64(value), radix: 16)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// `value` with `digits` decimals, rounded half away from zero; "?" when not finite.
public func fixed(_ value: Double, _ digits: Int) -> String {
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

public func format0(_ v: Double) -> String { String(Int(v.rounded())) }
public func format1(_ v: Double) -> String { fixed(v, 1) }
public func format2(_ v: Double) -> String { fixed(v, 2) }
