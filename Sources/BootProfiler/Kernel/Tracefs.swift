#if canImport(Glibc)
import Glibc
#endif
import Enumerator

/// File access to tracefs and the few sysfs facts tracing needs: every raw
/// call in one place.
enum Tracefs {
    static let candidates = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]

    /// A file's whole text; nil when it cannot be opened (absent, not
    /// permitted: errno says which). A failed read throws: part of a file
    /// read as all of it would be a wrong answer.
    static func read(_ path: String) throws -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return String(decoding: try FileContents.read(fd: fd, atMost: .max, name: path), as: UTF8.self)
    }

    /// Writes `text` in one write(2), appending or truncating: tracefs parses
    /// each write as a whole command, so a short write is not resumed (that
    /// would split one); only EINTR, which wrote nothing, is retried.
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

    /// The names in a directory, `.` and `..` left out; none when it cannot be listed.
    static func names(in dir: String) -> [String] { FileContents.names(inDirectory: dir) ?? [] }

    /// CPUs the kernel may bring up (`0-1`, `0,2-3`): each gets a ring buffer.
    static func possibleCPUs() throws -> Int {
        guard let text = try read("/sys/devices/system/cpu/possible") else { return 1 }
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
