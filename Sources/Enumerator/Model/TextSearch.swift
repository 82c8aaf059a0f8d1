#if canImport(Glibc)
import Glibc
#endif

/// Substring search over UTF-8, for the few places that look for a word in a
/// line. The standard library's `firstRange(of:)` and `contains(_:)` for
/// strings live in _StringProcessing, which brings the regex engine into the
/// static binary (about 1.3 MB, issue 14).
extension StringProtocol {
    /// The first range of `text`; nil when absent (or `text` is empty).
    package func range(ofText text: String) -> Range<Index>? {
        let hay = utf8
        let needle = Array(text.utf8)
        guard let first = needle.first else { return nil }
        var i = hay.startIndex
        while let j = hay[i...].firstIndex(of: first) {
            if hay[j...].starts(with: needle) { return j..<hay.index(j, offsetBy: needle.count) }
            i = hay.index(after: j)
        }
        return nil
    }

    package func containsText(_ text: String) -> Bool { range(ofText: text) != nil }
}

extension UnsafeBufferPointer<UInt8> {
    /// Whether these bytes hold `text` (memchr for its first byte, then a
    /// compare): for streamed lines that only become strings when they match.
    package func containsText(_ text: StaticString) -> Bool {
        let n = text.utf8CodeUnitCount
        guard n > 0, count >= n, let base = baseAddress else { return n == 0 }
        let first = Int32(text.utf8Start.pointee)
        var from = 0
        while from <= count - n, let hit = memchr(base + from, first, count - n + 1 - from) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + at, text.utf8Start, n) == 0 { return true }
            from = at + 1
        }
        return false
    }
}
