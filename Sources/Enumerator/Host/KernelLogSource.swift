import Foundation

/// Where the kernel log comes from: the live ring buffer or a captured file.
/// This only fetches text in `dmesg` form (`[    0.173205] message`); the
/// boot profiler parses it.
public enum KernelLogSource: Sendable {
    /// `/dev/kmsg` (microsecond timestamps), falling back to running `dmesg`.
    case live
    /// A file in any of the forms the boot profiler reads (`-` is stdin).
    case file(String)

    /// The fixture layout's kernel log: `ROOT/dmesg.txt`.
    public static func fixture(root: String) -> KernelLogSource { .file(root + "/dmesg.txt") }

    public func text() throws -> String {
        switch self {
        case .file(let path):
            let data: Data
            if path == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let d = FileManager.default.contents(atPath: path) else {
                    throw PCITimeError.input(path, "cannot read the kernel log")
                }
                data = d
            }
            return String(decoding: data, as: UTF8.self)
        case .live:
            if let text = try? Self.readKmsg() { return text }
            if let text = Self.runDmesg() { return text }
            throw PCITimeError.unavailable("/dev/kmsg", "cannot read the kernel log (no /dev/kmsg and dmesg failed); run as root or pass --dmesg FILE")
        }
    }

    /// Reads every record in the ring buffer without blocking. Records look like
    /// `6,339,5140900,-;message` with continuation lines starting with a space
    /// (key=value dictionary lines), which are dropped.
    static func readKmsg() throws -> String {
        let fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK)
        guard fd >= 0 else { throw PCITimeError.system("/dev/kmsg", errno) }
        defer { close(fd) }
        var out = ""
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { continue }  // overwritten records: skip ahead
                break  // EAGAIN: the end of the buffer
            }
            if n == 0 { break }
            let record = String(decoding: buffer[0..<n], as: UTF8.self)
            guard let semi = record.firstIndex(of: ";") else { continue }
            let fields = record[..<semi].split(separator: ",")
            guard fields.count >= 3, let usec = UInt64(fields[2]) else { continue }
            var message = record[record.index(after: semi)...]
            if let nl = message.firstIndex(of: "\n") { message = message[..<nl] }
            // kmsg escapes unprintable bytes (tabs, embedded newlines) as \xNN;
            // dmesg prints a multi-line record as lines with one timestamp.
            for line in unescape(message).split(separator: "\n", omittingEmptySubsequences: false) {
                out += KernelLogSource.dmesgLine(usec: usec, message: String(line))
            }
        }
        return out
    }

    static func unescape(_ s: Substring) -> String {
        guard s.contains("\\x") else { return String(s) }
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/dmesg")
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}
