#if canImport(Glibc)
import Glibc
#endif

/// A whole file read into memory; nil when it cannot be opened or read
/// (missing, a directory, no permission).
public enum FileContents {
    public static func bytes(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return bytes(fd: fd)
    }

    /// Everything left to read on `fd` (stdin is 0).
    public static func bytes(fd: Int32) -> [UInt8]? {
        var bytes: [UInt8] = []
        while true {
            // Read straight into uninitialised memory: zeroing a 64 KiB buffer for
            // each small sysfs file was most of a large tree's `scan --json`.
            var n = 0
            let chunk = [UInt8](unsafeUninitializedCapacity: 65536) { buffer, count in
                repeat { n = read(fd, buffer.baseAddress, buffer.count) } while n < 0 && errno == EINTR
                count = max(n, 0)
            }
            if n < 0 { return nil }
            if n == 0 { return bytes }
            if bytes.isEmpty { bytes = chunk } else { bytes += chunk }
        }
    }

    public static func text(_ path: String) -> String? {
        bytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The names in a directory, without "." and ".."; nil when it cannot be listed.
    public static func names(inDirectory path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// What a path names (links followed); nil when nothing is there.
    public enum Kind { case directory, regular, other }

    public static func kind(_ path: String) -> Kind? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regular
        default: return .other
        }
    }

    public static func exists(_ path: String) -> Bool { kind(path) != nil }

    /// The target a symbolic link holds; nil when `path` is not a link.
    public static func linkTarget(_ path: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { readlink(path, $0.baseAddress!, $0.count) }
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }
}
