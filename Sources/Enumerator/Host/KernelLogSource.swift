#if canImport(Glibc)
import Glibc
#endif

/// Where the kernel log comes from: the live ring buffer, a captured
/// tree's `dmesg.txt` (read inside the tree), or a file named on the
/// command line. This only fetches text in `dmesg` form
/// (`[    0.173205] message`); the boot profiler parses it, streaming.
package enum KernelLogSource: Sendable {
    /// `/dev/kmsg` (microsecond timestamps), falling back to running `dmesg`.
    case live
    /// A capture's `dmesg.txt`.
    case tree(MachineRoot)
    /// A file in any of the forms the boot profiler reads (`-` is stdin).
    case file(String)

    /// A machine's log: the ring buffer, or a capture's `dmesg.txt`.
    package static func of(_ root: MachineRoot) -> KernelLogSource { root.isLive ? .live : .tree(root) }

    /// What is read whole here at most (capture copies the log whole; the
    /// kernel's own buffer is at most 32 MiB with CONFIG_LOG_BUF_SHIFT=25).
    package static let textLimit = 1 << 26

    package func text() throws -> String {
        switch self {
        case .file(let path):
            let f = try CommandLineFile(path, what: "a kernel log")
            defer { f.close() }
            return String(decoding: try f.bytes(limit: Self.textLimit, what: "kernel log"), as: UTF8.self)
        case .tree(let root):
            guard let bytes = try root.bytes(MachineRoot.kernelLog, limit: Self.textLimit, what: "a kernel log") else {
                throw PCITimeError.missing(root.path(MachineRoot.kernelLog), "no such file")
            }
            return String(decoding: bytes, as: UTF8.self)
        case .live:
            if let text = try? Self.readKmsg() { return text }
            if let text = Self.runDmesg() { return text }
            throw PCITimeError.unavailable("/dev/kmsg", "cannot read the kernel log (no /dev/kmsg and dmesg failed); run as root or pass --dmesg FILE")
        }
    }

    /// Every line of every record in `/dev/kmsg`, read without blocking: a
    /// read returns one record (`6,339,5140900,-;message` then ` KEY=value`
    /// dictionary lines); EPIPE means records were overwritten while reading
    /// (skip ahead), EAGAIN the end. nil when /dev/kmsg cannot be opened.
    package static func forEachKmsgLine(_ body: (UnsafePointer<UInt8>, Int) -> Void) throws -> Bool {
        let fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let size = 16384
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, size)
            if n < 0 {
                if errno == EINTR || errno == EPIPE { continue }
                if errno == EAGAIN { return true }
                throw PCITimeError.system("/dev/kmsg", errno)
            }
            if n == 0 { return true }
            var start = 0
            for i in 0..<n where buffer[i] == 0x0A {
                body(buffer + start, i - start)
                start = i + 1
            }
        }
    }

    /// The ring buffer as `dmesg` text; dictionary lines dropped.
    static func readKmsg() throws -> String {
        var out = ""
        let opened = try forEachKmsgLine { p, n in
            let line = String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
            guard !line.hasPrefix(" "), let semi = line.firstIndex(of: ";") else { return }
            let fields = line[..<semi].split(separator: ",")
            guard fields.count >= 3, let usec = UInt64(fields[2]) else { return }
            // kmsg escapes unprintable bytes (tabs, embedded newlines) as \xNN;
            // dmesg prints a multi-line record as lines with one timestamp.
            for part in unescape(line[line.index(after: semi)...]).split(separator: "\n", omittingEmptySubsequences: false) {
                out += dmesgLine(usec: usec, message: String(part))
            }
        }
        guard opened else { throw PCITimeError.system("/dev/kmsg", errno) }
        return out
    }

    static func unescape(_ s: Substring) -> String {
        guard s.containsText("\\x") else { return String(s) }
        var bytes: [UInt8] = []
        let u = Array(s.utf8)
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "\\"), i + 3 < u.count, u[i + 1] == UInt8(ascii: "x"),
               let v = UInt8(String(decoding: u[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                bytes.append(v)
                i += 4
            } else {
                bytes.append(u[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func dmesgLine(usec: UInt64, message: String) -> String {
        let seconds = String(usec / 1_000_000)
        let micros = String(usec % 1_000_000)
        let padded = String(repeating: " ", count: max(0, 5 - seconds.count)) + seconds
        return "[" + padded + "." + String(repeating: "0", count: 6 - micros.count) + micros + "] " + message + "\n"
    }

    static func runDmesg() -> String? {
        Subprocess.output(["/bin/dmesg"], quiet: true)
    }
}
