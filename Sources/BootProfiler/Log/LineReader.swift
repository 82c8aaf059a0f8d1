#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Enumerator

/// Hands out one line at a time as a `ByteLine` (without its `\n` or a
/// trailing `\r`): from a stream through `LineStream` (constant memory,
/// lines cut at 64 KiB), or from text in memory.
struct LineReader {
    /// Streams `fd` to `body`; `what` names the input in errors.
    static func forEachLine(fd: Int32, what: String, _ body: (ByteLine) -> Void) throws -> (lines: Int, cut: Int) {
        try LineStream.forEachLine(fd: fd, name: what) { body(line($0, $1)) }
    }

    @inline(__always) static func line(_ p: UnsafePointer<UInt8>, _ n: Int) -> ByteLine {
        var k = n
        while k > 0 && (p[k - 1] == 0x0D || p[k - 1] == 0x00) { k -= 1 }
        return ByteLine(p, k)
    }

    /// Feeds every line of an in-memory text (tests, `dmesg` output).
    static func forEachLine(text: String, _ body: (ByteLine) -> Void) {
        var copy = Array(text.utf8)
        copy.append(0x0A)
        copy.withUnsafeMutableBufferPointer { buf in
            guard let p = buf.baseAddress else { return }
            var start = 0
            for i in 0..<buf.count where p[i] == 0x0A {
                if i > start || i < buf.count - 1 { body(line(p + start, i - start)) }
                start = i + 1
            }
        }
    }
}
