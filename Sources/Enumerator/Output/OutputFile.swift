#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one way pcitime writes what it produces: standard output and error,
/// and every file a command is asked for (`--svg`, `--trace-json`, `--save`,
/// a capture's files). Partial writes and EINTR are retried here, once; every
/// failure is a `PCITimeError` naming the destination (EPIPE included, which
/// the CLI turns into a quiet SIGPIPE exit).
package struct OutputFile: Sendable {
    /// The destination as messages name it.
    package let path: String
    let fd: Int32

    package static let standardOutput = OutputFile(path: "standard output", fd: 1)
    package static let standardError = OutputFile(path: "standard error", fd: 2)

    init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// Run first: a broken pipe becomes EPIPE from `write` (so files in
    /// progress are cleaned up) instead of killing the process mid-write, and
    /// a closed descriptor 0, 1 or 2 is held by /dev/null opened the wrong way
    /// round, so output to it fails with EBADF and no file pcitime opens later
    /// can take its number and receive standard output.
    package static func prepareStandardStreams() {
        signal(SIGPIPE, SIG_IGN)
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) < 0 && errno == EBADF {
            let held = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY)
            if held >= 0 && held != fd { dup2(held, fd); close(held) }
        }
    }

    /// Ends the process as a broken pipe conventionally does: killed by
    /// SIGPIPE (a shell reports 141), with no message.
    package static func endOnBrokenPipe() -> Never {
        signal(SIGPIPE, SIG_DFL)
        raise(SIGPIPE)
        exit(128 + SIGPIPE)
    }

    /// Writes `text` to the file a command was asked for. `-` is standard
    /// output; an existing symlink, FIFO, character or block device or socket
    /// is written through as a stream, never replaced; a directory is
    /// refused; a regular file or a new path is replaced atomically (a
    /// temporary file in the same directory, then rename) keeping the
    /// original's mode and owner. Nothing is left behind on failure or on
    /// SIGINT, SIGTERM or SIGHUP.
    package static func write(_ text: String, to path: String) throws {
        try write(bytes: Array(text.utf8), to: path)
    }

    package static func write(bytes: [UInt8], to path: String) throws {
        if path == "-" { return try standardOutput.write(bytes: bytes) }
        var st = stat()
        guard lstat(path, &st) == 0 else {
            guard errno == ENOENT else { throw PCITimeError.system(path, errno) }
            return try replace(path, bytes, like: nil)
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR:
            throw PCITimeError.usage("\(path): is a directory; give a file name")
        case S_IFREG where st.st_mode & 0o222 == 0:
            throw PCITimeError.permission(path, "read-only file (mode \(String(st.st_mode & 0o7777, radix: 8))); not replaced")
        case S_IFREG where st.st_nlink == 1:
            try replace(path, bytes, like: st)
        case S_IFSOCK:
            try stream(toSocket: path, bytes)
        default:
            // A link, FIFO, device, or a file with other hard links: in place.
            try stream(path, bytes)
        }
    }

    /// Creates `path`, which must not exist, inside a folder pcitime made
    /// itself (a capture's temporary tree): no replacement to guard.
    package static func create(bytes: [UInt8], at path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PCITimeError.system(path, errno) }
        try OutputFile(path: path, fd: fd).writeAndClose(bytes)
    }

    package func write(_ text: String) throws {
        try write(bytes: Array(text.utf8))
    }

    package func write(bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    // A descriptor inherited non-blocking (a shared pipe or terminal): wait, then go on.
                    if errno == EAGAIN {
                        var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                        if poll(&ready, 1, -1) >= 0 || errno == EINTR { continue }
                    }
                    throw PCITimeError.system(path, errno)
                }
                done += n
            }
        }
    }

    // MARK: the two ways to a named file

    /// Opens without creating and without blocking (a FIFO with no reader is
    /// an error, not a hang), then writes as to a pipe.
    static func stream(_ path: String, _ bytes: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_TRUNC | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENXIO { throw PCITimeError.output(path, "FIFO with no reader (start the reader first)") }
            throw PCITimeError.system(path, errno)
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        try OutputFile(path: path, fd: fd).writeAndClose(bytes)
    }

    /// A listening Unix stream socket gets the bytes as a client would send them.
    static func stream(toSocket path: String, _ bytes: [UInt8]) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw PCITimeError.system(path, errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let name = Array(path.utf8)
        guard name.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw PCITimeError.output(path, "socket path too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in name.enumerated() { raw[i] = b }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let e = errno
            close(fd)
            throw PCITimeError.system(path, e)
        }
        try OutputFile(path: path, fd: fd).writeAndClose(bytes)
    }

    /// A temporary file beside `path`, renamed over it once complete; removed
    /// on any failure or when a signal arrived meanwhile.
    static func replace(_ path: String, _ bytes: [UInt8], like original: stat?) throws {
        let (folder, name) = path.folderAndName
        let directory = folder ?? "."
        var template = Array("\(directory == "/" ? "" : directory)/.\(name).pcitime-XXXXXX".utf8CString)
        let trap = SignalTrap([SIGINT, SIGTERM, SIGHUP], restart: true)
        let fd = mkstemp(&template)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { throw PCITimeError.missing(directory, "no such directory") }
            throw PCITimeError.system(path, errno)
        }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        do {
            if let st = original {
                _ = fchown(fd, st.st_uid, st.st_gid)
                _ = fchmod(fd, st.st_mode & 0o7777)
            } else {
                let mask = umask(0)
                umask(mask)
                _ = fchmod(fd, 0o666 & ~mask)
            }
            try OutputFile(path: path, fd: fd).writeAndClose(bytes)
            if let signal = trap.caught { throw PCITimeError.interrupted(signal) }
            guard rename(temporary, path) == 0 else { throw PCITimeError.system(path, errno) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes everything and closes, reporting the close too (NFS and some
    /// devices report a failed write only there).
    func writeAndClose(_ bytes: [UInt8]) throws {
        do {
            try write(bytes: bytes)
        } catch {
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw PCITimeError.system(path, errno) }
    }
}
