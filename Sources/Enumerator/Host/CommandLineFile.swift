#if canImport(Glibc)
import Glibc
#endif

/// A file named on the command line (`--dmesg`, `--from`, `--trace`,
/// `--ftrace`, `--latency`, `--mcfg`): `-` is standard input, and a FIFO, a
/// pipe or a device stays allowed (`--dmesg <(dmesg)` is a habit), so it is
/// read as a stream: in constant memory (`LineStream`) or up to a bound
/// (`FileContents.read`). A directory is refused. The same answer for the
/// same mistake from every option: missing 66, a directory 65, no
/// permission 77.
package struct CommandLineFile {
    package let fd: Int32
    /// How messages name it: the path, or "standard input" for `-`.
    package let name: String

    /// How messages name a path: `-` is "standard input".
    package static func displayName(_ path: String) -> String { path == "-" ? "standard input" : path }

    /// Opens `path`; `what` says what it should hold ("a kernel log",
    /// "a trace") in the refusal of a directory. A FIFO blocks here until its
    /// writer opens it, as it does for `cat`.
    package init(_ path: String, what: String) throws {
        name = Self.displayName(path)
        if path == "-" { fd = 0; return }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { throw Self.openError(path, errno) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(fd)
            throw PCITimeError.input(path, "is a directory, not \(what)")
        }
        self.fd = fd
    }

    /// The refusal for an open that failed, as every input option words it.
    static func openError(_ path: String, _ e: Int32) -> PCITimeError {
        switch e {
        case ENOENT: return .missing(path, "no such file")
        case ENOTDIR: return .missing(path, "no such file (a component of the path is not a directory)")
        case EACCES, EPERM: return .permission(path, "cannot read: permission denied")
        case ELOOP: return .input(path, "symbolic link loop")
        default: return .system(path, e)
        }
    }

    package func close() { if fd != 0 { _ = Glibc.close(fd) } }

    /// The whole input, refused (65) beyond `limit` bytes: for formats that
    /// are parsed whole (JSON).
    package func bytes(limit: Int, what: String) throws -> [UInt8] {
        let b = try FileContents.read(fd: fd, atMost: limit + 1, name: name)
        guard b.count <= limit else {
            throw PCITimeError.input(name, "more than \(limit >> 20) MiB: too large for a \(what)")
        }
        return b
    }

    /// Every line, in constant memory (see `LineStream`).
    package func forEachLine(_ body: (UnsafePointer<UInt8>, Int) throws -> Void) throws -> (lines: Int, cut: Int) {
        try LineStream.forEachLine(fd: fd, name: name, body)
    }
}
