import CLibPCI
#if canImport(Glibc)
import Glibc
#endif

/// Child processes without Foundation's Process, so signals stay ours: the
/// one spawn, for pcitime's children (dmesg, zcat, trace's window) and the
/// tests' runs of the built binary.
package enum Subprocess {
    /// Where one of a child's standard descriptors leads.
    package enum Stream: Sendable {
        /// pcitime's own.
        case inherit
        /// /dev/null.
        case null
        /// A pipe that `Child.collect` reads (standard output and error only).
        case pipe
        /// A file: read for standard input, else created or truncated (0644).
        case file(String)
        /// One of pcitime's descriptors, duplicated.
        case descriptor(Int32)
        case closed
    }

    /// How a child ended.
    package enum Exit: Sendable, Equatable {
        case status(Int32)
        case signal(Int32)

        /// As shells report it: the status, or 128 + the signal.
        package var code: Int32 {
            switch self {
            case .status(let s): return s
            case .signal(let s): return 128 + s
            }
        }

        init(_ waitStatus: Int32) {
            self = waitStatus & 0x7f == 0 ? .status((waitStatus >> 8) & 0xff) : .signal(waitStatus & 0x7f)
        }
    }

    /// A started child: wait for it (`wait`) once, after reading its pipes
    /// (`collect`), if any.
    package struct Child: Sendable {
        package let pid: pid_t
        /// Its first word, naming it in errors.
        package let name: String
        /// The read ends of its piped standard output and error.
        let pipes: (output: Int32?, errors: Int32?)
    }

    /// Starts `argv` (the executable is looked up in PATH) with SIGINT,
    /// SIGTERM and SIGPIPE at their default and unblocked, as a shell starts
    /// a command: pcitime ignores SIGPIPE (`OutputFile`) and a test runner's
    /// threads may block signals, and a child should inherit neither.
    package static func spawn(_ argv: [String], stdin: Stream = .inherit, stdout: Stream = .inherit, stderr: Stream = .inherit) throws -> Child {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var reads: [Int32?] = [nil, nil]   // pcitime's ends of the pipes
        var writes: [Int32] = []           // the child's ends, closed here once it has them
        defer { writes.forEach { close($0) } }
        func fail(_ e: PCITimeError) -> PCITimeError {
            for case let fd? in reads { close(fd) }
            return e
        }
        for (fd, stream) in [(Int32(0), stdin), (1, stdout), (2, stderr)] {
            switch stream {
            case .inherit: break
            case .null: posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0)
            case .file(let path): posix_spawn_file_actions_addopen(&actions, fd, path, fd == 0 ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            case .descriptor(let from): posix_spawn_file_actions_adddup2(&actions, from, fd)
            case .closed: posix_spawn_file_actions_addclose(&actions, fd)
            case .pipe:
                guard fd > 0 else { throw fail(.usage("\(argv[0]): standard input cannot be a pipe here")) }
                var p: [Int32] = [0, 0]
                // Close-on-exec: no other child (one spawned beside this one
                // in another thread) inherits an end and holds the pipe open.
                guard pcitime_pipe_cloexec(&p) == 0 else { throw fail(.system("pipe", errno)) }
                posix_spawn_file_actions_adddup2(&actions, p[1], fd)
                reads[Int(fd) - 1] = p[0]
                writes.append(p[1])
            }
        }
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t(), mask = sigset_t()
        sigemptyset(&defaults)
        pthread_sigmask(SIG_BLOCK, nil, &mask)
        for s in [SIGINT, SIGTERM, SIGPIPE] {
            sigaddset(&defaults, s)
            sigdelset(&mask, s)
        }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setsigmask(&attr, &mask)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, argv[0], &actions, &attr, &cargs, environ)
        guard rc == 0 else { throw fail(.system(argv[0], rc)) }
        return Child(pid: pid, name: argv[0], pipes: (reads[0], reads[1]))
    }

    /// Runs `argv` and returns its standard output, or nil if it failed;
    /// `quiet` sends its standard error to /dev/null.
    package static func output(_ argv: [String], quiet: Bool = false) -> String? {
        guard let child = try? spawn(argv, stdout: .pipe, stderr: quiet ? .null : .inherit) else { return nil }
        let out = try? child.collect().output
        guard child.wait() == .status(0), let out else { return nil }
        return String(decoding: out, as: UTF8.self)
    }

    /// Runs `argv` (Ctrl-C stops the child while we clean up) and returns
    /// its exit status. A SIGINT or SIGTERM sent to pcitime alone (`kill
    /// -INT`, not the terminal's whole process group) is passed on to the
    /// child, so the window ends now.
    package static func run(_ argv: [String]) throws -> Int32 {
        try spawn(argv).wait(forwardSignals: true)?.code ?? -1
    }
}

extension Subprocess.Child {
    /// Everything its piped standard output and error carry, to the end of
    /// both, read as either has something (poll): read one to its end
    /// first, and a child that fills the other pipe meanwhile (64 KiB)
    /// would wait on it forever. Closes the pipes; call it once.
    package func collect() throws -> (output: [UInt8], errors: [UInt8]) {
        var fds = [pipes.output ?? -1, pipes.errors ?? -1]  // poll passes over -1: not piped, or ended
        defer { fds.forEach { if $0 >= 0 { close($0) } } }
        var got: [[UInt8]] = [[], []]
        let size = 1 << 16
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 1)
        defer { buffer.deallocate() }
        while fds.contains(where: { $0 >= 0 }) {
            var ready = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&ready, 2, -1) < 0 {
                if errno == EINTR { continue }
                throw PCITimeError.system("poll", errno)
            }
            for i in 0..<2 where fds[i] >= 0 && ready[i].revents != 0 {
                let n = try FileContents.readSome(fds[i], buffer, size, name: "\(name): standard \(i == 0 ? "output" : "error")")
                if n == 0 {
                    close(fds[i])
                    fds[i] = -1
                } else {
                    got[i] += UnsafeRawBufferPointer(start: buffer, count: n)
                }
            }
        }
        return (got[0], got[1])
    }

    /// Waits for it to end (EINTR retried); nil when it cannot be waited
    /// for. `forwardSignals`: a SIGINT or SIGTERM that `SignalTrap` caught
    /// meanwhile is passed on to it, once.
    package func wait(forwardSignals: Bool = false) -> Subprocess.Exit? {
        var status: Int32 = 0
        var forwarded = false
        while true {
            if forwardSignals && !forwarded, let signal = SignalTrap.caught {
                kill(pid, signal)
                forwarded = true
            }
            if waitpid(pid, &status, 0) >= 0 { return Subprocess.Exit(status) }
            if errno != EINTR { return nil }
        }
    }

    /// How it ended, without waiting: nil while it runs (or cannot be waited for).
    package func ended() -> Subprocess.Exit? {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == pid ? Subprocess.Exit(status) : nil
    }
}
