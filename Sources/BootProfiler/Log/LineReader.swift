#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Enumerator

/// Reads a file descriptor in fixed chunks and hands out one line at a time
/// (without its `\n` or a trailing `\r`), so memory stays bounded whatever the
/// log's size. A line longer than `maxLine` is cut there and the rest dropped.
struct LineReader {
    static let chunk = 1 << 16
    static let maxLine = 1 << 16

    /// Streams `fd` to `body`; `what` names the input in errors.
    static func forEachLine(fd: Int32, what: String, _ body: (ByteLine) -> Void) throws -> (lines: Int, cut: Int) {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk + maxLine)
        defer { buffer.deallocate() }
        var carry = 0          // bytes of an unfinished line at the buffer's start
        var skipping = false   // inside an overlong line: drop until its newline
        var lines = 0, cut = 0
        while true {
            let n = read(fd, buffer + carry, chunk)
            if n < 0 {
                if errno == EINTR { continue }
                throw PCITimeError.system(what, errno)
            }
            if n == 0 { break }
            let end = carry + n
            var start = 0
            var i = carry
            while i < end {
                if buffer[i] == 0x0A {
                    if skipping {
                        skipping = false
                    } else {
                        body(line(buffer + start, i - start))
                        lines += 1
                    }
                    start = i + 1
                }
                i += 1
            }
            carry = end - start
            if carry >= maxLine {
                // Emit the first maxLine bytes as the line, skip the rest of it.
                if !skipping {
                    body(line(buffer + start, maxLine))
                    lines += 1
                    cut += 1
                }
                skipping = true
                carry = 0
            } else if carry > 0 && start > 0 {
                memmove(buffer, buffer + start, carry)
            }
        }
        if carry > 0 && !skipping {
            body(line(buffer, carry))
            lines += 1
        }
        return (lines, cut)
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
