import CLibPCI
#if canImport(Glibc)
import Glibc
#endif

/// A descriptor that only names a place (no read or write): for walking.
private let O_PATH = PCITIME_O_PATH

/// The machine pcitime reads: this one (`/`) or a tree `pcitime capture`
/// wrote, laid out as the live paths. The one owner of that layout (where
/// the kernel log, the MCFG, the PCI devices and the boot trace live, and
/// whether it is the live machine) and of reading inside it.
///
/// Captures are shared (attached to bug reports, fed to CI that runs as
/// root), so a tree is read only inside itself: every path resolves as
/// openat2's RESOLVE_IN_ROOT resolves it (the links between sysfs devices
/// work; a link to /etc/shadow or ../../.. is taken inside the tree, and
/// refused when nothing is there), by openat2 where the kernel has it, else
/// component by component (`walk`). Every file read must be a regular file
/// (a FIFO, a device or a socket is refused: 65), opened non-blocking so
/// that opening cannot hang, and read with a bound.
package struct MachineRoot: Sendable, Equatable, CustomStringConvertible {
    /// How paths resolve: openat2 when the kernel has it, or always the
    /// component walk (the tests hold the two against each other).
    package enum Resolution: Sendable { case automatic, componentWalk }

    /// "/" for this machine, else the tree (no trailing slash).
    package let path: String
    let resolution: Resolution

    package init(_ path: String, resolution: Resolution = .automatic) {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        self.path = String(p)
        self.resolution = resolution
    }

    package static let live = MachineRoot("/")
    package var isLive: Bool { path == "/" }
    package var description: String { path }
    package static func == (a: MachineRoot, b: MachineRoot) -> Bool { a.path == b.path }

    // MARK: the layout, relative to the root

    package static let pciBus = "sys/bus/pci"
    package static let devices = "sys/bus/pci/devices"
    package static let mcfg = "sys/firmware/acpi/tables/MCFG"
    package static let iomem = "proc/iomem"
    package static let cmdline = "proc/cmdline"
    /// The boot trace a capture keeps (`snapshot` or `trace`), and the live tracefs.
    package static let tracing = "sys/kernel/tracing"
    /// A capture's kernel log; the live machine's is /dev/kmsg.
    package static let kernelLog = "dmesg.txt"

    /// A path inside the root as messages name it.
    package func path(_ relative: String) -> String { path.appendingPath(relative) }

    /// The captured kernel log's path; nil for the live machine.
    package var kernelLogPath: String? { isLive ? nil : path(Self.kernelLog) }

    // MARK: bounds on what is read whole

    /// sysfs attributes (vendor, irq, resource, driver...): a page in the kernel.
    package static let attributeLimit = 1 << 16
    /// /proc/iomem: a few KiB on a guest, tens on a large host.
    package static let iomemLimit = 1 << 22

    /// The root exists and is a directory.
    package func check() throws {
        guard let kind = FileContents.kind(path) else { throw PCITimeError.missing(path, "no such directory") }
        guard kind == .directory else { throw PCITimeError.input(path, "not a directory (--root wants a captured tree)") }
    }

    // MARK: reading inside the root

    /// Opens a file for reading: resolved inside the root, non-blocking, and
    /// a regular file or refused. Nil when nothing is there (and no link
    /// led out of the tree on the way).
    package func openIfPresent(_ relative: String) throws -> Int32? {
        let fd = resolve(relative, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        if fd < 0 {
            if let e = failure(relative, -fd) { throw e }
            return nil
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw PCITimeError.system(path(relative), e)
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw PCITimeError.input(path(relative), "not a regular file: \(FileContents.typeName(st))")
        }
        return fd
    }

    /// As `openIfPresent`, but nothing there is an error (66).
    package func open(_ relative: String) throws -> Int32 {
        guard let fd = try openIfPresent(relative) else { throw PCITimeError.missing(path(relative), "no such file") }
        return fd
    }

    /// A whole file of at most `limit` bytes (more is refused, 65); nil when
    /// nothing is there. `what` names its content in that refusal.
    package func bytes(_ relative: String, limit: Int, what: String) throws -> [UInt8]? {
        guard let fd = try openIfPresent(relative) else { return nil }
        defer { close(fd) }
        let b = try FileContents.read(fd: fd, atMost: limit + 1, name: path(relative))
        guard b.count <= limit else {
            throw PCITimeError.input(path(relative), "more than \(limit) bytes: too large for \(what)")
        }
        return b
    }

    /// Every line of a file, in constant memory (`LineStream`); nil when
    /// nothing is there.
    package func forEachLine(_ relative: String, _ body: (UnsafePointer<UInt8>, Int) throws -> Void) throws -> (lines: Int, cut: Int)? {
        guard let fd = try openIfPresent(relative) else { return nil }
        defer { close(fd) }
        return try LineStream.forEachLine(fd: fd, name: path(relative), body)
    }

    /// The names in a directory, without "." and ".."; nil when it cannot be listed.
    package func names(inDirectory relative: String) -> [String]? {
        let fd = resolve(relative, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        guard let dir = fdopendir(fd) else { close(fd); return nil }
        return FileContents.names(dir)
    }

    /// What a path names (links followed, inside the root); nil when nothing is there.
    package func kind(_ relative: String) -> FileContents.Kind? {
        let fd = resolve(relative, O_PATH | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        return fstat(fd, &st) == 0 ? FileContents.kind(st) : nil
    }

    /// The last name of a symbolic link's target (the link itself is read,
    /// never followed); nil when `relative` is not a link.
    package func linkName(_ relative: String) -> String? {
        let (folder, name) = Substring(relative).folderAndName
        let dir = resolve(folder ?? ".", O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { return nil }
        defer { close(dir) }
        return Self.readLink(dir, name)?.split(separator: "/").last.map(String.init)
    }

    /// Whether every entry under `relative` (the directory, its entries and
    /// theirs, `depth` levels down) resolves inside the root when followed
    /// as the kernel follows links: for readers that open paths themselves
    /// (libpci), which cannot be held inside. The first path that leads
    /// out, and where.
    package func firstLinkLeaving(_ relative: String, depth: Int) -> (path: String, target: String)? {
        guard !isLive, let top = realpath(path, nil) else { return nil }
        let inside = String(cString: top)
        free(top)
        func leaves(_ p: String) -> String? {
            guard let r = realpath(p, nil) else {
                // A link to nothing: where it points, if that is outside.
                guard let t = FileContents.linkTarget(p) else { return nil }
                return t.hasPrefix("/") && !(t == inside || t.hasPrefix(inside + "/")) ? t : nil
            }
            defer { free(r) }
            let s = String(cString: r)
            return s == inside || s.hasPrefix(inside + "/") ? nil : s
        }
        func visit(_ p: String, _ level: Int) -> (String, String)? {
            if let out = leaves(p) { return (p, out) }
            guard level < depth, FileContents.kind(p) == .directory else { return nil }
            for n in (FileContents.names(inDirectory: p) ?? []).sorted() {
                if let hit = visit(p + "/" + n, level + 1) { return hit }
            }
            return nil
        }
        return visit(path(relative), 0)
    }

    // MARK: resolution

    /// `relative` opened with `flags`, resolved inside the root; or -errno.
    func resolve(_ relative: String, _ flags: Int32) -> Int32 {
        if isLive {
            let fd = Glibc.open("/" + relative, flags)
            return fd >= 0 ? fd : -errno
        }
        let root = Glibc.open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { return -errno }
        defer { close(root) }
        // "" names the root itself, as "." does (openat2 would need AT_EMPTY_PATH).
        let relative = relative.isEmpty ? "." : relative
        if resolution == .automatic {
            var fd = -EAGAIN
            // EAGAIN: a rename raced the lookup; the kernel asks for a retry.
            for _ in 0..<8 where fd == -EAGAIN { fd = pcitime_openat2_in_root(root, relative, flags) }
            if fd != -ENOSYS { return fd }
        }
        return Self.walk(root, relative, flags).fd
    }

    /// Component by component, as RESOLVE_IN_ROOT: each name opened
    /// O_PATH|O_NOFOLLOW below the directory reached so far; a link's target
    /// is read and put in front of what is left (an absolute one starts
    /// again at the root); ".." never climbs above the root; the last name
    /// is opened with `flags` and O_NOFOLLOW, so a link swapped in meanwhile
    /// fails (ELOOP) instead of being followed. `escape`: the first link
    /// target or ".." that pointed above the root.
    static func walk(_ root: Int32, _ relative: String, _ flags: Int32) -> (fd: Int32, escape: String?) {
        var dirs: [Int32] = []  // directories entered below the root, deepest last
        defer { dirs.forEach { close($0) } }
        // A trailing "/" asks for a folder: "x/" walks as "x/.".
        func components(_ p: String) -> [String] { (p.split(separator: "/").map(String.init) + (p.hasSuffix("/") ? ["."] : [])).reversed() }
        var pending = components(relative)
        var links = 0
        var escape: String?
        var link: String?  // the last link followed, to name it when it climbs out
        while let name = pending.popLast() {
            if name == "." { continue }
            if name == ".." {
                if dirs.isEmpty { escape = escape ?? link ?? ".." } else { close(dirs.removeLast()) }
                continue
            }
            let parent = dirs.last ?? root
            let fd = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { return (-errno, escape) }
            var st = stat()
            guard fstat(fd, &st) == 0 else { let e = errno; close(fd); return (-e, escape) }
            if (st.st_mode & S_IFMT) == S_IFLNK {
                links += 1
                let target = readLink(fd, "")
                close(fd)
                guard links <= 40, let target else { return (-ELOOP, escape) }  // the kernel's MAXSYMLINKS
                link = target
                if target.hasPrefix("/") {
                    escape = escape ?? target
                    dirs.forEach { close($0) }
                    dirs = []
                }
                pending += components(target)
            } else if !pending.isEmpty {
                guard (st.st_mode & S_IFMT) == S_IFDIR else { close(fd); return (-ENOTDIR, escape) }
                dirs.append(fd)
            } else {
                close(fd)
                let out = openat(parent, name, flags | O_NOFOLLOW)
                return (out >= 0 ? out : -errno, escape)
            }
        }
        // The path named the root itself, or a directory reached by "..".
        let out = openat(dirs.last ?? root, ".", flags)
        return (out >= 0 ? out : -errno, escape)
    }

    /// A link's text; `name` "" reads the link `fd` itself holds (O_PATH).
    static func readLink(_ fd: Int32, _ name: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = buffer.withUnsafeMutableBytes { readlinkat(fd, name, $0.baseAddress!, $0.count) }
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }

    /// The refusal for a failed open, nil for plain absence. A missing file
    /// or a loop met on a link that pointed out of the tree is that link's
    /// fault, and said so.
    func failure(_ relative: String, _ e: Int32) -> PCITimeError? {
        let shown = path(relative)
        if !isLive && (e == ENOENT || e == ELOOP || e == ENOTDIR) {
            let root = Glibc.open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)
            if root >= 0 {
                defer { close(root) }
                let probe = Self.walk(root, relative, O_PATH | O_CLOEXEC)
                if probe.fd >= 0 { close(probe.fd) }
                if let out = probe.escape {
                    return .input(shown, "a link leads to \(out), outside the captured tree: refused (a capture is read only inside itself)")
                }
            }
        }
        switch e {
        case ENOENT, ENOTDIR: return nil
        case ELOOP: return .input(shown, "symbolic link loop")
        case EACCES, EPERM: return .permission(shown, "cannot read: permission denied")
        default: return .system(shown, e)
        }
    }
}
