#if canImport(Glibc)
import Glibc
#endif
import Enumerator

/// Where the boot's function trace comes from: a saved file, a captured
/// tree, or the running kernel's tracefs (read only: pcitime never clears,
/// resizes or switches the tracer).
public enum TraceSource: Sendable, Equatable {
    case file(String)
    case root(String)
    case live

    /// The boot snapshot (ftrace_boot_snapshot swapped the boot's buffer in
    /// right before init), else the live buffer, which later accesses
    /// (udev, lspci) keep filling.
    static let files = ["snapshot", "trace"]

    /// Parses the trace; nil when there is none (no tracefs, no function
    /// tracer, an empty buffer). `description` says which file was read.
    public func load() throws -> (calls: [FtraceCall], parser: FtraceParser, description: String)? {
        switch self {
        case .file(let path):
            guard let r = try Self.parse(path: path, required: true) else { return nil }
            return (r.0, r.1, "the saved trace \(path)")
        case .root(let dir):
            return try Self.first(in: dir + "/sys/kernel/tracing", unreadableIsNone: false) { path, snapshot in
                snapshot ? "the boot snapshot captured in \(path)" : "the live buffer captured in \(path) (no boot snapshot: later accesses may have overwritten the boot's oldest)"
            }
        case .live:
            let root = TracingRoot.live()
            defer { root.release() }
            guard let dir = root.path else { return nil }
            return try Self.first(in: dir, unreadableIsNone: true) { path, snapshot in
                snapshot ? "the boot snapshot \(path)" : "the live buffer \(path) (no boot snapshot: boot with ftrace_boot_snapshot so later accesses cannot overwrite the boot's)"
            }
        }
    }

    /// The first of `files` in `dir` with calls in it; `describe` gets its
    /// path and whether it is the boot snapshot. `unreadableIsNone`: a file
    /// that cannot be read counts as absent (the live tracefs) instead of an error.
    static func first(in dir: String, unreadableIsNone: Bool, describe: (String, Bool) -> String) throws -> (calls: [FtraceCall], parser: FtraceParser, description: String)? {
        for f in files {
            let path = dir + "/" + f
            let r = unreadableIsNone ? try? parse(path: path, required: false) : try parse(path: path, required: false)
            if let r, !r.0.isEmpty { return (r.0, r.1, describe(path, f == files[0])) }
        }
        return nil
    }

    /// Streams one file through the parser. `required`: a missing file is an error.
    public static func parse(path: String, required: Bool) throws -> ([FtraceCall], FtraceParser)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if !required { return nil }
            throw errno == ENOENT ? PCITimeError.missing(path, "no such trace file") : PCITimeError.system(path, errno)
        }
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR { throw PCITimeError.input(path, "is a directory, not a trace") }
        var parser = FtraceParser()
        _ = try LineReader.forEachLine(fd: fd, what: path) { parser.consume($0) }
        let calls = parser.finish()
        return (calls, parser)
    }
}
