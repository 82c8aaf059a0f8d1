#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Enumerator

/// Entry points that read a kernel log and return its profile.
public enum KernelLog {
    /// Streams a file (`-` is stdin) in any supported form.
    public static func profile(path: String) throws -> BootProfile {
        let fd = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw errno == ENOENT ? PCITimeError.missing(path, "no such file") : PCITimeError.system(path, errno)
        }
        let path = displayName(path)
        defer { if fd != 0 { close(fd) } }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
            throw PCITimeError.input(path, "is a directory, not a kernel log (for a fixture use --root)")
        }
        var builder = BootProfileBuilder()
        let (_, cut) = try LineReader.forEachLine(fd: fd, what: path) { builder.consume($0) }
        var p = builder.finish()
        p.overlongLines = cut
        guard p.timestampedLines > 0 else {
            throw PCITimeError.input(path, p.lines == 0 ? "empty kernel log" : "no line with a kernel timestamp in \(p.lines) lines (expected dmesg, dmesg -x/-r, /dev/kmsg or journalctl -k -o short-monotonic text)")
        }
        return p
    }

    /// How messages name a log file: `-` is "standard input".
    public static func displayName(_ path: String) -> String { path == "-" ? "standard input" : path }

    /// The fixture layout: `ROOT/dmesg.txt`.
    public static func profile(root: String) throws -> BootProfile {
        try profile(path: root + "/dmesg.txt")
    }

    /// Parses text already in memory (tests, `dmesg` output).
    public static func profile(text: String, name: String = "kernel log") throws -> BootProfile {
        var builder = BootProfileBuilder()
        LineReader.forEachLine(text: text) { builder.consume($0) }
        let p = builder.finish()
        guard p.timestampedLines > 0 else { throw PCITimeError.input(name, "no line with a kernel timestamp") }
        return p
    }

    /// The running kernel's log: `/dev/kmsg`, else the text `KernelLogSource` gets from `dmesg`.
    public static func profileLive() throws -> BootProfile {
        var builder = BootProfileBuilder()
        guard try KernelLogSource.forEachKmsgLine({ builder.consume(LineReader.line($0, $1)) }) else {
            return try profile(text: KernelLogSource.live.text(), name: "dmesg")
        }
        let p = builder.finish()
        guard p.timestampedLines > 0 else { throw PCITimeError.input("/dev/kmsg", "no records") }
        return p
    }
}

extension KernelLog {
    /// The log a command reads, and its name for the report: FILE (`-` is
    /// stdin), else `ROOT/dmesg.txt` for a captured tree, else the running kernel's.
    public static func load(file: String?, root: String) throws -> (profile: BootProfile, name: String) {
        if let file { return (try profile(path: file), displayName(file)) }
        if root != "/" { return (try profile(root: root), root + "/dmesg.txt") }
        return (try profileLive(), "/dev/kmsg")
    }
}
