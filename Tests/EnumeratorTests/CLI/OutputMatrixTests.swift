#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Enumerator

/// Where output goes can never crash pcitime nor change what is there: every
/// output option against an absent parent, a directory, a link to /dev/null,
/// a FIFO with and without a reader, a read-only file, /dev/full, a regular
/// file and a closed standard output; every command's standard output
/// against /dev/full, a closed descriptor and a pipe nobody reads. Each row
/// checks the exit code, the one stderr line, and the target's kind after.
@Suite(.serialized) struct OutputMatrixTests {
    static let tree = Fixtures.tree("firecracker")
    static let log = Fixtures.log("firecracker.dmesg.txt")
    static let trace = Fixtures.trace("q35-rescan.trace")

    /// Every option that names an output file, as a full command line.
    static let fileOptions: [(name: String, argv: @Sendable (String) -> [String])] = [
        ("boot --svg", { ["boot", "--dmesg", log, "--svg", $0] }),
        ("boot --trace-json", { ["boot", "--dmesg", log, "--trace-json", $0] }),
        ("compare --svg", { ["compare", "sysfs-base", "sysfs-ext", "--samples", "2", "--warmup", "0", "--resamples", "10", "--svg", $0] }),
        ("trace --save", { ["trace", "--from", trace, "--save", $0] }),
    ]

    /// Every command's standard output.
    static let commands: [[String]] = [
        ["scan", "--root", tree], ["scan", "--root", tree, "--json"], ["scan", "--root", tree, "--tree"],
        ["methods", "--root", tree], ["mcfg", "--root", tree], ["boot", "--dmesg", log], ["boot", "--dmesg", log, "--json"],
        ["trace", "--from", trace], ["trace", "--from", trace, "--json"], ["trace", "--kernel-param"],
        ["compare", "sysfs-base", "sysfs-ext", "--samples", "2", "--warmup", "0", "--resamples", "10"],
        ["help"], ["--help"], ["help", "boot"],
    ]

    // MARK: running the binary without Foundation's Process

    struct Outcome {
        var status: Int32?; var signal: Int32?; var err: String
        /// With `measure`: pcitime's peak resident set in KiB (ru_maxrss).
        var maxRSSKiB = 0
    }

    /// Runs pcitime as a shell starts it (`Subprocess.spawn`), stdin from
    /// /dev/null, stderr to a file; a run still going after `timeout` seconds is killed and
    /// reported, never waited on. `measure`: through GNU time, for pcitime's
    /// peak memory. (wait4's own ru_maxrss of a posix_spawn child counts
    /// this test process: glibc spawns with CLONE_VM, and exec keeps the
    /// shared address space's high-water mark. time forks a fresh one.)
    static func run(_ args: [String], stdout: Subprocess.Stream, through shell: String? = nil, timeout: Int = 120, measure: Bool = false) -> Outcome {
        var template = Array("/tmp/pcitime-stderr-XXXXXX".utf8CString)
        let errFD = mkstemp(&template)
        close(errFD)
        let errFile = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        // A shell line that sets dispositions first, then execs pcitime with the arguments.
        var words = shell.map { ["/bin/sh", "-c", $0 + "; exec \"$0\" \"$@\"", CLITests.binary] } ?? [CLITests.binary]
        let rssFile = errFile + ".rss"
        if measure { words = ["/usr/bin/time", "-f", "%M", "-o", rssFile] + words }
        defer { unlink(rssFile) }
        guard let child = try? Subprocess.spawn(words + args, stdin: .null, stdout: stdout, stderr: .file(errFile)) else { return Outcome(err: "spawn failed") }
        var waited = 0
        var exit = child.ended()
        while exit == nil {
            if waited >= timeout * 100 {
                kill(child.pid, SIGKILL)
                _ = child.wait()
                return Outcome(err: "hung: killed after \(timeout) s")
            }
            usleep(10_000)
            waited += 1
            exit = child.ended()
        }
        defer { unlink(errFile) }
        let err = String(decoding: contents(errFile) ?? [], as: UTF8.self)
        var o: Outcome
        switch exit! {
        case .status(let s): o = Outcome(status: s, err: err)
        case .signal(let s): o = Outcome(signal: s, err: err)
        }
        if measure {
            let text = String(decoding: contents(rssFile) ?? [], as: UTF8.self)
            o.maxRSSKiB = text.split(separator: "\n").last.flatMap { Int($0) } ?? 0
        }
        return o
    }

    static func contents(_ path: String) -> [UInt8]? { FileContents.bytes(path) }

    static func put(_ text: String, _ path: String, mode: mode_t) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        _ = text.utf8CString.withUnsafeBytes { write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
        chmod(path, mode)
    }

    /// What is at a path, as the rows compare it before and after.
    static func kind(_ path: String) -> String {
        var st = stat()
        guard lstat(path, &st) == 0 else { return "absent" }
        let mode = String(st.st_mode & 0o7777, radix: 8)
        switch st.st_mode & S_IFMT {
        case S_IFLNK:
            var target = [CChar](repeating: 0, count: 4096)
            let n = readlink(path, &target, target.count - 1)
            return "link to " + String(decoding: target[0..<max(0, n)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        case S_IFIFO: return "FIFO"
        case S_IFSOCK: return "socket"
        case S_IFCHR: return "character device \(st.st_rdev)"
        case S_IFDIR: return "directory holding \(entries(path).count)"
        case S_IFREG: return "file \(mode) " + String(decoding: contents(path) ?? [], as: UTF8.self)
        default: return "other"
        }
    }

    static func entries(_ dir: String) -> [String] { (FileContents.names(inDirectory: dir) ?? []).sorted() }


    /// The common promise: the exit code, exactly `line` on stderr (nothing
    /// when nil), the target what it was, and no temporary file left.
    static func expectRow(_ what: String, _ r: Outcome, status: Int32, line: String?, dir: String) {
        #expect(r.signal == nil, "\(what): killed by signal \(r.signal ?? 0)")
        #expect(r.status == status, "\(what): exit \(r.status.map(String.init) ?? "none"): \(r.err)")
        #expect(r.err == (line.map { "pcitime: " + $0 + "\n" } ?? ""), "\(what)")
        #expect(!entries(dir).contains { $0.contains(".pcitime-") }, "\(what) left \(entries(dir))")
    }

    // MARK: the matrix

    @Test(arguments: 0..<fileOptions.count)
    func everyOutputOptionAgainstEveryKindOfTarget(_ index: Int) throws {
        let (name, argv) = Self.fileOptions[index]
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let out = dir + "/stdout"

        // An absent parent is named and left absent.
        let absent = dir + "/missing/out"
        Self.expectRow("\(name) absent parent", Self.run(argv(absent), stdout: .file(out)), status: 66, line: "\(dir)/missing: no such directory", dir: dir)
        #expect(Self.kind(dir + "/missing") == "absent")

        // A directory is refused.
        let directory = dir + "/d"
        mkdir(directory, 0o755)
        Self.expectRow("\(name) directory", Self.run(argv(directory), stdout: .file(out)), status: 64, line: "\(directory): is a directory; give a file name", dir: dir)
        #expect(Self.kind(directory) == "directory holding 0")

        // A link to /dev/null is written through and stays a link.
        let link = dir + "/null"
        symlink("/dev/null", link)
        Self.expectRow("\(name) link to /dev/null", Self.run(argv(link), stdout: .file(out)), status: 0, line: nil, dir: dir)
        #expect(Self.kind(link) == "link to /dev/null")

        // A FIFO nobody reads: an error at once, not a hang.
        let fifo = dir + "/fifo"
        mkfifo(fifo, 0o644)
        Self.expectRow("\(name) FIFO without a reader", Self.run(argv(fifo), stdout: .file(out), timeout: 60), status: 74,
                       line: "\(fifo): FIFO with no reader (start the reader first)", dir: dir)
        #expect(Self.kind(fifo) == "FIFO")

        // A FIFO with a reader (a thread here) gets every byte.
        let reader = FIFOReader(fifo)
        Self.expectRow("\(name) FIFO with a reader", Self.run(argv(fifo), stdout: .file(out), timeout: 60), status: 0, line: nil, dir: dir)
        let received = reader.finish()
        #expect(received > 100, "\(name): the reader got \(received) bytes")
        #expect(Self.kind(fifo) == "FIFO")

        // A listening Unix socket gets the bytes as a client's; with nobody listening, one line.
        let socketPath = dir + "/socket"
        let listener = SocketReader(socketPath)
        Self.expectRow("\(name) listening socket", Self.run(argv(socketPath), stdout: .file(out), timeout: 60), status: 0, line: nil, dir: dir)
        let sent = listener.finish()
        #expect(sent > 100, "\(name): the listener got \(sent) bytes")
        Self.expectRow("\(name) socket nobody listens on", Self.run(argv(socketPath), stdout: .file(out)), status: 74,
                       line: "\(socketPath): Connection refused", dir: dir)
        #expect(Self.kind(socketPath) == "socket")

        // A read-only file is not replaced, even by root.
        let readOnly = dir + "/read-only"
        Self.put("keep\n", readOnly, mode: 0o444)
        Self.expectRow("\(name) read-only file", Self.run(argv(readOnly), stdout: .file(out)), status: 77,
                       line: "\(readOnly): read-only file (mode 444); not replaced", dir: dir)
        #expect(Self.kind(readOnly) == "file 444 keep\n")

        // /dev/full: the write fails, the device stays a device.
        let full = Self.kind("/dev/full")
        Self.expectRow("\(name) /dev/full", Self.run(argv("/dev/full"), stdout: .file(out)), status: 74, line: "/dev/full: No space left on device", dir: dir)
        #expect(Self.kind("/dev/full") == full && full.hasPrefix("character device"))

        // A regular file is replaced whole, keeping its mode.
        let regular = dir + "/regular"
        Self.put("old\n", regular, mode: 0o640)
        Self.expectRow("\(name) regular file", Self.run(argv(regular), stdout: .file(out)), status: 0, line: nil, dir: dir)
        let replaced = Self.kind(regular)
        #expect(replaced.hasPrefix("file 640 ") && replaced != "file 640 old\n" && replaced.count > 100, "\(name): \(replaced.prefix(40))")

        // `-` is standard output, not a file named '-'.
        let dash = Self.run(argv("-"), stdout: .file(out))
        Self.expectRow("\(name) -", dash, status: 0, line: nil, dir: dir)
        #expect((Self.contents(out) ?? []).count > 100)
        #expect(Self.kind("-") == "absent")

        // A closed standard output: the file is written, the table is not, one line says so.
        let written = dir + "/written"
        Self.expectRow("\(name) closed stdout", Self.run(argv(written), stdout: .closed), status: 74, line: "standard output: Bad file descriptor", dir: dir)
        #expect(Self.kind(written).count > 100)
    }

    @Test func everyCommandsStandardOutputCanFail() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        for args in Self.commands {
            Self.expectRow("\(args) > /dev/full", Self.run(args, stdout: .file("/dev/full")), status: 74,
                           line: "standard output: No space left on device", dir: dir)
            Self.expectRow("\(args) >&-", Self.run(args, stdout: .closed), status: 74,
                           line: "standard output: Bad file descriptor", dir: dir)
        }
    }

    /// A reader that went away ends pcitime as it ends `cat`: killed by
    /// SIGPIPE, no message; also when it starts with SIGPIPE ignored.
    @Test func aClosedPipeEndsQuietly() throws {
        for args in Self.commands {
            for shell in [nil, "trap '' PIPE"] {
                var fds: [Int32] = [0, 0]
                #expect(pipe(&fds) == 0 && closeOnExec(fds[0]) && closeOnExec(fds[1]))
                close(fds[0])
                let r = Self.run(args, stdout: .descriptor(fds[1]), through: shell)
                close(fds[1])
                #expect(r.signal == SIGPIPE && r.err.isEmpty, "\(args) \(shell ?? ""): \(r)")
            }
        }
    }

    /// Standard output inherited non-blocking (a pipe another process set
    /// O_NONBLOCK on): a full pipe is waited on, not an EAGAIN failure.
    @Test func aNonBlockingStandardOutputIsWaitedOn() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0 && closeOnExec(fds[0]) && closeOnExec(fds[1]))
        _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        let reader = FIFOReader(readFD: fds[0], writeFD: fds[1], delay: 200)
        let r = Self.run(["scan", "--root", Fixtures.tree("qemu-q35-wide"), "--json"], stdout: .descriptor(fds[1]))
        let received = reader.finish()
        #expect(r.status == 0 && r.err.isEmpty, "\(r)")
        #expect(received > 70_000, "the reader got \(received) bytes of about 79,000")
    }

    /// SIGTERM at any moment of an atomic replacement leaves the old file
    /// or the whole new one, never a part or a temporary file.
    @Test func aSignalLeavesTheOldFileOrTheNewOne() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let target = dir + "/boot.svg"
        for delay in [0, 1, 2, 3, 5, 8, 12, 20, 30, 50] {
            Self.put("old\n", target, mode: 0o600)
            CLITests.interrupt(["boot", "--dmesg", Self.log, "--svg", target], with: SIGTERM, after: delay)
            let now = Self.kind(target)
            #expect(now == "file 600 old\n" || (now.hasPrefix("file 600 <?xml") && now.hasSuffix("</svg>\n")), "SIGTERM after \(delay) ms: \(now.prefix(40))")
            #expect(Self.entries(dir) == ["boot.svg"], "SIGTERM after \(delay) ms left \(Self.entries(dir))")
        }
    }

    /// `capture --out` makes a folder: it never creates a missing parent and
    /// never touches what is at the path.
    @Test func captureOutRefusesWhatItDidNotCreate() throws {
        let dir = Fixtures.scratch()
        defer { Fixtures.remove(dir) }
        let out = dir + "/stdout"
        Self.expectRow("capture absent parent", Self.run(["capture", "--out", dir + "/missing/x"], stdout: .file(out)), status: 66,
                       line: "\(dir)/missing: no such directory (capture --out creates only the last component)", dir: dir)
        #expect(Self.kind(dir + "/missing") == "absent")
        Self.expectRow("capture -", Self.run(["capture", "--out", "-"], stdout: .file(out)), status: 64,
                       line: "capture: --out names a folder to create; standard output cannot hold one", dir: dir)
        let link = dir + "/null", fifo = dir + "/fifo", directory = dir + "/d"
        symlink("/dev/null", link)
        mkfifo(fifo, 0o644)
        mkdir(directory, 0o755)
        for path in [link, fifo, directory, "/dev/full"] {
            let before = Self.kind(path)
            Self.expectRow("capture \(path)", Self.run(["capture", "--out", path], stdout: .file(out)), status: 64,
                           line: "capture: \(path) already exists; give a new folder", dir: dir)
            #expect(Self.kind(path) == before)
        }
    }
}

/// Reads a FIFO on its own thread until the last writer closes. Holding a
/// write end of its own until `finish`, it cannot see end-of-file before
/// pcitime has opened the FIFO.
final class FIFOReader {
    let readFD: Int32, writeFD: Int32
    var thread = pthread_t()
    let count = UnsafeMutablePointer<Int>.allocate(capacity: 2)

    convenience init(_ path: String) {
        let readFD = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        let writeFD = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        _ = fcntl(readFD, F_SETFL, fcntl(readFD, F_GETFL) & ~O_NONBLOCK)
        self.init(readFD: readFD, writeFD: writeFD)
    }

    /// Reads `readFD`, first waiting `delay` ms so that a writer fills the pipe.
    init(readFD: Int32, writeFD: Int32, delay: Int = 0) {
        self.readFD = readFD
        self.writeFD = writeFD
        count[0] = Int(readFD)
        count[1] = delay
        pthread_create(&thread, nil, { arg in
            let slots = arg!.assumingMemoryBound(to: Int.self)
            usleep(UInt32(slots[1] * 1000))
            slots[1] = 0
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(Int32(slots[0]), $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return nil }
                slots[1] += n
            }
        }, count)
    }

    /// Bytes read, once every writer has closed.
    func finish() -> Int {
        close(writeFD)
        pthread_join(thread, nil)
        close(readFD)
        defer { count.deallocate() }
        return count[1]
    }
}

/// Every descriptor a test opens is close-on-exec: tests run in parallel, and
/// a pcitime spawned by another test must not inherit a listening socket or a
/// FIFO's reader, or "nobody listens" and "no reader" stop being true.
@discardableResult
func closeOnExec(_ fd: Int32) -> Bool {
    fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC) == 0
}

/// Listens on a Unix stream socket and reads one connection on its own
/// thread until the client closes it (giving up after 60 s with none).
final class SocketReader {
    let listenFD: Int32
    var thread = pthread_t()
    let slots = UnsafeMutablePointer<Int>.allocate(capacity: 2)

    init(_ path: String) {
        listenFD = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listenFD, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        listen(listenFD, 1)
        slots[0] = Int(listenFD)
        slots[1] = 0
        pthread_create(&thread, nil, { arg in
            let slots = arg!.assumingMemoryBound(to: Int.self)
            // A pcitime that never connects must fail the row, not hang it.
            var ready = pollfd(fd: Int32(slots[0]), events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, 60_000) == 1 else { return nil }
            let connection = accept(Int32(slots[0]), nil, nil)
            guard connection >= 0 else { return nil }
            closeOnExec(connection)
            defer { close(connection) }
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return nil }
                slots[1] += n
            }
        }, slots)
    }

    /// Bytes received; the socket file stays, nobody listening on it.
    func finish() -> Int {
        pthread_join(thread, nil)
        close(listenFD)
        defer { slots.deallocate() }
        return slots[1]
    }
}
