import Enumerator

/// A view of one line's bytes, valid only while the reader's buffer is.
/// Parsing works on bytes so that a million-line log never becomes a
/// million `String`s; only the lines that matter are copied out.
struct ByteLine {
    var base: UnsafePointer<UInt8>
    var count: Int

    init(_ base: UnsafePointer<UInt8>, _ count: Int) {
        self.base = base
        self.count = count
    }

    subscript(i: Int) -> UInt8 { base[i] }

    var isEmpty: Bool { count == 0 }

    func dropFirst(_ n: Int) -> ByteLine {
        let k = min(n, count)
        return ByteLine(base + k, count - k)
    }

    func prefix(_ n: Int) -> ByteLine { ByteLine(base, min(n, count)) }

    func hasPrefix(_ p: StaticString) -> Bool {
        let n = p.utf8CodeUnitCount
        guard n <= count else { return false }
        let q = p.utf8Start
        for i in 0..<n where base[i] != q[i] { return false }
        return true
    }

    /// Byte-wise substring search; patterns are short and lines are short.
    func firstRange(of p: StaticString, from start: Int = 0) -> Int? {
        let n = p.utf8CodeUnitCount
        guard n > 0, count - start >= n else { return nil }
        let q = p.utf8Start
        let first = q[0]
        var i = start
        let last = count - n
        while i <= last {
            if base[i] == first {
                var j = 1
                while j < n && base[i + j] == q[j] { j += 1 }
                if j == n { return i }
            }
            i += 1
        }
        return nil
    }

    func contains(_ p: StaticString) -> Bool { firstRange(of: p) != nil }

    /// The rest of the line after `p`, when the line starts with it.
    func after(_ p: StaticString) -> ByteLine? { hasPrefix(p) ? dropFirst(p.utf8CodeUnitCount) : nil }

    func firstIndex(of byte: UInt8, from start: Int = 0) -> Int? {
        var i = start
        while i < count {
            if base[i] == byte { return i }
            i += 1
        }
        return nil
    }

    func lastIndex(of byte: UInt8) -> Int? {
        var i = count - 1
        while i >= 0 {
            if base[i] == byte { return i }
            i -= 1
        }
        return nil
    }

    /// Leading spaces and tabs removed.
    func trimmingLeadingBlanks() -> ByteLine {
        var i = 0
        while i < count && (base[i] == 0x20 || base[i] == 0x09) { i += 1 }
        return dropFirst(i)
    }

    /// The text, with invalid UTF-8 repaired and control bytes other than tab
    /// shown as `?` (garbage from a serial console must not reach a terminal).
    var string: String {
        var bytes = [UInt8](UnsafeBufferPointer(start: base, count: count))
        for i in bytes.indices where bytes[i] < 0x20 && bytes[i] != 0x09 { bytes[i] = 0x3F }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses hex digits starting at `i` (Enumerator's `Hex`); returns the value and the index after.
    func hexValue(at i: Int, maxDigits: Int = 16) -> (UInt64, Int)? {
        Hex.value(UnsafeBufferPointer(start: base, count: count), at: i, maxDigits: maxDigits).map { ($0.value, $0.end) }
    }

    /// The hex number this line starts with (1 to `maxDigits` digits, exactly
    /// `maxDigits` when `exact`) and what follows it: a cursor for fixed kernel formats.
    func leadingHex(maxDigits: Int, exact: Bool = false) -> (value: UInt64, rest: ByteLine)? {
        guard let (v, end) = hexValue(at: 0, maxDigits: maxDigits), !exact || end == maxDigits else { return nil }
        return (v, dropFirst(end))
    }

    /// `SECONDS.FRACTION` at `i` (tracefs timestamps, function_graph
    /// durations) in nanoseconds, and the index after it. Seconds beyond 2^32
    /// (136 years) are garbage, and keep sums of times from overflowing.
    func seconds(at i: Int) -> (UInt64, Int)? {
        guard let (sec, dot) = decimalValue(at: i), dot < count, base[dot] == 0x2E,
              let (frac, end) = decimalValue(at: dot + 1), sec < 1 << 32 else { return nil }
        var ns = frac
        var digits = end - dot - 1
        while digits < 9 { ns *= 10; digits += 1 }
        while digits > 9 { ns /= 10; digits -= 1 }
        return (sec * 1_000_000_000 + ns, end)
    }

    /// The decimal number at `i` and where it ends: at most 18 digits, so
    /// the value fits an Int as well (a fuzzed 19-digit pid trapped in
    /// `Int(v)`); a longer run of digits ends there, at a digit.
    func decimalValue(at i: Int) -> (UInt64, Int)? {
        var v: UInt64 = 0
        var j = i
        while j < count, base[j] >= 0x30, base[j] <= 0x39, j - i < 18 {
            v = v * 10 + UInt64(base[j] - 0x30)
            j += 1
        }
        return j > i ? (v, j) : nil
    }
}
