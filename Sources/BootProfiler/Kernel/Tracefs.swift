#if canImport(Glibc)
import Glibc
#endif
import Enumerator

/// File access to tracefs and the few sysfs facts tracing needs: every raw
/// call in one place.
enum Tracefs {
    static let candidates = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]

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

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The names in a directory, `.` and `..` left out.
    static func names(in dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// CPUs the kernel may bring up (`0-1`, `0,2-3`): each gets a ring buffer.
    static func possibleCPUs() -> Int {
        guard let text = read("/sys/devices/system/cpu/possible") else { return 1 }
        var n = 0
        for part in text.split(whereSeparator: { $0 == "," || $0 == "\n" }) {
            let r = part.split(separator: "-").compactMap { Int($0) }
            n += r.count == 2 && r[1] >= r[0] ? r[1] - r[0] + 1 : r.count == 1 ? 1 : 0
        }
        return max(n, 1)
    }
}

/// The tracefs directory, found or mounted for the time pcitime needs it:
/// what pcitime mounts it unmounts again (`release`), and what it finds
/// mounted it leaves alone.
struct TracingRoot {
    let path: String?
    let mountedHere: Bool

    /// `writable`: mount read-write (kprobes for `pcitime trace`); the census
    /// only reads, so it mounts read-only.
    static func live(writable: Bool = false) -> TracingRoot {
        for d in Tracefs.candidates where access(d + "/trace", F_OK) == 0 { return TracingRoot(path: d, mountedHere: false) }
        let d = Tracefs.candidates[0]
        if access(d, F_OK) == 0, mount("nodev", d, "tracefs", writable ? 0 : UInt(MS_RDONLY), nil) == 0 {
            if access(d + "/trace", F_OK) == 0 { return TracingRoot(path: d, mountedHere: true) }
            umount(d)
        }
        return TracingRoot(path: nil, mountedHere: false)
    }

    func release() {
        if mountedHere, let p = path { umount(p) }
    }
}
