#if canImport(Glibc)
import Glibc
#endif

/// Child processes without Foundation's Process, so signals stay ours.
public enum Subprocess {
    /// Runs `argv` and returns its standard output, or nil if it failed;
    /// `quiet` sends its standard error to /dev/null.
    public static func output(_ argv: [String], quiet: Bool = false) -> String? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        if quiet { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
        guard let pid = spawn(argv, actions: &actions) else { close(fds[0]); close(fds[1]); return nil }
        close(fds[1])
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        close(fds[0])
        return wait(pid) == 0 ? String(decoding: bytes, as: UTF8.self) : nil
    }

    /// Runs `argv` with default signal dispositions (so Ctrl-C stops the
    /// child while we clean up) and returns its exit status. A SIGINT or
    /// SIGTERM sent to pcitime alone (`kill -INT`, not the terminal's whole
    /// process group) is passed on to the child, so the window ends now.
    public static func run(_ argv: [String]) throws -> Int32 {
        guard let pid = spawn(argv, actions: nil) else { throw PCITimeError.system(argv[0], errno) }
        return wait(pid, forwardSignals: true)
    }

    static func spawn(_ argv: [String], actions: UnsafeMutablePointer<posix_spawn_file_actions_t>?) -> pid_t? {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        sigaddset(&defaults, SIGPIPE)  // pcitime ignores it (OutputFile); the child should not inherit that
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGDEF))
        var cargs = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, argv[0], actions, &attr, &cargs, environ)
        if rc != 0 { errno = rc; return nil }
        return pid
    }

    /// waitpid, retried on EINTR; 128+N for a signal, as shells report it.
    static func wait(_ pid: pid_t, forwardSignals: Bool = false) -> Int32 {
        var status: Int32 = 0
        var forwarded = false
        while true {
            if forwardSignals && !forwarded, let signal = SignalTrap.caught {
                kill(pid, signal)
                forwarded = true
            }
            if waitpid(pid, &status, 0) >= 0 { break }
            if errno != EINTR { return -1 }
        }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }
}
