#if canImport(Glibc)
import Glibc
#endif
import Enumerator

/// File access to tracefs: every raw call in one place.
enum Tracefs {
    static let candidates = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]

    /// The tracefs directory, mounting it at /sys/kernel/tracing when asked
    /// and nothing is mounted. The corresponding C function is `mount`.
    static func locate(mount doMount: Bool) -> String? {
        for d in candidates where access(d + "/trace", F_OK) == 0 { return d }
        if doMount, access(candidates[0], F_OK) == 0,
           mount("nodev", candidates[0], "tracefs", 0, nil) == 0, access(candidates[0] + "/trace", F_OK) == 0 {
            return candidates[0]
        }
        return nil
    }

    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `text` in one write(2), appending or truncating.
    static func write(_ path: String, _ text: String, append: Bool = false) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC))
        guard fd >= 0 else { throw PCITimeError.system(path, errno) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var n: Int
        repeat { n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } } while n < 0 && errno == EINTR
        if n < 0 { throw PCITimeError.system(path, errno) }
    }
}
