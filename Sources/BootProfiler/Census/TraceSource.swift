#if canImport(Glibc)
import Glibc
#endif
import Enumerator

/// Where the boot's function trace comes from: a saved file, a captured
/// tree, or the running kernel's tracefs (read only: pcitime never clears,
/// resizes or switches the tracer).
package enum TraceSource: Sendable, Equatable {
    case file(String)
    case root(String)
    case live

    /// The boot snapshot (ftrace_boot_snapshot swapped the boot's buffer in
    /// right before init), else the live buffer, which later accesses
    /// (udev, lspci) keep filling.
    static let files = ["snapshot", "trace"]

    /// Parses the trace; nil when there is none (no tracefs, no function
    /// tracer, an empty buffer). `description` says which file was read.
    package func load() throws -> (calls: [FtraceCall], parser: FtraceParser, description: String)? {
        switch self {
        case .file(let path):
            let r = try Self.parse(path: path)
            return (r.0, r.1, "the saved trace \(CommandLineFile.displayName(path))")
        case .root(let dir):
            return try Self.first(in: MachineRoot(dir), under: MachineRoot.tracing + "/", unreadableIsNone: false) { path, snapshot in
                snapshot ? "the boot snapshot captured in \(path)" : "the live buffer captured in \(path) (no boot snapshot: later accesses may have overwritten the boot's oldest)"
            }
        case .live:
            let root = TracingRoot.live()
            defer { root.release() }
            guard let dir = root.path else { return nil }
            return try Self.first(in: MachineRoot(dir), under: "", unreadableIsNone: true) { path, snapshot in
                snapshot ? "the boot snapshot \(path)" : "the live buffer \(path) (no boot snapshot: boot with ftrace_boot_snapshot so later accesses cannot overwrite the boot's)"
            }
        }
    }

    /// The first of `files` in `root`'s `under` folder with calls in it
    /// (read inside the tree, regular files only); `describe` gets its path
    /// and whether it is the boot snapshot. `unreadableIsNone`: a file that
    /// cannot be read counts as absent (the live tracefs) instead of an
    /// error; it is also a live buffer, which keeps filling while it is read.
    static func first(in root: MachineRoot, under: String, unreadableIsNone: Bool, describe: (String, Bool) -> String) throws -> (calls: [FtraceCall], parser: FtraceParser, description: String)? {
        for f in files {
            let path = root.path(under + f)
            func parsed() throws -> ([FtraceCall], FtraceParser)? {
                guard let fd = try root.openIfPresent(under + f) else { return nil }
                defer { close(fd) }
                return try parse(fd: fd, name: path, live: unreadableIsNone)
            }
            let r = unreadableIsNone ? try? parsed() : try parsed()
            if let r, !r.0.isEmpty { return (r.0, r.1, describe(path, f == files[0])) }
        }
        return nil
    }

    /// Streams one file through the parser: a file named on the command
    /// line (a FIFO or `-` too; a missing file is an error).
    package static func parse(path: String) throws -> ([FtraceCall], FtraceParser) {
        let f = try CommandLineFile(path, what: "a trace")
        defer { f.close() }
        return try parse(fd: f.fd, name: f.name, live: false)
    }

    /// The parser over `fd`, the file's integrity checked (`TraceIntegrity`;
    /// a live buffer keeps filling while it is read, so its entry count is not).
    static func parse(fd: Int32, name: String, live: Bool) throws -> ([FtraceCall], FtraceParser) {
        var parser = FtraceParser()
        try TraceIntegrity.stream(fd: fd, name: name, entries: !live) { l, _ in try parser.consume(l, from: name) }
        let calls = parser.finish()
        return (calls, parser)
    }
}
