#if canImport(Glibc)
import Glibc
#endif

/// A text stream (a kernel log, a trace) read line by line in constant
/// memory: fixed 64 KiB chunks, whatever the stream's size. A line longer
/// than `maxLine` is handed out cut there and the rest of it skipped; a
/// stream with no line break in `maxSkip` bytes (`/dev/zero`, a binary
/// file) is not text and ends the read with an error, so an endless one
/// cannot run forever.
package enum LineStream {
    package static let chunk = 1 << 16
    package static let maxLine = 1 << 16
    package static let maxSkip = 1 << 24

    /// Streams `fd` to `body` (each line without its `\n`); `name` names the
    /// input in errors. Returns the lines handed out and how many were cut.
    package static func forEachLine(fd: Int32, name: String, _ body: (UnsafePointer<UInt8>, Int) throws -> Void) throws -> (lines: Int, cut: Int) {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk + maxLine)
        defer { buffer.deallocate() }
        var carry = 0          // bytes of an unfinished line at the buffer's start
        var skipping = false   // inside an overlong line: drop until its newline
        var skipped = 0        // bytes of it dropped so far
        var lines = 0, cut = 0
        while true {
            let n = try FileContents.readSome(fd, buffer + carry, chunk, name: name)
            if n == 0 { break }
            let end = carry + n
            var start = 0
            var i = carry
            while i < end {
                if buffer[i] == 0x0A {
                    if skipping {
                        skipping = false
                    } else {
                        try body(buffer + start, i - start)
                        lines += 1
                    }
                    start = i + 1
                }
                i += 1
            }
            carry = end - start
            if skipping {
                // Still inside the overlong line: nothing of it is kept.
                skipped += carry
                carry = 0
                if skipped > maxSkip {
                    throw PCITimeError.input(name, "no line break in \(maxSkip >> 20) MiB: not text (a kernel log or a trace is lines)")
                }
            } else if carry >= maxLine {
                // Hand out the first maxLine bytes as the line, skip the rest of it.
                try body(buffer + start, maxLine)
                lines += 1
                cut += 1
                skipping = true
                skipped = carry - maxLine
                carry = 0
            } else if carry > 0 && start > 0 {
                memmove(buffer, buffer + start, carry)
            }
        }
        if carry > 0 && !skipping {
            try body(buffer, carry)
            lines += 1
        }
        return (lines, cut)
    }
}
