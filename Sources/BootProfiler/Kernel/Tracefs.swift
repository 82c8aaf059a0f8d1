#if canImport(Glibc)
import Glibc
#endif
import Enumerator

/// File access to tracefs: every raw call in one place.
enum Tracefs {
    static let candidates = ["/sys/kernel/tracing", "/sys/kernel/debug/tracing"]

    /// The tracefs directory, mounting it at /sys/kernel/tracing when asked
    /// and nothing is mounted. The corresponding C function is `mount`.
    static func locate(mount doMount: Bool) -> String? {
        for d in candidates where access(d + "/trace", F_OK) == 0 { return d }
        if doMount, access(candidates[0], F_OK) == 0,
           mount("nodev", candidates[0], "tracefs", 0, nil) == 0, access(candidates[0] + "/trace", F_OK) == 0 {
            return candidates[0]
        }
        return nil
    }

    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes `text` in one write(2), appending or truncating.
    static func write(_ path: String, _ text: String, append: Bool = false) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC))
        guard fd >= 0 else { throw PCITimeError.system(path, errno) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var n: Int
        repeat { n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) } } while n < 0 && errno == EINTR
        if n < 0 { throw PCITimeError.system(path, errno) }
    }
}

/// Child processes without Foundation's Process, so signals stay ours.
enum Subprocess {
    /// Runs `argv` and returns its standard output, or nil if it failed.
    static func output(_ argv: [String]) -> String? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
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
    static func run(_ argv: [String]) throws -> Int32 {
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
            if forwardSignals && !forwarded && SignalGuard.caught != 0 {
                kill(pid, SignalGuard.caught)
                forwarded = true
            }
            if waitpid(pid, &status, 0) >= 0 { break }
            if errno != EINTR { return -1 }
        }
        if status & 0x7f == 0 { return (status >> 8) & 0xff }
        return 128 + (status & 0x7f)
    }
}

/// Holds SIGINT and SIGTERM while a trace is armed: the signal is noted,
/// the window ends, probes are removed, then the caller sees `interrupted`.
public final class SignalGuard {
    nonisolated(unsafe) static var caught: Int32 = 0
    var previous: [Int32: sigaction] = [:]

    public init() {
        SignalGuard.caught = 0
        for sig in [SIGINT, SIGTERM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { SignalGuard.caught = $0 }
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            sigaction(sig, &action, &old)
            previous[sig] = old
        }
    }

    /// The signal that arrived, if any.
    public var interrupted: Int32? { SignalGuard.caught == 0 ? nil : SignalGuard.caught }

    deinit {
        for (sig, old) in previous {
            var o = old
            sigaction(sig, &o, nil)
        }
    }
}
