/// Hex numbers in text read as bytes (a kernel log line, an iomem name), so
/// that no line becomes a String to be parsed: the one hex parser, for
/// `ECAMLogLine`, `IOMem`, capture's masks and the boot profile's lines. A
/// whole String that is a number goes through Swift's `radix: 16`.
package enum Hex {
    /// A hex digit's value (either case); nil for any other byte.
    package static func digit(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x37
        case 0x61...0x66: return c - 0x57
        default: return nil
        }
    }

    /// Up to `maxDigits` hex digits from `i`: the value and the index after
    /// them; nil when there is no digit at `i`.
    package static func value(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int, maxDigits: Int = 16) -> (value: UInt64, end: Int)? {
        var v: UInt64 = 0
        var j = i
        while j < bytes.count, j - i < maxDigits, let d = digit(bytes[j]) {
            v = v << 4 | UInt64(d)
            j += 1
        }
        return j > i ? (v, j) : nil
    }

    /// Whether `bytes` start with `shape`, where each "0" in the shape
    /// stands for any hex digit ("00:00:00:00:00:00" is a MAC address).
    static func matches<C: Collection<UInt8>>(_ bytes: C, shape: [UInt8]) -> Bool {
        bytes.count >= shape.count && zip(bytes, shape).allSatisfy { $1 == UInt8(ascii: "0") ? digit($0) != nil : $0 == $1 }
    }
}
