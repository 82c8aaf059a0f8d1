#if canImport(Glibc)
import Glibc
#endif

/// The one read loop (`read(fd:atMost:name:)`, over `readSome`), whole
/// files at paths pcitime names itself (the live kernel's /proc and /sys),
/// and what a path names. Files a user or a captured tree hands pcitime are
/// opened by `CommandLineFile` and `MachineRoot`, then read here.
package enum FileContents {
    /// One read(2) of up to `count` bytes: EINTR retried, EAGAIN (a stream
    /// inherited non-blocking) waited out with poll. 0 at the end.
    package static func readSome(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int, name: String) throws -> Int {
        while true {
            let n = Glibc.read(fd, buffer, count)
            if n >= 0 { return n }
            switch errno {
            case EINTR: continue
            case EAGAIN:
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&p, 1, -1)
            case EISDIR: throw PCITimeError.input(name, "is a directory")
            default: throw PCITimeError.system(name, errno)
            }
        }
    }

    /// What is left on `fd`, up to `limit` bytes: memory grows with what was
    /// read, 64 KiB at a time, never with what a file claims to hold.
    package static func read(fd: Int32, atMost limit: Int, name: String) throws -> [UInt8] {
        var bytes: [UInt8] = []
        while bytes.count < limit {
            // Straight into uninitialised memory: zeroing a 64 KiB buffer for
            // each small sysfs file was most of a large tree's `scan --json`.
            let chunk = try [UInt8](unsafeUninitializedCapacity: min(65536, limit - bytes.count)) { buffer, count in
                count = 0
                count = try readSome(fd, buffer.baseAddress!, buffer.count, name: name)
            }
            if chunk.isEmpty { break }
            if bytes.isEmpty { bytes = chunk } else { bytes += chunk }
        }
        return bytes
    }

    /// A whole file at a path pcitime names itself (the live kernel's own
    /// files); nil when it cannot be opened or read.
    package static func bytes(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return try? read(fd: fd, atMost: .max, name: path)
    }

    package static func text(_ path: String) -> String? {
        bytes(path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The names in a directory, without "." and ".."; nil when it cannot be listed.
    package static func names(inDirectory path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        return names(dir)
    }

    /// The names in an open directory stream, which this closes.
    static func names(_ dir: OpaquePointer) -> [String] {
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// What a path names (links followed); nil when nothing is there.
    package enum Kind: Sendable { case directory, regular, other }

    package static func kind(_ path: String) -> Kind? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return kind(st)
    }

    static func kind(_ st: stat) -> Kind {
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regular
        default: return .other
        }
    }

    /// A file type in words, for "not a regular file: ...".
    static func typeName(_ st: stat) -> String {
        switch st.st_mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFIFO: return "a FIFO"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a file"
        }
    }

    package static func exists(_ path: String) -> Bool { kind(path) != nil }

    /// The target a symbolic link holds; nil when `path` is not a link.
    package static func linkTarget(_ path: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { readlink(path, $0.baseAddress!, $0.count) }
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }
}
